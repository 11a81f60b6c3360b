"""Public keys as dispatch reads them: the fingerprint OpenSSH prints, refusals with reasons."""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

import pytest
from ssh.keyring import ecdsa_line, ed25519_line, rsa_line

from dispatch.domain.ssh_keys import FINGERPRINT, parse_line
from dispatch.models.ssh_key import SshKeyCreate, checked_key


def test_the_fingerprint_is_the_one_ssh_keygen_prints(tmp_path: Path) -> None:
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    for line in (ed25519_line("tina@laptop"), ecdsa_line(), rsa_line(2048)):
        pub = tmp_path / "k.pub"
        pub.write_text(line + "\n")
        printed = subprocess.run(
            ["ssh-keygen", "-l", "-E", "sha256", "-f", str(pub)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()[1]
        key = checked_key(line)
        assert key.fingerprint == printed
        assert FINGERPRINT.fullmatch(key.fingerprint)


def test_a_key_line_is_normalised_and_keeps_its_comment() -> None:
    line = ed25519_line("Tina's phone")
    key = parse_line("  " + line.replace(" ", "   ", 1) + "  ")
    assert key.text == " ".join(line.split()[:2])
    assert key.comment == "Tina's phone"
    assert key.key_type == "ssh-ed25519"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("", "one line"),
        ("ssh-ed25519", "one line"),
        ("ssh-dss AAAAB3NzaC1kc3MAAACBAP", "unsupported key type"),
        ("ssh-ed25519 not*base64", "not base64"),
        (
            "ssh-ed25519 " + base64.b64encode(b"\x00\x00\x00\x07ssh-rsa").decode(),
            "not a ssh-ed25519",
        ),
        ("ssh-ed25519 AAAA", "too short"),
        ("ssh-ed25519 AAAAAAAA", "not a ssh-ed25519"),
    ],
)
def test_what_is_not_a_key_is_refused_with_a_reason(line: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_line(line)


def test_cryptography_refuses_a_broken_key_and_a_short_rsa_key() -> None:
    good = ed25519_line().split()[1]
    blob = base64.b64decode(good)
    truncated = base64.b64encode(blob[:-5]).decode()
    with pytest.raises(ValueError, match="not a valid ssh-ed25519"):
        checked_key(f"ssh-ed25519 {truncated}")
    with pytest.raises(ValueError, match="at least 2048 bits"):
        checked_key(rsa_line(1024))


def test_the_input_model_refuses_control_characters_and_bad_keys() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        SshKeyCreate.model_validate({"key": ed25519_line("evil\x1b]52;c;x\x07")})
    with pytest.raises(ValidationError):
        SshKeyCreate.model_validate({"key": "ssh-ed25519 AAAA"})
    assert SshKeyCreate.model_validate({"key": ed25519_line("ok") + "\n"}).key.endswith("ok")
