"""Deterministic demo data shaped like DOMAIN.md.

`seed_demo` fills an empty database with the six branch offices, the dispatch team, technicians,
German SME customers with sites, contacts and contracts, tickets of every kind, source and status
with SLA due times, a calendar over the current and next week, open escalations and a few
comments. Everything is drawn from `random.Random(seed)` relative to `now`, so the same seed, size
and `now` give the same data (only the bearer tokens are fresh each time). No change events are
written: the demo is the starting state, not a history.

Tickets go in with bulk inserts in chunks, so `DemoSize(tickets=100_000)` stays fast.
"""

from __future__ import annotations

import random
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import Session, SQLModel, select

from dispatch.demo_availability import seed_hours
from dispatch.domain import sla
from dispatch.domain.sla import BERLIN
from dispatch.domain.types import (
    AppointmentKind,
    ContractKind,
    EscalationReason,
    EscalationStatus,
    Priority,
    Role,
    ServiceRole,
    Source,
    StateCode,
    Status,
    SupportProfile,
    TicketKind,
    WorkMode,
)
from dispatch.models import (
    Appointment,
    Branch,
    Comment,
    Contact,
    Contract,
    Customer,
    Escalation,
    Site,
    Technician,
    Ticket,
)
from dispatch.models.ticket import search_text
from dispatch.server.accounts import create_user
from dispatch.server.sequences import move_sequences

CHUNK = 5_000
"""Rows per bulk insert."""


@dataclass
class DemoSize:
    """How much demo data to make."""

    technicians: int = 15
    customers: int = 40
    tickets: int = 300
    escalations: int = 2  # open ones; at most one per ticket


@dataclass
class DemoLogins:
    """Plain bearer tokens of the demo users, for the embedded console to log in."""

    tokens: dict[str, str]  # user name -> bearer token


# --- vocabulary -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _BranchSpec:
    code: str
    name: str
    state: StateCode
    weight: int  # share of customers and technicians
    area_code: str
    cities: tuple[str, ...]


BRANCHES: tuple[_BranchSpec, ...] = (
    _BranchSpec(
        "WAF",
        "Warendorf",
        StateCode.NW,
        5,
        "2581",
        ("Warendorf", "Telgte", "Ennigerloh", "Sassenberg", "Ostbevern", "Beckum", "Everswinkel"),
    ),
    _BranchSpec(
        "RHW",
        "Rheda-Wiedenbrück",
        StateCode.NW,
        3,
        "5242",
        ("Rheda-Wiedenbrück", "Gütersloh", "Herzebrock-Clarholz", "Rietberg", "Oelde"),
    ),
    _BranchSpec(
        "SIE",
        "Siegen",
        StateCode.NW,
        3,
        "271",
        ("Siegen", "Kreuztal", "Netphen", "Wilnsdorf", "Freudenberg", "Hilchenbach"),
    ),
    _BranchSpec(
        "KAM",
        "Kamen",
        StateCode.NW,
        3,
        "2307",
        ("Kamen", "Unna", "Bergkamen", "Bönen", "Lünen", "Holzwickede"),
    ),
    _BranchSpec(
        "MIT",
        "Mittenaar",
        StateCode.HE,
        2,
        "2772",
        ("Mittenaar", "Herborn", "Dillenburg", "Wetzlar", "Haiger", "Sinn"),
    ),
    _BranchSpec(
        "BUT",
        "Butzbach",
        StateCode.HE,
        2,
        "6033",
        ("Butzbach", "Friedberg", "Bad Nauheim", "Gießen", "Rockenberg", "Münzenberg"),
    ),
)

SKILLS: tuple[str, ...] = (
    "firewall",
    "backup",
    "exchange",
    "m365",
    "network",
    "vmware",
    "hyper-v",
    "datev",
    "printer",
    "antivirus",
    "linux",
    "windows-server",
    "voip",
    "wlan",
    "storage",
    "citrix",
)

FIRST_NAMES: tuple[str, ...] = (
    "Anna", "Lukas", "Julia", "Jan", "Laura", "Felix", "Sarah", "Tobias", "Katrin", "Stefan",
    "Sabine", "Michael", "Nicole", "Thomas", "Petra", "Andreas", "Melanie", "Markus", "Christina",
    "Daniel", "Sandra", "Sebastian", "Claudia", "Matthias", "Kerstin", "Dominik", "Birgit",
    "Florian", "Heike", "Tim", "Lea", "Niklas", "Svenja", "Marcel", "Jana", "Dennis", "Ute",
    "Patrick", "Monika", "Kai", "Simone", "Marco", "Silke", "Philipp", "Anja", "Oliver", "Nadine",
    "Benjamin", "Carina", "Jörg", "Björn", "Jürgen", "Maren", "Hendrik", "Insa", "Lars",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hartmann", "Lange", "Schmitt", "Werner",
    "Schmitz", "Krause", "Meier", "Lehmann", "Schulze", "Köhler", "Herrmann", "König", "Walter",
    "Kaiser", "Fuchs", "Peters", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Vogel", "Friedrich",
    "Keller", "Günther", "Berger", "Winkler", "Roth", "Beck", "Lorenz", "Baumann", "Albrecht",
    "Schuster", "Ludwig", "Böhm", "Winter", "Kraus", "Schumacher", "Krämer", "Vogt", "Stein",
    "Jäger", "Sommer", "Seidel", "Brandt", "Haas", "Graf", "Schulte", "Dietrich", "Kuhn", "Pohl",
    "Engel", "Horn", "Busch", "Bergmann", "Voigt", "Arnold", "Pfeiffer", "Brinkmann",
    "Westermann", "Hüsing", "Overbeck", "Kemper", "Tenbrink", "Heitmann", "Rüschhoff",
    "Wiesmann", "Holtkamp", "Niehues", "Pöppelmann", "Strotmann", "Sudbrock",
)  # fmt: skip

CUSTOMER_PATTERNS: tuple[str, ...] = (
    "Bäckerei {L}",
    "Steuerberatung {L} & Partner",
    "Autohaus {L} GmbH",
    "Kanzlei {L} & {L2}",
    "Praxis Dr. {L}",
    "Zahnarztpraxis Dr. {L}",
    "{L} Metallbau GmbH & Co. KG",
    "{L} Logistik GmbH",
    "Ingenieurbüro {L}",
    "Elektro {L} GmbH",
    "Tischlerei {L}",
    "Apotheke am Markt {C}",
    "{L} Landtechnik GmbH & Co. KG",
    "Physiotherapie {L}",
    "Architekturbüro {L} + {L2}",
    "{L} Kunststofftechnik GmbH",
    "Hotel {L}hof",
    "Fleischerei {L}",
    "{L} & Söhne Bau GmbH",
    "Sanitätshaus {L}",
    "Gemeinschaftspraxis {L} & {L2}",
    "Versicherungsbüro {L}",
    "{L} Maschinenbau GmbH",
    "Spedition {L} GmbH & Co. KG",
    "Immobilien {L} GmbH",
    "Optik {L}",
    "Brauerei {L}",
    "Druckerei {L} GmbH",
    "Pflegedienst {L} gGmbH",
    "Steuerkanzlei {L}",
    "{L} Haustechnik GmbH & Co. KG",
    "Möbelhaus {L}",
)

