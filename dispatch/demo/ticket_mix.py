"""Demo data tables: how tickets are mixed (kinds, sources, priorities, statuses, who has them)
and what people write about them (escalation notes, comments)."""

from __future__ import annotations

from dispatch.domain.types import EscalationReason, Source, Status, TicketKind

ESCALATION_NOTES: dict[EscalationReason, str] = {
    EscalationReason.TOTAL_OUTAGE: "Totalausfall beim Kunden, Geschäftsführung hat angerufen.",
    EscalationReason.VENDOR_STUCK: "Herstellerticket kommt nicht voran, bitte über den "
    "Partnermanager eskalieren.",
    EscalationReason.SLA_BREACH: "Reaktionszeit deutlich überschritten.",
    EscalationReason.CUSTOMER_COMPLAINT: "Kunde hat sich bei der Geschäftsführung beschwert.",
    EscalationReason.OTHER: "Bitte Servicebereichsleitung einbinden.",
}

COMMENTS: dict[str, tuple[str, ...]] = {
    "work": (
        "Kunde telefonisch erreicht, Problem nachvollzogen.",
        "Remote-Sitzung aufgebaut, Ereignisanzeige geprüft.",
        "Termin mit dem Ansprechpartner abgestimmt.",
        "Vor Ort: Ursache eingegrenzt, Ersatzteil wird benötigt.",
        "Kunde vor Arbeitsbeginn angerufen, jetzt per Fernwartung aufgeschaltet.",
        "Dienst neu gestartet, beobachten wir bis morgen.",
    ),
    Status.WAITING_VENDOR.value: (
        "Herstellerticket eröffnet, warte auf Rückmeldung.",
        "RMA beim Hersteller beantragt, Versand ca. 3 Werktage.",
        "Fall beim Hersteller eskaliert, noch keine Antwort.",
    ),
    Status.WAITING_CUSTOMER.value: (
        "Warte auf Rückmeldung des Kunden (Zugangsdaten).",
        "Ansprechpartner im Urlaub bis nächste Woche.",
        "Kunde prüft intern, ob der Fehler noch auftritt.",
    ),
    "done": (
        "Problem behoben, Kunde informiert.",
        "Ursache: volle Festplatte, bereinigt und Monitoring angepasst.",
        "Behoben, Servicebericht an den Kunden verschickt.",
        "Erledigt, Arbeitszeit erfasst.",
    ),
}

# kind -> ((source, weight), ...); kinds and sources are paired as they arrive in practice
KIND_WEIGHTS: tuple[tuple[TicketKind, int], ...] = (
    (TicketKind.INCIDENT, 45),
    (TicketKind.REQUEST, 25),
    (TicketKind.MAINTENANCE, 12),
    (TicketKind.MONITORING, 12),
    (TicketKind.PICK_PACK, 6),
)
KIND_SOURCES: dict[TicketKind, tuple[tuple[Source, int], ...]] = {
    TicketKind.INCIDENT: (
        (Source.EMAIL, 35),
        (Source.PORTAL, 20),
        (Source.PHONE, 30),
        (Source.VIP_HOTLINE, 15),
    ),
    TicketKind.REQUEST: ((Source.EMAIL, 50), (Source.PORTAL, 35), (Source.PHONE, 15)),
    TicketKind.MAINTENANCE: ((Source.SCHEDULE, 1),),
    TicketKind.MONITORING: ((Source.MONITORING, 1),),
    TicketKind.PICK_PACK: ((Source.GOODS_RECEIPT, 1),),
}
PRIORITY_WEIGHTS: dict[TicketKind, tuple[int, int, int, int]] = {  # P1, P2, P3, P4
    TicketKind.INCIDENT: (4, 36, 50, 10),
    TicketKind.REQUEST: (0, 10, 55, 35),
    TicketKind.MAINTENANCE: (0, 5, 45, 50),
    TicketKind.MONITORING: (6, 46, 40, 8),
    TicketKind.PICK_PACK: (0, 5, 50, 45),
}
STATUS_WEIGHTS: tuple[tuple[Status, int], ...] = (
    (Status.NEW, 9),
    (Status.TRIAGED, 10),
    (Status.SCHEDULED, 12),
    (Status.IN_PROGRESS, 9),
    (Status.WAITING_CUSTOMER, 6),
    (Status.WAITING_VENDOR, 4),
    (Status.RESOLVED, 10),
    (Status.CLOSED, 40),
)
ASSIGNED_SHARE: dict[Status, float] = {
    Status.NEW: 0.0,
    Status.TRIAGED: 0.25,
    Status.SCHEDULED: 1.0,
    Status.IN_PROGRESS: 1.0,
    Status.WAITING_CUSTOMER: 0.95,
    Status.WAITING_VENDOR: 0.95,
    Status.RESOLVED: 0.9,
    Status.CLOSED: 0.9,
}
CUSTOMER_SOURCES = frozenset({Source.EMAIL, Source.PORTAL, Source.PHONE, Source.VIP_HOTLINE})
OFFICE_HOURS_BIAS: dict[Source, float] = {
    Source.EMAIL: 0.6,
    Source.PORTAL: 0.7,
    Source.PHONE: 0.97,
    Source.VIP_HOTLINE: 0.9,
    Source.GOODS_RECEIPT: 1.0,
}
"""Order of the support profiles: a customer's tickets run on the widest of its contracts."""
