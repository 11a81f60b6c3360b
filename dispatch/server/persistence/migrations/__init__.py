"""Alembic migrations of the service's schema (run through `dispatch.server.persistence.migrate`)."""
