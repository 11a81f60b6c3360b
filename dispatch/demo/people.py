"""The demo's branch offices, the dispatch team and the technicians, each with a login."""

from __future__ import annotations

import random

from sqlmodel import Session

from dispatch.demo.common import Staff, Tech, Weighted, slug
from dispatch.demo.vocabulary import BRANCHES, FIRST_NAMES, LAST_NAMES, SKILLS, BranchSpec
from dispatch.domain.types import Role, ServiceRole
from dispatch.models import Branch, Technician
from dispatch.server.rules.accounts import create_user

STAFF: tuple[tuple[str, str, Role], ...] = (
    ("admin", "Administrator", Role.ADMIN),
    ("anna.becker", "Anna Becker", Role.DISPATCHER),
    ("lukas.schneider", "Lukas Schneider", Role.DISPATCHER),
    ("tom.lehmann", "Tom Lehmann", Role.TEAM_LEAD),
    ("sabine.krueger", "Sabine Krüger", Role.BACKOFFICE),
)
"""The office: login, display name, role. The README's quick start logs in as anna.becker."""

ROLE_WEIGHTS: tuple[tuple[ServiceRole, int], ...] = (
    (ServiceRole.TECHNICIAN, 65),
    (ServiceRole.SYSTEM_ENGINEER, 22),
    (ServiceRole.CONSULTANT, 9),
    (ServiceRole.ARCHITECT, 4),
)
"""Service roles of the technicians beyond the first four (who get one of each)."""


def seed_branches(session: Session) -> list[tuple[Branch, BranchSpec]]:
    out: list[tuple[Branch, BranchSpec]] = []
    for spec in BRANCHES:
        branch = Branch(code=spec.code, name=spec.name, state=spec.state)
        session.add(branch)
        out.append((branch, spec))
    session.flush()
    return out


def unique_login(first: str, last: str, taken: set[str]) -> str:
    base = slug(f"{first} {last}")[:36]
    login, n = base, 2
    while login in taken:
        login, n = f"{base}{n}", n + 1
    taken.add(login)
    return login


def seed_staff(session: Session, tokens: dict[str, str]) -> Staff:
    staff = Staff(dispatchers=[], team_leads=[], taken=set())
    for login, display, role in STAFF:
        user, token = create_user(session, login, display, role)
        assert user.id is not None
        tokens[login] = token
        staff.taken.add(login)
        if role is Role.DISPATCHER:
            staff.dispatchers.append(user.id)
        elif role is Role.TEAM_LEAD:
            staff.team_leads.append(user.id)
    staff.taken.update(("anna", "lukas", "tom"))
    return staff


def seed_technicians(
    session: Session,
    rng: random.Random,
    count: int,
    branches: list[tuple[Branch, BranchSpec]],
    tokens: dict[str, str],
) -> list[Tech]:
    taken = set(tokens) | {"admin"}
    roles = [
        ServiceRole.ARCHITECT,
        ServiceRole.CONSULTANT,
        ServiceRole.SYSTEM_ENGINEER,
        ServiceRole.TECHNICIAN,
    ]
    rng.shuffle(roles)
    role_pick = Weighted([r for r, _ in ROLE_WEIGHTS], [w for _, w in ROLE_WEIGHTS])
    # every branch gets a technician before any gets a second (HQ first), then by weight
    order = sorted(branches, key=lambda b: -b[1].weight)
    branch_pick = Weighted(branches, [spec.weight for _, spec in branches])
    names_used: set[tuple[str, str]] = set()
    techs: list[Tech] = []
    for i in range(count):
        branch, spec = order[i] if i < len(order) else branch_pick.pick(rng)
        role = roles[i] if i < len(roles) else role_pick.pick(rng)
        first, last = _new_name(rng, names_used)
        login = unique_login(first, last, taken)
        tech, token = _technician(session, rng, login, f"{first} {last}", (branch, spec), role)
        tokens[login] = token
        techs.append(tech)
    return techs


def _new_name(rng: random.Random, used: set[tuple[str, str]]) -> tuple[str, str]:
    """A first and last name nobody has yet (any, once 2,000 are taken)."""
    while True:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if (first, last) not in used or len(used) > 2000:
            break
    used.add((first, last))
    return first, last


def _technician(
    session: Session,
    rng: random.Random,
    login: str,
    display: str,
    home: tuple[Branch, BranchSpec],
    role: ServiceRole,
) -> tuple[Tech, str]:
    """One technician with skills for their role, and the plain token of their login."""
    branch, spec = home
    n_skills = {ServiceRole.TECHNICIAN: (3, 5)}.get(role, (4, 7))
    skills = sorted(rng.sample(SKILLS, rng.randint(*n_skills)))
    user, token = create_user(session, login, display, Role.TECHNICIAN)
    assert user.id is not None and branch.id is not None
    tech = Technician(
        name=display, branch_id=branch.id, service_role=role, skills=skills, user_id=user.id
    )
    session.add(tech)
    session.flush()
    assert tech.id is not None
    return Tech(tech.id, user.id, display, branch.id, spec.state, role, frozenset(skills)), token
