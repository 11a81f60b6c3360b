"""Suite-wide settings: which tests are slow, which must not share the machine, trust figures.

`uv run pytest` runs on every core (pytest-xdist, `-n auto --dist loadgroup` in pyproject);
`uv run pytest -m "not slow"` leaves out the process, trust and sync tests for a quick loop.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

_HERE = Path(__file__).parent

# Whole directories that start processes, servers or many databases: the quick loop skips them.
SLOW_DIRS = ("deploy", "trust", "sync")
# Sweeps of the same kind outside them: every key of every pane, three roles, two kinds of
# failure (about 170 s of the quick loop's 400 worker-seconds on its own).
SLOW_FILES = {"console/test_offline_bindings.py", "ssh/test_sshd.py"}

# Tests whose assertions are about time or CPU (idle long-poll cost, back-online latency,
# header deadlines, crash timing). They run one after another in one worker, so two of them
# never compete for the same two cores; everything else still runs beside them.
TIMED = {
    "trust/test_long_poll.py",
    "trust/test_slow_clients.py",
    "trust/test_crash.py",
    "sync/test_back_online.py",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        try:
            where = item.path.relative_to(_HERE).as_posix()
        except ValueError:
            continue
        if where.split("/", 1)[0] in SLOW_DIRS or where in SLOW_FILES:
            item.add_marker(pytest.mark.slow)
        if where in TIMED:
            item.add_marker(pytest.mark.xdist_group("timed"))
    if getattr(config.option, "loadgroup", False):  # an xdist worker under --dist loadgroup
        for item in items:
            _name_the_group(item)


def _name_the_group(item: pytest.Item) -> None:
    """Put the item's xdist_group into its node id, where --dist loadgroup looks for it.

    pytest-xdist 3.8 writes `item._nodeid`, which pytest 9.2's structured node ids no longer
    read (pytest-dev/pytest-xdist#1386): every group was silently spread over the workers, the
    timed tests ran beside each other and a module's server started in each worker. The id
    is written the way xdist's own fix does; nothing is done when xdist already did it.
    """
    names = sorted(
        {
            str(m.args[0] if m.args else m.kwargs.get("name", "default"))
            for m in item.iter_markers("xdist_group")
        }
    )
    if not names:
        return
    suffix = "@" + "_".join(names)
    if item.nodeid.endswith(suffix):
        return
    node_id = getattr(item, "_id", None)
    if node_id is not None and hasattr(node_id, "parse"):
        item._id = type(node_id).parse(item.nodeid + suffix)


# -- figures ------------------------------------------------------------------------------
# A test's figure lines travel in its report's user_properties, so they reach the summary
# from xdist workers too (a module-level list would stay in the worker's process).
_FIGURES: list[str] = []


@pytest.fixture
def figure(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Record one line of figures; they are printed in the summary at the end of the run."""

    def record(line: str) -> None:
        request.node.user_properties.append(("figure", line))

    return record


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "teardown":
        _FIGURES.extend(str(v) for k, v in report.user_properties if k == "figure")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _FIGURES:
        terminalreporter.section("trust figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def _no_config_left_behind() -> Iterator[None]:
    """`dispatch ssh --config` names its config file in the environment for the session it
    starts; a test that runs it in-process must not hand that file to every later test of
    its worker."""
    yield
    os.environ.pop("DISPATCH_CONFIG", None)


@pytest.fixture(autouse=True)
def _english_again() -> Iterator[None]:
    """Every test ends with the process in English: `dispatch --lang de ...` run in-process
    (Typer's CliRunner) sets the language of the whole worker, and under xdist the next test
    of that worker, whichever it is, would read German."""
    yield
    from dispatch.i18n import language, set_language

    if language() != "en":
        set_language("en")


@pytest.fixture
def german() -> Iterator[None]:
    """The process speaks German for one test (`set_language("de")`), English again after,
    whatever the test did: a language left behind would change every later test of its
    worker."""
    from dispatch.i18n import set_language

    set_language("de")
    try:
        yield
    finally:
        set_language("en")
