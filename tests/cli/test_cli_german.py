"""`dispatch --lang de tickets ...`: the CLI's words and times in German, the data as stored.

Help texts are translated as the command modules are imported (the entry point chooses the
language first: tests/i18n/test_language_choice.py); the output is translated as it is
printed, so an in-process `--lang de` shows it here."""

from __future__ import annotations

import json
import re

from cli.seeded import runner

from dispatch.cli import app


def test_show_list_and_refusals_read_in_german(env: dict[str, str], german: None) -> None:
    token = env["tom.lehmann"]
    listed = runner.invoke(app, ["tickets", "list", "--json", "--token", token, "--status", "new"])
    number = str(json.loads(listed.stdout)["items"][0]["number"])
    plain = runner.invoke(app, ["--lang", "de", "tickets", "list", "--token", token])
    assert plain.exit_code == 0, plain.output
    assert re.search(r"P\d  (Neu|Triagiert|Eingeplant|In Arbeit|Wartet auf Kunde)", plain.output)
    shown = runner.invoke(app, ["--lang", "de", "tickets", "show", number, "--token", token])
    assert shown.exit_code == 0, shown.output
    out = shown.output
    assert re.search(r"Status\s+Neu", out), out
    assert re.search(r"Eingang\s+(Mo|Di|Mi|Do|Fr|Sa|So) \d\d\.\d\d\. \d\d:\d\d", out), out
    assert re.search(
        r"Art\s+(Störung|Anforderung|Wartung|Kommissionieren & Packen|Monitoring-Alarm)", out
    )
    assert "  Beschreibung:" in out
    for english in ("status ", "received", "history:", "created the ticket", "priority"):
        assert english not in out, english
    missing = runner.invoke(app, ["--lang", "de", "tickets", "show", "1", "--token", token])
    assert missing.exit_code != 0
    assert "Fehler: Nicht gefunden oder für Sie nicht sichtbar. (HTTP 404)" in missing.output


def test_a_wrong_option_value_is_refused_in_german(env: dict[str, str], german: None) -> None:
    token = env["tom.lehmann"]
    done = runner.invoke(
        app,
        [
            "--lang",
            "de",
            "tickets",
            "add",
            "--customer",
            "1",
            "--title",
            "x",
            "--token",
            token,
            "--kind",
            "bogus",
        ],
    )
    assert done.exit_code == 2
    assert "--kind 'bogus' ist keiner dieser Werte: incident" in done.output


def test_an_option_value_may_be_the_german_word(env: dict[str, str], german: None) -> None:
    token = env["anna.becker"]
    customers = runner.invoke(app, ["tickets", "list", "--json", "--token", token])
    customer = json.loads(customers.stdout)["items"][0]["customer_name"]
    done = runner.invoke(
        app,
        [
            *("--lang", "de", "tickets", "add", "--customer", customer, "--title", "Drucker"),
            *("--kind", "Wartung", "--source", "Telefon-Hotline", "--token", token, "--json"),
        ],
    )
    assert done.exit_code == 0, done.output
    made = json.loads(done.stdout)
    assert (made["kind"], made["source"]) == ("maintenance", "phone")
