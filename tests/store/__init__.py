"""Tests of the station store, the central schema and sync, on SQLite and real PostgreSQL."""
