"""`python -m bench.cli`: the same as the `bench` command (what `bench serve` starts per tab)."""

from bench.cli import main

raise SystemExit(main())
