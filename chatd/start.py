"""How a start that cannot go ahead is told: one sentence naming the option and what to do.

twistd answers a ``UsageError`` with its whole usage (some 60 lines) and a
port it cannot bind with a traceback in its log. ``chatd.tap`` turns both
into a ``StartError`` instead, worded here, for ``twistd chatd`` and
``chatd.tac`` alike.
"""

import errno
import math
import re
import socket
from collections.abc import Callable, Mapping
from typing import Any

from twisted.internet.error import CannotListenError
from twisted.python import usage


class StartError(SystemExit):
    """A configuration chatd cannot start with, as one sentence for the host.

    A ``SystemExit``, so that twistd, which prints its usage for a
    ``UsageError`` and catches ``Exception`` around loading a .tac file,
    lets it through: Python prints the sentence alone on standard error and
    exits 1.
    """

    def __init__(self, sentence: str) -> None:
        super().__init__(f"chatd: {sentence}")

    @classmethod
    def from_usage(cls, error: usage.UsageError) -> "StartError":
        """``error`` as a sentence; usage's own (an unknown option) point to the list of options."""
        text = str(error)
        return cls(text if text.endswith(".") else f"{text}; twistd chatd --help lists the options.")


WHOLE_DIGITS = 15
"""The most digits a whole-number option takes (999 999 999 999 999 at most: far past any limit's use).

The limits are counted in floats (a flood budget refills by the fraction
of a second), which hold every whole number up to 2**53, 16 digits, and
none of 309 digits or more: ``--flood-burst`` 1 and 400 zeros started,
and the first line anyone sent was an OverflowError in the reactor.
"""


def _whole_digits(value: str) -> int:
    """How many digits ``value`` has, leading zeros aside, if ``int`` would read it as a whole number; else 0.

    Counted on the text, so a number past Python's own limit on reading one
    (4300 digits) is told as too long, not as "not a whole number".
    """
    digits = value.strip().removeprefix("-").removeprefix("+").replace("_", "")
    return len(digits.lstrip("0") or "0") if digits.isdigit() else 0


def number(
    name: str, kind: Callable[[str], Any], span: tuple[int, int] | None = None
) -> Callable[[str], Any]:
    """A coerce for ``--name`` that names the option when its value is not a ``kind`` (int or float).

    Twisted's own message for a failed coerce ("Parameter type enforcement
    failed") names neither; a ``UsageError`` raised here passes through as it is.
    Python's float takes ``nan``, ``inf`` and ``1e999`` (infinite too): none is
    a number of anything, so each is refused as a word is. A whole number of
    more than ``WHOLE_DIGITS`` digits is refused too, saying so; for an option
    that takes a ``span`` (least, most) of whole numbers, such as a port, any
    number outside it is, saying the span, the one thing to fix.
    """
    what = "a whole number" if kind is int else "a number"

    def coerce(value: str) -> Any:
        digits = _whole_digits(value) if kind is int else 0
        if digits > WHOLE_DIGITS:
            # The number itself is not shown: it may be thousands of digits long.
            given = f"a number of {digits} digits" if span else f"one of {digits}"
            raise usage.UsageError(f"--{name} must be {_what(span, kind)}, not {given}.")
        try:
            number = kind(value)
        except ValueError:
            number = None
        # An int is always finite (and math.isfinite cannot take one too large for a float).
        if number is None or (isinstance(number, float) and not math.isfinite(number)):
            raise usage.UsageError(f"--{name} must be {what}, not {value!r}.")
        if span is not None and not span[0] <= number <= span[1]:
            raise usage.UsageError(f"--{name} must be {_what(span, kind)}, not {number}.")
        return number

    return coerce


def _what(span: tuple[int, int] | None, kind: Callable[[str], Any]) -> str:
    """What a number option takes, as its refusal says it: ``0 to 65535`` for a ``span``, else its digits."""
    if span is not None:
        return f"{span[0]} to {span[1]}"
    return f"a whole number of at most {WHOLE_DIGITS} digits" if kind is int else "a number"


SIZE_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
"""What a size option's last letter multiplies by: binary units, as ``ls -h`` and ``du -h`` show sizes."""


SIZE_MOST = 512 * SIZE_UNITS["T"]
"""The most every size option takes, 512 TiB: 562,949,953,421,312 bytes, 15 digits.

A file offer says its size in at most 15 digits (chatd.line.files), so
a larger --file-max-size lets no larger file through; the byte budgets
(--file-rate, --file-day-bytes) count in floats, exact to 2**53, as the
15 digits of every whole-number option are; and it is far within a
64-bit file offset and an SQLite integer (2**63 - 1), and more than a
spool of one daemon's chat holds. It is the largest size whole in binary
units within 15 digits. --file-max-size 1e296T (a float still) started,
and the welcome gave every client the largest file in 309 digits.
"""

SIZE_MOST_WORDS = "512T (512 TiB)"
"""``SIZE_MOST`` as every size option's help and its refusal say it."""

SIZE_WORDS = (
    f"a number of bytes, or with K, M, G or T after it (binary: 100M is 100 MiB), at most {SIZE_MOST_WORDS}"
)
"""How a size is written, in the words of every size option's help and of its refusal."""


def in_units(amount: int) -> str:
    """``amount`` bytes in the largest binary unit that holds it whole: ``100 MiB``, ``1 GiB``, ``1000 bytes``."""
    for letter, unit in reversed(SIZE_UNITS.items()):
        if letter and amount and amount % unit == 0:
            return f"{amount // unit} {letter}iB"
    return f"{amount} bytes"


