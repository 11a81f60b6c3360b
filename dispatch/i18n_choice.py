"""Which language a process speaks: `--lang`, then the settings' `language` (DISPATCH_LANGUAGE,
then the config file's `language = "de"`), then the locale (LC_ALL, LC_MESSAGES, LANG, the
first one set, as POSIX reads them: `de_DE.UTF-8` is German); English when none matches.

Chosen before the command modules are imported: Typer's help texts and the screens' class
attributes are evaluated at import, in the language set by then (`dispatch.main`). Reads the
config file (where `console_settings.config_file` says it is) with tomllib rather than through
`Settings`, which `--help` need not wait for.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path

from dispatch.console_settings import config_file
from dispatch.i18n import DEFAULT, LANGUAGES, LanguageError, checked

OPTION = "--lang"
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
# the top-level options that take a value (dispatch.cli.main_callback)
TAKES_VALUE = frozenset({"--server", "--token", "--ca-file", OPTION})


def _setting(value: object, where: str) -> str:
    """The language a setting names; one that dispatch does not speak is refused in the
    words every bad setting gets (`setting_problems`), `where` naming it as written."""
    if value in LANGUAGES:
        return str(value)
    from dispatch.setting_problems import line

    raise LanguageError(line(where, value, "literal_error", {"allowed": LANGUAGES}, ""))


def from_argv(argv: Sequence[str]) -> str | None:
    """The value of `--lang X` / `--lang=X` among the top-level options (before the
    subcommand, as Typer reads them); None when not given."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == OPTION:
            if i + 1 >= len(argv):
                raise LanguageError(f"{OPTION} needs a value: {', '.join(LANGUAGES)}")
            return checked(argv[i + 1], OPTION)
        if arg.startswith(OPTION + "="):
            return checked(arg.split("=", 1)[1], OPTION)
        if not arg.startswith("-") or arg == "--":
            return None  # the subcommand: what follows is its own
        i += 2 if arg in TAKES_VALUE else 1
    return None


def from_locale(value: str | None) -> str | None:
    """`de_DE.UTF-8` → "de", `en_GB` → "en"; None for `C`, `POSIX` and languages without a
    catalog."""
    if not value:
        return None
    code = value.split(".", 1)[0].split("@", 1)[0].split("_", 1)[0].lower()
    return code if code in LANGUAGES else None


def from_environment(environ: Mapping[str, str]) -> str | None:
    """The locale's language: the first of LC_ALL, LC_MESSAGES, LANG that is set decides
    (LC_ALL=C over LANG=de_DE.UTF-8 is English, as every other program reads it)."""
    for name in LOCALE_VARIABLES:
        value = environ.get(name)
        if value:
            return from_locale(value)
    return None


def from_config(path: Path) -> str | None:
    """The config file's `language`, or None when the file or the key is missing (a broken
    file is the settings' to report, with the rest of its mistakes)."""
    try:
        with path.open("rb") as f:
            value = tomllib.load(f).get("language")
    except (OSError, tomllib.TOMLDecodeError):
        return None
    if value is None:
        return None
    from dispatch.setting_problems import in_file

    return _setting(value, in_file(path, "language"))


def adopt(code: str) -> None:
    """Speak `code` in this whole process: dispatch's text (`set_language`), and the text
    Click and Typer print around it ("Usage:", "Options", their errors). Those libraries
    translate through gettext's global domain and the locale variables, so the domain is
    pointed at dispatch's catalog (`libraries.po` holds their German) and LANGUAGE, which
    gettext reads first, names the language chosen. For a process's entry point only."""
    import gettext

    from dispatch.i18n import DOMAIN, LOCALE_DIR, set_language

    set_language(code)
    os.environ["LANGUAGE"] = code
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)


def choose(
    argv: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
    config: Path | None = None,
) -> str:
    """The language for a process started with `argv` in `environ`."""
    env = os.environ if environ is None else environ
    given = from_argv(argv)
    if given:
        return given
    setting = env.get("DISPATCH_LANGUAGE")
    if setting:
        return _setting(setting, "DISPATCH_LANGUAGE")
    configured = from_config(config if config is not None else config_file(env))
    return configured or from_environment(env) or DEFAULT
