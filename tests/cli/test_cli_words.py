"""`dispatch tickets show/suggest/assign` print words and Berlin times, not the API's names."""

from __future__ import annotations

import json
import re

from cli.seeded import runner

from dispatch.cli import app


def test_show_and_assign_read_as_words(env: dict[str, str]) -> None:
    token = env["tom.lehmann"]
    listed = runner.invoke(app, ["tickets", "list", "--json", "--token", token, "--status", "new"])
    ticket = json.loads(listed.stdout)["items"][0]
    number = str(ticket["number"])
    ranked = runner.invoke(app, ["tickets", "suggest", number, "--token", token])
    assert ranked.exit_code == 0, ranked.output
    assert not re.search(r"\d{4}-\d\d-\d\dT", ranked.output), "no ISO times"
    assert re.search(
        r"[A-Z][a-z]{2} \d\d [A-Z][a-z]{2} \d\d:\d\d-\d\d:\d\d (on site|remote)", ranked.output
    )
    suggestions = json.loads(
        runner.invoke(app, ["tickets", "suggest", number, "--json", "--token", token]).stdout
    )
    tech = suggestions["items"][0]
    assigned = runner.invoke(
        app,
        ["tickets", "assign", number, "--technician", str(tech["technician_id"]), "--token", token],
    )
    assert assigned.exit_code == 0, assigned.output
    assert f"assigned {number} to {tech['name']} (status " in assigned.output
    shown = runner.invoke(app, ["tickets", "show", number, "--token", token])
    assert shown.exit_code == 0, shown.output
    out = shown.output
    assert re.search(r"status\s+(new|triaged|scheduled|in progress)", out)
    assert re.search(rf"Tom Lehmann: .*assignee: - → {tech['name']}", out)
    assert re.search(r"received\s+[A-Z][a-z]{2} \d\d [A-Z][a-z]{2} \d\d:\d\d", out)
    # whom to call and where to go, from the detail
    assert re.search(r"contact\s+\S", out) and re.search(r"address\s+.* · branch \S", out), out
    for internal in ("assignee_id", "_at ", "None", "+00:00", "tom.lehmann", "customer_name"):
        assert internal not in out, internal
