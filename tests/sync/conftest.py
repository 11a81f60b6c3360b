"""Fixtures of the sync tests, defined with the helpers they build on."""

from sync.machine import machine, template
from sync.service_process import service_db

__all__ = ["machine", "service_db", "template"]
