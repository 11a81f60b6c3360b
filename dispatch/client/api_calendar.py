"""The client's calls of technicians, calendars and appointments. A mixin of `ApiClient`,
as `api_mail`: the sync engine takes technicians and appointments as untyped dicts (so far),
checked against their shapes' keys all the same."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from dispatch.client import paths
from dispatch.client.shapes import AppointmentShape, TechnicianShape, required

if TYPE_CHECKING:
    from dispatch.client.api_mail import _Door

Json = dict[str, Any]
APPOINTMENT_KEYS = required(AppointmentShape)
TECHNICIAN_KEYS = required(TechnicianShape)


class CalendarCalls:
    """The people and calendar endpoints of the REST contract."""

    async def technicians(self: _Door) -> list[Json]:
        response = await self.request("GET", paths.TECHNICIANS)
        return list(self._items(response, TECHNICIAN_KEYS)["items"])

    async def appointments(
        self: _Door, start: datetime, end: datetime, technician: list[int] | None = None
    ) -> list[Json]:
        params: dict[str, Any] = {"start": start.isoformat(), "end": end.isoformat()}
        if technician:
            params["technician"] = technician
        response = await self.request("GET", paths.APPOINTMENTS, params=params)
        return list(self._items(response, APPOINTMENT_KEYS)["items"])

    async def calendar(
        self: _Door, technician_id: int, start: datetime, end: datetime
    ) -> list[AppointmentShape]:
        params = {"start": start.isoformat(), "end": end.isoformat()}
        response = await self.request("GET", paths.calendar(technician_id), params=params)
        return self._listed(response, AppointmentShape)

    async def create_appointment(
        self: _Door, data: Json, *, key: str | None = None
    ) -> AppointmentShape:
        response = await self.write("POST", paths.APPOINTMENTS, json=data, key=key)
        return self._answer(response, AppointmentShape)

    async def patch_appointment(
        self: _Door, appointment_id: int, changes: Json, version: int, *, key: str | None = None
    ) -> AppointmentShape:
        response = await self.write(
            "PATCH", paths.appointment(appointment_id), json=changes, version=version, key=key
        )
        return self._answer(response, AppointmentShape)

    async def delete_appointment(
        self: _Door, appointment_id: int, version: int, *, key: str | None = None
    ) -> None:
        await self.write("DELETE", paths.appointment(appointment_id), version=version, key=key)
