"""Malformed input never breaks the service: schemathesis over its own OpenAPI document.

Every operation gets positive and negative cases; each case is sent with every role's
token and judged by all of schemathesis's checks (no 5xx, only documented statuses,
responses matching their schemas, invalid data rejected, auth not ignored, ...).
Examples are few and derandomised so the run is short and repeatable.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections import Counter
from collections.abc import Callable
from typing import Any, cast

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from service.world import API, World

EXAMPLES = 6
ROLES = ("tina", "dana", "lea", "adam")


def _objects(world: World) -> None:
    """A few of each resource, so generated ids sometimes hit something."""
    for i in range(2):
        t = world.assigned_ticket("tina" if i == 0 else "otto", title=f"fuzz {i}")
        world.escalate(t)
        world.book(start=f"2030-03-0{4 + i}T09:00:00+01:00", end=f"2030-03-0{4 + i}T10:00:00+01:00")


def _schema(world: World) -> Any:
    """The OpenAPI schema of the world's app, set for fuzzing: no long-polls, no rate limit."""
    _objects(world)
    app = cast(FastAPI, world.client.app)
    app.state.settings.max_wait_seconds = 0.01  # long-polls answer at once
    app.state.settings.rate_limit_per_minute = 0  # many requests per token on purpose
    app.state.settings.auth_failures_per_minute = 0  # and many made-up tokens
    return schemathesis.openapi.from_asgi(f"{API}/openapi.json", app)


def _refused_without_a_live_token(case: Any, failures: list[str]) -> None:
    """The same generated request with no token and with a made-up one must be 401.

    The OpenAPI document declares the bearer token as a plain header, so schemathesis's
    own `ignored_auth` check has no security scheme to test; this does its job.
    """
    saved = case.headers
    try:
        case.headers = {k: v for k, v in (saved or {}).items() if k.lower() != "authorization"}
        for headers in ({}, {"Authorization": "Bearer made-up-token"}):
            r = case.call(headers=headers)
            if r.status_code != 401:
                failures.append(
                    f"no live token: {case.method} {case.formatted_path} {headers}: "
                    f"{r.status_code} {r.text[:300]}"
                )
    finally:
        case.headers = saved


def _checks() -> list[Any]:
    names = [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "missing_required_header",
        "unsupported_method",
        "ignored_auth",
        "use_after_free",
        "ensure_resource_availability",
    ]
    return [getattr(schemathesis.checks, name) for name in names]


def test_generated_requests_pass_every_check_for_every_role(
    sqlite_world: World, figure: Callable[[str], None]
) -> None:
    world = sqlite_world
    schema = _schema(world)
    checks = _checks()
    cases: Counter[str] = Counter()
    failures: list[str] = []
    unauthenticated = [0]

    def call(case: Any) -> None:
        for who in ROLES:
            headers = {"Authorization": f"Bearer {world.tokens[who]}"}
            if case.method in ("PATCH", "DELETE") and "If-Match" not in (case.headers or {}):
                headers["If-Match"] = '"1"'
            try:
                case.call_and_validate(headers=headers, checks=checks)
            except (Exception, BaseExceptionGroup) as exc:  # every failure, not just the first
                failures.append(f"{who}: {case.method} {case.formatted_path}: {exc}"[:3000])
            cases[f"{case.method} {case.path}"] += 1
        if not case.path.endswith("/health"):
            _refused_without_a_live_token(case, failures)
            unauthenticated[0] += 2

    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run = settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )(given(case=operation.as_strategy(generation_mode=mode))(call))
            with contextlib.suppress(Unsatisfiable):  # nothing to make invalid here
                run()
    total = sum(cases.values())
    figure(
        f"fuzz: {operations} operations x {len(ROLES)} roles, {total} requests checked "
        f"with {len(checks)} checks, plus {unauthenticated[0]} without a live token "
        f"(all 401 expected), {len(failures)} failures"
    )
    assert operations >= 20
    assert not failures, "\n\n".join(failures[:10])


def _restorer(world: World) -> Callable[[], None]:
    """A function that puts the world's SQLite file back to how it is now (same tokens)."""
    path = world.engine.url.database
    assert path
    saved = sqlite3.connect(":memory:")
    with contextlib.closing(sqlite3.connect(path)) as live:
        live.backup(saved)

    def restore() -> None:
        with contextlib.closing(sqlite3.connect(path, timeout=30)) as live:
            saved.backup(live)

    return restore


@pytest.mark.parametrize("who", ROLES)
def test_stateful_sequences_over_inferred_links(
    sqlite_world: World, figure: Callable[[str], None], who: str
) -> None:
    """Sequences that feed one response's ids into the next request (links inferred by v4)."""
    world = sqlite_world
    schema = _schema(world)
    machine = schema.as_state_machine()
    # The machine adds the caller's token to every step, which turns its "no Authorization"
    # negative steps into valid ones; negative data is judged by the stateless test above.
    checks = [c for c in _checks() if c is not schemathesis.checks.negative_data_rejection]
    steps: Counter[str] = Counter()
    token = world.tokens[who]

    restore = _restorer(world)

    class Machine(machine):  # type: ignore[misc,valid-type]
        def setup(self) -> None:
            # Every scenario starts from the same data: with the data of earlier scenarios
            # left in, a step's response (and so what the next step may draw) differed from
            # the run hypothesis replays, and it gave up with FlakyStrategyDefinition.
            restore()

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            headers = {"Authorization": f"Bearer {token}"}
            if case.method in ("PATCH", "DELETE"):
                headers["If-Match"] = '"1"'
            return {"headers": headers}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            steps[f"{case.method} {case.path}"] += 1
            case.validate_response(
                response, checks=checks, headers=self.get_call_kwargs(case)["headers"]
            )

    Machine.run(
        settings=settings(
            max_examples=25,
            stateful_step_count=6,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
    figure(
        f"fuzz (stateful, {who}): {sum(steps.values())} steps over "
        f"{len(steps)} operations, {len(checks)} checks, 0 failures"
    )
    assert sum(steps.values()) > 0
