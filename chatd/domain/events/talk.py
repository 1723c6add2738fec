"""What people send one another: lines in a room, private messages, files, and a line deleted or a message lost.

These are the events that carry what users wrote (or name it, as a
deletion does), the ones a store keeps for reading back and a client shows
as conversation rather than as news of the chat.
"""

from dataclasses import dataclass

from chatd.domain.events.base import Base, InRoom


@dataclass(frozen=True, slots=True, kw_only=True)
class Said(InRoom):
    """``actor`` said ``text`` in ``room``; a paste holds several lines joined by ``\\n``."""

    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Acted(InRoom):
    """``actor`` performed an action in ``room`` (``/me waves``)."""

    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Whispered(Base):
    """``actor`` sent ``text`` privately to ``to``; both of them receive it.

    ``to_account`` is the account ``to`` was identified to (None if none):
    with the sender's (``actor.account``), who may read it back later
    (chatd.domain.offline.conversation). Clients are not shown it.
    """

    to: str
    text: str
    to_account: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Encrypted(Base):
    """``actor`` sent ``to`` a private message the server cannot read (issue 17): ``envelope`` holds it boxed.

    ``envelope`` is the base64 the sender's client made (chatd.domain.envelopes
    checks its shape): one NaCl box of the text per device key of ``to``'s
    account and of the sender's own, so only those devices open it. Kept and
    carried as it is, like a ``Whispered``'s text; ``to_account`` as there.
    """

    to: str
    envelope: str
    to_account: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageNotKept(Base):
    """The store could not keep ``actor``'s private message ``message`` (its id) for the offline account of ``to``
    after all, though its sender was shown it kept (a full disk, say): it is lost.

    ``reason`` is why, in the few words its sender reads (chatd.failures.not_kept).
    Told to the sender alone; no history keeps it.
    """

    to: str
    message: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Deleted(Base):
    """``actor`` deleted the line with id ``line`` (its ``line_seq``) said or acted in ``room``; ``reason`` may be
    empty (``/delete``, chatd.domain.deletion).

    Not a room event: it takes no sequence number of the room's, and no
    read of lines gives it back. A store that gets it deletes the line (the
    SQLite one in the same record of its pass log as the pass's events), so
    no read shows it again, and keeps it as the line's tombstone
    (``History.deletions``), for a client that resumes to be told; a client
    showing the line takes it away. It names the line,
    never its text. ``room`` leaves room for a conversation's private line
    to be named alike later. ``parts``: how many messages a front end that
    cuts long lines sent the line as (IRC's PRIVMSGs ``ID``, ``ID.1``...),
    counted as it is deleted (``Deletion``), so that each can be taken away
    once the text is gone.
    """

    room: str
    line: str
    line_seq: int
    reason: str = ""
    parts: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class FileOffered(Base):
    """``actor`` offers the file ``file`` (a transfer's id) to ``to``: a room's members, or one nickname.

    Its bytes are on the server and checked against ``sha256`` already
    (chatd.domain.files). ``name`` is the safe name, ``mime`` the type the
    sender guessed. ``waited``: delivered once an account identified, after
    waiting for them offline. Delivered to the recipients and the sender;
    no history keeps it, so it carries no ``seq`` even for a room.
    """

    file: str
    to: str
    name: str
    size: int
    mime: str
    sha256: str
    waited: bool = False