ACCOUNT_MANAGERS: tuple[str, ...] = (
    "Claudia Brinkmann",
    "Markus Tenbrink",
    "Silke Overbeck",
    "Jörg Heitmann",
)

STREETS: tuple[str, ...] = (
    "Hauptstraße", "Bahnhofstraße", "Industriestraße", "Am Markt", "Gewerbepark",
    "Münsterstraße", "Kirchplatz", "Lindenweg", "Gartenstraße", "Raiffeisenstraße",
    "Zum Stadtwald", "Dieselstraße", "Im Hagen", "Schulstraße", "Ringstraße",
)  # fmt: skip

SERVERS: tuple[str, ...] = (
    "SRV-DC01", "SRV-FS01", "SRV-EXCH01", "SRV-DATEV01", "SRV-SQL01", "SRV-APP01",
    "SRV-RDS01", "SRV-BACKUP01", "SRV-HV01", "SRV-HV02",
)  # fmt: skip
WORKSTATIONS: tuple[str, ...] = (
    "PC-EMPFANG01", "NB-VERTRIEB03", "PC-BUCHH02", "NB-GF01", "PC-LAGER01", "PC-PRAXIS04",
    "NB-AUSSEN07", "PC-WERKSTATT02",
)  # fmt: skip
VMS: tuple[str, ...] = ("VM-ERP01", "VM-WSUS", "VM-DATEV", "VM-TS01", "VM-PRINT01", "VM-WEB01")


@dataclass(frozen=True)
class _Template:
    title: str
    tags: tuple[str, ...]
    description: str


def _t(title: str, tags: str, description: str) -> _Template:
    return _Template(title, tuple(tags.split()), description)


