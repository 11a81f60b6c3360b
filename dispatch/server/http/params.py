"""Path and query parameters shared by the routes, bounded so bad input is 422, not a crash."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import Field

from dispatch.models.base import MAX_ID

IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="the resource's id")]
"""An id in a path; beyond the database's INTEGER range is a 422, never a 500."""

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""An id in a query (also inside lists)."""

NO_NUL = r"^[^\x00]*$"
"""Pattern for free text in queries: PostgreSQL cannot compare text holding NUL."""


def like_escape(term: str) -> str:
    """`term` for a LIKE pattern with escape character backslash: % and _ match themselves."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
