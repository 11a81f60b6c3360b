"""SSH public keys of people: the key a technician logs in with names who they are."""

from __future__ import annotations

from datetime import datetime

from pydantic import field_validator
from sqlmodel import Field, SQLModel

from dispatch.domain.ssh_keys import PublicKey, parse_line
from dispatch.models.base import InputModel, UTCDateTime, utcnow

MIN_RSA_BITS = 2048


class SshKey(SQLModel, table=True):
    """One public key of one user; a key (its fingerprint) belongs to one user only."""

    __tablename__ = "ssh_key"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    public_key: str = Field(max_length=1200, description="'type base64', as sshd names it")
    comment: str = Field(default="", max_length=100)
    fingerprint: str = Field(max_length=60, unique=True, description="SHA256:… as OpenSSH prints")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SshKeyPublic(SQLModel):
    id: int
    user_id: int
    public_key: str
    comment: str
    fingerprint: str
    created_at: datetime


class SshKeyList(SQLModel):
    items: list[SshKeyPublic]


def checked_key(line: str) -> PublicKey:
    """The key of an `authorized_keys`-style line, refused (ValueError) unless `cryptography`
    loads it as a sound public key of a type and size dispatch accepts."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_ssh_public_key

    key = parse_line(line)
    try:
        loaded = load_ssh_public_key(key.text.encode())
    except (ValueError, UnsupportedAlgorithm):
        raise ValueError(f"not a valid {key.key_type} public key") from None
    if isinstance(loaded, rsa.RSAPublicKey) and loaded.key_size < MIN_RSA_BITS:
        raise ValueError(f"an RSA key needs at least {MIN_RSA_BITS} bits; ed25519 is better")
    return key


class SshKeyCreate(InputModel):
    """A public key for a user: one line as in `~/.ssh/id_ed25519.pub`."""

    key: str = Field(
        min_length=1,
        max_length=2000,
        description="'ssh-ed25519 AAAA… comment' (ed25519, ecdsa or RSA of 2048 bits or more)",
    )

    @field_validator("key")
    @classmethod
    def _sound(cls, line: str) -> str:
        checked_key(line)
        return line.strip()
