"""dispatch: console and service for an MSP dispatch desk."""

__version__ = "0.1.0"
