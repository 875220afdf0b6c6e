"""Times as the supervisor's screens write them: in the site's zone (`[site] time_zone`),
so a figure read from central, a station's heartbeat and an answer given at a bench in
another zone all say the same clock as the header's "as of"."""

from __future__ import annotations

from datetime import datetime, tzinfo

CLOCK = "%H:%M"
SECONDS = "%H:%M:%S"
DAY = "%Y-%m-%d"
MINUTE = "%Y-%m-%d %H:%M"
MOMENT = "%Y-%m-%d %H:%M:%S"


def at_site(at: datetime, zone: tzinfo | None, form: str = CLOCK) -> str:
    """`at` written as `form` in the site's `zone` (None: the station's clock's)."""
    return f"{at.astimezone(zone):{form}}"
