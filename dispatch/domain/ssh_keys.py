"""SSH public keys as dispatch keeps them: `type base64`, a comment, the SHA-256 fingerprint.

Standard library only: `dispatch ssh authorized-keys` runs at every SSH login and needs
the fingerprint of the key sshd offers, nothing heavier. Whether the key itself is sound
(a point on the curve, an RSA modulus) is checked where keys are added
(`models.ssh_key.SshKeyCreate`, with `cryptography`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import NamedTuple

KEY_TYPES = frozenset(
    {
        "ssh-ed25519",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "ssh-rsa",
    }
)
"""The key types dispatch accepts (DSA is gone from OpenSSH; security keys are not parsed)."""

FINGERPRINT = re.compile(r"SHA256:[A-Za-z0-9+/]{43}")
"""How OpenSSH prints a SHA-256 fingerprint: unpadded base64 of the digest."""

MAX_COMMENT = 100
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


class PublicKey(NamedTuple):
    # A NamedTuple, not a dataclass: `dataclasses` brings `inspect`, a fifth of the imports
    # of `dispatch ssh authorized-keys`, which sshd runs twice at every login (`typing`
    # comes with `tomllib` anyway).
    key_type: str
    blob: bytes
    comment: str

    @property
    def text(self) -> str:
        """The key as stored and as sshd writes it: `type base64`."""
        return f"{self.key_type} {base64.b64encode(self.blob).decode()}"

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.blob)


def fingerprint(blob: bytes) -> str:
    """`SHA256:…` exactly as `ssh-keygen -l` prints it."""
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"


def decode_blob(key_type: str, data: str) -> bytes:
    """The key's wire form from its base64; ValueError unless it is well formed and says
    it is of `key_type` (the type inside the blob must be the one in front of it)."""
    if key_type not in KEY_TYPES:
        known = ", ".join(sorted(KEY_TYPES))
        raise ValueError(f"unsupported key type {key_type[:40]!r}; use one of: {known}")
    if not _BASE64.fullmatch(data):
        raise ValueError("the key is not base64")
    try:
        blob = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the key is not base64") from None
    if len(blob) < 4:
        raise ValueError("the key is too short")
    size = int.from_bytes(blob[:4], "big")
    if blob[4 : 4 + size] != key_type.encode():
        raise ValueError(f"the key's data is not a {key_type} key")
    return blob


def parse_line(line: str) -> PublicKey:
    """`type base64 [comment]` (an `authorized_keys` line without options, or a `.pub` file);
    ValueError with a reason when it is not one."""
    parts = line.strip().split(None, 2)
    if len(parts) < 2:
        raise ValueError("give the public key as 'ssh-ed25519 AAAA… comment' (one line)")
    comment = parts[2].strip() if len(parts) > 2 else ""
    if len(comment) > MAX_COMMENT:
        raise ValueError(f"the comment is longer than {MAX_COMMENT} characters")
    return PublicKey(parts[0], decode_blob(parts[0], parts[1]), comment)
