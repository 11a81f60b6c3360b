"""Who a token belongs to, remembered from an earlier start (no Textual, no network).

The console paints from the cache before the service answers; to find the cache (one per
server and user) it must know the user without asking GET /me first. The file is named by a
hash of server and token and holds only what GET /me said; the token itself is not stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import cast

from dispatch.client.shapes import MeShape
from dispatch.private_files import private_dir, private_file


def _path(directory: Path, where: str, bearer: str) -> Path:
    digest = hashlib.sha256(f"{where}\n{bearer}".encode()).hexdigest()[:32]
    return directory / "who" / f"{digest}.json"


def known_me(directory: Path, where: str, bearer: str) -> MeShape | None:
    """What GET /me said for this server and token last time, or None."""
    try:
        me = json.loads(_path(directory, where, bearer).read_text())
    except (OSError, ValueError):
        return None
    ok = isinstance(me, dict) and isinstance(me.get("user"), dict) and "role" in me
    # written from GET /me's answer, which the client checked at its door (`ApiClient.me`)
    return cast("MeShape", me) if ok else None


def remember_me(directory: Path, where: str, bearer: str, me: MeShape) -> None:
    path = _path(directory, where, bearer)
    private_dir(path.parent)
    private_file(path)  # 0600 from the start, and an older file made so
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(me, fh)


def forget_me(directory: Path, where: str, bearer: str) -> None:
    """The service refused the token: ask again next time."""
    with contextlib.suppress(FileNotFoundError):
        _path(directory, where, bearer).unlink()
