"""Travel time between the six branches, from their coordinates.

On-site work starts and ends with the drive from the technician's home branch to the branch
that serves the site. Road distance is estimated as the great-circle distance times 1.3 (roads
are not straight), driven at 70 km/h (country roads and motorway mixed), rounded up to whole
minutes. Pure: a table computed once at import.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from math import asin, cos, radians, sin, sqrt
from types import MappingProxyType

from dispatch.domain.types import WorkMode

EARTH_RADIUS_KM = 6371.0
DETOUR = 1.3
"""Road kilometres per great-circle kilometre."""
SPEED_KMH = 70.0

BRANCH_COORDINATES: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "Warendorf": (51.95, 7.99),
        "Rheda-Wiedenbrück": (51.84, 8.30),
        "Siegen": (50.87, 8.02),
        "Kamen": (51.59, 7.66),
        "Mittenaar": (50.70, 8.38),
        "Butzbach": (50.43, 8.67),
    }
)
"""Latitude and longitude (degrees north and east) of each branch, by the branch's name."""


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance between two (latitude, longitude) points in kilometres."""
    lat1, lon1, lat2, lon2 = map(radians, (*a, *b))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(sqrt(h))


def _drive(a: tuple[float, float], b: tuple[float, float]) -> timedelta:
    hours = great_circle_km(a, b) * DETOUR / SPEED_KMH
    return timedelta(minutes=int(-(-hours * 60 // 1)))  # a started minute counts


TRAVEL: Mapping[tuple[str, str], timedelta] = MappingProxyType(
    {
        (origin, target): _drive(BRANCH_COORDINATES[origin], BRANCH_COORDINATES[target])
        for origin in BRANCH_COORDINATES
        for target in BRANCH_COORDINATES
    }
)
"""One-way travel time between every two branches (zero from a branch to itself)."""


def travel_time(origin: str, target: str | None) -> timedelta | None:
    """One-way travel from branch `origin` to branch `target` (by name); None when either is
    not one of the six branches (or the target is unknown), so the caller can say so."""
    if target is None:
        return None
    return TRAVEL.get((origin, target))


def booking_travel(mode: WorkMode | str | None, home: str | None, site: str | None) -> timedelta:
    """One-way travel a booking holds at each end: on-site work drives from the technician's
    `home` branch to the `site`'s (by name). Remote work, work within the branch and a branch
    not in the table (or not known) hold none. The one rule of the service's booking
    forecast, the ranking's slots and the console's "book anyway?" question."""
    if mode != WorkMode.ONSITE or home is None:
        return timedelta(0)
    return travel_time(home, site) or timedelta(0)
