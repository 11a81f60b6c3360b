"""SSH keys through the service and the gateway's own database path, on SQLite and PostgreSQL.

The gateway (`dispatch.ssh`) reads and writes with the bare drivers; these tests hold it to
what the service reads back: the key line sshd gets, session tokens the service accepts until
they expire or are revoked, and their events naming the key.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from service.world import API, NO_SUCH_ID, PROBLEM, World
from sqlmodel import Session, select
from ssh.keyring import ed25519_line

from dispatch.models import ApiToken, SshKey
from dispatch.server.http.deps import CALLERS
from dispatch.ssh import tokens
from dispatch.ssh.authorized import answer
from dispatch.ssh.config import GateConfig
from dispatch.ssh.lean_db import LeanDb


def _ids(world: World) -> dict[str, int]:
    return {u["name"]: u["id"] for u in world.get("adam", "/users").json()["items"]}


def _gate(world: World, tmp_path: Path) -> GateConfig:
    url = world.engine.url.render_as_string(hide_password=False)
    return GateConfig(url, "dispatch", None, 1.0, tmp_path, tmp_path / "config.toml")


def _give(world: World, who: str, line: str) -> dict[str, object]:
    r = world.post("adam", f"/users/{_ids(world)[who]}/ssh-keys", {"key": line})
    assert r.status_code == 201, r.text
    body: dict[str, object] = r.json()
    return body


def test_an_admin_gives_and_takes_keys_and_the_feed_says_so(world: World) -> None:
    tina = _ids(world)["tina"]
    line = ed25519_line("tina laptop")
    key = _give(world, "tina", line)
    assert key["public_key"] == " ".join(line.split()[:2])
    assert key["comment"] == "tina laptop"
    assert str(key["fingerprint"]).startswith("SHA256:")
    listed = world.get("adam", f"/users/{tina}/ssh-keys").json()["items"]
    assert [k["id"] for k in listed] == [key["id"]]
    gone = world.client.delete(
        f"{API}/users/{tina}/ssh-keys/{key['id']}", headers=world.hm("adam", 1)
    )
    assert gone.status_code == 204
    assert world.get("adam", f"/users/{tina}/ssh-keys").json()["items"] == []
    events = [c for c in world.changes("adam")["changes"] if c["entity"] == "ssh_key"]
    assert [(e["op"], e["fields"]["fingerprint"]) for e in events] == [
        ("create", [None, key["fingerprint"]]),
        ("delete", [key["fingerprint"], None]),
    ]


def test_a_key_is_one_persons_only(world: World) -> None:
    line = ed25519_line()
    _give(world, "tina", line)
    ids = _ids(world)
    events = world.event_count()
    for who in ("tina", "otto"):
        r = world.post("adam", f"/users/{ids[who]}/ssh-keys", {"key": line + " again"})
        assert r.status_code == 409, r.text
        assert r.headers["content-type"] == PROBLEM
        assert "already" in r.json()["detail"]
    assert world.event_count() == events
    with Session(world.engine) as s:
        assert len(s.exec(select(SshKey)).all()) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"key": "ssh-ed25519 AAAA"},
        {"key": "ssh-dss AAAAB3NzaC1kc3MAAACBAP"},
        {"key": ed25519_line("bell\x07")},
        {"key": ed25519_line(), "user_id": 1},
        {},
    ],
)
def test_what_is_no_key_is_422_and_changes_nothing(world: World, body: dict[str, object]) -> None:
    events = world.event_count()
    r = world.post("adam", f"/users/{_ids(world)['tina']}/ssh-keys", body)
    assert r.status_code == 422, r.text
    assert world.event_count() == events


def test_removing_a_key_needs_if_match(world: World) -> None:
    key = _give(world, "tina", ed25519_line())
    path = f"{API}/users/{_ids(world)['tina']}/ssh-keys/{key['id']}"
    events = world.event_count()
    assert world.client.delete(path, headers=world.h("adam")).status_code == 428
    stale = world.client.delete(path, headers=world.hm("adam", 2))
    assert stale.status_code == 412
    assert stale.json()["current"]["fingerprint"] == key["fingerprint"]
    assert world.event_count() == events
    assert world.client.delete(path, headers=world.hm("adam", 1)).status_code == 204


def test_unknown_users_and_keys_are_404(world: World) -> None:
    assert (
        world.post("adam", f"/users/{NO_SUCH_ID}/ssh-keys", {"key": ed25519_line()}).status_code
        == 404
    )
    key = _give(world, "tina", ed25519_line())
    otto = _ids(world)["otto"]
    r = world.client.delete(f"{API}/users/{otto}/ssh-keys/{key['id']}", headers=world.hm("adam", 1))
    assert r.status_code == 404


def test_the_gateway_answers_a_known_key_only(world: World, tmp_path: Path) -> None:
    cfg = _gate(world, tmp_path)
    line = ed25519_line("tina")
    key = _give(world, "tina", line)
    kind, data = line.split()[:2]
    said = answer(cfg, "dispatch", kind, data)
    assert said.startswith('restrict,pty,command="')
    assert f'ssh session --key {key["fingerprint"]}" {kind} {data}\n' in said
    assert said.count("\n") == 1
    other_kind, other = ed25519_line().split()[:2]
    assert answer(cfg, "dispatch", other_kind, other) == ""
    assert answer(cfg, "root", kind, data) == ""  # not the service account
    assert answer(cfg, "dispatch", "ssh-rsa", data) == ""  # type and key disagree
    assert answer(cfg, "dispatch", kind, "AAAA") == ""


def _session(world: World, tmp_path: Path, who: str = "tina") -> tuple[GateConfig, str, str]:
    cfg = _gate(world, tmp_path)
    fp = str(_give(world, who, ed25519_line())["fingerprint"])
    with LeanDb(cfg.database_url) as db:
        person = tokens.owner(db, fp)
        assert person is not None and person.name == who
        return cfg, fp, tokens.mint(db, person, fp, hours=12)


def _me(world: World, token: str) -> int:
    r = world.client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"})
    return int(r.status_code)


def test_a_session_token_works_and_its_events_name_the_key(world: World, tmp_path: Path) -> None:
    cfg, fp, token = _session(world, tmp_path)
    with LeanDb(cfg.database_url) as db:
        person = tokens.owner(db, fp)
        assert person is not None and (person.role, person.technician_id) == (
            "technician",
            world.tech_id,
        )
    me = world.client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["user"]["name"] == "tina"
    ticket = world.assigned_ticket("tina")
    r = world.client.post(
        f"{API}/tickets/{ticket['id']}/comments",
        json={"body": "on my way"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201, r.text
    last = world.changes("adam")["changes"][-1]
    assert (last["actor"], last["via"]) == ("tina", fp)
    with Session(world.engine) as s:
        row = s.exec(select(ApiToken).where(ApiToken.via == fp)).one()
        assert row.expires_at is not None
        hours = (row.expires_at - datetime.now(UTC)).total_seconds() / 3600
        assert 11.9 < hours <= 12
        assert token not in {row.token_hash, row.via}


def test_an_expired_session_token_is_refused(world: World, tmp_path: Path) -> None:
    cfg = _gate(world, tmp_path)
    fp = str(_give(world, "tina", ed25519_line())["fingerprint"])
    with LeanDb(cfg.database_url) as db:
        person = tokens.owner(db, fp)
        assert person is not None
        token = tokens.mint(db, person, fp, hours=-0.01)
        assert not tokens.alive(db, token)
    assert _me(world, token) == 401


def test_session_end_revokes_the_token(world: World, tmp_path: Path) -> None:
    cfg, _, token = _session(world, tmp_path)
    assert _me(world, token) == 200
    with LeanDb(cfg.database_url) as db:
        assert tokens.alive(db, token)
        tokens.revoke(db, token)
        assert not tokens.alive(db, token)
    CALLERS.forget()  # another process's change is seen within CALLER_SECONDS
    assert _me(world, token) == 401


def test_removing_the_key_ends_the_session_at_once(world: World, tmp_path: Path) -> None:
    cfg, fp, token = _session(world, tmp_path)
    assert _me(world, token) == 200
    tina = _ids(world)["tina"]
    key = world.get("adam", f"/users/{tina}/ssh-keys").json()["items"][0]
    gone = world.client.delete(
        f"{API}/users/{tina}/ssh-keys/{key['id']}", headers=world.hm("adam", 1)
    )
    assert gone.status_code == 204
    assert _me(world, token) == 401
    with LeanDb(cfg.database_url) as db:
        assert not tokens.alive(db, token)
        assert tokens.owner(db, fp) is None


def test_revoking_the_person_removes_their_keys_and_ends_sessions(
    world: World, tmp_path: Path
) -> None:
    cfg, fp, token = _session(world, tmp_path)
    kind_data = world.get("adam", f"/users/{_ids(world)['tina']}/ssh-keys").json()["items"][0]
    assert world.post("adam", f"/users/{_ids(world)['tina']}/revoke").status_code == 200
    assert _me(world, token) == 401
    kind, data = kind_data["public_key"].split()
    assert answer(cfg, "dispatch", kind, data) == ""
    with LeanDb(cfg.database_url) as db:
        assert not tokens.alive(db, token)
        assert tokens.owner(db, fp) is None


def test_session_tokens_ended_a_day_ago_are_pruned_at_the_next_login(
    world: World, tmp_path: Path
) -> None:
    cfg = _gate(world, tmp_path)
    fp = str(_give(world, "tina", ed25519_line())["fingerprint"])
    with LeanDb(cfg.database_url) as db:
        person = tokens.owner(db, fp)
        assert person is not None
        old = tokens.mint(db, person, fp, hours=-48)
        recent = tokens.mint(db, person, fp, hours=12)
        tokens.revoke(db, recent)
        tokens.mint(db, person, fp, hours=12)
    with Session(world.engine) as s:
        hashes = set(s.exec(select(ApiToken.token_hash).where(ApiToken.via == fp)).all())
    assert tokens.digest(old) not in hashes
    assert tokens.digest(recent) in hashes  # revoked just now: kept a day
    assert len(hashes) == 2
    assert world.get("tina", "/me").status_code == 200  # her other tokens are untouched
