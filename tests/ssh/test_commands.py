"""What may follow `ssh dispatch@host`: a short grammar, and nothing ever reaches a shell."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import dispatch.ssh
from dispatch.ssh.commands import REFUSAL, Refused, Request, parse


@pytest.mark.parametrize(
    ("typed", "request_"),
    [
        (None, Request("console")),
        ("", Request("console")),
        ("   ", Request("console")),
        ("today", Request("today")),
        (" week ", Request("week")),
        ("ticket 100301", Request("ticket", 100301)),
        ("ticket   7", Request("ticket", 7)),
    ],
)
def test_the_commands_it_honours(typed: str | None, request_: Request) -> None:
    assert parse(typed) == request_


@pytest.mark.parametrize(
    "typed",
    [
        "sh -c id",
        "today; id",
        "today && id",
        "today\nid",
        "$(id)",
        "`id`",
        "ticket 1; rm -rf /",
        "ticket -1",
        "ticket 1 2",
        "ticket ١٢",  # Arabic-Indic digits are digits to \d, not to the grammar
        "TODAY",
        "scp -t /tmp",
        "rsync --server . /",
        "git-upload-pack 'x'",
        "internal-sftp",
        "dispatch --token x",
        "ticket 1234567890",
    ],
)
def test_anything_else_is_refused_in_one_line_without_echoing_it(typed: str) -> None:
    with pytest.raises(Refused) as refused:
        parse(typed)
    assert str(refused.value) == REFUSAL
    assert "\n" not in REFUSAL


GRAMMAR = st.one_of(
    st.just("today"),
    st.just("week"),
    st.integers(0, 999_999_999).map(lambda n: f"ticket {n}"),
)


@given(st.text())
def test_any_text_is_a_known_request_or_refused(typed: str) -> None:
    try:
        got = parse(typed)
    except Refused:
        return
    assert got.kind in ("console", "today", "week", "ticket")
    if got.kind == "console":
        assert typed.strip(" ") == ""
    elif got.kind == "ticket":
        assert re.fullmatch(f"ticket +0*{got.number}", typed.strip(" "))
    else:
        assert typed.strip(" ") == got.kind


@given(GRAMMAR, st.text(alphabet=";&|`$()<>\n\\'\"*?!{}", min_size=1))
def test_a_shell_metacharacter_anywhere_is_refused(command: str, extra: str) -> None:
    spliced = command.replace(" ", extra, 1) if " " in command else command[:2] + extra
    for typed in (command + extra, extra + command, spliced):
        with pytest.raises(Refused):
            parse(typed)


def _shell_call(node: ast.Call) -> str | None:
    """`os.system(...)`, `os.exec*`, `os.spawn*`, `os.popen`, or the builtins eval/exec."""
    func = node.func
    if isinstance(func, ast.Name) and func.id in ("eval", "exec", "compile", "__import__"):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        if func.value.id == "os" and func.attr.startswith(("system", "exec", "spawn", "popen")):
            return f"os.{func.attr}"
        if func.value.id in ("subprocess", "pty"):
            return f"{func.value.id}.{func.attr}"
    return None


def test_the_gateway_has_no_way_to_a_shell() -> None:
    """No module of the SSH gateway imports subprocess or pty, or calls os.system, os.exec*,
    os.spawn*, os.popen, eval or exec."""
    for path in Path(dispatch.ssh.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not {n.split(".")[0] for n in names} & {"subprocess", "pty"}, path.name
            if isinstance(node, ast.Call):
                assert _shell_call(node) is None, f"{path.name}: {_shell_call(node)}()"
