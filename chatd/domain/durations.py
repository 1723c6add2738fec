"""Durations as people type them (``10m``, ``2h``, ``1d``) and as the chat shows them.

Bans and mutes take an optional duration. Every front end reads it with
``parse_duration`` and shows how long is left with ``format_duration``, so
a duration reads the same wherever it is typed.
"""

import math
import re

from chatd.domain.errors import BadDurationError

UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
"""Seconds in each unit, largest first (the order ``format_duration`` shows them in)."""

LONGEST = 365 * 86400
"""The longest duration accepted: a year. Longer means "until lifted": leave the duration out."""

_DURATION = re.compile("([0-9]{1,9})([dhms])")


def parse_duration(text: str) -> float:
    """Seconds in ``text``, a whole number and one unit (``90s``, ``10m``, ``2h``, ``1d``; any case).

    Raises BadDurationError for anything else, zero, or more than ``LONGEST``.
    """
    found = _DURATION.fullmatch(text.lower())
    if found is None or not 0 < int(found[1]) * UNIT_SECONDS[found[2]] <= LONGEST:
        raise BadDurationError(text, LONGEST)
    return float(int(found[1]) * UNIT_SECONDS[found[2]])


def format_duration(seconds: float) -> str:
    """``seconds``, rounded up to a whole second, in its two largest units: ``1d 2h``, ``9m 59s``, ``45s``."""
    left = max(1, math.ceil(seconds))
    parts = []
    for unit, size in UNIT_SECONDS.items():
        count, left = divmod(left, size)
        if count:
            parts.append(f"{count}{unit}")
    return " ".join(parts[:2])
