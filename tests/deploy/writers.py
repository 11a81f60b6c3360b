"""A writer process for the feed-order test.

`python -m deploy.writers BASE TOKEN TICKET COUNT NAME` is a plain HTTP client
(it imports only httpx, so it starts at once): it prints
`ready`, waits for a line on stdin (so every writer starts together), posts COUNT
comments to the service at BASE as fast as it can, and prints one JSON line with
the ids of the acknowledged comments and the statuses of any other answers.
"""

from __future__ import annotations

import json
import sys

import httpx

API = "/api/v1"


def write_comments(base: str, token: str, ticket_id: int, count: int, name: str) -> None:
    acked: list[int] = []
    failed: list[int] = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base + API, headers=headers, timeout=30) as client:
        print("ready", flush=True)
        sys.stdin.readline()
        for n in range(count):
            r = client.post(f"/tickets/{ticket_id}/comments", json={"body": f"{name} #{n}"})
            if r.status_code == 201:
                acked.append(int(r.json()["id"]))
            else:
                failed.append(r.status_code)
    print(json.dumps({"name": name, "acked": acked, "failed": failed}), flush=True)


if __name__ == "__main__":
    base, token, ticket, count, name = sys.argv[1:6]
    write_comments(base, token, int(ticket), int(count), name)
