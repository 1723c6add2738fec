"""Refusals of reading what the chat keeps (a page of a listing, a room's history, a search), and of a
mailbox of private messages kept for someone offline that is full."""

from dataclasses import dataclass

from chatd.domain.errors.base import ChatError


@dataclass(eq=False)
class MailboxFullError(ChatError):
    """``nick`` is offline and ``most`` private messages wait for them already, or as many bytes of them as a
    mailbox holds (``waiting`` then says how many): no more are kept."""

    code = "mailbox-full"
    nick: str
    most: int
    waiting: int | None = None


@dataclass(eq=False)
class NoSuchPageError(ChatError):
    """A listing was asked for page ``page``, and it has ``pages`` (from 1)."""

    code = "no-such-page"
    page: int
    pages: int


@dataclass(eq=False)
class NotMemberError(ChatError):
    """Only members of ``room`` may read its history, or delete its lines, and the user asking is not one."""

    code = "members-only"
    room: str
    deleting: bool = False
    """They asked to delete a line of it (``/delete``), which only members do too (bar server operators): the
    same refusal, told in words that fit."""


@dataclass(eq=False)
class LineCountError(ChatError):
    """``count`` lines of history were asked for at once; one read gives 1 to ``most``."""

    code = "bad-count"
    count: int
    most: int


@dataclass(eq=False)
class SearchWordsError(ChatError):
    """A search gave ``count`` words; one looks for 1 to ``most``."""

    code = "bad-search"
    count: int
    most: int


@dataclass(eq=False)
class HistoryUnreadableError(ChatError):
    """A read of history reached a line the store holds and cannot read back (damaged in its file, or written
    there by hand): nothing of the read is shown; the host's log names the line."""

    code = "history-unreadable"


@dataclass(eq=False)
class NoSuchLineError(ChatError):
    """Room ``room`` keeps no line said or acted with the id ``line``: never one, deleted already, or another kind
    of event (a join, a topic), which ``/delete`` does not take away."""

    code = "no-such-line"
    room: str
    line: str


@dataclass(eq=False)
class NotYourLineError(ChatError):
    """The line ``line`` of ``room`` is someone else's (or a guest's the store cannot prove was the user's), and
    the user may not delete others' there: only its owner, its operators and server operators may."""

    code = "not-your-line"
    room: str
    line: str
