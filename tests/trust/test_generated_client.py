"""A client generated from the service's own OpenAPI document works, problems included.

openapi-python-client generates the client from `/api/v1/openapi.json` of a live service;
the test imports it and runs it against that service: list, read, PATCH and suggestions
come back typed, and so do the answers that go wrong: a stale PATCH is a StaleTicketChanged
whose `current` is the ticket as it is now, a PATCH without If-Match a 428 Problem, a
booking clash a 409 Problem. Before, If-Match was optional in the generated signature and
every problem answer parsed as None (its schema sat under a media type never sent).

openapi-python-client pins typer below the version dispatch needs, so it cannot share the
project's environment: it runs as a uv tool, in an environment of its own.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from trust.live import Live, serving

GENERATOR = "openapi-python-client==0.29.1"


def _generate(live: Live, where: Path, package: str) -> None:
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        pytest.skip("uv is needed to run openapi-python-client in its own environment")
    out = subprocess.run(
        [
            uv,
            "tool",
            "run",
            "--from",
            GENERATOR,
            "openapi-python-client",
            "generate",
            "--url",
            f"{live.url}/api/v1/openapi.json",
            "--output-path",
            str(where / package),
            "--meta",
            "none",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=where,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Warning" not in out.stdout + out.stderr, out.stdout + out.stderr


@pytest.fixture
def generated(
    db_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[Live, Callable[[str], ModuleType]]]:
    """The live service and an importer of the client generated from its document."""
    package = f"dispatch_api_{request.node.callspec.id}"
    with serving(db_url, rate_limit_per_minute=0) as live:
        _generate(live, tmp_path, package)
        sys.path.insert(0, str(tmp_path))
        try:
            yield live, lambda name: importlib.import_module(f"{package}.{name}")
        finally:
            sys.path.remove(str(tmp_path))
            for name in [m for m in sys.modules if m.split(".")[0] == package]:
                del sys.modules[name]


def test_a_generated_client_parses_every_answer_into_a_type(
    generated: tuple[Live, Callable[[str], ModuleType]], figure: Callable[[str], None]
) -> None:
    live, module = generated
    tickets = "api.tickets."
    client_mod, models = module("client"), module("models")
    tech_id, _, customer_id, site_id, _ = live.ids
    dana = client_mod.AuthenticatedClient(
        base_url=live.url, token=live.tokens["dana"], raise_on_unexpected_status=True
    )
    with dana as client:
        made = module(tickets + "create_ticket_api_v1_tickets_post").sync_detailed(
            client=client,
            body=models.TicketCreate(title="Printer", customer_id=customer_id, site_id=site_id),
        )
        assert made.status_code == 201 and isinstance(made.parsed, models.TicketPublic)
        ticket_id = made.parsed.id

        page = module(tickets + "list_tickets_api_v1_tickets_get").sync(client=client)
        assert isinstance(page, models.TicketPage) and [t.id for t in page.items] == [ticket_id]
        one = module(tickets + "get_ticket_api_v1_tickets_ticket_id_get").sync(
            ticket_id, client=client
        )
        assert isinstance(one, models.TicketDetail) and one.version == 1
        hints = module(tickets + "suggestions_api_v1_tickets_ticket_id_suggestions_get").sync(
            ticket_id, client=client
        )
        assert isinstance(hints, models.SuggestionList)

        patch = module(tickets + "patch_ticket_api_v1_tickets_ticket_id_patch")
        changed = patch.sync_detailed(
            ticket_id, client=client, body=models.TicketUpdate(title="first"), if_match='"1"'
        )
        assert changed.status_code == 200 and changed.parsed.version == 2
        # Someone else changed it meanwhile: the 412 carries the ticket as it is now.
        stale = patch.sync_detailed(
            ticket_id, client=client, body=models.TicketUpdate(title="second"), if_match='"1"'
        )
        assert stale.status_code == 412
        assert isinstance(stale.parsed, models.StaleTicketChanged), stale.parsed
        # typed as the PATCH's own answer (the ticket, with the bookings a change freed)
        assert isinstance(stale.parsed.current, models.TicketChanged)
        assert (stale.parsed.current.title, stale.parsed.current.version) == ("first", 2)
        # If-Match is a required argument; sent empty it is the 428 problem, typed.
        missing = patch.sync_detailed(
            ticket_id, client=client, body=models.TicketUpdate(title="x"), if_match=""
        )
        assert missing.status_code == 428 and isinstance(missing.parsed, models.Problem)
        assert "If-Match" in missing.parsed.detail

        # A booking that clashes with one already there: the 409 problem, typed.
        assign = module(tickets + "assign_api_v1_tickets_ticket_id_assignment_post")
        slot = {"start": "2030-03-04T09:00:00+01:00", "end": "2030-03-04T10:00:00+01:00"}
        body: dict[str, Any] = {"technician_id": tech_id, "slot": slot}
        first = assign.sync_detailed(
            ticket_id, client=client, body=models.AssignmentCreate.from_dict(body)
        )
        assert first.status_code == 200, first.content
        other = module(tickets + "create_ticket_api_v1_tickets_post").sync(
            client=client, body=models.TicketCreate(title="Other", customer_id=customer_id)
        )
        clash = assign.sync_detailed(
            other.id, client=client, body=models.AssignmentCreate.from_dict(body)
        )
        assert clash.status_code == 409 and isinstance(clash.parsed, models.Problem)
    figure(
        f"generated client [{live.engine.dialect.name}]: openapi-python-client from "
        "/api/v1/openapi.json; list, read, PATCH, suggestions typed; stale PATCH -> "
        "StaleTicketChanged with current, 428 and 409 -> Problem; If-Match required"
    )


def test_if_match_is_required_and_problems_are_problem_json(
    generated: tuple[Live, Callable[[str], ModuleType]],
) -> None:
    live, _ = generated
    import httpx

    doc = httpx.get(f"{live.url}/api/v1/openapi.json").json()
    versioned = [
        (path, method, op)
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if method in ("patch", "delete")
    ]
    assert len(versioned) >= 3
    for path, method, op in versioned:
        tags = [p for p in op["parameters"] if p["name"].lower() == "if-match"]
        assert tags and tags[0]["required"] is True, (method, path)
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for status, answer in op["responses"].items():
                if int(status) >= 400:
                    assert list(answer["content"]) == ["application/problem+json"], (
                        method,
                        path,
                        status,
                    )
                    assert answer["content"]["application/problem+json"]["schema"]