def size(name: str) -> Callable[[str], int]:
    """A coerce for ``--name`` that takes a number of bytes, or of KiB, MiB, GiB or TiB with K, M, G or T after it.

    ``100M`` is 100 MiB; ``1.5G`` is one and a half GiB; a bare number is
    bytes, a fraction of one dropped. Anything else, and less than a byte,
    stops the start with one sentence naming the option: every size is a
    limit that 0 would make refuse all (``--file-max-size 0.5`` was told
    "more than 0, not 0", a 0 the host never typed).
    """

    def coerce(value: str) -> int:
        text = value.strip().upper().removesuffix("IB").removesuffix("B")
        unit = text[-1] if text and text[-1] in "KMGT" else ""
        try:
            amount = float(text[: len(text) - len(unit)])
        except ValueError:
            amount = -1.0
        if not amount >= 0 or not math.isfinite(amount):
            raise usage.UsageError(f"--{name} must be a size: {SIZE_WORDS}, not {value!r}.") from None
        # Checked once multiplied: 1e308T is a finite number of TiB, and its bytes a float too large (infinite).
        if amount * SIZE_UNITS[unit] > SIZE_MOST:
            raise usage.UsageError(f"--{name} must be at most {SIZE_MOST_WORDS}, not {value!r}.")
        if amount * SIZE_UNITS[unit] < 1:
            raise usage.UsageError(f"--{name} must be at least 1 byte, not {value!r}.")
        return int(amount * SIZE_UNITS[unit])

    return coerce


SERVER_NAME_MOST = 63
"""The longest server name: RFC 2812 (section 1.1) gives a server's name at most 63 characters."""

_SERVER_NAME = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?)*"
)
"""A host name (RFC 1123's letters, digits and hyphens in parts separated by dots) with ``_`` allowed inside a part,
as some machines' names have it and neither IRC clients nor browsers mind."""


FALLBACK_SERVER_NAME = "chatd"
"""The server's name when none is given and this machine's is no host name: a start needs no option."""


def server_name(name: str | None, machine: str, option: str = "--server-name") -> str:
    """The server's name: ``name`` as given, if it can be one, else a ``UsageError`` naming ``option`` (as the host
    typed it: ``--name`` is its other name); none given, this ``machine``'s name if it can be one, else
    ``FALLBACK_SERVER_NAME``.

    IRC sends it as the source of every server line and the page's file
    links put it in their URL's host, so it is held to a host name's shape:
    one with a space started, and every IRC connection then failed in
    registration (a source cannot hold a space) and was closed. A machine's
    name the host never typed does not stop the start.
    """
    if name is None:
        return machine if _is_host_name(machine) else FALLBACK_SERVER_NAME
    if _is_host_name(name):
        return name
    raise usage.UsageError(
        f"{option} {name!r} is not a host name, as IRC and the page's links need: give {option} as "
        "parts separated by '.', each of letters, digits, '-' and '_' and beginning and ending with a letter or "
        f"digit, at most {SERVER_NAME_MOST} characters in all, e.g. chat.example.org."
    )


def _is_host_name(name: str) -> bool:
    return len(name) <= SERVER_NAME_MOST and _SERVER_NAME.fullmatch(name) is not None


def cannot_listen(error: CannotListenError, ports: Mapping[str, int | None], interface: str) -> str:
    """One sentence for ``error``, naming the option whose port or address could not be bound.

    ``ports`` maps each option that binds a port on ``interface`` (--port,
    --tls-port) to its value; one of them gives the port that failed (a
    --listen endpoint's failure is a ``listen_refused``).
    """
    code = getattr(error.socketError, "errno", None)
    reason = getattr(error.socketError, "strerror", None) or str(error.socketError)
    flag = next(flag for flag, port in ports.items() if port == error.port and interface == error.interface)
    if code == errno.EADDRINUSE:
        return f"{flag} {error.port} is in use by another program; stop it or choose another {flag}."
    if code == errno.EACCES:
        return (
            f"{flag} {error.port} needs root (ports below 1024 are privileged); choose {flag} 1024 or above."
        )
    if isinstance(error.socketError, socket.gaierror):
        return (
            f"--interface {error.interface} is not an IP address; give one this machine has, or :: for every "
            "interface."
        )
    if code == errno.EADDRNOTAVAIL:
        return (
            f"--interface {error.interface} is not an address of this machine; "
            "give one it has, or :: for every interface."
        )
    return f"{flag} {error.port} cannot be bound on --interface {error.interface} ({reason}); choose another."


def listen_refused(given: str, cause: BaseException) -> str:
    """One sentence for the --listen endpoint ``given`` (as the host gave it) that could not listen, for ``cause``.

    Named as given: several --listen endpoints may fail alike (two ports in
    use), and "a --listen endpoint" left the host to guess which.
    """
    if not isinstance(cause, CannotListenError):
        # A unix: endpoint whose folder is missing; Twisted's text names its lock file, which the host never gave.
        return f"--listen {given!r} cannot listen ({getattr(cause, 'strerror', None) or cause}); change it."
    code = getattr(cause.socketError, "errno", None)
    if code == errno.EADDRINUSE:
        return f"--listen {given!r}: port {cause.port} is in use by another program; stop it or choose another port."
    if code == errno.EACCES:
        return f"--listen {given!r}: port {cause.port} needs root (ports below 1024 are privileged); choose 1024 or above."
    if isinstance(cause.socketError, socket.gaierror):
        return f"--listen {given!r}: the interface {cause.interface} is not an IP address; give one this machine has."
    if code == errno.EADDRNOTAVAIL:
        return f"--listen {given!r}: {cause.interface} is not an address of this machine; give one it has."
    reason = getattr(cause.socketError, "strerror", None) or cause.socketError
    return f"--listen {given!r} cannot listen on port {cause.port} ({reason}); change it."
