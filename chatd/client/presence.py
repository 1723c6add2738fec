"""Who the user is on the server and where: kept from the JSON events alone.

The server never says "you are in these rooms"; the client keeps count
from what it is told: its own ``joined``, ``parted`` and ``kicked``
events, the ``in_room`` notices of an account it joined online elsewhere,
its own ``banned``, ``killed`` and ``nick_changed``, the ``room`` notices
that say where this connection's plain lines go, and the order in which
the server answers (documented in docs/PROTOCOL.md).

An account may be online from several connections at once, each with a
current room of its own. A join of the account's is sent to the connection
that asked for it alone, and makes the room current; the others are told
``in_room``, which adds the room and leaves their plain lines where they
went. Parts and kicks reach them all, and the ``room`` notice that may
follow has the last word on where this connection's lines go.

What outlives a connection, the rooms to come back to and the latest
line seen in each, ``resume.py`` keeps; the greeting after a
reconnection names them before the nickname.
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from chatd.client.account import Keeper, Proof
from chatd.client.resume import Resume, sendable_room
from chatd.client.shown import Message
from chatd.text import EXIT_WORDS, HELP_WORD, fold, scrub


@dataclass(frozen=True, slots=True)
class Answer:
    """The server's answer to a nickname the client asked for: accepted, or refused with an error."""

    nick: str
    code: str | None = None
    """The error code of a refusal (``nick-in-use``...), None if the nickname was accepted."""
    text: str = ""
    """The server's words for a refusal, scrubbed."""
    forgotten: bool = False
    """True if the refusal was of the password the client kept for the account, which it has now forgotten."""


TAKEOVER_REFUSALS = frozenset({"takeover-failed", "takeover-throttled"})
"""The server's refusals of a takeover token: the connection it was for is gone (a restart, say), or it was wrong."""

TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""A takeover token as chatd hands it (URL-safe base64): nothing else is sent back in a line."""

ROOMS_KEPT = 256
"""Rooms the client remembers being in, the newest kept: a server lets one be in 20 by default, and a hostile one
that sent 20,000 joins had each checked against all those before it, a minute of the core."""


class Presence:
    """The user's nickname, rooms (in join order) and current room, as the server last told them."""

    def __init__(self, nick: str | None = None, password: str | None = None) -> None:
        self.nick: str | None = None
        """The nickname on the live connection; None until the server accepts one."""
        self.wanted: str | None = unicodedata.normalize("NFKC", nick) if nick else None
        """The nickname to ask for on connecting: ``--nick``, then the last one the server accepted."""
        self.rooms: list[str] = []
        self.current: str | None = None
        """The room plain lines go to, as the server decides it: the last joined or switched to."""
        self.asked: str | None = None
        """A nickname sent and not answered yet: the server's next ``nick`` notice or error answers it."""
        self.account = Keeper(Proof(self.wanted, password) if self.wanted and password else None)
        """The account and password to identify with on every connection (``--identify``, or proved since), if any."""
        self.resume = Resume()
        """Where the user left off: the rooms to come back to after a drop, and the latest line seen in each."""
        self.token: str | None = None
        """The takeover token the server last handed the connection with the nickname: sent once, on coming back,
        to take that connection's place at once (``/takeover``, docs/PROTOCOL.md), though the server may not have
        seen it drop. Kept in memory only."""

    def greeting(self) -> list[str]:
        """The lines to send first on every connection: JSON lines, the rooms to come back to, then the nickname.

        With a password (``--identify``, or one the server confirmed since)
        the nickname asked for is the account's, named by ``identification``
        once the server has shown it is chatd: the greeting goes before the
        server has said a word.
        """
        # /nick, not a bare line: a nickname such as "exit" must not read as a command.
        self.asked = self.wanted
        resume = self.resume.lines()
        proof = self.account.proof
        if proof is not None:
            # The account's nickname, whatever the user was called when the link dropped: that is what it proves.
            self.asked = proof.account
            return ["/format json", *resume]
        token, self.token = self.token, None
        if token is not None and self.wanted:
            # The connection that dropped may hold the nickname still (a phone that changed network): take its place.
            return ["/format json", *resume, f"/takeover {self.wanted} {token}"]
        return ["/format json", *resume, *([f"/nick {self.wanted}"] if self.wanted else [])]

    def identification(self) -> list[str]:
        """The lines to send once the server's first line has shown it is chatd: ``/identify NICK PASSWORD``
        with a password (the connect form for a client that speaks JSON, docs/PROTOCOL.md), else none.

        Never sooner: a port named by mistake (chatd's web or IRC port,
        another service) would be handed the password.
        """
        return self.account.identifying()

    def sending(self, text: str) -> None:
        """Note a line about to be sent: before a nickname, a line that is no command names the user, bar a word
        the server reads otherwise alone on its line (``EXIT_WORDS``, ``HELP_WORD``). A line that proves a password
        is noted, for the account to be kept once the server confirms it."""
        self.account.sending(text, self.nick is not None)
        if self.nick is not None or text.strip().lower() in (*EXIT_WORDS, HELP_WORD):
            return
        words = text.split(maxsplit=1)
        if text.startswith("//"):
            self.asked = text[1:].strip()
        elif text.startswith("/"):
            if words[0].lower() == "/nick" and len(words) == 2:
                self.asked = words[1].strip()
        else:
            # NICK PASSWORD identifies (docs/PROTOCOL.md): the nickname asked for is its first word, and the
            # password is never named where a refusal is said (stderr, piped).
            self.asked = text.strip().partition(" ")[0]

    def answer(self, message: Message) -> Answer | None:
        """The answer ``message``, just received, gave to the nickname asked for, if it is one.

        Replies come in the order of the lines they answer, so while a
        nickname waits, the next error refuses it; "You are NICK." accepts it
        (the joins after it may be refused, each with an error of its own).
        The password kept for the account, refused (changed elsewhere, say),
        is forgotten: tried again on every reconnection, it would be refused
        each time, and count against the account's owner (docs/SECURITY.md).
        """
        if self.asked is None:
            return None
        if self.nick is not None:
            self.account.answered(None)
            answer = Answer(self.asked)
        elif message.get("type") == "error":
            code, text = message.get("code"), message.get("text")
            answer = Answer(
                self.asked,
                scrub(code) if isinstance(code, str) else "",
                scrub(text) if isinstance(text, str) else "",
                self.account.answered(code),
            )
        else:
            return None
        self.asked = None
        return answer

    def instead_of_takeover(self, answer: Answer) -> str | None:
        """The line to send after ``answer``, if it refused the takeover token the greeting sent: the nickname asked
        for as ever, the connection the token was for being gone (the server restarted, say); None otherwise."""
        if answer.code not in TAKEOVER_REFUSALS or not self.wanted:
            return None
        self.asked = self.wanted
        return f"/nick {self.wanted}"

    def lost(self) -> None:
        """The connection is gone: remember where the user was, and forget the server's state.

        A connection lost before the user had a nickname again (the server
        died again as the client came back) keeps the plan it had.
        """
        if self.nick is not None:
            self.wanted = self.nick
            self.resume.remember(self.rooms, self.current)
        self.nick, self.rooms, self.current, self.asked = None, [], None, None
        self.account.lost()

    def received(self, message: Message) -> None:
        """Follow one server object.

        A line from a room's history (``"history": true``) tells what was,
        not where the user is: a join or part of theirs in it is old news.
        """
        kind = message.get("type")
        if kind in ("said", "acted"):
            self.resume.saw(message)
        elif kind == "error":
            self.account.refused()
        if message.get("history") is True:
            return
        if kind == "notice":
            self._noticed(message)
        else:
            follow = _FOLLOWERS.get(kind) if isinstance(kind, str) else None
            if follow is not None:
                follow(self, message)

    def _noticed(self, message: Message) -> None:
        """Follow a notice: a nickname accepted, a room of the account's, where plain lines go now."""
        notice = message.get("kind")
        if notice == "account":
            self.account.noticed(message)
        elif notice == "nick" and self.nick is None:
            self._named(message)
        elif notice == "nick":
            self._became(message)
        elif notice == "in_room":
            # In a room of the account's with no join of this connection's own (identified to it online elsewhere,
            # or another connection joined): plain lines go where they went, until a ``room`` notice says.
            room = sendable_room(message, "room")
            if room is not None:
                self._add(room)
        elif notice == "room" and "room" in message:
            # The server's word on where this connection's plain lines go, after a join, a part or a kick.
            room = sendable_room(message, "room")
            if room is not None:
                self._entered(room)
            elif message["room"] is None:
                self.current = None

    def _named(self, message: Message) -> None:
        """The server's "You are NICK.": the user has a nickname, spelt the server's way, and their rooms follow."""
        nick = message.get("nick")
        if isinstance(nick, str):
            self.nick = self.wanted = scrub(nick)
            self._handed(message)
            # The greeting named the rooms to come back to; the server's joins that follow say where the user is.
            self.resume.forget()

    def _became(self, message: Message) -> None:
        """ "You are NICK." to a connection that has a nickname: ``/identify`` made it one more of an account online
        elsewhere, its rooms to follow (``in_room``), and the user it was left the chat. "You are NICK already." (a
        ``/nick`` of the nickname held) names the same user, and changes nothing."""
        nick = message.get("nick")
        self._handed(message)
        if isinstance(nick, str) and self.nick is not None and fold(nick) != fold(self.nick):
            self.nick = self.wanted = scrub(nick)
            self.rooms, self.current = [], None

    def _handed(self, message: Message) -> None:
        """Keep the takeover token a "You are NICK." hands this connection, if it is one."""
        token = message.get("token")
        if isinstance(token, str) and TOKEN.fullmatch(token):
            self.token = token

    def _mine(self, message: Message) -> bool:
        nick = message.get("nick")
        return isinstance(nick, str) and self.nick is not None and fold(nick) == fold(self.nick)

    def _joined(self, message: Message) -> None:
        """This connection joined a room (another's join of the account's is ``in_room`` here)."""
        if self._mine(message):
            self._entered(sendable_room(message, "room"))

    def _entered(self, room: str | None) -> None:
        """The user is in ``room``, and plain lines go there."""
        if room is not None:
            self._add(room)
            self.current = room

    def _add(self, room: str) -> None:
        """The user is in ``room``: kept after the others unless known, the newest ``ROOMS_KEPT`` kept."""
        if all(fold(room) != fold(known) for known in self.rooms):
            self.rooms.append(room)
            del self.rooms[:-ROOMS_KEPT]

    def _parted(self, message: Message) -> None:
        """The user left a room, or (the same for the user's rooms) was kicked out of it, from this connection or another.

        Out of the current room, plain lines go to the last joined room
        left, as the server decides; its ``room`` notice, if one follows,
        says so and has the last word.
        """
        room = sendable_room(message, "room")
        if room is None or not self._mine(message):
            return
        self.rooms = [known for known in self.rooms if fold(known) != fold(room)]
        if self.current is not None and fold(self.current) == fold(room):
            self.current = self.rooms[-1] if self.rooms else None

    def _banned(self, message: Message) -> None:
        """The user is taken off the server (banned or killed): nothing of where they were is theirs to go back to."""
        if self._mine(message):
            self.nick, self.rooms, self.current = None, [], None
            self.resume.forget()

    def _renamed(self, message: Message) -> None:
        new = message.get("new")
        if self._mine(message) and isinstance(new, str):
            self.nick = self.wanted = scrub(new)


_FOLLOWERS: dict[str, Callable[[Presence, Message], None]] = {
    "joined": Presence._joined,
    "parted": Presence._parted,
    "kicked": Presence._parted,
    "banned": Presence._banned,
    "killed": Presence._banned,
    "nick_changed": Presence._renamed,
}
