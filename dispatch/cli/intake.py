"""`dispatch tickets add`: a new ticket from the command line, every field an option.

The customer is named by id, customer number or name (a unique part of it); the site and the
contact by id or name (the contact also by e-mail). Kind, source and priority take the API's
value or the word the console shows ("VIP hotline", "monitoring alert"). Without --customer
or --title on a terminal it asks; a script passes options. The API client is the console's;
the service checks everything again.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import typer

from dispatch.cli.common import JsonOpt, ServerOpt, TokenOpt, fail
from dispatch.cli.remote import call_service, print_result
from dispatch.display import labels
from dispatch.domain.types import Priority, Role, Source, TicketKind
from dispatch.i18n import N_, _

Json = dict[str, Any]
# what `pick` says when nothing, or more than one, matches: one sentence per thing looked for
_NONE = {
    "customer": N_("no customer matches {given!r}"),
    "site": N_("no site matches {given!r}"),
    "contact": N_("no contact matches {given!r}"),
}
_MANY = {
    "customer": N_("{count} customers match {given!r}: {named}; name one by its id"),
    "site": N_("{count} sites match {given!r}: {named}; name one by its id"),
    "contact": N_("{count} contacts match {given!r}: {named}; name one by its id"),
}


def pick_word(what: str, given: str, table: dict[str, str], values: Sequence[str]) -> str:
    """The value `given` names: the value itself or its label, case-insensitive."""
    wanted = given.strip().lower()
    for value in values:
        english = table.raw(value) if isinstance(table, labels.Words) else table.get(value, "")
        if wanted in (value.lower(), labels.word(table, value).lower(), english.lower()):
            return value
    choices = ", ".join(values)
    fail(
        _("--{option} {given!r} is none of: {choices}").format(
            option=what, given=given, choices=choices
        ),
        2,
    )
    raise AssertionError("unreachable")


def pick(what: str, given: str, items: Sequence[Json], keys: Sequence[str]) -> Json:
    """The item `given` names: by id, by one of `keys` exactly, else by a unique part."""
    wanted = given.strip().lower()
    if wanted.isdigit():
        found = [i for i in items if str(i["id"]) == wanted]
        if found:
            return found[0]
    exact = [i for i in items if any(str(i.get(k) or "").lower() == wanted for k in keys)]
    if len(exact) == 1:
        return exact[0]
    part = exact or [i for i in items if any(wanted in str(i.get(k) or "").lower() for k in keys)]
    if len(part) == 1:
        return part[0]
    from dispatch.display.safe import one_line

    if not part:
        fail(_(_NONE[what]).format(given=given), 2)
    named = "; ".join(one_line(f"{i['id']} {i.get(keys[0])}") for i in part[:8])
    fail(_(_MANY[what]).format(count=len(part), given=given, named=named), 2)
    raise AssertionError("unreachable")


def body_of(customer: Json, options: Json) -> Json:
    """The intake body: the customer's main site unless a site is named."""
    from dispatch.display.intake import main_site

    sites = customer.get("sites") or []
    if options["site"]:
        site: Mapping[str, Any] | None = pick("site", options["site"], sites, ("name", "city"))
    else:
        site = main_site(customer)
    contact = None
    if options["contact"]:
        contacts = customer.get("contacts") or []
        contact = pick("contact", options["contact"], contacts, ("name", "email", "phone"))
    body: Json = {
        "title": options["title"],
        "description": options["description"],
        "kind": options["kind"],
        "source": options["source"],
        "customer_id": customer["id"],
        "site_id": None if site is None else site["id"],
        "contact_id": None if contact is None else contact["id"],
        "tags": options["tags"],
    }
    if options["priority"] is not None:
        body["priority"] = options["priority"]
    return body


Opt = typer.Option


def tickets_add(
    customer: Annotated[
        str | None, Opt(help=_("customer id, number or (part of the) name"))
    ] = None,
    title: Annotated[str | None, Opt(help=_("what is wrong, in one line"))] = None,
    description: Annotated[str, Opt(help=_("the details"))] = "",
    site: Annotated[str | None, Opt(help=_("site id or name (default: main site)"))] = None,
    contact: Annotated[str | None, Opt(help=_("contact id, name or e-mail"))] = None,
    kind: Annotated[
        str, Opt(help=_("incident, request, maintenance, pick_pack, ..."))
    ] = "incident",
    source: Annotated[str, Opt(help=_("phone, vip_hotline, email, portal, ..."))] = "phone",
    priority: Annotated[str | None, Opt(help=_("P1..P4 (default: the service's, P3)"))] = None,
    tag: Annotated[list[str] | None, Opt("--tag", help=_("a tag (repeatable)"))] = None,
    server: ServerOpt = None,
    token: TokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Take a ticket in (a call at the desk): the service gives its number and due times."""
    interactive = sys.stdin.isatty() and not as_json
    if customer is None and interactive:
        customer = typer.prompt(_("Customer (id, number or name)"))
    if title is None and interactive:
        title = typer.prompt(_("Title"))
    if not customer or not title:
        fail(_("--customer and --title are required (a terminal is asked for them)"), 2)
    options: Json = {
        "customer": customer,
        "title": title,
        "description": description,
        "site": site,
        "contact": contact,
        "kind": pick_word("kind", kind, labels.KIND, [k.value for k in TicketKind]),
        "source": pick_word("source", source, labels.SOURCE, [s.value for s in Source]),
        "priority": None
        if priority is None
        else pick_word("priority", priority, labels.PRIORITY, [p.value for p in Priority]),
        "tags": list(tag or []),
    }
    ticket = call_service(server, token, lambda c: _add(c, options))

    def render(t: Any) -> None:
        from dispatch.display.cli_text import list_line

        typer.echo(list_line(t))

    print_result(ticket, as_json, render)


async def _add(client: Any, options: Json) -> Json:
    """The new ticket; a VIP-hotline call of a customer without a contingent is the
    service's 422 (it says why), so nothing is taken."""
    from dispatch.client.customer_pages import all_customers

    me = await client.me()
    directory = me["role"] == Role.TECHNICIAN
    customers = await all_customers(client, directory=directory)
    customer = pick("customer", options["customer"], customers, ("name", "number"))
    body = body_of(customer, options)
    ticket: Json = await client.create_ticket(body)
    return ticket
