"""Alembic migrations of the service's schema.

Run through `dispatch.server.persistence.migrate`.
"""
