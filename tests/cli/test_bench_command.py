"""`dispatch bench` runs the benchmarks as `python -m bench` does, options passed through."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dispatch import cli

DISPATCH = str(Path(sys.executable).parent / "dispatch")


def test_dispatch_bench_passes_its_options_to_python_m_bench() -> None:
    done = subprocess.run(
        [DISPATCH, "bench", "--help"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: python -m bench")
    assert "--workers" in done.stdout
    wrong = subprocess.run(
        [DISPATCH, "bench", "--only", "nonsense"], capture_output=True, text=True, timeout=120
    )
    assert wrong.returncode == 2
    assert "nonsense" in wrong.stderr


def test_dispatch_bench_without_a_checkout_says_where_the_benchmarks_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "CHECKOUT", tmp_path)
    result = CliRunner().invoke(cli.app, ["bench", "--quick"])
    assert result.exit_code == 2
    assert "the benchmarks live in a checkout of dispatch" in result.output
