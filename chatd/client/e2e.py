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
so each ``/key get`` waits in a queue for its ``keys`` or its error.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from typing import Protocol

from twisted.internet.interfaces import IDelayedCall, IReactorTime

from chatd.client.crypto import (
    EnvelopeError,
    Identity,
    IdentityError,
    NotSealedForMeError,
    fingerprint,
    fingerprints,
    open_envelope,
    seal,
)
from chatd.client.e2ecommands import COMMANDS, show_contact
from chatd.client.keyring import LOG_WARNING, Contact, Keyring, Pinning
from chatd.client.render import render
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


MAX_EMSG_LINE = 16384
"""The longest ``/emsg`` line the server takes, in bytes."""

ENCRYPTED_MARK = "[encrypted]"

UNDECRYPTABLE = "a message from {nick} could not be decrypted: it was altered on the way"

NOT_FOR_THIS_DEVICE = (
    "a message from {nick} cannot be read on this device: it was sealed before this device had its key"
)
"""An envelope with no box for this device's key: normal for the user's own lines, or a contact's, sealed before this
install made its key; "altered" would alarm them for nothing. The page says the same words (sealing.js)."""

NEW_DEVICE = (
    "Your account {account} has a new device key: fingerprint {fingerprint}. What you send is sealed for it too; "
    "if it is no device of yours, someone else has your password."
)
"""Said once for each key the user's account gains while this client is identified to it: it is no warning on
every message from that device (its keys are the account's own, never pinned), but the user hears of it once."""

LOG_PROGRESS = (
    "Checking the server's key log: {seq:,} of {total:,} entries so far. A long log is read a page every few "
    "seconds, as fast as the server's flood limit allows; messages to encrypt wait for it."
)
"""Said once a check of the key log needs more than one page: on a long-lived server a new client reads thousands of
entries, a page every 3 s at the defaults, and a ``/msg`` sent meanwhile waits for the check with nothing else said."""

LOG_CHECKED = "Key log checked: {seq:,} entries, head {head}."
"""Said when a check ``LOG_PROGRESS`` announced ends (a ``/keylog`` says its own line instead)."""

REFUSALS = frozenset({"no-such-account", "unknown-command"})
"""Error codes that may answer a ``/key get`` of ours: the error names what it answers (its ``nick``, its
``command``), so an error for anything else the user sent meanwhile is never taken for one, and never
sends a message in the clear."""


@dataclass
class Want:
    """A ``/key get`` sent and not answered yet, and what to do with its answer."""

    nick: str
    purpose: str
    """``send`` (seal ``text`` to the keys), ``show`` (say the fingerprints), ``pin`` or ``own``."""
    text: str = ""
    held: list[tuple[Shown, str]] = field(default_factory=list)
    """For ``pin``: messages from a contact not pinned yet, each with the key that sealed it, shown once pinned."""