TEMPLATES: dict[TicketKind, tuple[_Template, ...]] = {
    TicketKind.INCIDENT: (
        _t(
            "Drucker im Empfang druckt nicht",
            "printer",
            "Seit heute Morgen kommen keine Druckaufträge mehr an. Neustart hat nichts gebracht.",
        ),
        _t(
            "Outlook: Postfach voll",
            "exchange m365",
            "{person} kann keine Mails mehr senden, Outlook meldet 'Postfach voll'.",
        ),
        _t(
            "Kein Internet am Standort {city}",
            "network firewall",
            "Alle Arbeitsplätze ohne Internet, Telefonie ebenfalls gestört.",
        ),
        _t(
            "VPN-Verbindung bricht ständig ab",
            "firewall network",
            "Außendienst meldet Abbrüche alle paar Minuten, besonders abends.",
        ),
        _t(
            "DATEV startet nicht: Fehler beim Datenbankzugriff",
            "datev windows-server",
            "Meldung beim Start von DATEV Arbeitsplatz auf allen Clients, {srv} läuft.",
        ),
        _t(
            "{srv} nicht erreichbar",
            "windows-server network",
            "Anmeldung und Netzlaufwerke hängen, Server antwortet nicht auf Ping.",
        ),
        _t(
            "WLAN im Besprechungsraum sehr langsam",
            "wlan network",
            "Videokonferenzen brechen ab, Laptop zeigt nur einen Balken.",
        ),
        _t(
            "Telefonanlage: keine eingehenden Anrufe",
            "voip",
            "Anrufer hören Besetztzeichen, ausgehende Anrufe funktionieren.",
        ),
        _t(
            "Citrix-Sitzung friert ein",
            "citrix",
            "Sitzungen von {person} frieren nach ca. 10 Minuten ein.",
        ),
        _t(
            "Teams-Besprechungen ohne Ton bei {person}",
            "m365",
            "Headset wird erkannt, aber kein Ton in Teams.",
        ),
        _t(
            "Laufwerk S: nicht verbunden",
            "windows-server network",
            "Auf {ws} fehlt das Laufwerk S: nach der Anmeldung.",
        ),
        _t(
            "Virenmeldung auf {ws}",
            "antivirus",
            "Endpoint Protection meldet Fund beim Öffnen eines Mail-Anhangs.",
        ),
        _t(
            "Kennwort abgelaufen, {person} kann sich nicht anmelden",
            "windows-server m365",
            "Bitte Kennwort zurücksetzen, Rückruf unter der bekannten Durchwahl.",
        ),
        _t(
            "Scanner sendet keine Mails mehr",
            "printer exchange",
            "Scan-to-Mail am Multifunktionsgerät schlägt mit SMTP-Fehler fehl.",
        ),
        _t(
            "Excel stürzt beim Öffnen von Dateien ab",
            "m365",
            "Betrifft nur Dateien vom Netzlaufwerk, lokal geht es.",
        ),
        _t(
            "Phishing-Mail geöffnet, bitte prüfen",
            "antivirus exchange",
            "{person} hat auf einen Link geklickt und Zugangsdaten eingegeben.",
        ),
        _t(
            "Webserver antwortet mit 502 Bad Gateway",
            "linux",
            "Onlineshop nicht erreichbar, nginx meldet 502.",
        ),
        _t(
            "Blue screen on {ws} after update",
            "windows-server",
            "PC startet nach dem Windows-Update nur noch mit Bluescreen.",
        ),
        _t(
            "Outlook fragt ständig nach Kennwort",
            "exchange m365",
            "Seit der Umstellung auf Microsoft 365 kommt die Abfrage mehrmals täglich.",
        ),
        _t(
            "Kartenterminal an der Kasse offline",
            "network",
            "EC-Zahlung nicht möglich, Kunden zahlen bar.",
        ),
    ),
    TicketKind.REQUEST: (
        _t(
            "New laptop for {person}",
            "windows-server m365",
            "Bitte Notebook einrichten inkl. Office, VPN und Drucker.",
        ),
        _t(
            "Neuer Mitarbeiter ab {date}: Konto und Postfach anlegen",
            "m365 exchange",
            "Benutzer für {person} anlegen, Rechte wie Buchhaltung.",
        ),
        _t(
            "Mitarbeiter ausgeschieden: Konto sperren ({person})",
            "m365 windows-server",
            "Postfach bitte an die Vorgesetzte weiterleiten.",
        ),
        _t(
            "Zusätzliche Lizenz Microsoft 365 Business Premium",
            "m365",
            "Für eine neue Kollegin im Vertrieb.",
        ),
        _t(
            "Freigabe für Ordner Buchhaltung einrichten",
            "windows-server",
            "Lese- und Schreibrechte für {person}.",
        ),
        _t(
            "Firewall-Regel für Zugriff Steuerberater freischalten",
            "firewall",
            "Steuerberater benötigt Zugriff per VPN auf {srv}.",
        ),
        _t(
            "DATEV-Update einspielen",
            "datev",
            "Neue DATEV-DVD ist da, Installation bitte außerhalb der Sprechzeiten.",
        ),
        _t(
            "Zweiten Monitor an {ws} einrichten",
            "windows-server",
            "Monitor ist vorhanden, Kabel fehlt eventuell.",
        ),
        _t(
            "Angebot für neue Telefonanlage",
            "voip",
            "Bestehende Anlage ist 12 Jahre alt, bitte Angebot für Cloud-Telefonie.",
        ),
        _t(
            "Gast-WLAN für Kunden einrichten",
            "wlan firewall",
            "Getrennt vom Firmennetz, mit Tageskennwort.",
        ),
        _t(
            "Neuen Drucker im 1. OG einbinden",
            "printer",
            "Gerät steht bereit, bitte auf allen Arbeitsplätzen verteilen.",
        ),
        _t(
            "VM for new ERP test system",
            "vmware hyper-v",
            "4 vCPU, 16 GB RAM, 200 GB, Windows Server 2022.",
        ),
        _t(
            "Homeoffice-Zugang für {person}",
            "firewall citrix",
            "VPN und Citrix-Zugang, Token per Post.",
        ),
    ),
    TicketKind.MAINTENANCE: (
        _t(
            "Monatliche Wartung: Windows-Updates {srv}",
            "windows-server",
            "Zyklische Wartung laut Vertrag. Neustart nach Absprache.",
        ),
        _t(
            "Backup-Check (Bedarfsanalyse)",
            "backup",
            "Prüfpunkt aus der Bedarfsanalyse: Sicherungen der letzten 7 Tage kontrollieren.",
        ),
        _t(
            "Antivirus-Check (Bedarfsanalyse)",
            "antivirus",
            "Prüfpunkt aus der Bedarfsanalyse: Signaturen und Funde aller Clients prüfen.",
        ),
        _t(
            "Firewall-Updates einspielen (Bedarfsanalyse)",
            "firewall",
            "Prüfpunkt aus der Bedarfsanalyse: Firmware der Firewall aktualisieren.",
        ),
        _t(
            "Quartalswartung VMware-Hosts",
            "vmware storage",
            "Patches, Snapshots aufräumen, Datastore-Auslastung prüfen.",
        ),
        _t(
            "Hyper-V: Firmware und Treiber aktualisieren",
            "hyper-v windows-server",
            "Zyklische Wartung der Hosts, Live-Migration vorher testen.",
        ),
        _t(
            "Restore test: file server {srv}",
            "backup storage",
            "Stichprobe: drei Dateien und ein Ordner aus der Sicherung wiederherstellen.",
        ),
        _t(
            "USV-Selbsttest und Batterieprüfung",
            "storage network",
            "Jährlicher Test der USV im Serverraum.",
        ),
        _t(
            "Zertifikat für Exchange erneuern",
            "exchange",
            "Zertifikat läuft in 30 Tagen ab.",
        ),
    ),
    TicketKind.MONITORING: (
        _t(
            "Backup job failed on {srv}",
            "backup",
            "Monitoring: Sicherungsjob 'Nacht-Vollsicherung' mit Fehler beendet.",
        ),
        _t(
            "Disk C: on {srv} below 10% free",
            "windows-server storage",
            "Monitoring: freier Speicher auf C: unter Schwellwert.",
        ),
        _t(
            "VM {vm} crashed on host ESX0{n}",
            "vmware",
            "Monitoring: VM nicht mehr erreichbar, Host meldet Absturz.",
        ),
        _t(
            "Antivirus: threat quarantined on {ws}",
            "antivirus",
            "Monitoring: Endpoint Protection hat eine Bedrohung in Quarantäne verschoben.",
        ),
        _t(
            "Firewall: WAN link down at site {city}",
            "firewall network",
            "Monitoring: primäre WAN-Leitung ausgefallen, Failover aktiv.",
        ),
        _t(
            "Hyper-V replication critical for {vm}",
            "hyper-v",
            "Monitoring: Replikation seit mehr als 2 Stunden nicht erfolgreich.",
        ),
        _t(
            "RAID degraded on {srv}",
            "storage",
            "Monitoring: eine Platte im RAID 5 ausgefallen.",
        ),
        _t(
            "Exchange queue growing on {srv}",
            "exchange",
            "Monitoring: mehr als 200 Mails in der Warteschlange.",
        ),
        _t(
            "CPU load above 95% for 30 min on {srv}",
            "windows-server",
            "Monitoring: dauerhaft hohe CPU-Last.",
        ),
    ),
    TicketKind.PICK_PACK: (
        _t(
            "Pick & Pack: {n}x Lenovo ThinkPad T14",
            "windows-server",
            "Wareneingang gebucht, Geräte vorbereiten und als Kunden-Assets erfassen.",
        ),
        _t(
            "Wareneingang: Firewall Sophos XGS 2100 vorbereiten",
            "firewall",
            "Grundkonfiguration und Lizenz einspielen, Auslieferung mit Termin.",
        ),
        _t(
            "Pick & Pack: Kyocera ECOSYS M3145 ausliefern",
            "printer",
            "Gerät aus dem Lager kommissionieren und beim Kunden aufstellen.",
        ),
        _t(
            "Wareneingang: Switch HPE Aruba 2930F konfigurieren",
            "network",
            "VLANs laut Dokumentation, danach Auslieferung.",
        ),
        _t(
            "Pick & Pack: {n}x Festplatte 4 TB für NAS",
            "storage",
            "Austausch der Platten im NAS, Seriennummern erfassen.",
        ),
        _t(
            "Pick & Pack: Access Points Ubiquiti U6 Pro",
            "wlan",
            "Access Points vorkonfigurieren und als Assets erfassen.",
        ),
    ),
}

