"""The `dispatch` command: console, service, database, users and scriptable ticket actions.

The root `app` is put together here; the commands live in one module per group:

- `service`: `serve` (one process, or `--workers N` on one socket);
- `demo`: `demo` (the console on a throw-away demo database) and `seed-demo`;
- `db`: `db upgrade`, `db copy`;  `users`: `users add`, `users revoke`;
- `ssh`: `ssh keys add|list|remove`, `ssh setup`, and what sshd runs (`authorized-keys`,
  `session`; `dispatch.main` runs those two without loading the CLI);
- `tickets`: `tickets add|list|show|assign|escalate|suggest`, through the API client (`add`
  in `intake`);
- `technicians`: `technicians hours`, through the API client;
- `reports`: `reports create|list|download|export` (service reports, the billing CSV),
  through the API client;
- `contingent`: `contingent close` (credit lots, close ended months; on the database directly);
- `mail`: `mail intake` (one message from an MTA pipe, on the database directly) and
  `mail fetch` (one pass over the IMAP mailbox, `mail_fetch`);
- `common`: settings (a client's with its token file), `fail`, the --server/--token/--json,
  --insecure and --ca-file options;
- `remote`: one API call against a service (or the embedded one), printed as text or JSON;
- `scope`: --server/--token/--insecure/--ca-file typed before the subcommand, handed down or
  refused; the warning for a typed --token.

A new command group (say `dispatch technicians ...`) is a module here with its own
`app = DispatchTyper(help=...)` and one `app.add_typer(...)` line at the end of this file; if it
talks to a service, its name goes in `scope.TAKES_SERVER` too and it calls through `remote`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer

from dispatch.cli import (
    contingent,
    db,
    demo,
    mail,
    reports,
    service,
    ssh,
    technicians,
    tickets,
    users,
)
from dispatch.cli.click_text import DispatchTyper
from dispatch.cli.common import (
    CaFileOpt,
    InsecureOpt,
    LangOpt,
    ServerOpt,
    TokenOpt,
    client_settings,
    fail,
)
from dispatch.cli.scope import hand_down, warn_typed_token

# tests/cli/test_serve_workers.py drives the shared socket from here
from dispatch.cli.service import _serve_workers as _serve_workers
from dispatch.i18n import _

CHECKOUT = Path(__file__).resolve().parent.parent.parent
"""Where `bench/` lies in a checkout of dispatch (an installed wheel has no benchmarks)."""


def main_callback(
    ctx: typer.Context,
    server: ServerOpt = None,
    token: TokenOpt = None,
    insecure: InsecureOpt = False,
    ca_file: CaFileOpt = None,
    lang: LangOpt = None,
) -> None:
    """Open the console (embedded database unless --server is given)."""
    if lang is not None:  # `dispatch.main` chose it before the import; a test's runner did not
        from dispatch.i18n import LanguageError, checked, set_language

        try:
            set_language(checked(lang, "--lang"))
        except LanguageError as exc:
            fail(str(exc), 2)
    typed_ca = str(ca_file) if ca_file is not None else None
    if ctx.invoked_subcommand is not None:
        hand_down(
            ctx, server=server, token=token, insecure="yes" if insecure else None, ca_file=typed_ca
        )
        return
    from dispatch.console import open_console

    warn_typed_token(token)
    open_console(
        client_settings(server=server, token=token, insecure=insecure or None, ca_file=ca_file)
    )


def bench(ctx: typer.Context) -> None:
    """Run the benchmarks, as `python -m bench` does (its options pass through: --help)."""
    if not (CHECKOUT / "bench" / "__main__.py").is_file():
        fail(
            _("the benchmarks live in a checkout of dispatch (bench/), not in {path}").format(
                path=CHECKOUT
            ),
            2,
        )
    raise typer.Exit(subprocess.call([sys.executable, "-m", "bench", *ctx.args], cwd=CHECKOUT))


app = DispatchTyper(
    help=_("Dispatch console and service for an MSP dispatch desk."),
    no_args_is_help=False,
    add_completion=False,
)
app.callback(
    invoke_without_command=True,
    help=_("Open the console (embedded database unless --server is given)."),
)(main_callback)
# commands, then groups: the order `dispatch --help` lists them in
app.command(help=_("Open the console on a fresh embedded database filled with demo data."))(
    demo.demo
)
app.command(
    help=_("Run the REST service; database from DATABASE_URL (default: SQLite in the data dir).")
)(service.serve)
app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
    help=_("Run the benchmarks, as `python -m bench` does (its options pass through: --help)."),
)(bench)
app.command(
    "seed-demo",
    help=_("Load the demo data into the configured database and print the demo users' tokens."),
)(demo.seed_demo_cmd)
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="users")
app.add_typer(tickets.app, name="tickets")
app.add_typer(technicians.app, name="technicians")
app.add_typer(mail.app, name="mail")
app.add_typer(ssh.app, name="ssh")
app.add_typer(reports.app, name="reports")
app.add_typer(contingent.app, name="contingent")


def main() -> None:
    app()
