"""Screens, widgets and commands never write the store: data flows one way.

service → feed → sync engine → client store → screens → widgets. A screen changes anything
only by sending an intent to the sync engine (`dispatch.screens.context.Intents`), which
queues it in the outbox and updates the store and tells every pane itself. The `Console`
protocol keeps screens off the cache and the client's writes (mypy); that the store they may
read is not written behind the engine's back is checked here, on the source.
"""

from __future__ import annotations

import ast
from pathlib import Path

import dispatch

ROOT = Path(dispatch.__file__).parent
CONSOLE_SIDE = [
    *sorted((ROOT / "screens").glob("*.py")),
    *sorted((ROOT / "widgets").glob("*.py")),
    ROOT / "commands.py",
]
# Methods that change a dict, a list or the store in place.
MUTATING = {"put_tickets", "drop_ticket", "pop", "popitem", "update", "clear", "setdefault"}


def _names(node: ast.AST) -> list[str]:
    """`self.dispatch.store.tickets[3]` → ["self", "dispatch", "store", "tickets"]."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            if isinstance(node, ast.Name):
                names.append(node.id)
            return names[::-1]


def store_writes(source: str) -> list[str]:
    """Every place in `source` that writes the store or publishes a change signal."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign | ast.Delete):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            # `x.store.a = …` or `store.a[1] = …` writes; binding the name `store` does not
            if isinstance(target, ast.Attribute | ast.Subscript) and "store" in _names(target):
                found.append((target.lineno, f"{ast.unparse(target)} = …"))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            chain = _names(node.func)
            if node.func.attr == "publish" or (node.func.attr in MUTATING and "store" in chain):
                found.append((node.lineno, f"{ast.unparse(node.func)}(…)"))
    return [f"line {line}: {what}" for line, what in sorted(found)]


def test_screens_widgets_and_commands_never_write_the_store() -> None:
    writes = {
        str(path.relative_to(ROOT)): hits
        for path in CONSOLE_SIDE
        if (hits := store_writes(path.read_text(encoding="utf-8")))
    }
    assert writes == {}


def test_the_check_sees_a_write() -> None:
    """What calendar.py and escalations.py did before they went through the sync engine."""
    source = (
        "store = self.dispatch.store\n"
        "store.technicians = {t['id']: t for t in found}\n"
        "self.dispatch.store.escalations = {}\n"
        "self.dispatch.store.tickets[3]['title'] = 'x'\n"
        "self.dispatch.store.put_tickets([])\n"
        "self.dispatch.escalations_changed.publish(None)\n"
        "shown = self.dispatch.store.tickets.get(3)\n"  # a read: fine
    )
    assert [hit.split(":")[0] for hit in store_writes(source)] == [
        "line 2",
        "line 3",
        "line 4",
        "line 5",
        "line 6",
    ]
