"""Tests of the scanner drivers over real pseudo-terminals."""
