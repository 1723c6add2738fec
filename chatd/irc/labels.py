"""labeled-response: what answers a client's labelled command carries its label.

A client that took ``labeled-response`` may tag a command ``label=L``; the
server's answer then carries it: a single line gets the tag, several come
in a ``labeled-response`` batch that opens with it, and an answer of
nothing is an ``ACK`` with it. What answers a command is everything the
session is sent while it runs (its own JOIN or, with echo-message, its
PRIVMSG included), gathered by ``Gathering`` in place of its output. A
command that waits (a password check, a history read) opens its batch as
soon as it starts waiting; from then on what the session itself writes
(replies, not others' lines delivered meanwhile) is tagged with the
batch, which closes when the command is done.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from twisted.internet.defer import Deferred
from typing_extensions import override

from chatd.frontend.frames import CRLF
from chatd.frontend.sinks import InFront, Sink
from chatd.irc.batches import new_batch
from chatd.irc.lines import line
from chatd.irc.message import Message, tag

if TYPE_CHECKING:
    from chatd.irc.session import IRCSession


def tagged(data: bytes, added: bytes) -> bytes:
    """Every line of ``data`` with the tag ``added`` (``key=value``, escaped) among its tags.

    A line that has the key already keeps its own: a tag key is on a line
    at most once, and a line in a batch nested in another (a
    ``chathistory`` batch in a labelled answer) names only the inner one,
    whose ``BATCH`` lines are in the outer.
    """
    key = added.split(b"=", 1)[0]
    return b"".join(
        (_with(text, key, added) if text.startswith(b"@") else b"@" + added + b" " + text) + CRLF
        for text in data.split(CRLF)[:-1]
    )


def _with(text: bytes, key: bytes, added: bytes) -> bytes:
    """A line with tags (``@...``) with ``added`` first among them, unless one of them has ``key``."""
    tags = text[1 : text.find(b" ")].split(b";")
    if any(each.split(b"=", 1)[0] == key for each in tags):
        return text
    return b"@" + added + b";" + text[1:]


class Gathering(InFront):
    """A session's output while a labelled command runs: held to be labelled, then passed through."""

    __slots__ = ("_gathered",)

    def __init__(self, inner: Sink) -> None:
        super().__init__(inner)
        self._gathered: list[bytes] | None = []

    @override
    def write(self, data: bytes) -> None:
        if self._gathered is None:
            self._inner.write(data)
        else:
            self._gathered.append(data)

    def take(self) -> bytes:
        """What was gathered; from now on writes pass through."""
        gathered, self._gathered = b"".join(self._gathered or ()), None
        return gathered

    @override
    def close(self, then: Callable[[], None] | None = None) -> None:
        self._inner.write(self.take())
        super().close(then)

    @override
    def drop(self) -> None:
        self._gathered = None
        super().drop()


def labelled(
    session: "IRCSession", label: str, run: Callable[[], "Deferred[None] | None"]
) -> "Deferred[None] | None":
    """Run a command whose answer carries ``label``; see the module docstring."""
    inner = session.sink
    gathering = Gathering(inner)
    session.sink = gathering
    gathering.changed()
    try:
        waiting = run()
    finally:
        if session.sink is gathering:
            session.sink = inner
            inner.changed()
    answer = gathering.take()
    labelled_tag = tag("label", label)
    server = session.factory.server_name
    if waiting is not None and not waiting.called:
        framing = new_batch(server, "labeled-response")
        inner.write(tagged(framing.start, labelled_tag) + tagged(answer, tag("batch", framing.reference)))
        session.batch = framing.reference

        def done(result: None) -> None:
            session.batch = None
            session.write(framing.end)

        return waiting.addBoth(done)
    lines = answer.count(CRLF)
    if lines == 0:
        inner.write(tagged(line(Message(source=server, command="ACK")), labelled_tag))
    elif lines == 1:
        inner.write(tagged(answer, labelled_tag))
    else:
        framing = new_batch(server, "labeled-response")
        inner.write(
            tagged(framing.start, labelled_tag)
            + tagged(answer, tag("batch", framing.reference))
            + framing.end
        )
    return waiting
