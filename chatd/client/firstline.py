"""Telling chatd from what else may answer at the port named: one connection's first line, or its silence.

Kept apart from the link (``chatd.client.connection``), which greets
every connection at once: chatd answers with a line of its own straight
away (``speaks_chatd``), while its web or IRC port, named by mistake,
answers HTTP or IRC or waits for the client to speak first. Until the
first line has shown chatd, the password is not sent (``--identify``):
another service would be handed it. A connection that is no chatd, or
that is closed before its first line, ends as an attempt that failed, said
with why (``NotChatdError``, ``UnheardError``).
"""

from collections.abc import Callable

from twisted.internet.interfaces import IDelayedCall, IReactorTime
from twisted.python.failure import Failure

from chatd.client.reach import GREETING_SECONDS, NotChatdError, UnheardError, speaks_chatd


class FirstLine:
    """The check of one connection, from the moment it is made: ``chatd`` is called once its first line shows
    chatd, ``close`` once that line, or ``GREETING_SECONDS`` of silence, shows it is none."""

    def __init__(self, clock: IReactorTime, chatd: Callable[[], None], close: Callable[[], None]) -> None:
        self._chatd = chatd
        self._close = close
        self._deadline: IDelayedCall | None = clock.callLater(GREETING_SECONDS, self._foreign, None)
        """The deadline for the first line, until it comes."""
        self._not_chatd: Failure | None = None
        """Why the other end, a chatd's by its address, turned out to be none: it ends as an attempt failed."""

    def passes(self, text: str) -> bool:
        """Whether, ``text`` just received, the other end still counts as chatd: its first line decides."""
        if self._not_chatd is not None:
            return False
        if self._deadline is None:
            return True
        # The first line tells chatd from its web or IRC port, which answer HTTP or IRC (or wait: the deadline).
        self._deadline.cancel()
        self._deadline = None
        if not speaks_chatd(text):
            self._foreign(text)
            return False
        self._chatd()
        return True

    @property
    def shown_chatd(self) -> bool:
        """True once the first line has shown chatd: until then nothing typed may go (``passes``)."""
        return self._deadline is None and self._not_chatd is None

    def ended(self, leaving: bool, reason: Failure) -> Failure | None:
        """The connection ended for ``reason``, the user ``leaving`` or not: why it reached no chatd, if it reached
        none."""
        unanswered = self._deadline is not None
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        if unanswered and leaving:
            # Left before the other end said a word: chatd greets at once, so it was no chatd.
            return Failure(NotChatdError(None))
        if unanswered:
            # Closed before a word: as a load balancer does while its chatd is away; no session was had.
            return Failure(UnheardError(reason))
        return self._not_chatd

    def _foreign(self, answer: str | None) -> None:
        """The first line, ``answer`` (None: none came in time), is not chatd's: close, saying why."""
        self._deadline = None
        self._not_chatd = Failure(NotChatdError(answer))
        self._close()
