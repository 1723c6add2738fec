"""What the user types, on its way: the client's own commands kept, the rest sent to the server in the order typed.

Kept apart from the link (``chatd.client.connection``), which owns the
connection's life: this is the one way a typed line goes out. A line is
a command of the client's own (``/format``, ``/help``, encryption's and
files' commands) or goes to the server as typed, noted first as the
user's (``Presence.sending``) and, once named, as not yet seen back
(``Unechoed``). A sealed ``/msg`` waits for its recipient's keys, and
every line typed after it, a quit too, waits behind it (#17): a reply
never overtakes the message it answers.
"""

from collections.abc import Callable
from typing import Protocol

from twisted.internet.interfaces import IReactorTime

from chatd.client.e2e import EndToEnd
from chatd.client.files import Transfers
from chatd.client.help import own_help
from chatd.client.presence import Presence
from chatd.client.unechoed import Unechoed
from chatd.text import counted


class Outlet(Protocol):
    """What typed lines need of the link: where the user is, what else takes commands, a connection to send on."""

    presence: Presence
    unechoed: Unechoed
    e2e: EndToEnd | None
    files: Transfers | None

    @property
    def reaches_chatd(self) -> bool:
        """True while a connection is up whose first line has shown chatd: typed lines go out only then."""
        ...

    def say(self, text: str) -> None:
        """Show a line of the client's own."""

    def send_line(self, text: str) -> bool:
        """Send ``text`` to the server as it is; False with no connection."""
        ...


class Outbox:
    """The lines typed on one link, sent or carried out in the order typed; ``quit_now`` sends a leave's quit."""

    def __init__(self, link: Outlet, clock: IReactorTime, quit_now: Callable[[str], None]) -> None:
        self._link = link
        self._clock = clock
        self._quit_now = quit_now
        self._held: list[str] = []
        """Lines typed while a sealed ``/msg`` before them waits for keys, in the order typed (#17)."""
        self._holding = False
        """True while lines wait behind a ``/msg``: every line typed goes behind them."""
        self._quit: str | None = None
        """The quit line of a leave that waits behind the held lines."""

    def send(self, text: str) -> bool:
        """Send one line as typed (or carry out a client command); False if there is no connection to send it on
        (none up, or one whose first line has not shown chatd yet).

        Lines go in the order typed: while a sealed ``/msg`` waits for its
        recipient's keys, the lines after it wait behind it (True: taken).
        """
        if self._must_wait():
            self._held.append(text)
            return True
        return self._send_now(text)

    def quit(self, line: str) -> None:
        """Send the quit ``line`` once the lines typed before it are gone: at once, unless they wait."""
        if self._must_wait():
            self._quit = line
            return
        self._quit_now(line)

    def lost(self) -> None:
        """The connection dropped: a quit still waiting goes with it."""
        self._quit = None

    def _send_now(self, text: str) -> bool:
        link = self._link
        words = text.split(maxsplit=1)
        if words and words[0].lower() == "/format":
            link.say("The client needs JSON lines from the server, so it keeps /format to itself.")
            return True
        if words and words[0].lower() == "/help":
            said, ask_server = own_help(words[1] if len(words) > 1 else "")
            for line in said:
                link.say(line)
            if not ask_server:
                return True
        if link.reaches_chatd and link.e2e is not None and link.e2e.command(text):
            return True
        if link.files is not None and link.files.command(text):
            return True
        if not link.reaches_chatd:
            return False
        link.presence.sending(text)
        if link.presence.nick is not None:
            link.unechoed.sent(text, link.presence.current, self._clock.seconds())
        link.send_line(text)
        return True

    def _must_wait(self) -> bool:
        """Whether a line typed now must wait: lines are held, or a ``/msg`` waits for keys."""
        if self._holding:
            return True
        e2e = self._link.e2e
        if e2e is None or not e2e.msg_waiting():
            return False
        self._holding = True
        e2e.when_msg_done(self._let_go)
        return True

    def _let_go(self) -> None:
        """The ``/msg`` waited for is through: send the lines held behind it, until one must wait again."""
        self._holding = False
        held, self._held = self._held, []
        unsent = sum(not self.send(text) for text in held)
        if unsent:
            # Counted, not quoted: a held line may be an /identify with its password.
            self._link.say(
                f"Not sent either, as the connection dropped: the {counted(unsent, 'line')} typed after that message."
            )
        if self._quit is not None and not self._must_wait():
            line, self._quit = self._quit, None
            self._quit_now(line)
