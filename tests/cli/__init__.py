"""Tests of the `bench` command and its command groups, run as subprocesses."""
