"""Exactly once (issue 19, "How it is checked"): `dispatch mail fetch` is killed at seeded
points between fetch, commit and mark, 20 runs, and afterwards every message is exactly one
ticket, comment, unmatched or ignored mail, and marked taken on the server.

Each run: a copy of a demo database, a fresh mailbox with customer mail and the corpus, one
or two `dispatch mail fetch` processes that SIGKILL themselves at the seeded point (the hook
`imap_crashpoint`: no handler runs, nothing is flushed, like a power cut), then a pass that
is not killed. Half the runs mark by keyword, half move to a done folder.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from mail.dovecot import Mailbox
from mail.imap_helpers import config_for
from mail.imap_world import Sent, copy_database, customer_mail

from dispatch.server.mail.imap_config import KEYWORD
from dispatch.server.mail.imap_crashpoint import ENV, POINTS
from dispatch.server.mail.imap_service import intake_into, run_pass
from dispatch.server.persistence.db import make_engine
from dispatch.settings import Settings

pytestmark = pytest.mark.slow

RUNS = 20
DONE_FOLDER = "Taken"


def fetch_process(
    database: Path, mailbox: Mailbox, tmp: Path, crash: str | None, done: bool
) -> subprocess.CompletedProcess[str]:
    """`dispatch mail fetch` in a process of its own, as cron or a person would run it."""
    env = {
        **os.environ,
        **mailbox.env("starttls"),
        "DATABASE_URL": f"sqlite:///{database}",
        "XDG_CONFIG_HOME": str(tmp / "config"),
        "XDG_DATA_HOME": str(tmp / "data"),
    }
    if done:
        env["DISPATCH_IMAP_DONE_FOLDER"] = DONE_FOLDER
    env.pop(ENV, None)
    if crash is not None:
        env[ENV] = crash
    return subprocess.run(
        [sys.executable, "-c", "from dispatch.cli import main; main()", "mail", "fetch"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def counts(database: Path) -> tuple[int, int]:
    with sqlite3.connect(database) as db:
        tickets = db.execute("SELECT count(*) FROM ticket").fetchone()[0]
        comments = db.execute("SELECT count(*) FROM comment").fetchone()[0]
    return int(tickets), int(comments)


def check_exactly_once(
    database: Path, sent: list[Sent], before: tuple[int, int], mailbox: Mailbox, done: bool
) -> None:
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT subject, outcome, ticket_id, comment_id FROM inbound_mail")
        mails = rows.fetchall()
    assert len(mails) == len(sent), "each message exactly one inbound_mail row"
    outcomes = Counter(outcome for _, outcome, _, _ in mails)
    tickets, comments = counts(database)
    assert tickets - before[0] == outcomes["ticket"], "one ticket per ticket mail, no more"
    assert comments - before[1] == outcomes["reply"], "one comment per reply, no more"
    made = [t for _, outcome, t, _ in mails if outcome == "ticket"]
    assert len(set(made)) == len(made)
    by_subject = {subject: outcome for subject, outcome, _, _ in mails}
    for mail in sent:
        if mail.expect is not None:
            assert by_subject.get(mail.subject) == mail.expect, mail.subject
    if done:
        assert (mailbox.count("INBOX"), mailbox.count(DONE_FOLDER)) == (0, len(sent))
    else:
        assert all(KEYWORD in flags for flags in mailbox.flags().values())


def final_pass(database: Path, mailbox: Mailbox, done: bool) -> int:
    """The pass after the crashes, unkilled, in this process (the code the CLI runs)."""
    more = {"imap_done_folder": DONE_FOLDER} if done else {}
    config = config_for(mailbox, "starttls", **more)
    engine = make_engine(f"sqlite:///{database}")
    try:
        return run_pass(config, intake_into(engine, Settings())).taken
    finally:
        engine.dispose()


@pytest.mark.parametrize("run", range(RUNS))
def test_killed_between_fetch_commit_and_mark_every_message_is_taken_once(
    run: int, demo_template: Path, mailbox: Mailbox, tmp_path: Path
) -> None:
    rng = random.Random(1900 + run)
    database = copy_database(demo_template, tmp_path / "run.db")
    before = counts(database)
    sent = customer_mail(database)
    for mail in sent:
        mailbox.append(mail.raw)
    done = run % 2 == 1

    plan = [f"{rng.choice(POINTS)}:{rng.randint(1, len(sent))}" for _ in range(rng.randint(1, 2))]
    codes = [fetch_process(database, mailbox, tmp_path, crash, done) for crash in plan]

    assert codes[0].returncode == -signal.SIGKILL, (plan, codes[0].stdout, codes[0].stderr)
    for code in codes[1:]:  # a later kill point past the mail that was left is not reached
        assert code.returncode in (0, -signal.SIGKILL), code.stderr
    final_pass(database, mailbox, done)
    check_exactly_once(database, sent, before, mailbox, done)
    assert final_pass(database, mailbox, done) == 0
