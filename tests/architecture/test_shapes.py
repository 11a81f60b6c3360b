"""The client's shapes (`dispatch.client.shapes`) say what the service's public models say.

A `TypedDict` costs nothing at run time and so checks nothing there: a field added to, renamed
in or dropped from a model would leave the console's shape silently wrong. These tests hold
every shape to its model: the same keys, the same JSON type for each, None where the model
allows None.
"""

from __future__ import annotations

import types
import typing
from datetime import datetime
from enum import Enum
from typing import Any, get_args, get_origin, get_type_hints, is_typeddict

import pytest
from pydantic import BaseModel

from dispatch.client import api, shapes, shapes_contingent
from dispatch.models.appointment import AppointmentPublic
from dispatch.models.comment import CommentPublic
from dispatch.models.contingent import ContingentMonthPublic, ContingentPublic
from dispatch.models.customer import (
    ContactPublic,
    ContractPublic,
    CoveragePublic,
    CustomerListing,
    CustomerPublic,
    DirectorySite,
    SitePublic,
)
from dispatch.models.detail import TicketChanged, TicketDetail
from dispatch.models.escalation import EscalationPublic
from dispatch.models.event import ChangeFeed, ChangePublic
from dispatch.models.mail import (
    AttachmentPublic,
    MailPublic,
    TicketMails,
    UnmatchedMailList,
    UnmatchedMailPublic,
)
from dispatch.models.notification import MailPreview, MailRecipient
from dispatch.models.ticket import TicketPage, TicketPublic
from dispatch.models.user import MePublic, TechnicianPublic, UserPublic

MIRRORS: list[tuple[type[Any], type[BaseModel]]] = [
    (shapes.TicketShape, TicketPublic),
    (shapes.TicketDetailShape, TicketDetail),
    (shapes.TicketChangedShape, TicketChanged),
    (shapes.TicketPageShape, TicketPage),
    (shapes.CommentShape, CommentPublic),
    (shapes.EscalationShape, EscalationPublic),
    (shapes.AppointmentShape, AppointmentPublic),
    (shapes.ChangeShape, ChangePublic),
    (shapes.ChangeFeedShape, ChangeFeed),
    (shapes.TechnicianShape, TechnicianPublic),
    (shapes.UserShape, UserPublic),
    (shapes.MeShape, MePublic),
    (shapes.AttachmentShape, AttachmentPublic),
    (shapes.MailShape, MailPublic),
    (shapes.TicketMailsShape, TicketMails),
    (shapes.UnmatchedMailShape, UnmatchedMailPublic),
    (shapes.UnmatchedPageShape, UnmatchedMailList),
    (shapes.RecipientShape, MailRecipient),
    (shapes.MailPreviewShape, MailPreview),
    (shapes.SiteShape, SitePublic),
    (shapes.ContactShape, ContactPublic),
    (shapes.CoverageShape, CoveragePublic),
    (shapes.ContractShape, ContractPublic),
    (shapes.CustomerShape, CustomerPublic),
    (shapes.DirectorySiteShape, DirectorySite),
    (shapes.CustomerListingShape, CustomerListing),
    (shapes_contingent.ContingentShape, ContingentPublic),
    (shapes_contingent.ContingentMonthShape, ContingentMonthPublic),
]
# Keys the console adds to a ticket in its store: its own, no model has them.
STORE_ONLY = {"_pending", "_conflict"}


def _ids(pair: tuple[type[Any], type[BaseModel]]) -> str:
    return pair[0].__name__


def _without_none(annotation: Any) -> tuple[Any, bool]:
    """The annotation without None, and whether None was in it."""
    args = get_args(annotation)
    if get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else typing.Union[tuple(rest)]), True  # noqa: UP007
    return annotation, annotation is None or annotation is type(None)


def _json_kind(annotation: Any) -> str:
    """What JSON carries for a model's or a shape's annotation."""
    origin = get_origin(annotation) or annotation
    if origin is typing.Literal:
        return _json_kind(type(get_args(annotation)[0]))
    if origin in (list, tuple):
        return "array"
    if origin is dict or is_typeddict(origin):
        return "object"
    if isinstance(origin, type) and issubclass(origin, BaseModel):
        return "object"
    if isinstance(origin, type) and issubclass(origin, Enum | datetime | str):
        return "string"  # enums by value, times as ISO text
    if origin is bool:
        return "boolean"
    if origin in (int, float):
        return str(origin.__name__)
    return f"unknown {annotation!r}"


@pytest.mark.parametrize("pair", MIRRORS, ids=_ids)
def test_each_shape_has_its_models_keys(pair: tuple[type[Any], type[BaseModel]]) -> None:
    shape, model = pair
    keys = set(get_type_hints(shape))
    fields = set(model.model_fields)
    assert keys - fields == set(), f"{shape.__name__} has keys {model.__name__} does not"
    assert fields - keys == set(), f"{shape.__name__} lacks fields of {model.__name__}"


@pytest.mark.parametrize("pair", MIRRORS, ids=_ids)
def test_each_key_has_its_fields_json_type(pair: tuple[type[Any], type[BaseModel]]) -> None:
    shape, model = pair
    hints = get_type_hints(shape)
    for name, field in model.model_fields.items():
        theirs, their_none = _without_none(field.annotation)
        ours, our_none = _without_none(hints[name])
        kind = _json_kind(theirs)
        assert not kind.startswith("unknown"), f"{model.__name__}.{name}: {kind}"
        assert _json_kind(ours) == kind, f"{shape.__name__}.{name}"
        assert our_none == their_none, f"{shape.__name__}.{name}: None allowed differently"


@pytest.mark.parametrize("pair", MIRRORS, ids=_ids)
def test_a_required_key_is_one_every_answer_has(pair: tuple[type[Any], type[BaseModel]]) -> None:
    """The client refuses an answer without a shape's required keys, so each must be a field
    of the model the service answers with (every public field is sent)."""
    shape, model = pair
    assert set(shapes.required(shape)) <= set(model.model_fields)


def test_the_store_ticket_is_the_ticket_and_the_consoles_marks() -> None:
    assert set(get_type_hints(shapes.StoreTicket)) == set(TicketPublic.model_fields) | STORE_ONLY
    assert shapes.StoreTicket.__required_keys__ == shapes.TicketShape.__required_keys__


def test_the_client_checks_the_keys_the_shapes_require_in_their_order() -> None:
    # The order names the first missing keys in a ContractError, as it did before the shapes.
    assert api.TICKET_KEYS == (
        "id",
        "number",
        "version",
        "title",
        "status",
        "priority",
        "customer_name",
    )
    assert api.ESCALATION_KEYS == (
        "id",
        "version",
        "level",
        "status",
        "reason",
        "raised_at",
        "ticket_number",
    )
    assert api.APPOINTMENT_KEYS == ("id", "technician_id", "start", "end", "kind")
    assert api.TECHNICIAN_KEYS == ("id", "name")
    assert api.CHANGE_KEYS == ("entity", "id")
    assert shapes.required(shapes.MeShape) == ("user", "role")
    assert shapes.required(shapes.UserShape) == ("id", "name", "display_name")
