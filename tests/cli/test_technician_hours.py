"""`dispatch technicians hours`: show and set a technician's working hours."""

from __future__ import annotations

import json

from cli.seeded import runner

from dispatch.cli import app


def test_show_set_and_refuse_hours(env: dict[str, str]) -> None:
    token = env["anna.becker"]
    techs = json.loads(
        runner.invoke(app, ["tickets", "suggest", "100001", "--json", "--token", token]).stdout
    )["items"]
    name = techs[0]["name"]
    shown = runner.invoke(app, ["technicians", "hours", name, "--token", token])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith(f"{name} (")
    changed = runner.invoke(
        app,
        [
            "technicians",
            "hours",
            name,
            "mon-thu",
            "07:00-15:30",
            "fri",
            "07:00-12:00",
            "--token",
            token,
        ],
    )
    assert changed.exit_code == 0, changed.output
    assert changed.output.strip().endswith(": mon-thu 07:00-15:30, fri 07:00-12:00")
    again = runner.invoke(app, ["technicians", "hours", name, "--token", token])
    assert again.output == changed.output
    bad = runner.invoke(app, ["technicians", "hours", name, "mon", "17:00-08:00", "--token", token])
    assert bad.exit_code == 2
    assert "ends before it starts" in bad.output
    nobody = runner.invoke(app, ["technicians", "hours", "Nobody Atall", "--token", token])
    assert nobody.exit_code == 2 and "no technician is called" in nobody.output
    assert runner.invoke(app, ["technicians", "hours", name, "--token", token]).stdout == (
        changed.stdout
    )
