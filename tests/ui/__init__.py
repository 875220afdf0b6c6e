"""Tests that drive the real app (App.run_test), snapshots included."""
