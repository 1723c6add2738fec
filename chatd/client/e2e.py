"""Encrypted private messages in the bundled client: publish, fetch and check keys, seal and open.

``EndToEnd`` sits beside the link as ``Transfers`` does: it takes the
commands of chatd.client.e2ecommands before they reach the server, and the
server's key and ``encrypted`` objects (docs/PROTOCOL.md, "Encrypted
private messages") before the renderer. Once the user is identified to an
account it publishes this device's key and fetches the account's own keys.
``/msg NICK text`` asks the server for NICK's keys, checks the key log and
the pins, then sends the text sealed to every key of NICK's account and of
the user's own as the log has them then (devices that came online since
included); with none it sends it in the clear and says so.

Answers come in the order of the commands that asked (docs/PROTOCOL.md),
so each ``/key get`` waits in a queue (``Want``, keywants.py) for its
``keys`` or its error. ``EndToEnd`` holds the state and follows the server;
its parts are modules of functions over it, as e2ecommands.py is:
keychecks.py holds every ``keys`` answer to the key log and the pins,
sealing.py seals what is sent and opens what arrives.
"""

from collections.abc import Callable
from datetime import UTC
from typing import Protocol

from twisted.internet.interfaces import IReactorTime

from chatd.client.crypto import Identity, IdentityError, fingerprint
from chatd.client.e2ecommands import COMMANDS
from chatd.client.keychecks import ask_log, follow_key_log, follow_keys, refused, release
from chatd.client.keyring import Keyring
from chatd.client.keywants import Want
from chatd.client.pages import NextPage
from chatd.client.sealing import open_encrypted
from chatd.client.shown import Message, Shown
from chatd.client.style import Look, View, compose, moment
from chatd.text import fold, scrub


class Outlet(Protocol):
    """What encryption needs of the link: send lines, show lines, know how to render."""

    @property
    def view(self) -> View:
        """How lines are rendered now."""
        ...

    def send_line(self, text: str) -> bool:
        """Send ``text`` to the server as it is; False with no connection."""
        ...

    def show_lines(self, shown: Shown) -> None:
        """Put lines of the client's own on screen."""
        ...

    def show(self, shown: Shown) -> None:
        """Put lines of the server's on screen, as if they had just arrived."""
        ...


REFUSALS = frozenset({"no-such-account", "unknown-command"})
"""Error codes that may answer a ``/key get`` of ours: the error names what it answers (its ``nick``, its
``command``), so an error for anything else the user sent meanwhile is never taken for one, and never
sends a message in the clear."""

FOLLOWED = frozenset({"key_published", "key_dropped", "keys", "key_log", "encrypted"})
"""The server's objects encryption follows rather than the line renderer: keys, the key log, sealed messages."""