ESCALATION_TITLES: dict[EscalationReason, tuple[_Template, ...]] = {
    EscalationReason.TOTAL_OUTAGE: (
        _t(
            "Totalausfall: kein Arbeitsplatz kann sich anmelden",
            "windows-server network",
            "Seit dem Stromausfall heute früh startet {srv} nicht mehr, der ganze Betrieb steht.",
        ),
        _t(
            "Totalausfall Server {srv}",
            "windows-server vmware storage",
            "Alle Dienste weg, Host reagiert nicht. Geschäftsführung hat angerufen.",
        ),
    ),
    EscalationReason.VENDOR_STUCK: (
        _t(
            "Herstellerticket hängt: Firewall verliert Konfiguration",
            "firewall",
            "Case beim Hersteller seit 9 Tagen ohne Antwort, Firewall startet sporadisch neu.",
        ),
        _t(
            "DATEV-Support antwortet nicht: Datenbank beschädigt",
            "datev",
            "DATEV-Servicenummer seit einer Woche offen, Lohnabrechnung in Gefahr.",
        ),
    ),
}

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
        "Called the customer before starting, remote session now.",
        "Dienst neu gestartet, beobachten wir bis morgen.",
    ),
    Status.WAITING_VENDOR.value: (
        "Herstellerticket eröffnet, warte auf Rückmeldung.",
        "RMA beim Hersteller beantragt, Versand ca. 3 Werktage.",
        "Vendor case escalated, no answer yet.",
    ),
    Status.WAITING_CUSTOMER.value: (
        "Warte auf Rückmeldung des Kunden (Zugangsdaten).",
        "Ansprechpartner im Urlaub bis nächste Woche.",
        "Kunde prüft intern, ob der Fehler noch auftritt.",
    ),
    "done": (
        "Problem behoben, Kunde informiert.",
        "Ursache: volle Festplatte, bereinigt und Monitoring angepasst.",
        "Fixed, service report sent to the customer.",
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
_CUSTOMER_SOURCES = frozenset({Source.EMAIL, Source.PORTAL, Source.PHONE, Source.VIP_HOTLINE})
_OFFICE_HOURS_BIAS: dict[Source, float] = {
    Source.EMAIL: 0.6,
    Source.PORTAL: 0.7,
    Source.PHONE: 0.97,
    Source.VIP_HOTLINE: 0.9,
    Source.GOODS_RECEIPT: 1.0,
}
_WIDTH = {SupportProfile.STANDARD: 0, SupportProfile.EXTENDED: 1, SupportProfile.ALWAYS: 2}

_DAY = timedelta(days=1)
_MINUTE = timedelta(minutes=1)


# --- helpers --------------------------------------------------------------------------------


class _Weighted:
    """`rng.choices` with cumulative weights computed once."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect_right(self.cum, rng.random() * self.total)]


def _slug(text: str, sep: str = ".") -> str:
    text = text.lower()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = "".join(c if c.isalnum() else " " for c in text)
    return sep.join(out.split())


def _bulk(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """Insert `rows` in chunks; NULLs are rendered so every row shares one statement."""
    for start in range(0, len(rows), CHUNK):
        session.exec(
            insert(model),
            params=rows[start : start + CHUNK],
            execution_options={"render_nulls": True},
        )


def _berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN).astimezone(UTC)


def _ceil_quarter(at: datetime) -> datetime:
    at = at.replace(second=0, microsecond=0)
    extra = (-at.minute) % 15
    return at + timedelta(minutes=extra)


@dataclass
class _Tech:
    id: int
    user_id: int
    name: str
    branch_id: int
    state: StateCode
    role: ServiceRole
    skills: frozenset[str]


@dataclass
class _SiteInfo:
    id: int
    name: str
    city: str
    address: str
    branch_id: int
    state: StateCode


@dataclass
class _CustomerInfo:
    id: int
    name: str
    profile: SupportProfile
    overrides: dict[str, int] | None
    sites: list[_SiteInfo]
    contact_ids: list[int]
    contact_names: list[str]
    contingent: bool
    managed: bool


@dataclass
class _Calendar:
    """Bookable days per technician; a cursor per (technician, day) keeps slots apart."""

    now: datetime
    days: dict[StateCode, list[tuple[date, datetime, datetime]]]
    blocked: dict[int, set[date]] = field(default_factory=dict)
    cursor: dict[tuple[int, date], datetime] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)  # appointments to insert

    def book(
        self, rng: random.Random, tech: _Tech, minutes: int, *, future: bool
    ) -> tuple[datetime, datetime] | None:
        """A free slot of `minutes`: starting after now if `future`, else already started."""
        candidates = [
            d
            for d in self.days[tech.state]
            if d[0] not in self.blocked.get(tech.id, ())
            and (d[2] > self.now if future else d[1] < self.now)
        ]
        rng.shuffle(candidates)
        length = timedelta(minutes=minutes)
        for day, opens, closes in candidates:
            key = (tech.id, day)
            start = self.cursor.get(key)
            if start is None:
                start = opens + timedelta(minutes=rng.choice((0, 0, 15, 30, 60)))
            if future:
                start = max(start, _ceil_quarter(self.now))
            elif start >= self.now:
                continue
            end = start + length
            if end > closes:
                continue
            self.cursor[key] = end + timedelta(minutes=rng.choice((0, 15, 30, 30, 45, 60)))
            return start, end
        return None


# --- the seed -------------------------------------------------------------------------------


def seed_demo(
    session: Session,
    *,
    now: datetime | None = None,
    seed: int = 7,
    size: DemoSize = DemoSize(),
) -> DemoLogins:
    """Fill an empty database with demo data; the caller commits.

    Deterministic for the same `seed`, `size` and `now` (bearer tokens excepted); `now`
    defaults to the current time. Escalations are capped at the number of tickets. Returns the
    plain token of every demo user.
    """
    if now is None:
        now = datetime.now(UTC)
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC).replace(microsecond=0)
    for name in ("technicians", "customers", "tickets", "escalations"):
        if getattr(size, name) < 0:
            raise ValueError(f"size.{name} must not be negative")
    if size.tickets and not size.customers:
        raise ValueError("tickets need at least one customer")

    rng = random.Random(seed)
    tokens: dict[str, str] = {}

    branches = _seed_branches(session)
    staff = _seed_staff(session, rng, tokens)
    techs = _seed_technicians(session, rng, size.technicians, branches, tokens)
    seed_hours(session, [t.id for t in techs])  # demo_availability: their own working hours
    customers = _seed_customers(session, rng, size.customers, branches)
    session.flush()
    _Seeder(session, rng, now, size, techs, customers, staff).run()
    session.flush()
    # Tickets went in with chosen ids: move PostgreSQL's sequences past them.
    move_sequences(session.connection())
    return DemoLogins(tokens=tokens)


def _seed_branches(session: Session) -> list[tuple[Branch, _BranchSpec]]:
    out: list[tuple[Branch, _BranchSpec]] = []
    for spec in BRANCHES:
        branch = Branch(code=spec.code, name=spec.name, state=spec.state)
        session.add(branch)
        out.append((branch, spec))
    session.flush()
    return out


def _unique_login(first: str, last: str, taken: set[str]) -> str:
    base = _slug(f"{first} {last}")[:36]
    login, n = base, 2
    while login in taken:
        login, n = f"{base}{n}", n + 1
    taken.add(login)
    return login


@dataclass
class _Staff:
    dispatchers: list[int]  # user ids
    team_leads: list[int]
    taken: set[str]


def _seed_staff(session: Session, rng: random.Random, tokens: dict[str, str]) -> _Staff:
    staff = _Staff(dispatchers=[], team_leads=[], taken=set())
    people = (
        ("admin", "Administrator", Role.ADMIN),
        ("anna.becker", "Anna Becker", Role.DISPATCHER),
        ("lukas.schneider", "Lukas Schneider", Role.DISPATCHER),
        ("tom.lehmann", "Tom Lehmann", Role.TEAM_LEAD),
    )
    for login, display, role in people:
        user, token = create_user(session, login, display, role)
        assert user.id is not None
        tokens[login] = token
        staff.taken.add(login)
        if role is Role.DISPATCHER:
            staff.dispatchers.append(user.id)
        elif role is Role.TEAM_LEAD:
            staff.team_leads.append(user.id)
    staff.taken.update(("anna", "lukas", "tom"))
    return staff


def _seed_technicians(
    session: Session,
    rng: random.Random,
    count: int,
    branches: list[tuple[Branch, _BranchSpec]],
    tokens: dict[str, str],
) -> list[_Tech]:
    taken = set(tokens) | {"admin"}
    roles = [
        ServiceRole.ARCHITECT,
        ServiceRole.CONSULTANT,
        ServiceRole.SYSTEM_ENGINEER,
        ServiceRole.TECHNICIAN,
    ]
    rng.shuffle(roles)
    role_pick = _Weighted(
        [
            ServiceRole.TECHNICIAN,
            ServiceRole.SYSTEM_ENGINEER,
            ServiceRole.CONSULTANT,
            ServiceRole.ARCHITECT,
        ],
        [65, 22, 9, 4],
    )
    # every branch gets a technician before any gets a second (HQ first), then by weight
    order = sorted(branches, key=lambda b: -b[1].weight)
    branch_pick = _Weighted(branches, [spec.weight for _, spec in branches])
    names_used: set[tuple[str, str]] = set()
    techs: list[_Tech] = []
    for i in range(count):
        branch, spec = order[i] if i < len(order) else branch_pick.pick(rng)
        role = roles[i] if i < len(roles) else role_pick.pick(rng)
        while True:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            if (first, last) not in names_used or len(names_used) > 2000:
                break
        names_used.add((first, last))
        login = _unique_login(first, last, taken)
        display = f"{first} {last}"
        n_skills = {ServiceRole.TECHNICIAN: (3, 5)}.get(role, (4, 7))
        skills = sorted(rng.sample(SKILLS, rng.randint(*n_skills)))
        user, token = create_user(session, login, display, Role.TECHNICIAN)
        assert user.id is not None and branch.id is not None
        tokens[login] = token
        tech = Technician(
            name=display, branch_id=branch.id, service_role=role, skills=skills, user_id=user.id
        )
        session.add(tech)
        session.flush()
        assert tech.id is not None
        techs.append(
            _Tech(tech.id, user.id, display, branch.id, spec.state, role, frozenset(skills))
        )
    return techs


def _customer_name(rng: random.Random, city: str) -> str:
    pattern = rng.choice(CUSTOMER_PATTERNS)
    last, last2 = rng.sample(LAST_NAMES, 2)
    return pattern.format(L=last, L2=last2, C=city)


def _seed_customers(
    session: Session,
    rng: random.Random,
    count: int,
    branches: list[tuple[Branch, _BranchSpec]],
) -> list[_CustomerInfo]:
    branch_pick = _Weighted(branches, [spec.weight for _, spec in branches])
    used: set[str] = set()
    first_number = 10_001 + (session.exec(select(func.count()).select_from(Customer)).one() or 0)
    out: list[_CustomerInfo] = []
    for i in range(count):
        home, home_spec = branch_pick.pick(rng)
        city = rng.choice(home_spec.cities)
        name = _customer_name(rng, city)
        tries = 0
        while name in used:
            tries += 1
            name = _customer_name(rng, city) if tries < 20 else f"{name} ({i})"
        used.add(name)
        customer = Customer(
            number=f"K{first_number + i}",
            name=name,
            account_manager=rng.choice(ACCOUNT_MANAGERS),
        )
        session.add(customer)
        session.flush()
        assert customer.id is not None

        # contracts: a cooperation agreement always, add-ons by chance; the first customers
        # make sure managed services (monitoring) and contingent (VIP hotline) exist
        managed = i == 0 or rng.random() < 0.3
        contingent = i == min(1, count - 1) or rng.random() < 0.35
        base_profile = SupportProfile.EXTENDED if rng.random() < 0.3 else SupportProfile.STANDARD
        overrides: dict[str, int] | None = None
        if rng.random() < 0.2:
            overrides = rng.choice(({"P1": 30}, {"P1": 30, "P2": 120}, {"P2": 180, "P3": 240}))
        contracts = [
            Contract(
                kind=ContractKind.COOPERATION,
                support_profile=base_profile,
                response_overrides=overrides,
                customer_id=customer.id,
            )
        ]
        if rng.random() < 0.4:
            contracts.append(
                Contract(
                    kind=ContractKind.NEEDS_ANALYSIS,
                    support_profile=base_profile,
                    customer_id=customer.id,
                )
            )
        if contingent:
            hours = rng.choice((5, 8, 10, 15, 20, 30, 40))
            contracts.append(
                Contract(
                    kind=ContractKind.CONTINGENT,
                    support_profile=base_profile,
                    contingent_hours_per_month=float(hours),
                    customer_id=customer.id,
                )
            )
            # mostly some hours left, now and then overdrawn
            low = -hours * 15 if rng.random() < 0.15 else 0
            customer.contingent_balance_minutes = 15 * rng.randint(low // 15, hours * 8)
        if rng.random() < 0.15:
            contracts.append(
                Contract(
                    kind=ContractKind.RENTAL, support_profile=base_profile, customer_id=customer.id
                )
            )
        if rng.random() < 0.2:
            contracts.append(
                Contract(
                    kind=ContractKind.ASP, support_profile=base_profile, customer_id=customer.id
                )
            )
        if managed:
            contracts.append(
                Contract(
                    kind=ContractKind.MANAGED_SERVICES,
                    support_profile=SupportProfile.ALWAYS,
                    customer_id=customer.id,
                )
            )
        session.add_all(contracts)
        profile = max((c.support_profile for c in contracts), key=_WIDTH.__getitem__)

        domain = _slug(name.split(" GmbH")[0].split(" gGmbH")[0], "-")[:40] + ".de"
        sites: list[Site] = []
        site_specs: list[_BranchSpec] = []
        for s in range(rng.choice((1, 1, 1, 2, 2, 3))):
            if s == 0:
                spec, site_name, site_city = home_spec, "Hauptsitz", city
                branch = home
            else:
                branch, spec = (home, home_spec) if rng.random() < 0.7 else branch_pick.pick(rng)
                site_city = rng.choice(spec.cities)
                site_name = (
                    rng.choice(("Filiale", "Lager", "Werk", "Zweigstelle")) + " " + site_city
                )
            assert branch.id is not None
            address = f"{rng.choice(STREETS)} {rng.randint(1, 120)}"
            sites.append(
                Site(
                    name=site_name,
                    address=address,
                    city=site_city,
                    branch_id=branch.id,
                    customer_id=customer.id,
                )
            )
            site_specs.append(spec)
        contacts: list[Contact] = []
        for c in range(rng.choice((1, 2, 2, 3))):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            contacts.append(
                Contact(
                    name=f"{first} {last}",
                    email=f"{_slug(first)[0]}.{_slug(last, '-')}@{domain}",
                    phone=f"+49 {home_spec.area_code} {rng.randint(10000, 999999)}",
                    notify_new=c == 0 or rng.random() < 0.3,
                    notify_status=c == 0 and rng.random() < 0.6,
                    receives_reports=c == 0,
                    customer_id=customer.id,
                )
            )
        session.add_all([*sites, *contacts])
        session.flush()
        out.append(
            _CustomerInfo(
                id=customer.id,
                name=name,
                profile=profile,
                overrides=overrides,
                sites=[
                    _SiteInfo(
                        id=site.id or 0,
                        name=site.name,
                        city=site.city,
                        address=site.address,
                        branch_id=site.branch_id,
                        state=spec.state,
                    )
                    for site, spec in zip(sites, site_specs, strict=True)
                ],
                contact_ids=[c.id or 0 for c in contacts],
                contact_names=[c.name for c in contacts],
                contingent=contingent,
                managed=managed,
            )
        )
    return out


@dataclass
class _Plan:
    """What a ticket must be, for coverage and escalations; None = draw at random."""

    kind: TicketKind | None = None
    source: Source | None = None
    status: Status | None = None
    escalation: EscalationReason | None = None


class _Seeder:
    """Tickets, calendar, comments and escalations."""

    def __init__(
        self,
        session: Session,
        rng: random.Random,
        now: datetime,
        size: DemoSize,
        techs: list[_Tech],
        customers: list[_CustomerInfo],
        staff: _Staff,
    ) -> None:
        self.session = session
        self.rng = rng
        self.now = now
        self.size = size
        self.techs = techs
        self.customers = customers
        self.staff = staff
        self.tech_by_id = {t.id: t for t in techs}
        self._tech_pool_cache: dict[tuple[int, tuple[str, ...]], list[_Tech]] = {}

    # -- tickets ---------------------------------------------------------------------------

    def run(self) -> None:
        calendar = self._calendar()
        if self.size.tickets:
            self._tickets(calendar)
        _bulk(self.session, Appointment, calendar.rows)

    def _plans(self, n: int) -> dict[int, _Plan]:
        """Spread forced tickets: escalations, then every kind/source pair and every status."""
        reasons = [EscalationReason.TOTAL_OUTAGE, EscalationReason.VENDOR_STUCK]
        extra = [
            EscalationReason.SLA_BREACH,
            EscalationReason.CUSTOMER_COMPLAINT,
            EscalationReason.OTHER,
        ]
        plans: list[_Plan] = []
        for i in range(min(self.size.escalations, n)):
            reason = reasons[i] if i < len(reasons) else extra[(i - len(reasons)) % len(extra)]
            plans.append(_Plan(escalation=reason))
        for kind, sources in KIND_SOURCES.items():
            plans.extend(_Plan(kind=kind, source=source) for source, _ in sources)
        plans.extend(_Plan(status=status) for status, _ in STATUS_WEIGHTS)
        plans = plans[:n]
        positions = self.rng.sample(range(n), len(plans))
        return dict(zip(positions, plans, strict=True))

    def _tickets(self, calendar: _Calendar) -> None:
        rng, now, n = self.rng, self.now, self.size.tickets
        first_id = (self.session.exec(select(func.max(Ticket.id))).one() or 0) + 1
        plans = self._plans(n)

        kind_pick = _Weighted([k for k, _ in KIND_WEIGHTS], [w for _, w in KIND_WEIGHTS])
        source_picks = {
            k: _Weighted([s for s, _ in v], [w for _, w in v]) for k, v in KIND_SOURCES.items()
        }
        prio_picks = {k: _Weighted(list(Priority), w) for k, w in PRIORITY_WEIGHTS.items()}
        status_pick = _Weighted([s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS])
        # a few customers open far more tickets than others
        weights = [rng.choice((1, 1, 2, 3, 5, 8)) for _ in self.customers]
        every = _Weighted(self.customers, weights)
        pools = {
            "managed": [(c, w) for c, w in zip(self.customers, weights, strict=True) if c.managed],
            "contingent": [
                (c, w) for c, w in zip(self.customers, weights, strict=True) if c.contingent
            ],
        }
        managed = _Weighted([c for c, _ in pools["managed"]], [w for _, w in pools["managed"]])
        contingent = _Weighted(
            [c for c, _ in pools["contingent"]], [w for _, w in pools["contingent"]]
        )

        rows: list[dict[str, Any]] = []
        work: list[tuple[int, dict[str, Any]]] = []  # (ticket id, row) that get a calendar slot
        escalations: list[tuple[int, EscalationReason, dict[str, Any]]] = []
        comments: list[dict[str, Any]] = []
        for i in range(n):
            plan = plans.get(i, _Plan())
            ticket_id = first_id + i
            reason = plan.escalation
            if reason is not None:
                kind = TicketKind.INCIDENT
                source = rng.choice((Source.PHONE, Source.VIP_HOTLINE))
            else:
                kind = plan.kind or kind_pick.pick(rng)
                source = plan.source or source_picks[kind].pick(rng)
            if kind is TicketKind.MONITORING:
                customer: _CustomerInfo = managed.pick(rng)
            elif source is Source.VIP_HOTLINE:
                customer = contingent.pick(rng)
            else:
                customer = every.pick(rng)
            site = rng.choice(customer.sites)

            if reason is EscalationReason.VENDOR_STUCK:
                status = Status.WAITING_VENDOR
            elif reason is not None:
                status = Status.IN_PROGRESS
            else:
                status = plan.status or status_pick.pick(rng)
            priority = Priority.P1 if reason is not None else prio_picks[kind].pick(rng)

            if reason in ESCALATION_TITLES:
                template = rng.choice(ESCALATION_TITLES[reason])
            else:
                template = rng.choice(TEMPLATES[kind])
            title, description, tags = self._text(template, customer, site)

            received = self._received(status, source, escalated=reason is not None)
            first_due, resolution_due = sla.due_times(
                received, priority, customer.profile, site.state, customer.overrides
            )
            responded = resolved = paused = None
            updated = received
            if status is not Status.NEW:
                share = rng.uniform(0.05, 0.9) if rng.random() < 0.88 else rng.uniform(1.0, 1.6)
                responded = received + (first_due - received) * share
                responded = min(responded, now - _MINUTE * rng.randint(1, 30))
                responded = max(responded, received + _MINUTE).replace(microsecond=0)
                updated = responded
            if status in (Status.RESOLVED, Status.CLOSED) and responded is not None:
                share = rng.uniform(0.1, 0.95) if rng.random() < 0.85 else rng.uniform(1.0, 1.5)
                resolved = responded + (resolution_due - responded) * share
                resolved = min(resolved, now - _MINUTE * rng.randint(5, 120))
                resolved = max(resolved, responded + _MINUTE).replace(microsecond=0)
                updated = resolved
                if status is Status.CLOSED:
                    updated = min(resolved + _DAY * rng.uniform(0.2, 3), now).replace(microsecond=0)
            if status is Status.WAITING_CUSTOMER and responded is not None:
                paused = (responded + (now - responded) * rng.uniform(0.3, 0.95)).replace(
                    microsecond=0
                )
                updated = paused

            assignee: _Tech | None = None
            if self.techs and (reason is not None or rng.random() < ASSIGNED_SHARE[status]):
                assignee = self._pick_tech(site.branch_id, tags)

            contact_id: int | None = None
            if source in _CUSTOMER_SOURCES:
                contact_id = rng.choice(customer.contact_ids)
            number = 100_000 + ticket_id
            row: dict[str, Any] = {
                "id": ticket_id,
                "number": number,
                "title": title,
                "description": description,
                "kind": kind,
                "source": source,
                "customer_id": customer.id,
                "site_id": site.id,
                "contact_id": contact_id,
                "priority": priority,
                "status": status,
                "assignee_id": assignee.id if assignee else None,
                "tags": tags,
                "received_at": received,
                "first_response_due": first_due,
                "resolution_due": resolution_due,
                "responded_at": responded,
                "resolved_at": resolved,
                "sla_paused_at": paused,
                "sla_paused_minutes": 0.0,
                "escalated": reason is not None,
                "updated_at": updated,
                "search": search_text(number, title, customer.name, tags, description),
                "version": 1,
            }
            rows.append(row)
            if assignee is not None and (
                status is Status.SCHEDULED
                or (status is Status.IN_PROGRESS and rng.random() < 0.7)
                or (
                    status in (Status.WAITING_CUSTOMER, Status.WAITING_VENDOR)
                    and rng.random() < 0.3
                )
            ):
                work.append((ticket_id, row))
            if reason is not None:
                escalations.append((ticket_id, reason, row))
            if responded is not None and (reason is not None or rng.random() < 0.3):
                comments.extend(self._comments(ticket_id, row, assignee))

        _bulk(self.session, Ticket, rows)
        self._book(calendar, work)
        _bulk(self.session, Comment, comments)
        self._escalations(escalations)

    def _text(
        self, template: _Template, customer: _CustomerInfo, site: _SiteInfo
    ) -> tuple[str, str, list[str]]:
        rng = self.rng
        last = rng.choice(LAST_NAMES)
        values = {
            "srv": rng.choice(SERVERS),
            "ws": rng.choice(WORKSTATIONS),
            "vm": rng.choice(VMS),
            "person": f"{rng.choice(('Frau', 'Herr'))} {last}",
            "city": site.city,
            "n": rng.randint(2, 6),
            "date": (self.now + _DAY * rng.randint(3, 30)).astimezone(BERLIN).strftime("%d.%m."),
        }
        title = template.title.format(**values)
        description = template.description.format(**values)
        if customer.contact_names and rng.random() < 0.5:
            description += f" Ansprechpartner: {rng.choice(customer.contact_names)}."
        if rng.random() < 0.3:
            description += f" Standort: {site.name}, {site.address}, {site.city}."
        tags = list(template.tags)
        if rng.random() < 0.15:
            extra = rng.choice(SKILLS)
            if extra not in tags:
                tags.append(extra)
        return title, description, tags

    def _received(self, status: Status, source: Source, *, escalated: bool) -> datetime:
        """Receipt time: open tickets within ~10 days, closed ones over weeks."""
        rng, now = self.rng, self.now
        if escalated:
            low, high = 0.1, 1.5
        elif status is Status.NEW:
            low, high = (0.0, 0.5) if rng.random() < 0.8 else (0.5, 6.0)
        elif status is Status.CLOSED:
            low, high = 3.0, 56.0
        elif status is Status.RESOLVED:
            low, high = 0.5, 10.0
        else:  # a desk that keeps up: most work in hand is days old, a tail is stuck
            low, high = (0.05, 1.5) if rng.random() < 0.75 else (1.5, 10.0)
        bias = _OFFICE_HOURS_BIAS.get(source, 0.0)
        office = rng.random() < bias
        at = now
        for _ in range(6):
            at = now - _DAY * rng.uniform(low, high)
            local = at.astimezone(BERLIN)
            if not office or (local.weekday() < 5 and 7 <= local.hour < 18):
                break
        if source is Source.SCHEDULE:  # cyclic tickets are created early in the morning
            day = at.astimezone(BERLIN).date()
            if day.weekday() >= 5:  # to the next Monday, or the Friday before if that is ahead
                monday = day + timedelta(days=7 - day.weekday())
                day = monday if _berlin(monday, 6) < now else day - _DAY * (day.weekday() - 4)
            at = _berlin(day, 6) + timedelta(seconds=rng.randint(0, 59))
            while at >= now or at.astimezone(BERLIN).weekday() >= 5:
                at -= _DAY
        at = min(at, now - _MINUTE)
        return at.replace(microsecond=0)

    def _pick_tech(self, branch_id: int, tags: list[str]) -> _Tech:
        """Someone of the serving branch who has the skills, else the best one elsewhere."""
        rng = self.rng
        key = (branch_id, tuple(tags))
        pool = self._tech_pool_cache.get(key)
        if pool is None:
            wanted = set(tags)
            local = [t for t in self.techs if t.branch_id == branch_id]
            skilled_local = [t for t in local if t.skills & wanted]
            skilled = [t for t in self.techs if t.skills & wanted]
            pool = skilled_local or local or skilled or self.techs
            self._tech_pool_cache[key] = pool
        if rng.random() < 0.15:
            return rng.choice(self.techs)
        tech: _Tech = rng.choice(pool)
        return tech

    def _comments(
        self, ticket_id: int, row: dict[str, Any], assignee: _Tech | None
    ) -> Iterator[dict[str, Any]]:
        rng = self.rng
        status: Status = row["status"]
        start: datetime = row["responded_at"]
        end: datetime = max(row["resolved_at"] or self.now, start)
        pools: tuple[str, ...]
        if status in (Status.RESOLVED, Status.CLOSED):
            pools = ("work", "done")
        elif status.value in COMMENTS:
            pools = ("work", status.value)
        else:
            pools = ("work",)
        authors = [*self.staff.dispatchers]
        if assignee is not None:
            authors += [assignee.user_id] * 2
        for k in range(rng.randint(1, len(pools) + 1)):
            pool = COMMENTS[pools[min(k, len(pools) - 1)]]
            at = start + (end - start) * ((k + rng.random()) / (len(pools) + 1))
            yield {
                "ticket_id": ticket_id,
                "author_id": rng.choice(authors),
                "body": rng.choice(pool),
                "created_at": at.replace(microsecond=0),
            }

    def _escalations(self, escalated: list[tuple[int, EscalationReason, dict[str, Any]]]) -> None:
        rng = self.rng
        raisers = self.staff.team_leads + self.staff.dispatchers
        for index, (ticket_id, reason, row) in enumerate(escalated):
            received: datetime = row["received_at"]
            raised = received + (self.now - received) * rng.uniform(0.2, 0.8)
            self.session.add(
                Escalation(
                    ticket_id=ticket_id,
                    level=2 if reason is EscalationReason.VENDOR_STUCK else 1,
                    reason=reason,
                    note=ESCALATION_NOTES[reason],
                    status=EscalationStatus.OPEN,
                    raised_by=raisers[index % len(raisers)],
                    raised_at=raised.replace(microsecond=0),
                )
            )

    # -- calendar --------------------------------------------------------------------------

    def _calendar(self) -> _Calendar:
        """Business days of this and next week, absences, projects and on-call duty."""
        rng, now = self.rng, self.now
        local = now.astimezone(BERLIN)
        monday = local.date() - timedelta(days=local.weekday())
        start = datetime.combine(monday, time(0), tzinfo=BERLIN)
        end = datetime.combine(monday + timedelta(days=12), time(0), tzinfo=BERLIN)
        days: dict[StateCode, list[tuple[date, datetime, datetime]]] = {}
        for state in StateCode:
            days[state] = [
                (o.date(), o.astimezone(UTC), c.astimezone(UTC))
                for o, c in sla.business_windows(start, end, SupportProfile.STANDARD, state)
            ]
        calendar = _Calendar(now=now, days=days)
        rows = calendar.rows
        weekdays = [monday + timedelta(days=d) for d in (*range(5), *range(7, 12))]
        for tech in self.techs:
            blocked = calendar.blocked.setdefault(tech.id, set())
            roll = rng.random()
            if roll < 0.25:  # a few days of vacation
                length = rng.randint(1, 4)
                first = rng.randrange(len(weekdays))
                span = weekdays[first : first + length]
                rows.append(self._absence(tech, span[0], span[-1], "Urlaub"))
                blocked.update(span)
            elif roll < 0.32:
                day = rng.choice(weekdays)
                rows.append(self._absence(tech, day, day, "Fortbildung"))
                blocked.add(day)
            elif roll < 0.36 and local.weekday() < 5:
                rows.append(self._absence(tech, local.date(), local.date(), "Krank"))
                blocked.add(local.date())
            if tech.role is not ServiceRole.TECHNICIAN and rng.random() < 0.6:
                free = [d for d in days[tech.state] if d[0] not in blocked]
                if free:
                    day, opens, _ = rng.choice(free)
                    finish = opens + timedelta(hours=4)
                    rows.append(
                        {
                            "technician_id": tech.id,
                            "ticket_id": None,
                            "start": opens,
                            "end": finish,
                            "mode": None,
                            "kind": AppointmentKind.PROJECT,
                            "note": rng.choice(
                                (
                                    "Projekt: Migration Exchange nach Microsoft 365",
                                    "Projekt: Serverumzug ins Rechenzentrum",
                                    "Projekt: Netzwerk-Redesign mit VLANs",
                                    "Projekt: Einführung Citrix Cloud",
                                )
                            ),
                            "version": 1,
                        }
                    )
                    calendar.cursor[(tech.id, day)] = finish + timedelta(minutes=30)
        # on call: one technician per state and week, Monday 17:00 to the next Monday 08:00
        for week in range(2):
            week_monday = monday + timedelta(days=7 * week)
            for state in StateCode:
                pool = [t for t in self.techs if t.state is state]
                if not pool:
                    continue
                tech = pool[(week + rng.randrange(len(pool))) % len(pool)]
                rows.append(
                    {
                        "technician_id": tech.id,
                        "ticket_id": None,
                        "start": _berlin(week_monday, 17),
                        "end": _berlin(week_monday + timedelta(days=7), 8),
                        "mode": None,
                        "kind": AppointmentKind.ON_CALL,
                        "note": f"Rufbereitschaft {'NRW' if state is StateCode.NW else 'Hessen'}",
                        "version": 1,
                    }
                )
        return calendar

    def _absence(self, tech: _Tech, first: date, last: date, note: str) -> dict[str, Any]:
        return {
            "technician_id": tech.id,
            "ticket_id": None,
            "start": _berlin(first, 0),
            "end": _berlin(last + _DAY, 0),
            "mode": None,
            "kind": AppointmentKind.ABSENCE,
            "note": note,
            "version": 1,
        }

    def _book(self, calendar: _Calendar, work: list[tuple[int, dict[str, Any]]]) -> None:
        """Calendar slots for ticket work; tickets that find no free slot stay unbooked."""
        rng = self.rng
        rows = calendar.rows
        for ticket_id, ticket in work:
            tech = self.tech_by_id[ticket["assignee_id"]]
            kind: TicketKind = ticket["kind"]
            if kind is TicketKind.PICK_PACK:
                mode = WorkMode.ONSITE
            elif kind is TicketKind.MONITORING:
                mode = WorkMode.REMOTE
            else:
                mode = WorkMode.REMOTE if rng.random() < 0.55 else WorkMode.ONSITE
            senior = tech.role in (ServiceRole.CONSULTANT, ServiceRole.ARCHITECT)
            if mode is WorkMode.ONSITE:
                minutes = 240 if senior else rng.choice((120, 120, 150, 180, 240))
            else:
                minutes = 120 if senior else rng.choice((30, 45, 60, 60, 90))
            slot = calendar.book(rng, tech, minutes, future=ticket["status"] is Status.SCHEDULED)
            if slot is None:
                continue
            note = (
                "Vor Ort, Kunde vorher anrufen"
                if mode is WorkMode.ONSITE
                else "Fernwartung, Kunde vorher anrufen"
            )
            rows.append(
                {
                    "technician_id": tech.id,
                    "ticket_id": ticket_id,
                    "start": slot[0],
                    "end": slot[1],
                    "mode": mode,
                    "kind": AppointmentKind.TICKET_WORK,
                    "note": note,
                    "version": 1,
                }
            )
