"""Files only their owner may read: the cache, the embedded database, remembered logins.

They hold every ticket, contact and address the user may see, and the outbox. Created with
the process's umask (022 on most systems) they were 0644 in 0755 directories, readable by
every account on the machine. Directories dispatch makes are 0700, its files 0600, and
existing ones that are looser are tightened (the caller says so in one line).

No imports beyond the standard library: the console calls this before its first frame.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

SQLITE_SIDES = ("-wal", "-shm", "-journal")
"""The files SQLite keeps beside a database; they hold its pages as much as the file does."""


def tighten(path: Path) -> bool:
    """Take every permission of group and others from `path`; True when there were some."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return False
    if not mode & 0o077:
        return False
    path.chmod(mode & ~0o077)
    return True


def private_dir(path: Path) -> list[Path]:
    """Make `path` a directory only its owner may enter: directories this call creates are
    0700 (missing parents too), an existing `path` is tightened. Returns what was tightened."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for directory in reversed(missing):
        directory.mkdir(mode=0o700, exist_ok=True)  # mkdir's mode still passes the umask
        directory.chmod(0o700)
    return [] if missing else [path] if tighten(path) else []


def private_file(path: Path) -> list[Path]:
    """Create `path` empty as 0600 unless it exists; tighten it when it does. Returns what
    was tightened."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return [path] if tighten(path) else []
    os.close(fd)
    return []


def private_sqlite(path: Path) -> list[Path]:
    """A SQLite file and the files beside it, 0600 in a 0700 directory it makes if missing.

    Created before SQLite opens it: SQLite gives its -wal and -shm the database's mode.
    Returns what was tightened.
    """
    fixed = private_dir(path.parent) if not path.parent.exists() else []
    fixed += private_file(path)
    fixed += [side for side in _sides(path) if tighten(side)]
    return fixed


def _sides(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in SQLITE_SIDES]


def notice(fixed: list[Path]) -> str:
    """The one line that says what was tightened."""
    names = ", ".join(str(p) for p in fixed[:3]) + (" …" if len(fixed) > 3 else "")
    return (
        f"dispatch: {len(fixed)} file{'s' if len(fixed) != 1 else ''} other accounts could read "
        f"made private (owner only): {names}"
    )


def readable_by_others(path: Path) -> bool:
    try:
        return bool(stat.S_IMODE(path.stat().st_mode) & 0o077)
    except OSError:
        return False


def private_tree(root: Path) -> list[Path]:
    """`root` and everything under it owner-only (directories 0700, files 0600): the data
    directory of an earlier version, made with the umask. Returns what was tightened."""
    fixed = private_dir(root)
    for top, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(top) / name
            if not path.is_symlink() and tighten(path):
                fixed.append(path)
    return fixed


def exposed_token(config: Path) -> bool:
    """Whether `config` holds a token and other accounts may read it."""
    import tomllib

    if not readable_by_others(config):
        return False
    try:
        return bool(tomllib.loads(config.read_text()).get("token"))
    except (OSError, ValueError):
        return False


class TokenFileError(Exception):
    """A token file that is missing, empty, or readable by other accounts; one line."""


def token_from_file(token_file: str | Path | None, typed: str | None) -> str | None:
    """The token of `token_file` when that file is the token's source, else None: a token
    typed (`--token`) or in DISPATCH_TOKEN comes first; a token file set anywhere comes before
    a token written in config.toml. Raises `TokenFileError` as `read_token_file` does."""
    if token_file is None or typed or os.environ.get("DISPATCH_TOKEN"):
        return None
    return read_token_file(Path(token_file).expanduser())


def read_token_file(path: Path) -> str:
    """The bearer token in `path`: its first line, the file owner-only (as ssh insists for a
    private key: a token readable by others is refused, not used with a warning that scrolls
    away). A pipe (`DISPATCH_TOKEN_FILE=<(pass show dispatch)`) is owner-only by nature."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise TokenFileError(f"the token file {path} does not exist") from None
    except OSError as exc:
        raise TokenFileError(f"cannot read the token file {path}: {exc.strerror}") from None
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise TokenFileError(
            f"the token file {path} is readable by other accounts (mode {mode:04o}); "
            f"chmod 600 {path}"
        )
    if hasattr(os, "getuid") and info.st_uid not in (os.getuid(), 0):
        raise TokenFileError(f"the token file {path} belongs to another account")
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            text = handle.read(4096)  # a token is 43 characters; a wrong path may be huge
    except OSError as exc:
        raise TokenFileError(f"cannot read the token file {path}: {exc.strerror}") from None
    lines = text.strip().splitlines()
    token = lines[0].strip() if lines else ""
    if not token or not token.isprintable():
        raise TokenFileError(f"the token file {path} holds no token on its first line")
    return token
