"""Storage: engines, the writer, migrations, the feed, page JSON, search."""
