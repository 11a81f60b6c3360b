"""No lost update: eight clients read the same ticket, then all write it with If-Match.

In every round exactly one write wins (200) and the other seven get 412; the ticket ends
with the winner's value, one version further, and the feed holds exactly one event for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from service.world import API, MakeWorld

CLIENTS = 8
ROUNDS = 63  # 504 writes


def test_eight_clients_one_winner_per_round(
    make_trust_world: MakeWorld, figure: Callable[[str], None]
) -> None:
    world = make_trust_world(rate_limit_per_minute=0)
    ticket = world.new_ticket()
    events_before = len(world.events_of("ticket", ticket["id"]))
    writers = ["dana", "lea", "adam"]
    barrier = threading.Barrier(CLIENTS, timeout=30)
    lost = 0
    bad_rounds: list[str] = []
    statuses: dict[int, int] = {}

    def client(i: int, round_no: int) -> tuple[int, str]:
        who = writers[i % len(writers)]
        got = world.client.get(f"{API}/tickets/{ticket['id']}", headers=world.h(who))
        tag = got.headers["etag"]
        value = f"round {round_no} client {i}"
        barrier.wait()  # everyone has read before anyone writes
        r = world.client.patch(
            f"{API}/tickets/{ticket['id']}",
            json={"title": value},
            headers=world.h(who, **{"If-Match": tag}),
        )
        return r.status_code, value

    with ThreadPoolExecutor(CLIENTS) as pool:
        for round_no in range(ROUNDS):
            before = world.ticket(ticket["id"])
            results = list(pool.map(lambda i, n=round_no: client(i, n), range(CLIENTS)))
            for code, _ in results:
                statuses[code] = statuses.get(code, 0) + 1
            winners = [value for code, value in results if code == 200]
            after = world.ticket(ticket["id"])
            if len(winners) != 1 or sorted(c for c, _ in results)[1:] != [412] * (CLIENTS - 1):
                bad_rounds.append(f"round {round_no}: {sorted(c for c, _ in results)}")
            if winners and (after["title"] != winners[-1]):
                lost += 1
            if after["version"] != before["version"] + len(winners):
                lost += 1
    events = len(world.events_of("ticket", ticket["id"])) - events_before
    kind = world.engine.dialect.name
    figure(
        f"lost update [{kind}]: {ROUNDS} rounds x {CLIENTS} clients = {ROUNDS * CLIENTS} "
        f"writes, statuses {dict(sorted(statuses.items()))}, rounds with exactly one winner "
        f"{ROUNDS - len(bad_rounds)}/{ROUNDS}, lost updates {lost}, feed events {events}"
    )
    assert not bad_rounds, bad_rounds[:5]
    assert lost == 0
    assert events == statuses.get(200, 0) == ROUNDS
