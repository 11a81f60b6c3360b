"""The client's one list of REST paths names routes the service has."""

from __future__ import annotations

import inspect
import re

from fastapi import FastAPI
from service.world import World

from dispatch.client import paths


def _client_paths() -> list[str]:
    found = [v for k, v in vars(paths).items() if k.isupper() and k != "PREFIX"]
    for fn in vars(paths).values():
        if inspect.isfunction(fn) and fn.__module__ == paths.__name__:
            # 7 for every id the path takes (a ticket's mail takes two)
            found.append(fn(*[7] * len(inspect.signature(fn).parameters)))
    return found


def test_every_client_path_is_a_route_of_the_service(world: World) -> None:
    app = world.client.app
    assert isinstance(app, FastAPI)
    routes = app.openapi()["paths"]
    patterns = [re.compile("^" + re.sub(r"\{[^}]+\}", r"[0-9]+", p) + "$") for p in routes]
    missing = [p for p in _client_paths() if not any(x.match(paths.PREFIX + p) for x in patterns)]
    assert len(_client_paths()) == 38
    assert missing == []
