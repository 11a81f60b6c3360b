"""Branch offices: each has its own hotline, technicians and state holidays."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from dispatch.domain.types import StateCode


class BranchBase(SQLModel):
    code: str = Field(max_length=8, unique=True, description="Short code, e.g. WAF")
    name: str = Field(max_length=80)
    state: StateCode = Field(description="German federal state, for public holidays")


class Branch(BranchBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
