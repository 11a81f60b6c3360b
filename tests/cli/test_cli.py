"""The `dispatch` command for scripts: same client, same errors as the console."""

from __future__ import annotations

import json

from cli.seeded import runner

from dispatch.cli import app


def test_seed_demo_refuses_a_filled_database(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["seed-demo"])
    assert result.exit_code == 1
    assert "has tickets already" in result.output


def test_list_show_and_suggest_as_json(env: dict[str, str]) -> None:
    token = env["anna.becker"]
    listed = runner.invoke(app, ["tickets", "list", "--json", "--token", token])
    assert listed.exit_code == 0, listed.output
    items = json.loads(listed.stdout)["items"]
    assert items and all(t["status"] not in ("resolved", "closed") for t in items)
    number = items[0]["number"]
    shown = runner.invoke(app, ["tickets", "show", str(number), "--json", "--token", token])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["number"] == number
    suggested = runner.invoke(
        app, ["tickets", "suggest", str(number), "--json", "--token", token, "--limit", "3"]
    )
    assert suggested.exit_code == 0, suggested.output
    ranked = json.loads(suggested.stdout)["items"]
    assert 1 <= len(ranked) <= 3
    assert all(r["reasons"] for r in ranked)
    text = runner.invoke(app, ["tickets", "suggest", str(number), "--token", token])
    assert "1. " in text.output and "score" in text.output


def test_assign_and_escalate(env: dict[str, str]) -> None:
    token = env["tom.lehmann"]
    items = json.loads(
        runner.invoke(
            app, ["tickets", "list", "--json", "--token", token, "--status", "new"]
        ).stdout
    )["items"]
    ticket = next(t for t in items if not t["escalated"])
    techs = runner.invoke(
        app, ["tickets", "suggest", str(ticket["number"]), "--json", "--token", token]
    )
    tech_id = json.loads(techs.stdout)["items"][0]["technician_id"]
    assigned = runner.invoke(
        app,
        [
            "tickets",
            "assign",
            str(ticket["number"]),
            "--technician",
            str(tech_id),
            "--json",
            "--token",
            token,
        ],
    )
    assert assigned.exit_code == 0, assigned.output
    assert json.loads(assigned.stdout)["ticket"]["assignee_id"] == tech_id
    raised = runner.invoke(
        app,
        [
            "tickets",
            "escalate",
            str(ticket["number"]),
            "--reason",
            "total_outage",
            "--token",
            token,
        ],
    )
    assert raised.exit_code == 0, raised.output
    assert "escalation" in raised.output
    again = runner.invoke(
        app,
        ["tickets", "escalate", str(ticket["number"]), "--reason", "other", "--token", token],
    )
    assert again.exit_code == 1
    assert "already escalated" in again.output


def test_clear_errors_not_tracebacks(env: dict[str, str]) -> None:
    bad_token = runner.invoke(app, ["tickets", "list", "--token", "nope"])
    assert bad_token.exit_code == 1
    assert "unknown or revoked" in bad_token.output
    assert "Traceback" not in bad_token.output
    unreachable = runner.invoke(
        app, ["tickets", "list", "--server", "http://127.0.0.1:9", "--token", "x"]
    )
    assert unreachable.exit_code == 1
    assert "Is the service running?" in unreachable.output
    technician = runner.invoke(
        app, ["tickets", "assign", "100001", "--technician", "1", "--token", env["marco.wagner"]]
    )
    assert technician.exit_code == 1
    assert "Traceback" not in technician.output


def test_users_add_and_revoke(env: dict[str, str]) -> None:
    added = runner.invoke(app, ["users", "add", "nina", "--role", "dispatcher"])
    assert added.exit_code == 0, added.output
    token = added.output.strip().splitlines()[-1]
    ok = runner.invoke(app, ["tickets", "list", "--token", token])
    assert ok.exit_code == 0, ok.output
    revoked = runner.invoke(app, ["users", "revoke", "nina"])
    assert "revoked 1" in revoked.output
    refused = runner.invoke(app, ["tickets", "list", "--token", token])
    assert refused.exit_code == 1
    office = runner.invoke(app, ["users", "add", "sabine", "--role", "back_office"])
    assert office.exit_code == 0, office.output
    assert "(back_office)" in office.output
    queue = runner.invoke(app, ["tickets", "list", "--token", office.output.splitlines()[-1]])
    assert queue.exit_code == 0, queue.output  # the back office reads every ticket
    bad_role = runner.invoke(app, ["users", "add", "olga", "--role", "boss"])
    assert bad_role.exit_code == 1
    assert "role must be one of" in bad_role.output
