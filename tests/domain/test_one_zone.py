"""The provider's zone is defined once, in the domain, and imported everywhere else."""

from __future__ import annotations

import re
from pathlib import Path

from dispatch.domain import sla

ROOT = Path(__file__).resolve().parents[2]
DEFINITION = re.compile(r"""ZoneInfo\(\s*["']Europe/Berlin["']\s*\)|^BERLIN\s*=""", re.MULTILINE)


def test_berlin_is_defined_only_in_the_sla_module() -> None:
    places = [
        str(path.relative_to(ROOT))
        for folder in ("dispatch", "bench")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if DEFINITION.search(path.read_text(encoding="utf-8"))
    ]
    assert places == ["dispatch/domain/sla.py"]
    assert str(sla.BERLIN) == "Europe/Berlin"
