"""The account the client proves on every connection, and its password: held in memory only, never on disk.

``--identify`` names one at start. The user may also prove one as they
chat: ``/register PASSWORD``, ``/identify [NICK] PASSWORD`` (or ``NICK
PASSWORD`` before a nickname) and ``/password OLD NEW`` give the client
the password to identify with after a reconnection, as the page keeps the
one typed in its login box. Only once the server confirms it, with its
``account`` notice: a password refused is answered with an error, and is
never kept. The account given up (``/unregister`` here, or on another
connection) drops it; the server taking that back, as it does when its
``--db`` file could not save it (an ``account`` notice with ``undoes``
"unregistered", which answers no line sent here), gives it back.

Replies come in the order of the lines they answer, and the server reads
nothing more from a connection while a password is checked
(docs/PROTOCOL.md). So the oldest line sent that would prove a password
is the one a confirmation answers, and an error (a refusal, or the answer
to a line sent before it) leaves none of the lines waiting to be trusted:
a password is kept only when nothing but confirmations came between.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from chatd.text import fold


@dataclass(frozen=True, slots=True)
class Proof:
    """An account and its password: what ``/identify ACCOUNT PASSWORD`` sends on every connection."""

    account: str
    password: str = field(repr=False)

    def line(self) -> str:
        """The line that proves it, sent only once the server has shown it is chatd."""
        return f"/identify {self.account} {self.password}"


@dataclass(frozen=True, slots=True)
class _Asked:
    """A line sent that proves ``password`` if the server answers it with an ``account`` notice of ``change``."""

    change: str
    password: str = field(repr=False)


class Keeper:
    """The proof to identify with on every connection, and the lines sent that may give another."""

    def __init__(self, given: Proof | None = None) -> None:
        self.proof = given
        """What the client identifies with once each connection is known to be chatd's; None: nothing."""
        self._asked: list[_Asked] = []
        """Lines sent that would prove a password, oldest first, none answered yet."""
        self._given_up: Proof | None = None
        """The proof the account's giving up dropped, on this connection, in case the server takes that back."""
        self._sent: Proof | None = None
        """The proof ``identifying`` sent on this connection, until the nickname it asks for is answered."""

    def sending(self, text: str, named: bool) -> None:
        """Note ``text``, about to be sent as typed (``named``: the connection has a nickname), if it proves a
        password once confirmed."""
        asked = _asked(text, named)
        if asked is not None:
            self._asked.append(asked)

    def identifying(self) -> list[str]:
        """The line to send on a new connection to prove the account kept, noted as waiting; none without one.

        Noted as a typed ``/identify`` is: one typed while it waits is
        confirmed after it, not in its stead.
        """
        self._sent = self.proof
        if self.proof is None:
            return []
        self._asked.append(_Asked("identified", self.proof.password))
        return [self.proof.line()]

    def answered(self, code: object) -> bool:
        """The nickname asked for on this connection is answered: accepted (``code`` None), or refused with the
        error ``code``. A refusal of the proof ``identifying`` sent (``identify-failed``) forgets it, unless
        another took its place meanwhile: tried again on every reconnection, it would be refused each time.
        Answers whether the refusal was of that proof."""
        sent, self._sent = self._sent, None
        if sent is None or code != "identify-failed":
            return False
        if self.proof == sent:
            self.proof = None
        return True

    def noticed(self, message: Mapping[str, object]) -> None:
        """Follow the server's ``account`` notice: a password confirmed is kept; an account given up is forgotten."""
        change, account, nick = message.get("change"), message.get("account"), message.get("nick")
        if change == "unregistered":
            # The account of this connection's user, the one it proves (the notice names it no more: it is gone).
            self._given_up, self.proof = self.proof, None
            return
        if not isinstance(account, str):
            return
        if message.get("undoes") == "unregistered":
            # The server took back the giving up it told of (docs/PROTOCOL.md, not-saved): the account is as it
            # was, password and all. It answers no line sent here; an /identify waiting is answered after it.
            given_up, self._given_up = self._given_up, None
            if given_up is not None and fold(given_up.account) == fold(account):
                self.proof = given_up
            return
        self._given_up = None
        while self._asked:
            asked = self._asked.pop(0)
            if asked.change == change:
                # The account as the nickname spells it, when the nickname is the account's (it may have changed).
                named = nick if isinstance(nick, str) and fold(nick) == fold(account) else account
                self.proof = Proof(named, asked.password)
                return

    def refused(self) -> None:
        """An error came: it answers the oldest line waiting, or one sent before it, so none of them is trusted."""
        self._asked.clear()

    def lost(self) -> None:
        """The connection is gone, with the lines it had not answered (the proof sent among them, and the word on a
        giving up it told of)."""
        self._asked.clear()
        self._given_up = self._sent = None


def _asked(text: str, named: bool) -> _Asked | None:
    """What ``text`` proves if the server confirms it, read as the server reads it (chatd/line/table.py's
    ``parse``, chatd/line/account_commands.py), which the client, speaking only the wire protocol, does not import."""
    if text.startswith("//"):
        return None
    if not text.startswith("/"):
        # Before a nickname, NICK PASSWORD (two words or more) identifies to a registered nickname.
        nick, _, password = text.strip().partition(" ")
        password = password.lstrip(" ")
        return _Asked("identified", password) if not named and nick and password else None
    name, *rest = text[1:].split(maxsplit=1) or [""]
    arguments = rest[0].strip() if rest else ""
    name = name.lower()
    if not arguments:
        return None
    if name == "register":
        # One word starting with # registers a room instead.
        return None if arguments.startswith("#") and " " not in arguments else _Asked("registered", arguments)
    if name == "identify":
        if len(arguments) >= 2 and arguments.startswith('"') and arguments.endswith('"'):
            # One password in double quotes, no nickname (none starts with one): kept as typed, quotes and all,
            # so "/identify ACCOUNT PASSWORD" is read again as the server read it (chatd/line/passwords.py).
            return _Asked("identified", arguments)
        first, _, password = arguments.partition(" ")
        return _Asked("identified", password.lstrip(" ") or first)
    if name == "password":
        new = _new_password(arguments)
        return _Asked("password", new) if new else None
    return None


def _new_password(arguments: str) -> str:
    """NEW of ``/password OLD NEW``, OLD in double quotes if it holds spaces; empty if there is none."""
    if arguments.startswith('"') and '" ' in arguments:
        _, _, new = arguments[1:].partition('" ')
    else:
        _, _, new = arguments.partition(" ")
    return new.lstrip(" ")
