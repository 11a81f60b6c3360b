"""Finding text a person reads that was never marked for translation (`catalog check`).

Extraction only sees what is marked, so a forgotten `_()` is invisible to the catalog. This
reads the source instead: at the calls that put text on a screen or a terminal (`notify(`,
`Label(`, `Static(`, `Button(`, a `Binding(`'s description, `echo(`, `secho(`, `fail(`,
`print(`, `exit(`, `BadParameter(`, Typer's `help=`), an argument that is a string literal with
a letter in it (plain, f-string, `"...".format()`, `+` or `%`) is unmarked; one inside `_()`,
`N_()` or `ngettext()`, a name, or any other call is not judged. A Typer command or callback
without `help=` takes its help from the docstring, which extraction never sees: that is
reported too. Justified exceptions go in the allow-list (`path | text`, one a line).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

LETTER = re.compile(r"[^\W\d_]")
# the program's name before a message ("dispatch: {exc}") is no text to translate
PROGRAM = re.compile(r"\bdispatch:")
# nor are the fields of a format string ("{a} · {b}")
FIELD = re.compile(r"\{[^{}]*\}")
# call name -> (index of the positional argument people read, keywords people read)
SITES: dict[str, tuple[int | None, tuple[str, ...]]] = {
    "notify": (0, ("message", "title")),
    "Label": (0, ("renderable", "content")),
    "Static": (0, ("renderable", "content")),
    "Button": (0, ("label",)),
    "Binding": (2, ("description",)),
    "echo": (0, ("message",)),
    "secho": (0, ("message",)),
    "fail": (0, ("message",)),
    "print": (0, ()),
    "exit": (0, ()),
    "BadParameter": (0, ("message",)),
    "Option": (None, ("help",)),
    "Argument": (None, ("help",)),
    "Typer": (None, ("help",)),
    "DispatchTyper": (None, ("help",)),
    "add_typer": (None, ("help",)),
    "command": (None, ("help",)),
    "callback": (None, ("help",)),
}
# Typer reads the docstring when these are called without help=
HELP_FROM_DOCSTRING = frozenset({"command", "callback"})
DOCSTRING = "<help from a docstring>"


def _name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _text(node: ast.expr) -> str | None:
    """The literal text of `node` when it is an unmarked literal with a letter, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value if _wordy(node.value) else None
    if isinstance(node, ast.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
        joined = "".join(str(p) for p in parts)
        return ast.unparse(node) if _wordy(joined) else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "format":  # "...".format(...): the receiver is the text
            return _text(node.func.value)
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _text(node.left) or (_text(node.right) if isinstance(node.op, ast.Add) else None)
    return None


def _wordy(text: str) -> bool:
    return LETTER.search(FIELD.sub("", PROGRAM.sub("", text))) is not None


def _read(call: ast.Call, name: str) -> Iterator[ast.expr]:
    index, keywords = SITES[name]
    if index is not None and len(call.args) > index:
        yield call.args[index]
    for kw in call.keywords:
        if kw.arg in keywords:
            yield kw.value


def unmarked_in(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, text) of every unmarked literal at a display call site of one module."""
    return sorted(_unmarked(tree), key=lambda found: found[0])


def _unmarked(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node)
        if name not in SITES:
            continue
        for arg in _read(node, name):
            text = _text(arg)
            if text is not None:
                yield node.lineno, text
        helped = any(kw.arg == "help" for kw in node.keywords)
        if name in HELP_FROM_DOCSTRING and isinstance(node.func, ast.Attribute) and not helped:
            yield node.lineno, DOCSTRING


def unmarked(package: Path, root: Path) -> Iterator[tuple[str, str]]:
    """(`path:line`, text) of every unmarked literal in the modules of `package`."""
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        where = path.relative_to(root).as_posix()
        for line, text in unmarked_in(tree):
            yield f"{where}:{line}", text


def allowed(allow_file: Path) -> set[tuple[str, str]]:
    """The allow-list: `path | text` lines (`#` starts a comment line)."""
    found = set()
    for raw in allow_file.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        path, _sep, text = line.partition(" | ")
        found.add((path.strip(), text))
    return found
