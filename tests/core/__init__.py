"""Tests of the pure core: domain, policy, checklist, scans, config, demo data, layers."""
