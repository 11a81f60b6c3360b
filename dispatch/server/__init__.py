"""The REST service, grouped by job.

- `http`: the app factory (`http.app.create_app`, what `dispatch serve` runs), middleware,
  problem documents, request dependencies, the routes and the one write path
  (`http.write_path.write_endpoint`).
- `persistence`: engines, the process's writer, migrations (`persistence.migrate`, what
  `dispatch db upgrade` runs), the change feed, page JSON, search, idempotency records.
- `rules`: what a write does to tickets, calendars and accounts, and the public shapes of
  what a caller may see.
"""
