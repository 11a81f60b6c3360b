"""Demo data tables: branch offices, skills, names, customer name patterns, addresses and
host names. Pure data; the seeders draw from these with the demo's one `random.Random`, so
reordering or editing an entry changes the seeded data for every seed."""

from __future__ import annotations

from dataclasses import dataclass

from dispatch.domain.types import StateCode


@dataclass(frozen=True)
class BranchSpec:
    code: str
    name: str
    state: StateCode
    weight: int  # share of customers and technicians
    area_code: str
    cities: tuple[str, ...]
    streets: tuple[str, ...]  # where the customers' sites are, in the branch's region


# The customers' streets per region: common there, or named after the towns around. Fifteen
# each: a site's street is `rng.choice` of its region's, so a longer list shifts later draws.
_STREETS_WAF = (
    "Münsterstraße", "Freckenhorster Straße", "Bahnhofstraße", "Am Markt", "Emsstraße",
    "Kirchplatz", "Oststraße", "Lindenstraße", "Raiffeisenstraße", "Am Hagen", "Industriestraße",
    "Kapellenweg", "Schulstraße", "Hansestraße", "Gewerbegebiet Nord",
)  # fmt: skip
_STREETS_RHW = (
    "Hauptstraße", "Lange Straße", "Bielefelder Straße", "Bahnhofstraße", "Industriestraße",
    "Am Ölbach", "Kirchstraße", "Marktplatz", "Nordring", "Gewerbestraße", "Lindenstraße",
    "Mühlenweg", "Ringstraße", "Schlossstraße", "Daimlerstraße",
)  # fmt: skip
_STREETS_SIE = (
    "Sandstraße", "Koblenzer Straße", "Hagener Straße", "Siegstraße", "Bahnhofstraße",
    "Marburger Straße", "Eiserfelder Straße", "Hauptstraße", "Industriestraße", "Auf der Hardt",
    "Kölner Straße", "Hüttenstraße", "Weidenauer Straße", "In der Herrenwiese", "Am Bahnhof",
)  # fmt: skip
_STREETS_KAM = (
    "Bahnhofstraße", "Unnaer Straße", "Dortmunder Straße", "Zechenstraße", "Hammer Straße",
    "Weststraße", "Nordstraße", "Werner Straße", "Industriestraße", "Kirchplatz", "Lüner Straße",
    "Am Römerberg", "Im Gewerbepark", "Schützenstraße", "Hellweg",
)  # fmt: skip
_STREETS_MIT = (
    "Hauptstraße", "Wetzlarer Straße", "Dillstraße", "Herborner Straße", "Bahnhofstraße",
    "Westerwaldstraße", "Industriestraße", "Kirchberg", "Schulstraße", "Am Sportplatz",
    "Auf der Heide", "Lahnstraße", "Kalteiche", "Siegener Straße", "Am Hüttenwerk",
)  # fmt: skip
_STREETS_BUT = (
    "Frankfurter Straße", "Gießener Straße", "Wetzlarer Straße", "Marktplatz", "Bahnhofstraße",
    "Usastraße", "Kaiserstraße", "Friedberger Straße", "Hauptstraße", "Ludwigstraße",
    "Schulstraße", "Im Vogelsang", "Industriestraße", "Taunusstraße", "Am Weinberg",
)  # fmt: skip


BRANCHES: tuple[BranchSpec, ...] = (
    BranchSpec(
        "WAF",
        "Warendorf",
        StateCode.NW,
        5,
        "2581",
        ("Warendorf", "Telgte", "Ennigerloh", "Sassenberg", "Ostbevern", "Beckum", "Everswinkel"),
        _STREETS_WAF,
    ),
    BranchSpec(
        "RHW",
        "Rheda-Wiedenbrück",
        StateCode.NW,
        3,
        "5242",
        ("Rheda-Wiedenbrück", "Gütersloh", "Herzebrock-Clarholz", "Rietberg", "Oelde"),
        _STREETS_RHW,
    ),
    BranchSpec(
        "SIE",
        "Siegen",
        StateCode.NW,
        3,
        "271",
        ("Siegen", "Kreuztal", "Netphen", "Wilnsdorf", "Freudenberg", "Hilchenbach"),
        _STREETS_SIE,
    ),
    BranchSpec(
        "KAM",
        "Kamen",
        StateCode.NW,
        3,
        "2307",
        ("Kamen", "Unna", "Bergkamen", "Bönen", "Lünen", "Holzwickede"),
        _STREETS_KAM,
    ),
    BranchSpec(
        "MIT",
        "Mittenaar",
        StateCode.HE,
        2,
        "2772",
        ("Mittenaar", "Herborn", "Dillenburg", "Wetzlar", "Haiger", "Sinn"),
        _STREETS_MIT,
    ),
    BranchSpec(
        "BUT",
        "Butzbach",
        StateCode.HE,
        2,
        "6033",
        ("Butzbach", "Friedberg", "Bad Nauheim", "Gießen", "Rockenberg", "Münzenberg"),
        _STREETS_BUT,
    ),
)

SKILLS: tuple[str, ...] = (
    "firewall",
    "backup",
    "exchange",
    "m365",
    "netzwerk",
    "vmware",
    "hyper-v",
    "datev",
    "drucker",
    "virenschutz",
    "linux",
    "windows-server",
    "telefonie",
    "wlan",
    "storage",
    "citrix",
)
"""Skills of technicians and tags of tickets, as a German admin tags them: the product or
technology where that is the word used (firewall, backup, exchange), German words otherwise."""

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

SERVERS: tuple[str, ...] = (
    "SRV-DC01", "SRV-FS01", "SRV-EXCH01", "SRV-DATEV01", "SRV-SQL01", "SRV-APP01",
    "SRV-RDS01", "SRV-BACKUP01", "SRV-HV01", "SRV-HV02",
)  # fmt: skip
WORKSTATIONS: tuple[str, ...] = (
    "PC-EMPFANG01", "NB-VERTRIEB03", "PC-BUCHH02", "NB-GF01", "PC-LAGER01", "PC-PRAXIS04",
    "NB-AUSSEN07", "PC-WERKSTATT02",
)  # fmt: skip
VMS: tuple[str, ...] = ("VM-ERP01", "VM-WSUS", "VM-DATEV", "VM-TS01", "VM-PRINT01", "VM-WEB01")

PROJECT_NOTES: tuple[str, ...] = (
    "Projekt: Migration Exchange nach Microsoft 365",
    "Projekt: Serverumzug ins Rechenzentrum",
    "Projekt: Netzwerk-Redesign mit VLANs",
    "Projekt: Einführung Citrix Cloud",
)
"""What consultants and architects block half a day for (the calendar's project slots)."""
