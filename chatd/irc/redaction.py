"""REDACT (IRCv3 ``draft/message-redaction``): ``/delete`` from an IRC client.

``REDACT #room msgid [:reason]`` names a line by the ``msgid`` tag it
came with (message-tags; ``ID.N``, a later piece of a long line or a
paste, names the line ``ID``) and asks ``Chat.delete``, with its rules:
the line's sender, or whoever moderates the room, deletes a line said or
acted there. The ``Deleted`` event is the answer (chatd.irc.factory sends
it as REDACT to clients with the capability, a NOTICE to the others);
each refusal is the spec's standard reply: ``UNKNOWN_MSGID`` for an id no
line of the room has (one of no form chatd gives too, as the spec's tests
send any; one in upper case is folded, as ``/delete`` folds it),
``REDACT_FORBIDDEN`` for someone else's line, ``INVALID_TARGET`` for a
room the client is not in (so a non-member learns nothing of its lines)
and for a nickname (private messages are not deleted). The chat
checks the reason as a KICK's (formatting codes refused: ``FAIL REDACT
BAD_TEXT``).
"""

from typing import TYPE_CHECKING

from twisted.python.failure import Failure

from chatd.domain.errors import NoSuchLineError, NoSuchRoomError, NotMemberError, NotYourLineError
from chatd.domain.ids import event_id
from chatd.frontend.held import awaited
from chatd.irc.message import Message

if TYPE_CHECKING:
    from chatd.irc.session import IRCSession, Waiting


def redact(session: "IRCSession", message: Message) -> "Waiting":
    """REDACT #room msgid [:reason]."""
    target, msgid = message.params[0], message.params[1]
    reason = message.params[2] if len(message.params) > 2 else ""
    if not target.startswith("#"):
        _invalid_target(session, target, "Only a channel's lines are deleted; private messages are not")
        return None
    line = event_id(msgid.split(".", 1)[0])
    if line is None:
        _unknown(session, target, msgid)
        return None

    def refused(failure: Failure) -> None:
        error = failure.trap(NoSuchLineError, NotYourLineError, NotMemberError, NoSuchRoomError)
        if error is NoSuchLineError:
            _unknown(session, target, msgid)
        elif error is NotYourLineError:
            session.fail(
                "REDACT",
                "REDACT_FORBIDDEN",
                target,
                msgid,
                "That line is not yours: only the channel's owner, its operators and IRC operators delete others'",
            )
        elif error is NoSuchRoomError:
            _invalid_target(session, target, "No such channel")
        else:
            _invalid_target(session, target, f"Join {target} first: only its members delete its lines")

    return awaited(session.chat.delete(session.me(), target, line, reason)).addErrback(refused)


def _unknown(session: "IRCSession", target: str, msgid: str) -> None:
    session.fail(
        "REDACT",
        "UNKNOWN_MSGID",
        target,
        msgid,
        f"{target} keeps no line with that id (said or acted; deleted already, or never one)",
    )


def _invalid_target(session: "IRCSession", target: str, why: str) -> None:
    session.fail("REDACT", "INVALID_TARGET", target, why)
