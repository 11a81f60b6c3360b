"""Fixtures of the CLI tests, defined with the helpers they build on."""

from cli.seeded import env

__all__ = ["env"]
