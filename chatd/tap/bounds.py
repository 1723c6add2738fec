"""The bounds of ``twistd chatd``'s number options: the span, least and most each takes, and how its help and
its refusal say them.

A value past its bounds is a typo, not a choice; each table says why its
bound is where it is. The rows of the options themselves are in
chatd.tap.limits and chatd.tap.parameters.
"""

from typing import Any

from chatd.domain.limits import KICK_REJOIN_MOST
from chatd.domain.reads import HISTORY_MOST
from chatd.frontend.sockets import KEEPALIVE_MOST
from chatd.start import number

PORT_OPTIONS = ("port", "tls-port", "web-port", "web-tls-port", "irc-port", "irc-tls-port")
"""The options that each bind a port on --interface."""


NUMBER_SPANS: dict[str, tuple[int, int]] = {
    **dict.fromkeys(PORT_OPTIONS, (0, 65535)),
    "replay": (0, HISTORY_MOST),
}
"""The whole-number options that take a span (least, most), refused outside it in words that say the span: a
port of 16 digits or more was told it had too many digits rather than that a port is at most 65535."""


def named_numbers(rows: list[list[Any]]) -> list[list[Any]]:
    """``rows`` of ``optParameters`` with each number option's coerce made to name the option (and its span, if
    it has one)."""
    return [
        [*row[:4], number(row[0], row[4], NUMBER_SPANS.get(row[0]))]
        if len(row) > 4 and row[4] in (int, float)
        else row
        for row in rows
    ]


DAY = 86400.0
"""A day in seconds: the most of every option that is a wait in seconds."""

LIMIT_MOST: dict[str, tuple[float, str]] = {
    "flood-rate": (1_000_000.0, "a million lines a second"),
    "connect-rate": (1_000_000.0, "a million connections a second"),
    "flood-disconnect": (DAY, "a day"),
    "register-timeout": (DAY, "a day"),
    "handshake-timeout": (DAY, "a day"),
    "http-timeout": (DAY, "a day"),
    "keepalive": (KEEPALIVE_MOST, "the most Linux takes, about 9 hours"),
    "kick-rejoin": (KICK_REJOIN_MOST, "a day"),
    "big-room-tally": (DAY, "a day"),
    "file-keep": (365.0, "a year"),
    "retain-days": (36500.0, "about a hundred years"),
}
"""The number options that have a most, in the option's own unit, with it in words: past it a value is a typo,
not a choice. Every option that takes a fraction has one: Python's float takes 1e300, with which a timer never
fired, and a --file-keep of 1e300 days was a wait told in 301 digits."""


def at_most(name: str) -> str:
    """``at most 86400 (a day)``: ``--name``'s most as its help and its refusal say it."""
    most, words = LIMIT_MOST[name]
    return f"at most {most:.15g} ({words})"


MILLISECOND = (0.001, "0.001", "a millisecond")
"""The least of every option that is a wait in seconds: the reactor waits in whole milliseconds (epoll's timeout,
which Python rounds up), so it cannot tell a shorter wait from a millisecond."""

AN_HOUR_IN_DAYS = (1 / 24, "1/24", "an hour")
"""The least of --retain-days: it forgets at start and every hour (chatd.storage.retention's ``EVERY``), so under
an hour it is the round, not the option, that decides how long a line stays. It took 1e-9 days, which acted at
once: each round deleted every line kept."""

A_SECOND_IN_DAYS = (1 / DAY, "1/86400", "a second")
"""The least of --file-keep. It took 1e-9 days, which acted at once: every offer went as it was made, "offers wait
1s at most" (an offer's wait is told in whole seconds). A classroom host may well want offers to wait minutes
(files go as their wait runs out, chatd.frontend.transfer_expiry), so the least is the wait's own unit, not an
hour."""

LIMIT_LEAST: dict[str, tuple[float, str, str]] = {
    "flood-rate": (1 / DAY, "1/86400", "a line a day"),
    "connect-rate": (1 / DAY, "1/86400", "a connection a day"),
    **dict.fromkeys(
        (
            "flood-disconnect",
            "register-timeout",
            "handshake-timeout",
            "http-timeout",
            "kick-rejoin",
            "big-room-tally",
        ),
        MILLISECOND,
    ),
    "file-keep": A_SECOND_IN_DAYS,
    "retain-days": AN_HOUR_IN_DAYS,
}
"""The number options that have a least above 0: the least, as its help and refusal write it, and in words.

Below it a value is a typo, not a choice. A wait in seconds shorter than
a millisecond is a millisecond to the reactor, and was told as Python
writes the float: --register-timeout 1e-320 closed every connection,
"no nickname chosen within 9.99989e-321 s", and --big-room-tally 1e-320
told a big room's joiners its tally came "every 9.99989e-321 seconds".
A rate whose wait for one line (1/rate) is longer than a wait's most
(``DAY``): --flood-rate 1e-320 started, and a line's wait was infinite
(1/1e-320 is inf), so a connection past its burst was never read again,
nor cut off by --flood-disconnect, which is checked as lines are read;
and a ``/key log`` page with more to come could not say how long to
wait for it (``math.ceil`` of inf), nor could a connection refused by
--connect-rate.
"""


def at_least(name: str) -> str:
    """``at least 1/86400 (a line a day)``: ``--name``'s least as its help and its refusal say it."""
    _, shown, words = LIMIT_LEAST[name]
    return f"at least {shown} ({words})"


def bounds(name: str) -> str:
    """``--name``'s least, if it has one, and most, as its help says them."""
    return f"{at_least(name)} and {at_most(name)}" if name in LIMIT_LEAST else at_most(name)
