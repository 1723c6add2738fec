"""One IRC client as the chat and the command table see it: its user, capabilities and replies.

``IRCSession`` holds what an IRC connection has in the chat (its user once
registered, the nickname and user name it asked for before, what
capabilities it took and so how events look to it) and runs each message by
its row of the command table (chatd.irc.commands): a refusal is one reply
(chatd.irc.wording), a bug is logged and answered ``FAIL ... INTERNAL``, and
the connection goes on. ``IRCProtocol`` adds the bytes.
"""

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

from twisted.internet.defer import Deferred
from twisted.logger import Logger
from twisted.python.failure import Failure

from chatd.domain.errors import ChatError, IdentifyFailedError
from chatd.domain.ports import UserView
from chatd.frontend.oper import Attempts
from chatd.frontend.sinks import NOWHERE, Sink
from chatd.irc import numerics as n
from chatd.irc.commands import COMMANDS
from chatd.irc.labels import labelled, tagged
from chatd.irc.lines import Shape, line, source
from chatd.irc.message import Message, middle, tag
from chatd.irc.wording import refusal

if TYPE_CHECKING:
    from chatd.irc.factory import IRCFactory
    from chatd.turns import Turns

Waiting = Deferred[None] | None
"""What running a command returns: a Deferred that fires once a command that waits is done, or None."""

SHAPES = {
    "server-time": Shape.TIME,
    "message-tags": Shape.TAGS,
    "account-tag": Shape.ACCOUNT,
    "extended-join": Shape.EXTENDED_JOIN,
}
"""The capabilities that change how events look, and how."""

_LABELLING = frozenset({"labeled-response", "batch"})
"""What a client takes for its labels to be answered: the labeled-response spec has it take batch too."""

LABEL_MOST = 64
"""Bytes a label may have: labeled-response has its value required and at most this long; any other is no label."""


