"""Which language a process speaks: --lang, then DISPATCH_LANGUAGE, then config.toml's
`language`, then the locale (LC_ALL, LC_MESSAGES, LANG: the first one set); English when
none matches. And the `dispatch` command chooses it before its help texts are made."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from dispatch.i18n import LanguageError
from dispatch.i18n_choice import choose, from_argv, from_locale
from dispatch.settings import Settings

NO_CONFIG = Path("/nonexistent/config.toml")


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_the_option_comes_first(tmp_path: Path) -> None:
    cfg = config(tmp_path, 'language = "de"\n')
    env = {"DISPATCH_LANGUAGE": "de", "LANG": "de_DE.UTF-8"}
    assert choose(["--lang", "en"], env, cfg) == "en"
    assert choose(["--lang=en", "tickets", "list"], env, cfg) == "en"
    assert choose(["--server", "https://x", "--lang", "en"], env, cfg) == "en"


def test_then_the_setting_from_the_environment_then_the_config_file(tmp_path: Path) -> None:
    cfg = config(tmp_path, 'language = "de"\n')
    assert choose([], {"DISPATCH_LANGUAGE": "en", "LANG": "de_DE.UTF-8"}, cfg) == "en"
    assert choose([], {"LANG": "en_US.UTF-8"}, cfg) == "de"
    assert choose([], {"LANG": "de_DE.UTF-8"}, config(tmp_path, 'server = "x"\n')) == "de"


def test_then_the_locale_as_posix_reads_it() -> None:
    assert choose([], {"LANG": "de_DE.UTF-8"}, NO_CONFIG) == "de"
    assert choose([], {"LC_MESSAGES": "de_AT", "LANG": "en_GB.UTF-8"}, NO_CONFIG) == "de"
    assert choose([], {"LC_ALL": "de_CH.UTF-8", "LC_MESSAGES": "en_US"}, NO_CONFIG) == "de"
    # the first variable set decides, even when it names no language of ours
    assert choose([], {"LC_ALL": "C", "LANG": "de_DE.UTF-8"}, NO_CONFIG) == "en"
    assert choose([], {"LANG": "fr_FR.UTF-8"}, NO_CONFIG) == "en"
    assert choose([], {}, NO_CONFIG) == "en"


def test_locale_names() -> None:
    assert from_locale("de_DE.UTF-8") == "de"
    assert from_locale("de_DE@euro") == "de"
    assert from_locale("de") == "de"
    assert from_locale("en_US.UTF-8") == "en"
    assert from_locale("POSIX") is None
    assert from_locale("") is None


def test_a_subcommands_own_arguments_are_not_the_top_level_option() -> None:
    assert from_argv(["tickets", "add", "--title", "--lang de is broken"]) is None
    assert from_argv(["tickets", "list", "--lang", "de"]) is None
    assert from_argv(["--token", "--lang", "tickets"]) is None  # --lang is the token here


def test_an_unknown_language_is_a_sentence_naming_where_it_came_from(tmp_path: Path) -> None:
    with pytest.raises(LanguageError, match="--lang: unknown language 'fr'"):
        choose(["--lang", "fr"], {}, NO_CONFIG)
    with pytest.raises(LanguageError, match="--lang needs a value"):
        choose(["--lang"], {}, NO_CONFIG)
    with pytest.raises(LanguageError, match="DISPATCH_LANGUAGE"):
        choose([], {"DISPATCH_LANGUAGE": "klingon"}, NO_CONFIG)
    cfg = config(tmp_path, 'language = "fr"\n')
    with pytest.raises(LanguageError, match=f"{cfg}: language"):
        choose([], {}, cfg)


def test_the_language_is_read_from_the_file_the_settings_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DISPATCH_CONFIG, else the user's config directory: one rule for both readers."""
    for name in ("DISPATCH_CONFIG", "DISPATCH_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "dispatch").mkdir()
    config(tmp_path / "dispatch", 'language = "de"\n')
    assert Settings().language == "de"
    assert choose([], {"LANG": "C"}) == "de"
    elsewhere = config(tmp_path, 'language = "en"\n')
    monkeypatch.setenv("DISPATCH_CONFIG", str(elsewhere))
    assert Settings().language == "en"
    assert choose([], {"LANG": "de_DE.UTF-8", "DISPATCH_CONFIG": str(elsewhere)}) == "en"


def test_the_setting_refuses_other_languages() -> None:
    assert Settings(language="de").language == "de"
    assert Settings().language is None
    with pytest.raises(ValidationError):
        Settings(language="fr")


def _dispatch(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The real entry point (`dispatch.main`), in a clean locale unless `env` sets one."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE", "DISPATCH_LANGUAGE")
    }
    return subprocess.run(
        [sys.executable, "-c", "from dispatch.main import main; main()", *args],
        capture_output=True,
        text=True,
        env={**base, "DISPATCH_CONFIG": str(NO_CONFIG), "COLUMNS": "200", **env},
        timeout=60,
    )


def test_help_is_in_the_language_chosen_before_the_commands_were_imported() -> None:
    german = _dispatch("--lang", "de", "--help")
    assert german.returncode == 0, german.stderr
    assert "Die Konsole öffnen" in german.stdout
    assert "Sprache: de oder en" in german.stdout
    english = _dispatch("--help", LANG="C.UTF-8")
    assert "Open the console" in english.stdout and "Die Konsole" not in english.stdout
    by_locale = _dispatch("tickets", "list", "--help", LANG="de_DE.UTF-8")
    assert "Tickets auflisten" in by_locale.stdout
    assert "gelöste und geschlossene einschließen" in by_locale.stdout


def test_an_unknown_language_on_the_command_line_exits_2() -> None:
    done = _dispatch("--lang", "fr", "--help")
    assert done.returncode == 2
    assert "unknown language 'fr'" in done.stderr and "en, de" in done.stderr


def test_typers_own_headings_follow_the_language() -> None:
    german = _dispatch("--lang", "de", "users", "add", "--help")
    assert german.returncode == 0, german.stderr
    assert "Optionen" in german.stdout and "Argumente" in german.stdout
    assert "[nötig]" in german.stdout
    english = _dispatch("users", "add", "--help", LANG="C.UTF-8")
    assert "Options" in english.stdout and "[required]" in english.stdout
