"""The display layer in German: times `Mo 07.12. 09:00` and `2:45 Std.`, the API's values as
the team's words, history and billing lines as sentences, a known problem in the client's
own words, holidays by their German names; and the service's own text stays English in a
process that shows German (the embedded service shares it with the console)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from dispatch.client.errors import error_for
from dispatch.display import billing_text, clock, labels
from dispatch.display.cli_text import show_lines
from dispatch.display.history import Names, event_line
from dispatch.domain.countdown import resume_text
from dispatch.domain.holiday_names import public_holidays
from dispatch.i18n import _

MONDAY = "2026-12-07T08:00:00+00:00"


def test_times_and_durations_in_german(german: None) -> None:
    assert clock.moment(MONDAY) == "Mo 07.12. 09:00"
    assert clock.day(date(2026, 12, 6)) == "So 06.12."
    assert clock.span(MONDAY, "2026-12-07T10:45:00+00:00") == "Mo 07.12. 09:00-11:45"
    assert clock.span(MONDAY, "2026-12-15T07:00:00+00:00") == "Mo 07.12. 09:00 - Di 15.12. 08:00"
    assert clock.duration(165) == "2:45 Std."
    assert clock.duration(-75) == "-1:15 Std."
    assert clock.duration_unit() == "Std."
    assert clock.number(1234.5, 1) == "1.234,5"
    assert resume_text(datetime(2026, 12, 8, 7, 0, tzinfo=UTC)) == "Di 08:00"


def test_times_and_durations_in_english() -> None:
    assert clock.moment(MONDAY) == "Mon 07 Dec 09:00"
    assert clock.day(date(2026, 12, 6)) == "Sun 06 Dec"
    assert clock.duration(165) == "2:45 h"
    assert clock.duration_unit() == "h"
    assert clock.number(1234.5, 1) == "1,234.5"
    assert resume_text(datetime(2026, 12, 8, 7, 0, tzinfo=UTC)) == "Tu 08:00"


def test_one_language_asked_for_whatever_the_process_speaks(german: None) -> None:
    assert clock.moment(MONDAY, "en") == "Mon 07 Dec 09:00"
    assert clock.span(MONDAY, "2026-12-07T10:00:00+00:00", "en") == "Mon 07 Dec 09:00-11:00"
    assert labels.word(labels.APPOINTMENT_KIND, "ticket_work", language="en") == "job"
    assert labels.word(labels.APPOINTMENT_KIND, "ticket_work") == "Einsatz"


def test_the_apis_values_read_as_the_teams_words(german: None) -> None:
    assert [labels.status(s) for s in ("new", "triaged", "in_progress", "waiting_vendor")] == [
        "Neu",
        "Triagiert",
        "In Arbeit",
        "Wartet auf Hersteller",
    ]
    assert labels.priority("P1") == "P1 kritisch"
    assert labels.word(labels.WORK_MODE, "onsite") == "vor Ort"
    assert labels.word(labels.ESCALATION_REASON, "total_outage") == "Totalausfall"
    assert labels.word(labels.SUPPORT_PROFILE, "24_7") == "rund um die Uhr (24/7)"
    assert labels.word(labels.SERVICE_ROLE, "system_engineer") == "Systemtechniker"
    assert labels.word(labels.NON_BILLABLE_REASON, "goodwill") == "Kulanz"
    assert labels.field("first_response_due") == "Erstreaktion fällig"
    # the tables translate however a screen reads them: index, get, items, values
    assert labels.KIND["pick_pack"] == "Kommissionieren & Packen"
    assert labels.SOURCE.get("vip_hotline") == "VIP-Hotline"
    assert dict(labels.WORK_MODE.items()) == {"onsite": "vor Ort", "remote": "Remote"}
    assert "Wartung" in labels.KIND.values()
    assert labels.KIND.raw("maintenance") == "maintenance"
    # a value the console does not know (a newer service) shows as it came, cleaned
    assert labels.status("on_hold\x1b[2J") == "on_hold[2J"


def test_history_and_billing_lines_are_german_sentences(german: None) -> None:
    names = Names(technicians={7: "Andreas Beck"}, actors={"tom.lehmann": "Tom Lehmann"})
    booked = {
        "at": MONDAY,
        "actor": "tom.lehmann",
        "entity": "appointment",
        "op": "create",
        "fields": {
            "technician_id": 7,
            "kind": "ticket_work",
            "mode": "onsite",
            "start": MONDAY,
            "end": "2026-12-07T10:45:00+00:00",
        },
    }
    assert event_line(booked, names) == (
        "Mo 07.12. 09:00  Tom Lehmann: hat Einsatz vor Ort für Andreas Beck gebucht, "
        "Mo 07.12. 09:00-11:45"
    )
    changed = {
        "at": MONDAY,
        "actor": "tom.lehmann",
        "entity": "ticket",
        "op": "update",
        "fields": {"priority": ["P3", "P1"], "assignee_id": [None, 7]},
    }
    assert event_line(changed, names).endswith(
        "Priorität: P3 normal → P1 kritisch; Techniker: - → Andreas Beck"
    )
    assert billing_text.raw_and_billed(35, 120) == "0:35 Std. → abgerechnet 2:00 Std."
    assert billing_text.raw_and_billed(35, 0, billable=False, reason="warranty") == (
        "0:35 Std. → nicht abgerechnet (Gewährleistung)"
    )
    reset = datetime(2026, 3, 31, 22, 0, tzinfo=UTC)  # 24:00 Berlin, 31.03.
    assert billing_text.contingent_line(750, 180, reset) == (
        "noch 12:30 Std., 3:00 Std. verfallen am 31.03."
    )
    assert billing_text.contingent_line(-135, 0, reset) == (
        "2:15 Std. überzogen, Korrekturrechnung fällig"
    )


def test_a_ticket_shown_on_the_command_line(german: None) -> None:
    ticket = {
        "number": 100301,
        "title": "Drucker klemmt",
        "status": "waiting_customer",
        "priority": "P2",
        "kind": "incident",
        "source": "phone",
        "received_at": MONDAY,
        "escalated": False,
        "tags": [],
    }
    lines = list(show_lines(ticket))
    assert lines[0] == "100301 Drucker klemmt"
    assert "  Status               Wartet auf Kunde" in lines
    assert "  Quelle               Telefon-Hotline" in lines
    assert "  Eingang              Mo 07.12. 09:00" in lines
    assert "  eskaliert            nein" in lines
    assert "  Ansprechpartner      angezeigt, sobald der Dienst wieder erreichbar ist" in lines


def test_known_problems_in_the_clients_words_others_in_the_services(german: None) -> None:
    taken = error_for(
        409,
        {
            "type": "/problems/slot-taken",
            "title": "Slot taken",
            "detail": "the technician is busy then: job on ticket 100301, Mon 07 Dec 09:00-11:00",
            "clash": {
                "kind": "ticket_work",
                "start": MONDAY,
                "end": "2026-12-07T10:00:00+00:00",
                "ticket_number": 100301,
            },
        },
    )
    assert taken.sentence == (
        "Der Techniker ist zu der Zeit schon gebucht: Einsatz zu Ticket 100301, "
        "Mo 07.12. 09:00-11:00."
    )
    assert taken.detail.startswith("the technician is busy")  # the API's text is kept
    # the outbox keeps status, title and detail of a refusal: the type is the title's slug
    stale = error_for(412, {"title": "Precondition Failed", "detail": "etag mismatch"})
    assert stale.sentence.startswith("Jemand anderes hat das inzwischen geändert")
    invalid = error_for(
        422,
        {
            "type": "/problems/invalid-request",
            "title": "Invalid request",
            "detail": "body.title: must not be empty",
            "errors": [{"field": "body.title", "message": "must not be empty"}],
        },
    )
    assert invalid.sentence == "Der Dienst hat Titel nicht angenommen: must not be empty"
    other = error_for(409, {"type": "/problems/brand-new", "title": "New", "detail": "x\x1b[2Jy"})
    assert other.sentence == "x[2Jy"
    assert error_for(503, {"title": "Service Unavailable"}).sentence == _(
        "The service is unavailable for a moment: try again."
    )


def test_holidays_by_their_names_in_the_language(german: None) -> None:
    days = public_holidays("NW", date(2026, 12, 24), date(2026, 12, 26))
    assert days == {date(2026, 12, 25): "1. Weihnachtstag", date(2026, 12, 26): "2. Weihnachtstag"}
    english = public_holidays("NW", date(2026, 12, 24), date(2026, 12, 26), "en")
    assert english[date(2026, 12, 25)] == "Christmas Day"
