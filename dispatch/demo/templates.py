"""Demo data tables: the ticket texts per kind, and the texts of escalated tickets.

`{srv}`, `{ws}`, `{vm}`, `{person}`, `{city}`, `{n}` and `{date}` are filled in by
`dispatch.demo.tickets` when a ticket is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from dispatch.domain.types import EscalationReason, TicketKind


@dataclass(frozen=True)
class Template:
    title: str
    tags: tuple[str, ...]
    description: str


def _t(title: str, tags: str, description: str) -> Template:
    return Template(title, tuple(tags.split()), description)


TEMPLATES: dict[TicketKind, tuple[Template, ...]] = {
    TicketKind.INCIDENT: (
        _t(
            "Drucker im Empfang druckt nicht",
            "drucker",
            "Seit heute Morgen kommen keine Druckaufträge mehr an. Neustart hat nichts gebracht.",
        ),
        _t(
            "Outlook: Postfach voll",
            "exchange m365",
            "{person} kann keine Mails mehr senden, Outlook meldet 'Postfach voll'.",
        ),
        _t(
            "Kein Internet am Standort {city}",
            "netzwerk firewall",
            "Alle Arbeitsplätze ohne Internet, Telefonie ebenfalls gestört.",
        ),
        _t(
            "VPN-Verbindung bricht ständig ab",
            "firewall netzwerk",
            "Außendienst meldet Abbrüche alle paar Minuten, besonders abends.",
        ),
        _t(
            "DATEV startet nicht: Fehler beim Datenbankzugriff",
            "datev windows-server",
            "Meldung beim Start von DATEV Arbeitsplatz auf allen Clients, {srv} läuft.",
        ),
        _t(
            "{srv} nicht erreichbar",
            "windows-server netzwerk",
            "Anmeldung und Netzlaufwerke hängen, Server antwortet nicht auf Ping.",
        ),
        _t(
            "WLAN im Besprechungsraum sehr langsam",
            "wlan netzwerk",
            "Videokonferenzen brechen ab, Laptop zeigt nur einen Balken.",
        ),
        _t(
            "Telefonanlage: keine eingehenden Anrufe",
            "telefonie",
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
            "windows-server netzwerk",
            "Auf {ws} fehlt das Laufwerk S: nach der Anmeldung.",
        ),
        _t(
            "Virenmeldung auf {ws}",
            "virenschutz",
            "Endpoint Protection meldet Fund beim Öffnen eines Mail-Anhangs.",
        ),
        _t(
            "Kennwort abgelaufen, {person} kann sich nicht anmelden",
            "windows-server m365",
            "Bitte Kennwort zurücksetzen, Rückruf unter der bekannten Durchwahl.",
        ),
        _t(
            "Scanner sendet keine Mails mehr",
            "drucker exchange",
            "Scan-to-Mail am Multifunktionsgerät schlägt mit SMTP-Fehler fehl.",
        ),
        _t(
            "Excel stürzt beim Öffnen von Dateien ab",
            "m365",
            "Betrifft nur Dateien vom Netzlaufwerk, lokal geht es.",
        ),
        _t(
            "Phishing-Mail geöffnet, bitte prüfen",
            "virenschutz exchange",
            "{person} hat auf einen Link geklickt und Zugangsdaten eingegeben.",
        ),
        _t(
            "Webserver antwortet mit 502 Bad Gateway",
            "linux",
            "Onlineshop nicht erreichbar, nginx meldet 502.",
        ),
        _t(
            "Bluescreen auf {ws} nach Update",
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
            "netzwerk",
            "EC-Zahlung nicht möglich, Kunden zahlen bar.",
        ),
    ),
    TicketKind.REQUEST: (
        _t(
            "Neues Notebook für {person}",
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
            "telefonie",
            "Bestehende Anlage ist 12 Jahre alt, bitte Angebot für Cloud-Telefonie.",
        ),
        _t(
            "Gast-WLAN für Kunden einrichten",
            "wlan firewall",
            "Getrennt vom Firmennetz, mit Tageskennwort.",
        ),
        _t(
            "Neuen Drucker im 1. OG einbinden",
            "drucker",
            "Gerät steht bereit, bitte auf allen Arbeitsplätzen verteilen.",
        ),
        _t(
            "VM für neues ERP-Testsystem",
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
            "Backup-Kontrolle (Bedarfsanalyse)",
            "backup",
            "Prüfpunkt aus der Bedarfsanalyse: Sicherungen der letzten 7 Tage kontrollieren.",
        ),
        _t(
            "Virenschutz-Kontrolle (Bedarfsanalyse)",
            "virenschutz",
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
            "Rücksicherungstest: Dateiserver {srv}",
            "backup storage",
            "Stichprobe: drei Dateien und ein Ordner aus der Sicherung wiederherstellen.",
        ),
        _t(
            "USV-Selbsttest und Batterieprüfung",
            "storage netzwerk",
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
            "Backup-Job auf {srv} fehlgeschlagen",
            "backup",
            "Monitoring: Sicherungsjob 'Nacht-Vollsicherung' mit Fehler beendet.",
        ),
        _t(
            "Laufwerk C: auf {srv} unter 10 % frei",
            "windows-server storage",
            "Monitoring: freier Speicher auf C: unter Schwellwert.",
        ),
        _t(
            "VM {vm} auf Host ESX0{n} abgestürzt",
            "vmware",
            "Monitoring: VM nicht mehr erreichbar, Host meldet Absturz.",
        ),
        _t(
            "Virenschutz: Bedrohung auf {ws} in Quarantäne",
            "virenschutz",
            "Monitoring: Endpoint Protection hat eine Bedrohung in Quarantäne verschoben.",
        ),
        _t(
            "Firewall: WAN-Leitung am Standort {city} ausgefallen",
            "firewall netzwerk",
            "Monitoring: primäre WAN-Leitung ausgefallen, Failover aktiv.",
        ),
        _t(
            "Hyper-V-Replikation für {vm} kritisch",
            "hyper-v",
            "Monitoring: Replikation seit mehr als 2 Stunden nicht erfolgreich.",
        ),
        _t(
            "RAID-Verbund auf {srv} beeinträchtigt",
            "storage",
            "Monitoring: eine Platte im RAID 5 ausgefallen.",
        ),
        _t(
            "Exchange-Warteschlange auf {srv} wächst",
            "exchange",
            "Monitoring: mehr als 200 Mails in der Warteschlange.",
        ),
        _t(
            "CPU-Last auf {srv} seit 30 Min. über 95 %",
            "windows-server",
            "Monitoring: dauerhaft hohe CPU-Last.",
        ),
    ),
    TicketKind.PICK_PACK: (
        _t(
            "Kommissionierung: {n}x Lenovo ThinkPad T14",
            "windows-server",
            "Wareneingang gebucht, Geräte vorbereiten und als Kunden-Assets erfassen.",
        ),
        _t(
            "Wareneingang: Firewall Sophos XGS 2100 vorbereiten",
            "firewall",
            "Grundkonfiguration und Lizenz einspielen, Auslieferung mit Termin.",
        ),
        _t(
            "Kommissionierung: Kyocera ECOSYS M3145 ausliefern",
            "drucker",
            "Gerät aus dem Lager kommissionieren und beim Kunden aufstellen.",
        ),
        _t(
            "Wareneingang: Switch HPE Aruba 2930F konfigurieren",
            "netzwerk",
            "VLANs laut Dokumentation, danach Auslieferung.",
        ),
        _t(
            "Kommissionierung: {n}x Festplatte 4 TB für NAS",
            "storage",
            "Austausch der Platten im NAS, Seriennummern erfassen.",
        ),
        _t(
            "Kommissionierung: Access Points Ubiquiti U6 Pro",
            "wlan",
            "Access Points vorkonfigurieren und als Assets erfassen.",
        ),
    ),
}

ESCALATION_TITLES: dict[EscalationReason, tuple[Template, ...]] = {
    EscalationReason.TOTAL_OUTAGE: (
        _t(
            "Totalausfall: kein Arbeitsplatz kann sich anmelden",
            "windows-server netzwerk",
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
            "Supportfall beim Hersteller seit 9 Tagen offen, Firewall startet sporadisch neu.",
        ),
        _t(
            "DATEV-Support antwortet nicht: Datenbank beschädigt",
            "datev",
            "DATEV-Servicenummer seit einer Woche offen, Lohnabrechnung in Gefahr.",
        ),
    ),
}
