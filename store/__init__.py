"""Persistence: the station's local SQLite, the central schema, migrations and sync. No Textual."""