class IRCSession(ABC):
    """One IRC client: its place in the chat and the replies it is sent."""

    # Slots: delivery reads ``shape`` and ``sink`` of every recipient of
    # every line, and a slot is read at a fixed place, a dict entry is
    # looked up (82 against 55 ns a recipient, in-process, with a sink
    # that does nothing); they also keep a connection's memory down.
    __slots__ = (
        "_account_budget",
        "_oper_budget",
        "_quit_reason",
        "audience",
        "batch",
        "caps",
        "chat",
        "claimed",
        "factory",
        "modes",
        "negotiating",
        "nick",
        "password",
        "peer",
        "proven",
        "realname",
        "sasl",
        "shape",
        "sink",
        "user",
        "username",
    )

    log = Logger()

    def __init__(self, factory: "IRCFactory", peer: str) -> None:
        self.factory = factory
        self.chat = factory.chat
        self.audience = factory
        """The front end that delivers this session's events (read by the chat per recipient)."""
        self.peer: str = peer
        """The client's address, as connections are counted and bans compare."""
        self.sink: Sink = NOWHERE
        self.user: UserView | None = None
        self.nick: str | None = None
        """The nickname asked for before registering (NICK); the user's own once registered."""
        self.username: str | None = None
        """The user name USER gave (chatd shows every user as ``nick!nick@host``; this only marks USER as sent)."""
        self.realname = ""
        self.password: str | None = None
        """What PASS gave: the password of the account the nickname is, checked at registration."""
        self.proven: str | None = None
        """The account nickname SASL proved before registration; the registration identifies to it."""
        self.claimed: str | None = None
        """The registered nickname NICK last asked for and was refused (433): ``/msg NickServ IDENTIFY
        PASSWORD``, sent by clients on connect under the alternative nickname they fell back to, logs in to it."""
        self.sasl: str | None = None
        """SASL PLAIN's base64 gathered so far while an AUTHENTICATE exchange is on; None otherwise."""
        self.caps: set[str] = set()
        self.negotiating = False
        """Between CAP LS or REQ and CAP END, registration waits."""
        self.shape = int(Shape.PLAIN)
        """The client's ``Shape`` as a plain int: delivery compares it for every recipient."""
        self.batch: str | None = None
        """The labeled-response batch a waiting command's replies go in (chatd.irc.labels); None when none is open."""
        self.modes: set[str] = set()
        """User modes set with MODE (``i``, ``w``): kept for the client to read back."""
        self._quit_reason: str = "Connection closed"
        self._oper_budget: Attempts | None = None
        self._account_budget: Attempts | None = None

    @property
    def closing(self) -> bool:
        """Whether the session is closing or closed, as its sink says."""
        return self.sink.closing

    @property
    def echo(self) -> bool:
        """Whether the client asked to be sent its own messages back (echo-message)."""
        return "echo-message" in self.caps

    @property
    def shown(self) -> str:
        """The client's nickname as numerics address it: ``*`` before it has one."""
        if self.user is not None:
            return self.user.nick
        return self.nick or "*"

    def took(self, caps: set[str], on: bool) -> None:
        """The client took (or dropped) ``caps``: its shape follows."""
        if on:
            self.caps |= caps
        else:
            self.caps -= caps
        shape = Shape.PLAIN
        for cap in self.caps:
            shape |= SHAPES.get(cap, Shape.PLAIN)
        self.shape = int(shape)
        self.sink.changed()

    def write(self, data: bytes) -> None:
        """Write rendered lines, unless the session is closing; in the labelled answer's batch while one is open."""
        if self.batch is not None:
            data = tagged(data, tag("batch", self.batch))
        self.sink.write(data)

    def write_message(self, message: Message) -> None:
        """Write one message."""
        self.write(line(message))

    def reply(self, numeric: str, *params: str, text: bool = True) -> None:
        """Send the numeric ``numeric`` to this client, from the server, addressed to its nickname.

        Its last parameter is text, written after a colon, unless ``text`` is False (a mode string, a name).
        The others are often the client's own words echoed back (``NAMES :a b``): one that could not be
        written before the last is ``*`` (``middle``), never a reason the reply fails.
        """
        shown = (*map(middle, params[:-1]), *params[-1:])
        self.write_message(
            Message(
                source=self.factory.server_name, command=numeric, params=(self.shown, *shown), trailing=text
            )
        )

    def server_notice(self, text: str) -> None:
        """A NOTICE from the server to this client."""
        self.write_message(
            Message(
                source=self.factory.server_name, command="NOTICE", params=(self.shown, text), trailing=True
            )
        )

    def from_me(self, command: str, *params: str) -> None:
        """A message as if from this client's own user (MODE, NICK confirmations)."""
        self.write_message(Message(source=source(self.shown), command=command, params=params))

    def fail(self, command: str, code: str, *about: str) -> None:
        """An IRCv3 standard reply, ``FAIL COMMAND CODE [context...] :sentence``: ``about`` ends with the sentence.

        A context that could not be written (the client's own word, as ``reply`` echoes one) is ``*``.
        """
        context = (*map(middle, about[:-1]), *about[-1:])
        self.write_message(
            Message(
                source=self.factory.server_name,
                command="FAIL",
                params=(middle(command), code, *context),
                trailing=True,
            )
        )

    def refuse(self, error: ChatError, command: str, target: str = "*") -> None:
        """Say why ``command`` (on ``target``, if it names one) was refused, as IRC says it (chatd.irc.wording)."""
        numeric, params = refusal(error, command, target)
        if numeric == "FAIL":
            self.fail(*params)
        else:
            self.reply(numeric, *params)

    def run(self, message: Message) -> Waiting:
        """Run ``message``; its answer carries its ``label`` tag if the client took labeled-response."""
        # A labelled answer of several lines is a batch: labels are honoured only for a client that took both.
        label = message.tags.get("label") if self.caps >= _LABELLING else None
        if not label or len(label.encode()) > LABEL_MOST:
            # Echoed, an empty one would read "@label" and a long one lengthen every line of the answer.
            return self._run(message)
        return labelled(self, label, lambda: self._run(message))

    def _run(self, message: Message) -> Waiting:
        """Run ``message`` by its row: checks first, then the handler; refusals answered, bugs logged."""
        row = COMMANDS.get(message.command)
        if row is None:
            if self.user is not None:
                self.reply(n.ERR_UNKNOWNCOMMAND, message.command, "Unknown command")
            else:
                self.reply(n.ERR_NOTREGISTERED, "You have not registered")
            return None
        if row.registered and self.user is None:
            self.reply(n.ERR_NOTREGISTERED, "You have not registered")
            return None
        if len(message.params) < row.least:
            self.reply(n.ERR_NEEDMOREPARAMS, message.command, "Not enough parameters")
            return None
        target = message.params[0] if message.params else "*"
        try:
            waiting = row.run(self, message)
        except Exception:
            self.failed(Failure(), message.command, target)
            return None
        if waiting is None:
            return None
        done: Deferred[None] = Deferred()
        waiting.addErrback(self.failed, message.command, target).addCallback(lambda _: done.callback(None))
        return done

    def failed(self, failure: Failure, command: str, target: str = "*") -> None:
        """Answer what ``command`` (on ``target``) started that failed: a ChatError is the client's, anything
        else a bug."""
        if isinstance(failure.value, ChatError):
            self.refuse(failure.value, command, target)
            return
        self.log.failure(
            "Handling IRC {command} from {peer} failed", failure, command=command, peer=self.peer
        )
        self.fail(command, "INTERNAL", "Internal error")

    def me(self) -> UserView:
        """This session's user; only for rows that need registration (``run`` checks)."""
        assert self.user is not None, "run checks the row's registered flag"
        return self.user

    def prove_operator(self, name: str, password: str) -> Deferred[None]:
        """Make the user an operator if ``password`` is operator ``name``'s (checked off the reactor thread)."""
        if self._oper_budget is None:
            self._oper_budget = self.factory.login.attempts()
        return self.factory.login.attempt(self.chat, self.me(), self.peer, self._oper_budget, name, password)

    def prove_account(self, nick: str, password: str) -> Deferred[None]:
        """Fire once ``password`` is the account ``nick``'s; fails with IdentifyFailedError (throttled)."""
        if self._account_budget is None:
            self._account_budget = self.factory.accounts.attempts()
        if not nick:
            raise IdentifyFailedError(nick)
        return self.factory.accounts.prove(
            self.chat, self.user, self.peer, self._account_budget, nick, password
        )

    @abstractmethod
    def registered(self) -> None:
        """The session's user is online: the protocol drops its deadline and watches for silence."""

    @abstractmethod
    def close(self, reason: str | None) -> None:
        """Say ``ERROR`` with ``reason`` (if any) and close; once only."""

    @abstractmethod
    def charge_answer(self, lines: int) -> None:
        """Charge ``lines`` more lines of flood budget for a long answer just sent (LIST, NAMES)."""

    @abstractmethod
    def charge_burst(self) -> bool:
        """Charge a search no index helps with, as it is asked: a burst of flood budget in all, its command's line
        in it, as ``/search``'s (chatd.frontend.searches). False once that cut the session off (or it is closing)."""

    @property
    def search_turns(self) -> "Turns":
        """Each host's searches, one at a time: the factory's, which every front end shares (chatd.frontend.searches)."""
        return self.factory.search_turns