FOLLOWED = frozenset({"key_published", "key_dropped", "keys", "key_log", "encrypted"})
"""The server's objects this module follows rather than the line renderer: keys, the key log, sealed messages."""


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
        self._log_waiting: list[tuple[Message, Want | None]] = []
        """``keys`` answers held until the log catches up with their seq."""
        self._log_fetching = False
        """A ``/key log`` is asked and not answered, or waits (``_log_next``) to be asked."""
        self._log_next: IDelayedCall | None = None
        """The next page's ``/key log``, waiting the seconds the last page said (its ``wait``)."""
        self._log_long = False
        """Whether this check of the log needed more than a page, and the user was told it is under way."""
        self._log_shown = False
        self._published = False
        self._own_known: set[str] | None = None
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

    def ask_keys(self, nick: str, purpose: str, text: str = "") -> None:
        self.wants.append(Want(nick, purpose, text))
        self.put(f"/key get {nick}")

    def ask_log(self) -> None:
        if not self._log_fetching:
            self._log_fetching = True
            self._next_page_due()

    def _ask_next_page(self, wait: float) -> None:
        """Ask for the log's next page in ``wait`` seconds (at once if 0), still fetching meanwhile.

        A page costs flood budget by its size (6 lines for 500 entries), so a
        client asking for each page the moment the last came was over budget
        from the second on, and cut off reading a log past some 6,500
        entries: the server says in each page how long its budget takes to
        hold the next (docs/PROTOCOL.md, ``key_log``).
        """
        self._log_fetching = True
        if wait <= 0:
            self._next_page_due()
            return
        self._log_next = self.clock.callLater(wait, self._next_page_due)

    def _next_page_due(self) -> None:
        """Ask for the log's entries after the last one checked."""
        self._log_next = None
        self.put(f"/key log {self.keyring.log.seq + 1}")

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
            return self._refused(message)
        return None

    def _follow(self, kind: object, message: Message) -> Shown | None:
        """One of the server's objects about keys and sealed messages (``FOLLOWED``)."""
        if kind == "keys":
            self._keys(message)
            return Shown(())
        if kind == "key_log":
            self._key_log(message)
            return Shown(())
        if kind == "encrypted":
            return self._encrypted(message)
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
        self._own_known = None
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

    def _answered(self, message: Message) -> Want | None:
        """The ``/key get`` the error ``message`` answers, taken off the list; None if it answers none of ours."""
        code = message.get("code")
        if code == "no-such-account":
            nick = message.get("nick")
            found = next(
                (want for want in self.wants if isinstance(nick, str) and fold(want.nick) == fold(nick)), None
            )
        else:
            # A server without /key refuses every one of them alike: the oldest is answered first.
            found = self.wants[0] if message.get("command") == "key" else None
        if found is not None:
            self.wants.remove(found)
        return found

    def _refused(self, message: Message) -> Shown | None:
        want = self._answered(message)
        if want is None:
            return None
        code = message.get("code")
        if want.purpose == "send" and code in ("no-such-account", "unknown-command"):
            self.put(f"/msg {want.nick} {want.text}")
            why = "has no account" if code == "no-such-account" else "is on a server without encryption"
            self.say(f"Sent to {scrub(want.nick)} NOT encrypted: {scrub(want.nick)} {why}.", Look.ERROR)
            self._idle()
            return Shown(())
        if want.purpose == "pin":
            self._release(want)
            self._idle()
            return Shown(())
        if want.purpose == "show" and code == "no-such-account":
            self.say(f"{scrub(want.nick)} is no account: there are no keys to show.", Look.ERROR)
            self._idle()
            return Shown(())
        self._idle()
        return None

    def _keys(self, message: Message) -> None:
        nick = self.text(message, "nick")
        want = next((want for want in self.wants if fold(want.nick) == fold(nick)), None)
        if want is not None:
            self.wants.remove(want)
        self._answer(message, want)

    def _answer(self, message: Message, want: Want | None) -> None:
        """A ``keys`` answer: the log must have only grown to its seq; then its keys are checked and used."""
        seq, head = message.get("seq"), message.get("head")
        log = self.keyring.log
        if (
            not isinstance(seq, int)
            or not isinstance(head, str)
            or seq < log.seq
            or (seq == log.seq and head != log.head)
        ):
            self._fail(want, f"{LOG_WARNING} (it was at {log.seq}, it says {seq!r} now)")
            return
        if seq > log.seq:
            self._log_waiting.append((message, want))
            self.ask_log()
            return
        self._checked_keys(message, want)

    def _key_log(self, message: Message) -> None:
        entries, seq, head = message.get("entries"), message.get("seq"), message.get("head")
        more = message.get("more") is True
        self._log_fetching = False
        problem = (
            "the answer is malformed"
            if not isinstance(entries, list) or not isinstance(seq, int) or not isinstance(head, str)
            else self.keyring.extend_log(entries, seq, head, more)
        )
        if problem is not None:
            waiting, self._log_waiting = self._log_waiting, []
            self._log_long = False
            self.say(f"WARNING: {LOG_WARNING}: {scrub(problem)}.", Look.ERROR)
            for _, want in waiting:
                self._fail(want, None)
            self._idle()
            return
        if more:
            if not self._log_long:
                self._log_long = True
                self.say(LOG_PROGRESS.format(seq=self.keyring.log.seq, total=seq))
            self._ask_next_page(page_wait(message.get("wait")))
            return
        self.save()
        self._new_devices()
        if self._log_shown:
            self._log_shown = False
            self.say(
                f"Key log: seq {self.keyring.log.seq}, head {self.keyring.log.head or '(empty)'}; "
                "checked: it only grew since this client last looked. Compare it with your contact's /keylog."
            )
        elif self._log_long:
            self.say(LOG_CHECKED.format(seq=self.keyring.log.seq, head=self.keyring.log.head or "(empty)"))
        self._log_long = False
        waiting, self._log_waiting = self._log_waiting, []
        for keys, want in waiting:
            seq = keys.get("seq")
            if isinstance(seq, int) and seq < self.keyring.log.seq and want is not None:
                # The log grew between this answer and the log fetched for it: an answer from
                # before, not a server going back on its log. Ask again; one behind a log seen
                # first is the lie _answer warns of.
                self.wants.append(want)
                self.put(f"/key get {want.nick}")
            else:
                self._answer(keys, want)
        # A piped client waits for this before it quits (``when_idle``): /keylog alone left it waiting for ever.
        self._idle()

    def _new_devices(self) -> None:
        """Say each key the user's account gained since this client first had its keys: another device of theirs."""
        if self.account is None or self._own_known is None:
            return
        keys = self.own_keys
        for key in keys:
            if key not in self._own_known and key != self.identity.public:
                self.say(NEW_DEVICE.format(account=scrub(self.account), fingerprint=fingerprint(key)))
        self._own_known = set(keys)

    def show_log(self) -> None:
        self._log_shown = True
        self.ask_log()

    def _checked_keys(self, message: Message, want: Want | None) -> None:
        """A ``keys`` answer at the log's checked seq: the keys must be the log's, then pinned, then used."""
        nick, account = self.text(message, "nick"), self.text(message, "account")
        served = message.get("keys")
        keys = sorted(key for key in served if isinstance(key, str)) if isinstance(served, list) else []
        if keys != self.keyring.logged_keys(account):
            self._fail(want, f"{LOG_WARNING} (it serves keys for {account} that its log does not hold)")
            return
        self.accounts[fold(nick)] = account
        if self.account is not None and fold(account) == fold(self.account):
            if self._own_known is None:
                self._own_known = set(keys)
            self._then(want, keys)
            return
        known = self.keyring.contact(account)
        had_pending = known is not None and known.pending is not None
        pinning = self.keyring.offer(account, keys) if keys else None
        if pinning not in (None, Pinning.SAME) or (pinning is Pinning.SAME and had_pending):
            # The same keys again (every /msg asks) change nothing: the file is written only for a change.
            self.save()
        if pinning is Pinning.FIRST:
            self.say(
                f"Pinned {nick}'s key{'s' * (len(keys) > 1)} on first use: {', '.join(fingerprints(keys))}. "
                f"Compare with {nick} (/fingerprint) and /verify {nick} FINGERPRINT."
            )
        elif pinning is Pinning.CHANGED:
            self.say(
                f"WARNING: {nick}'s keys changed: now {', '.join(fingerprints(keys)) or 'none'}. "
                f"Compare fingerprints before trusting (/fingerprint {nick}), then /trust {nick}.",
                Look.ERROR,
            )
        self._then(want, keys)

    def _then(self, want: Want | None, keys: list[str]) -> None:
        if want is not None and want.purpose == "send":
            self.send_sealed(want.nick, want.text, keys)
        elif want is not None and want.purpose == "show":
            show_contact(self, want.nick)
        self._release(want)
        self._idle()

    def _fail(self, want: Want | None, warning: str | None) -> None:
        if warning is not None:
            self.say(f"WARNING: {warning}.", Look.ERROR)
        if want is not None and want.purpose == "send":
            self.say(f"Not sent to {scrub(want.nick)}: the keys cannot be trusted.", Look.ERROR)
        self._release(want)
        self._idle()

    def _release(self, want: Want | None) -> None:
        """Show the messages ``want`` held, each warned about if the key that sealed it is not pinned."""
        if want is None:
            return
        for shown, sender in want.held:
            self.link.show(self._warned(shown, want.nick, sender))
        want.held = []

    def send_sealed(self, nick: str, text: str, keys: list[str]) -> None:
        """Seal ``text`` to ``keys`` (NICK's pinned account keys) and the user's own; in the clear if there are none."""
        if not keys:
            self.put(f"/msg {nick} {text}")
            self.say(f"Sent to {scrub(nick)} NOT encrypted: {scrub(nick)} has published no key.", Look.ERROR)
            return
        account = self.accounts.get(fold(nick), nick)
        contact = self.keyring.contact(account)
        mine = self.account is not None and fold(account) == fold(self.account)
        # The user's own account is never pinned: its keys are the log's (``own_keys``), so a note to self goes.
        if not mine and (contact is None or contact.pending is not None or sorted(contact.keys) != keys):
            self.say(
                f"Not sent: {scrub(nick)}'s keys changed. Compare fingerprints (/fingerprint {scrub(nick)}), "
                f"then /trust {scrub(nick)} and send again.",
                Look.ERROR,
            )
            return
        envelope = seal(text, self.identity.secret, [*keys, *self.own_keys, self.identity.public])
        line = f"/emsg {nick} {envelope}"
        if len(line.encode("utf-8")) > MAX_EMSG_LINE:
            self.say(f"Not sent: too long to encrypt for {len(keys) + len(self.own_keys)} keys.", Look.ERROR)
            return
        self.put(line)

    def _encrypted(self, message: Message) -> Shown:
        nick, envelope = self.text(message, "nick"), message.get("envelope")
        try:
            opened = open_envelope(envelope if isinstance(envelope, str) else "", self.identity)
        except EnvelopeError as error:
            bad = Look.HISTORY if message.get("history") is True else Look.ERROR
            words = NOT_FOR_THIS_DEVICE if isinstance(error, NotSealedForMeError) else UNDECRYPTABLE
            return Shown((compose(self.link.view, self.at(message), bad, words.format(nick=nick)),))
        whispered = {**message, "type": "whispered", "text": f"{ENCRYPTED_MARK} {opened.text}"}
        shown = render(whispered, self.link.view, self.at(message))
        if self._pinned(nick, opened.sender):
            return shown
        mine = self.account is not None and fold(nick) == fold(self.account)
        waiting = next(
            (w for w in self.wants if w.purpose in ("pin", "own") and fold(w.nick) == fold(nick)), None
        )
        if waiting is not None:
            waiting.held.append((shown, opened.sender))
            return Shown(())
        if not mine and self._contact(nick) is not None:
            # Perhaps the keys changed since: asking says so, loudly, if they did.
            self.ask_keys(nick, "pin")
            return self._warned(shown, nick, opened.sender)
        # Never seen, or another device of the user's own account that published its key after this client
        # last looked: fetch the keys (pinned on first use, or the account's from the log), then show it, warned
        # only if the key is still none of them.
        self.wants.append(Want(nick, "pin", held=[(shown, opened.sender)]))
        self.put(f"/key get {nick}")
        return Shown(())

    def _contact(self, nick: str) -> Contact | None:
        return self.keyring.contact(self.accounts.get(fold(nick), nick))

    def _pinned(self, nick: str, sender: str) -> bool:
        """Whether ``sender`` is a key pinned for ``nick`` (for the user's own nickname: one of the account's)."""
        if self.account is not None and fold(nick) == fold(self.account):
            return sender in {self.identity.public, *self.own_keys}
        contact = self._contact(nick)
        return contact is not None and sender in contact.keys

    def _warned(self, shown: Shown, nick: str, sender: str) -> Shown:
        """``shown``, and after it a warning if ``sender`` is not a key pinned for ``nick``."""
        if self._pinned(nick, sender):
            return shown
        mine = self.account is not None and fold(nick) == fold(self.account)
        whose = "that is not one of your account's" if mine else f"not pinned for {nick}"
        warning = (
            f"WARNING: that message was sealed by a key {whose} "
            f"(fingerprint {fingerprint(sender)}): compare fingerprints (/fingerprint {nick})."
        )
        return Shown(
            (*shown.lines, compose(self.link.view, self.clock.seconds(), Look.ERROR, warning)), shown.bell
        )

    # The connection.

    def offline(self) -> None:
        """The connection dropped: the answers waited for will not come."""
        for want in self.wants:
            if want.purpose == "send":
                self.say(f"Not sent to {scrub(want.nick)}: the connection dropped first.", Look.ERROR)
            self._release(want)
        self.wants, self._log_waiting, self._log_fetching, self.account = [], [], False, None
        if self._log_next is not None:
            self._log_next.cancel()
        self._log_next, self._log_long = None, False
        self._own_known = None
        self._idle()

    def when_idle(self, call: Callable[[], None]) -> None:
        """Call ``call`` once no key request is in flight (a piped client at the end of its stdin)."""
        if self.busy():
            self._when_idle.append(call)
        else:
            call()

    def busy(self) -> bool:
        return bool(self.wants or self._log_waiting or self._log_fetching)

    def msg_waiting(self) -> bool:
        """Whether a ``/msg`` waits for its recipient's keys: lines typed after it must wait too (#17)."""
        waiting = [*self.wants, *(want for _, want in self._log_waiting if want is not None)]
        return any(want.purpose == "send" for want in waiting)

    def when_msg_done(self, call: Callable[[], None]) -> None:
        """Call ``call`` once no ``/msg`` waits for keys: sent sealed, sent in the clear, or refused."""
        if self.msg_waiting():
            self._when_msg_done.append(call)
        else:
            call()

    def _idle(self) -> None:
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


def page_wait(wait: object) -> float:
    """The seconds a ``key_log`` page's ``wait`` says to let pass before the next; 0 if it says none a clock takes.

    A server from before ``wait`` says nothing: the next page is asked at once, as it always was.
    """
    if isinstance(wait, bool) or not isinstance(wait, int | float) or not math.isfinite(wait) or wait < 0:
        return 0.0
    return float(wait)
