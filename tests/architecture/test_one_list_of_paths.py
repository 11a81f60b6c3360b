"""The console side spells no REST path itself: `dispatch.client.paths` is the one list.

The outbox stores the path of every queued write, so a path spelled in two places could drift
between the write that queued it and the one that replays it. Checked on the source: no string
in the client, the screens, the widgets, the app or the commands starts like a route of
`paths` (the f-strings' text parts included), except in `paths` itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

import dispatch
from dispatch.client import paths

ROOT = Path(dispatch.__file__).parent
CONSOLE_SIDE = [
    *sorted((ROOT / "client").glob("*.py")),
    *sorted((ROOT / "screens").glob("*.py")),
    *sorted((ROOT / "widgets").glob("*.py")),
    ROOT / "app.py",
    ROOT / "commands.py",
    ROOT / "console.py",
]
# Each route's first segment, e.g. "/tickets"; the prefix "/api/v1" too.
ROUTES = {v for k, v in vars(paths).items() if k.isupper() and isinstance(v, str)}


def spelled_paths(source: str) -> list[str]:
    """The string constants of `source` that start like a route of `paths`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if any(text == r or text.startswith((r + "/", r + "?")) for r in ROUTES):
                found.append(text)
    return found


def test_the_check_sees_a_spelled_path() -> None:
    assert spelled_paths('x = f"/tickets/{n}/comments"') == ["/tickets/"]
    assert spelled_paths('x = "/api/v1"') == ["/api/v1"]
    assert spelled_paths('x = "a/b"; y = "/"') == []


def test_no_path_is_spelled_outside_the_one_list() -> None:
    spelled = {
        str(file.relative_to(ROOT)): found
        for file in CONSOLE_SIDE
        if file.name != "paths.py" and (found := spelled_paths(file.read_text()))
    }
    assert spelled == {}
