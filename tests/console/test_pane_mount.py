"""Textual calls every class's `on_mount` in a screen's MRO by itself: a pane that also called
`super().on_mount()` built its rows (each with its SLA clock) twice before its first frame."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from console.calendar_pane import TECHNICIAN
from console.harness import DISPATCHER, console

from dispatch.screens.base import PaneScreen
from dispatch.screens.mywork import MyWorkScreen
from dispatch.screens.queue import QueueScreen


def _count_mounts(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    calls: Counter[str] = Counter()

    def spying(name: str, original: Callable[[PaneScreen], None]) -> Callable[[PaneScreen], None]:
        # one parameter only: Textual hands the Mount event to a handler that takes more
        def spy(self: PaneScreen) -> None:
            calls[name] += 1
            original(self)

        return spy

    for cls in (PaneScreen, QueueScreen, MyWorkScreen):
        monkeypatch.setattr(cls, "on_mount", spying(cls.__name__, cls.__dict__["on_mount"]))
    return calls


@pytest.mark.parametrize(("user", "pane"), [(TECHNICIAN, MyWorkScreen), (DISPATCHER, QueueScreen)])
async def test_a_pane_mounts_each_handler_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, user: str, pane: type[PaneScreen]
) -> None:
    calls = _count_mounts(monkeypatch)
    async with console(tmp_path, as_user=user, tickets=12) as (app, _pilot):
        assert isinstance(app.screen, pane)
    expected = {"PaneScreen": 1, "QueueScreen": 1}
    if pane is MyWorkScreen:
        expected["MyWorkScreen"] = 1
    assert dict(calls) == expected
