"""``/key`` and ``/emsg``: device keys and encrypted private messages on the line front end (issue 17).

People do not type these: the bundled client and the page do, in JSON
(docs/PROTOCOL.md "Encrypted private messages"). A text session is
answered in words all the same, and an ``/emsg`` reaching one reads as a
line saying what to read it with, never as ciphertext.
"""

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from twisted.internet.defer import Deferred

from chatd.domain.envelopes import EMSG_LINE_MOST
from chatd.domain.keylog import LOG_PAGE
from chatd.frontend.flood import RESUMED_PER_CHARGE
from chatd.line.errors import UsageError
from chatd.line.syntax import Command
from chatd.text import whole_number

if TYPE_CHECKING:
    from chatd.line.session import LineSession, Waiting

KEY_USAGE = "/key publish KEY|drop KEY|get NICK|log [FROM]"

LOG_PAGE_COST = 1 + LOG_PAGE // RESUMED_PER_CHARGE
"""Lines of flood budget a full page of ``/key log`` costs: its command's line, and one for every
``RESUMED_PER_CHARGE`` entries."""


def log_page_most(held: float) -> int:
    """The most entries a page may hold for a client whose budget holds ``held`` lines once its command is paid.

    As many as that pays for, so a page never takes its reader over budget:
    a client just connected has spent 5 lines of its burst of 10 on its
    nickname, format, identifying, its key and its account's keys, and a
    full first page (5 lines more) had it told it floods before it had read
    anything. Fewer than ``RESUMED_PER_CHARGE`` cost nothing more than the
    command's line, so a page is never empty; a loop of ``/key log`` still
    pays a line for every 100 entries or so, as a full page's reader does.
    """
    lines = max(0, math.floor(min(held, LOG_PAGE_COST)))
    return min(LOG_PAGE, (lines + 1) * RESUMED_PER_CHARGE - 1)


@dataclass(frozen=True, slots=True)
class KeyCommand:
    """``/key ACTION ARGUMENT``: publish or drop one's own key, get a nickname's keys, read the log from a seq."""

    action: str
    argument: str


@dataclass(frozen=True, slots=True)
class Emsg:
    """``/emsg NICK ENVELOPE``: an envelope of boxes for the account ``nick`` and the sender's other devices."""

    nick: str
    envelope: str


def parse_key(args: str) -> Command:
    """The ``/key`` subcommand ``args`` gives; raises UsageError."""
    words = args.split()
    action = words[0].lower() if words else ""
    if action in ("publish", "drop", "get") and len(words) == 2:
        return KeyCommand(action, words[1])
    if action == "log" and len(words) <= 2:
        first = whole_number(words[1] if len(words) == 2 else "1")
        if first is not None:
            return KeyCommand(action, str(first))
    raise UsageError(KEY_USAGE)


def parse_emsg(args: str) -> Command:
    """``NICK ENVELOPE``; raises UsageError."""
    words = args.split()
    if len(words) != 2:
        raise UsageError("/emsg NICK ENVELOPE")
    return Emsg(words[0], words[1])


def is_emsg(line: bytes) -> bool:
    """Whether ``line`` is an ``/emsg`` command, which may be up to ``EMSG_LINE_MOST`` bytes (any case)."""
    return line[:6].lower() == b"/emsg "


def line_most(line: bytes, most: int) -> int:
    """The longest ``line`` may be: ``EMSG_LINE_MOST`` for an ``/emsg``, else ``most``."""
    return max(most, EMSG_LINE_MOST) if is_emsg(line) else most


def run_key(session: "LineSession", command: KeyCommand) -> "Waiting":
    """Answer ``/key``: each answer is the user's alone; the log's page comes once read."""
    directory = session.chat.key_directory()
    if command.action == "publish":
        session.send(directory.publish(session.me(), command.argument))
    elif command.action == "drop":
        session.send(directory.drop(session.me(), command.argument))
    elif command.action == "get":
        session.send(directory.get(command.argument))
    else:
        page = directory.log(int(command.argument), log_page_most(session.budget_held()))

        async def shown() -> None:
            answer = await page
            # Paid for by its size, as a resume is: a page of LOG_PAGE entries (some 100 KB) cost one line, so a
            # loop of /key log 1 moved 50 times the bytes, and took as much of the reader's thread, as a loop
            # of /history did; a client checking the log still reads a page within a burst.
            session.charge_listing(len(answer.entries), RESUMED_PER_CHARGE)
            # Charged first, so the page says how long until the budget is full again: a reader asking at once
            # was over budget from the second page on, and cut off past some 6,500 entries; one waiting only for a
            # page's cost left none for what its user types, told it floods at every line. Waiting till full, it
            # reads as fast at the defaults (6 lines a page, 3 s) and the user has the rest of the burst.
            wait = session.budget_full_in() if answer.more else 0.0
            session.send(replace(answer, wait=math.ceil(wait * 1000) / 1000))

        return Deferred.fromCoroutine(shown())
    return None


def run_emsg(session: "LineSession", command: Emsg) -> None:
    """Send the envelope; the sender's sessions get it back as the receipt, and a ``kept`` if it waits."""
    kept = session.chat.send_encrypted(session.me(), command.nick, command.envelope)
    if kept is not None:
        session.send(kept)
