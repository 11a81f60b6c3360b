"""Deterministic demo data shaped like DOMAIN.md.

`seed_demo` fills an empty database with the six branch offices, the dispatch team, technicians,
German SME customers with sites, contacts and contracts, tickets of every kind, source and status
with SLA due times, a calendar over the current and next week, open escalations and a few
comments. Everything is drawn from `random.Random(seed)` relative to `now`, so the same seed, size
and `now` give the same data (only the bearer tokens are fresh each time). No change events are
written: the demo is the starting state, not a history.

Tickets go in with bulk inserts in chunks, so `DemoSize(tickets=100_000)` stays fast.

The package keeps data tables apart from the code that draws from them:

- tables: `vocabulary` (branches, skills, names, addresses, hosts, project notes),
  `templates` (ticket texts per kind and for escalations), `ticket_mix` (weights of kinds,
  sources, priorities and statuses; escalation notes; comments);
- seeders, in the order `seed.seed_demo` runs them: `people` (branches, staff, technicians),
  `customers` (contracts, sites, contacts), `schedule` (the calendar), `tickets` (with
  `followups`: comments and escalations); `common` holds what they share;
- `users`: who is who among the demo users, for the lists `dispatch demo` and `seed-demo` print.

New demo data (SLA terms, working hours, ...) goes in a new module here with one call added at
the end of `seed.seed_demo`; its tables go in the module or beside the others.
"""

from dispatch.demo.seed import DemoLogins, DemoSize, seed_demo

__all__ = ["DemoLogins", "DemoSize", "seed_demo"]