class EndToEnd:
    """This device's key, the keyring, and the key requests in flight on one link."""

    def __init__(
        self, link: Outlet, clock: IReactorTime, identity: Callable[[], Identity], keyring: Keyring
    ) -> None:
        self.link = link
        self.clock = clock
        self._load_identity = identity
        self._identity: Identity | None = None
        self.keyring = keyring
        self.account: str | None = None
        """The account the user is identified to on this connection, if any."""
        self.accounts: dict[str, str] = {}
        """Account names by folded nickname, as ``keys`` answers told them."""
        self.wants: list[Want] = []
        self.unpinned: dict[str, set[str]] = {}
        """Keys that sealed a message and were found not pinned for its sender (by folded nickname), since the
        sender's keys were last asked for: a later message sealed with one is warned about as it is, without asking
        again, for each ``/key get`` costs flood budget and a burst from a contact's new device asked once each."""
        self.log_waiting: list[tuple[Message, Want | None]] = []
        """``keys`` answers held until the log catches up with their seq."""
        self.log_fetching = False
        """A ``/key log`` is asked and not answered, or waits (``log_next``) to be asked."""
        self.log_next = NextPage(clock)
        """The next page's ``/key log``, waiting the seconds the last page said (its ``wait``)."""
        self.log_long = False
        """Whether this check of the log needed more than a page, and the user was told it is under way."""
        self.log_shown = False
        self._published = False
        self.own_known: set[str] | None = None
        """The account's keys this client has told of (or had on identifying); None until it first has them."""
        self._when_idle: list[Callable[[], None]] = []
        self._when_msg_done: list[Callable[[], None]] = []

    @property
    def own_keys(self) -> list[str]:
        """The keys of the user's account (every device's), as the checked key log gives them now.

        Not kept from the answer to identifying: a device of the account that
        comes online later publishes a key the server tells nobody of. Every
        ``/msg`` asks for its recipient's keys, and that answer brings the log
        up to the server's seq before anything is sealed: so the log holds the
        account's keys as they are at that send, at no cost of a request.
        """
        return self.keyring.logged_keys(self.account) if self.account is not None else []

    @property
    def identity(self) -> Identity:
        """This device's key pair, read (or made, on first use) when first needed; raises IdentityError."""
        if self._identity is None:
            self._identity = self._load_identity()
        return self._identity

    # What the user types: chatd.client.e2ecommands.

    def command(self, text: str) -> bool:
        """Carry out ``text`` if it is one of the encryption commands; False if it goes to the server as it is."""
        words = text.split(maxsplit=1)
        run = COMMANDS.get(words[0].lower()) if words else None
        if run is None:
            return False
        return run(self, words[1].strip() if len(words) > 1 else "")

    def ask_keys(self, nick: str, purpose: str, text: str = "") -> Want:
        """Send ``/key get NICK``, its answer to do ``purpose``; what was learnt of keys not pinned for NICK is
        asked anew (``unpinned``). The want, queued for the answer."""
        want = Want(nick, purpose, text)
        self.wants.append(want)
        self.unpinned.pop(fold(nick), None)
        self.put(f"/key get {nick}")
        return want

    # What the server sends.

    def received(self, message: Message) -> Shown | None:
        """Follow one server object; the lines to show for it, or None if it is none of ours."""
        kind = message.get("type")
        if kind == "notice" and message.get("kind") == "account":
            self._identified(message)
            return None
        if kind in FOLLOWED:
            return self._follow(kind, message)
        if kind == "error" and message.get("code") in REFUSALS and self.wants:
            return refused(self, message)
        return None

    def _follow(self, kind: object, message: Message) -> Shown | None:
        """One of the server's objects about keys and sealed messages (``FOLLOWED``)."""
        if kind == "keys":
            follow_keys(self, message)
            return Shown(())
        if kind == "key_log":
            follow_key_log(self, message)
            return Shown(())
        if kind == "encrypted":
            return open_encrypted(self, message)
        return self._published_answer(message)

    def _identified(self, message: Message) -> None:
        account = message.get("account")
        if message.get("change") not in ("identified", "registered") or not isinstance(account, str):
            if message.get("change") == "unregistered":
                self.account = None
            return
        try:
            public = self.identity.public
        except IdentityError as error:
            self.say(f"No encryption: {error}", Look.ERROR)
            return
        self.account = account
        self.own_known = None
        self.put(f"/key publish {public}")
        self.ask_keys(account, "own")

    def _published_answer(self, message: Message) -> Shown:
        if message.get("type") == "key_published" and not self._published:
            self._published = True
            self.say(
                f"This device's key is published to your account {self.text(message, 'account')}: "
                f"fingerprint {fingerprint(self.identity.public)}."
            )
        return Shown(())

    def show_log(self) -> None:
        self.log_shown = True
        ask_log(self)

    # The connection.

    def offline(self) -> None:
        """The connection dropped: the answers waited for will not come."""
        for want in self.wants:
            if want.purpose == "send":
                self.say(f"Not sent to {scrub(want.nick)}: the connection dropped first.", Look.ERROR)
            release(self, want)
        self.wants, self.log_waiting, self.log_fetching, self.account = [], [], False, None
        self.unpinned.clear()
        self.log_next.cancel()
        self.log_long = False
        self.own_known = None
        self.idle()

    def when_idle(self, call: Callable[[], None]) -> None:
        """Call ``call`` once no key request is in flight (a piped client at the end of its stdin)."""
        if self.busy():
            self._when_idle.append(call)
        else:
            call()

    def busy(self) -> bool:
        return bool(self.wants or self.log_waiting or self.log_fetching)

    def msg_waiting(self) -> bool:
        """Whether a ``/msg`` waits for its recipient's keys: lines typed after it must wait too (#17)."""
        waiting = [*self.wants, *(want for _, want in self.log_waiting if want is not None)]
        return any(want.purpose == "send" for want in waiting)

    def when_msg_done(self, call: Callable[[], None]) -> None:
        """Call ``call`` once no ``/msg`` waits for keys: sent sealed, sent in the clear, or refused."""
        if self.msg_waiting():
            self._when_msg_done.append(call)
        else:
            call()

    def idle(self) -> None:
        """Call what waits for no ``/msg`` (``when_msg_done``), then for no request (``when_idle``), if none is now."""
        if not self.msg_waiting():
            calls, self._when_msg_done = self._when_msg_done, []
            for call in calls:
                call()
        # Asked again: the lines let go just now may have started another wait.
        if not self.busy():
            calls, self._when_idle = self._when_idle, []
            for call in calls:
                call()

    # Helpers.

    def save(self) -> None:
        try:
            self.keyring.save()
        except OSError as error:
            self.say(
                f"Cannot save the pinned keys in {scrub(self.keyring.path)}: {error.strerror}.", Look.ERROR
            )

    def put(self, text: str) -> None:
        self.link.send_line(text)

    def say(self, body: str, look: Look = Look.STATUS) -> None:
        self.link.show_lines(Shown((compose(self.link.view, self.clock.seconds(), look, body),)))

    def at(self, message: Message) -> float:
        """The server's ``at``, or now if it is missing or no time a calendar holds."""
        at = message.get("at")
        if not isinstance(at, int | float) or isinstance(at, bool):
            return self.clock.seconds()
        try:
            moment(at, UTC)
        except (OverflowError, OSError, ValueError):
            return self.clock.seconds()
        return float(at)

    @staticmethod
    def text(message: Message, key: str) -> str:
        value = message.get(key)
        return scrub(value) if isinstance(value, str) else ""
