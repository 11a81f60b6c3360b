"""Opening the console: against a server, on the embedded database, or on demo data."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dispatch.i18n import _

if TYPE_CHECKING:
    from dispatch.client.shapes import MeShape
    from dispatch.console_settings import ConsoleSettings
    from dispatch.embedded_life import LivingTransport
    from dispatch.settings import Settings

ClientFactory = Callable[[], Any]


def _preflight(factory: ClientFactory) -> MeShape:
    """Ask GET /me once so a wrong URL or token is a sentence, not a traceback."""
    from dispatch.client.errors import ApiError, ContractError, Unauthorized, Unreachable

    async def check() -> MeShape:
        async with factory() as client:
            me: MeShape = await client.me()
            return me

    try:
        return asyncio.run(check())
    except Unreachable as exc:
        from dispatch.client.tls import untrusted

        if hint := untrusted(exc):
            sys.exit(f"dispatch: {hint}")
        sys.exit(
            _(
                "dispatch: {problem}\nIs the service running? Check --server or DISPATCH_SERVER."
            ).format(problem=exc)
        )
    except Unauthorized:
        sys.exit(_("dispatch: the service refused the token. Check --token or DISPATCH_TOKEN."))
    except ContractError as exc:  # names the server and what it answered
        sys.exit(f"dispatch: {exc.detail}")
    except ApiError as exc:  # a known problem in our words, else the service's
        sys.exit(
            _("dispatch: the service answered {status}: {problem}").format(
                status=exc.status, problem=exc.sentence
            )
        )


class Connection:
    """Makes API clients for `settings`: to a server, or to the in-process embedded service
    (built on the first call: importing it costs more than painting the console)."""

    def __init__(self, settings: ConsoleSettings, token: str | None = None) -> None:
        self.settings = settings
        if settings.server:
            if not settings.token and not token:
                sys.exit(
                    _("dispatch: connecting to a server needs a token (--token or DISPATCH_TOKEN).")
                )
            self.bearer = str(token or settings.token)
            self._refuse_unsafe()
        elif token or settings.token:  # the embedded service (pydantic) after the first frame
            self.bearer = str(token or settings.token)
        else:
            from dispatch.embedded import local_token

            self.bearer = local_token(_full(settings))
        self._transport: LivingTransport | None = None
        self._housekeeping = False

    def _refuse_unsafe(self) -> None:
        """Before the first frame: a token that would cross a network in clear, or a CA file
        that cannot be read, is a sentence and exit 2, not a console that cannot connect."""
        from dispatch.client.tls import TransportRefused, check_server, ssl_context

        try:
            check_server(self.where, insecure=self.settings.insecure)
            if self.settings.ca_file is not None:  # the system's store needs no reading yet
                ssl_context(self.settings.ca_file)
        except TransportRefused as exc:
            print(f"dispatch: {exc}", file=sys.stderr)
            sys.exit(2)

    def _transport_options(self) -> dict[str, Any]:
        return {"insecure": self.settings.insecure, "ca_file": self.settings.ca_file}

    @property
    def where(self) -> str:
        return self.settings.server or self.settings.database_url

    def __call__(self) -> Any:
        from dispatch.client.api import ApiClient

        if self.settings.server:
            return ApiClient(self.settings.server, self.bearer, **self._transport_options())
        if self._transport is None:
            from dispatch.embedded import embedded_transport

            self._transport = embedded_transport(
                _full(self.settings), housekeeping=self._housekeeping
            )
        return ApiClient("http://embedded", self.bearer, transport=self._transport)

    def keep_house(self) -> None:
        """From now on the embedded service also does its housekeeping (a lifespan beside the
        console, in the loop of the next request): the console's, not a preflight's."""
        self._housekeeping = True
        if self._transport is not None:
            self._transport.housekeeping = True


def _full(settings: ConsoleSettings) -> Settings:
    """The embedded service needs every setting: only `dispatch` itself opens it (an SSH
    session always has a server), with a `Settings`, or with the console's few read without
    pydantic (`ConsoleValues`), which gives them all when the service is first built."""
    from dispatch.console_settings import ConsoleValues
    from dispatch.settings import Settings

    if isinstance(settings, ConsoleValues):
        return Settings(**settings.full_arguments())
    assert isinstance(settings, Settings)
    return settings


def client_factory(settings: ConsoleSettings, token: str | None = None) -> Connection:
    """A factory of API clients for `settings`: remote, or the in-process embedded service."""
    return Connection(settings, token)


def run_app(
    settings: ConsoleSettings, factory: Connection, server_label: str, cache_dir: Path | None = None
) -> None:
    """Paint from the cache at once when this token was seen before (the service is asked
    who we are after the first frame), else ask first: a wrong URL or token is a sentence."""
    from dispatch.client.known import forget_me, known_me, remember_me
    from dispatch.console_settings import data_dir

    if settings.keymap:  # a remap that takes another binding's key is refused, not applied
        from dispatch.keymap import keymap_problems

        if problems := keymap_problems(settings.keymap):
            print("\n".join(problems), file=sys.stderr)
            sys.exit(2)

    root = cache_dir or data_dir() / "cache"
    me = known_me(root, factory.where, factory.bearer)
    verify = me is not None
    if me is None:
        me = _preflight(factory)
        remember_me(root, factory.where, factory.bearer, me)
    from dispatch.app import DispatchApp
    from dispatch.client.cache import cache_path

    factory.keep_house()
    app = DispatchApp(
        settings=settings,
        client_factory=factory,
        me=me,
        server_label=server_label,
        cache_file=cache_path(root, factory.where, me["user"]["name"]),
        verify_me=verify,
    )
    app.run()
    if app.refused:
        forget_me(root, factory.where, factory.bearer)
    elif app.me != me:
        remember_me(root, factory.where, factory.bearer, app.me)
    if app.return_code:
        sys.exit(app.return_code)


def guard_files() -> None:
    """Owner-only data (an earlier version's files were 0644 in 0755 directories), and a word
    when config.toml shows its token to every account on the machine."""
    from dispatch.console_settings import config_file, data_dir
    from dispatch.private_files import exposed_token, notice, private_tree

    fixed = private_tree(data_dir())
    if fixed:
        print(notice(fixed), file=sys.stderr)
    config = config_file()
    if exposed_token(config):
        print(
            _(
                "dispatch: warning: {config} holds a token other accounts can read; "
                "chmod 600 {config}"
            ).format(config=config),
            file=sys.stderr,
        )


def open_console(settings: ConsoleSettings) -> None:
    """`dispatch`: a server if configured, else the embedded database (created on first run)."""
    guard_files()
    database = Path(settings.database_url.split("///")[-1]).name
    label = settings.server or _("embedded ({database})").format(database=database)
    run_app(settings, client_factory(settings), label)


def prepare_demo(directory: Path, *, tickets: int, seed: int) -> tuple[Settings, dict[str, str]]:
    """A fresh demo database in `directory`; returns its settings and every demo user's token."""
    from sqlmodel import Session

    from dispatch.demo import DemoSize, seed_demo
    from dispatch.server.persistence.db import make_engine
    from dispatch.server.persistence.schema import create_schema
    from dispatch.settings import Settings

    settings = Settings(database_url=f"sqlite:///{directory / 'demo.db'}", server=None)
    engine = make_engine(settings.database_url)
    create_schema(engine)
    with Session(engine) as session:
        logins = seed_demo(session, seed=seed, size=DemoSize(tickets=tickets))
        session.commit()
    engine.dispose()
    return settings, logins.tokens


def open_demo(*, as_user: str, tickets: int, seed: int) -> None:
    """`dispatch demo`: a throw-away embedded database filled with demo data."""
    with tempfile.TemporaryDirectory(prefix="dispatch-demo-") as tmp:
        settings, tokens = prepare_demo(Path(tmp), tickets=tickets, seed=seed)
        if as_user not in tokens:
            sys.exit(_no_such_demo_user(as_user, settings, tokens))
        run_app(
            settings,
            client_factory(settings, tokens[as_user]),
            _("demo as {user}").format(user=as_user),
            cache_dir=Path(tmp),
        )


def _no_such_demo_user(as_user: str, settings: Settings, tokens: dict[str, str]) -> str:
    """The refusal of `demo --as` an unknown login: every demo user with their role."""
    from sqlmodel import Session

    from dispatch.demo.users import roles, user_lines
    from dispatch.display.safe import one_line
    from dispatch.server.persistence.db import make_engine

    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        who = roles(session)
    engine.dispose()
    names = dict.fromkeys(tokens, "")  # staff first, then technicians, as seeded
    refusal = _("dispatch: there is no demo user {user!r}; try one of:").format(
        user=one_line(as_user)
    )
    return "\n".join([refusal, *user_lines(names, who)])
