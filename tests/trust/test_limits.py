"""Resource limits: page size cap, body size cap, and the per-token rate limit."""

from __future__ import annotations

from collections.abc import Callable

from service.world import API, PROBLEM, MakeWorld

from dispatch.server.http.ratelimit import MAX_BUCKETS, TokenBuckets

MiB = 1024 * 1024


def test_limit_above_the_cap_is_422_and_bodies_over_a_mebibyte_413(
    make_trust_world: MakeWorld, figure: Callable[[str], None]
) -> None:
    world = make_trust_world()
    assert world.get("dana", "/tickets", limit=500).status_code == 200
    r = world.get("dana", "/tickets", limit=501)
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    body = {"title": "x" * MiB, "customer_id": world.customer_id}
    r = world.post("dana", "/tickets", body)
    assert r.status_code == 413 and r.headers["content-type"] == PROBLEM
    figure(f"limits [{world.engine.dialect.name}]: limit=501 -> 422, body > 1 MiB -> 413")


def test_a_token_over_its_rate_gets_429_and_others_still_pass(
    make_trust_world: MakeWorld, figure: Callable[[str], None]
) -> None:
    world = make_trust_world(rate_limit_per_minute=60, rate_limit_burst=10)
    answers = [world.get("dana", "/me").status_code for _ in range(15)]
    assert answers[:10] == [200] * 10
    assert set(answers[10:]) == {429}
    r = world.get("dana", "/me")
    assert r.status_code == 429
    assert r.headers["content-type"] == PROBLEM
    assert int(r.headers["retry-after"]) >= 1
    assert r.json()["status"] == 429 and r.json()["detail"]
    # Another user's token has a bucket of its own.
    assert world.get("lea", "/me").status_code == 200
    # Writes are limited too, and a refused write changes nothing.
    events = world.event_count()
    assert world.post("dana", "/tickets", {"title": "x", "customer_id": 1}).status_code == 429
    assert world.event_count() == events
    # Health needs no token and is not limited.
    assert all(world.client.get(f"{API}/health").status_code == 200 for _ in range(20))
    figure(
        f"rate limit [{world.engine.dialect.name}]: burst 10 of 60/min -> "
        f"{answers.count(200)} x 200 then {answers.count(429)} x 429 with Retry-After; "
        "other token 200"
    )


def test_429_is_documented_on_every_authenticated_operation(
    make_trust_world: MakeWorld,
) -> None:
    world = make_trust_world()
    schema = world.client.get(f"{API}/openapi.json").json()
    missing = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        if not path.endswith("/health")
        for method, op in operations.items()
        if "429" not in op["responses"]
    ]
    assert not missing


def test_buckets_refill_at_the_configured_rate() -> None:
    now = [0.0]
    buckets = TokenBuckets(clock=lambda: now[0])
    assert [buckets.take("a", 60, 2) for _ in range(2)] == [0.0, 0.0]
    assert buckets.take("a", 60, 2) == 1.0  # one a second
    now[0] = 1.0
    assert buckets.take("a", 60, 2) == 0.0
    assert buckets.take("b", 60, 2) == 0.0
    now[0] = 100.0
    assert buckets.take("a", 60, 2) == 0.0
    assert buckets.take("a", 60, 2) == 0.0
    assert buckets.take("a", 60, 2) > 0  # the bucket never holds more than the burst


def test_the_limiter_forgets_idle_tokens_so_memory_stays_bounded() -> None:
    now = [0.0]
    buckets = TokenBuckets(clock=lambda: now[0])
    for i in range(MAX_BUCKETS):
        buckets.take(f"t{i}", 60, 5)
    assert len(buckets.buckets) == MAX_BUCKETS
    now[0] = 60.0  # every bucket has refilled
    buckets.take("new", 60, 5)
    assert len(buckets.buckets) == 1
