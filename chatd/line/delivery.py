"""How an event reaches a line front end's sessions: rendered once a format, written to each that may see it.

``deliver`` is the one way both line front ends (``LineProtocol``'s and the
console's, and the browser's, which wraps each rendering) write an event to
their sessions; it runs for every member of a room for every line said, so
each of its choices is made once, not per recipient. What the chat sends
that a line session is not shown as an event is told here as a notice, to
the actor's own other sessions.
"""

from collections.abc import Callable, Sequence
from typing import cast

from chatd.domain.events import (
    AccountDropped,
    AccountNotDropped,
    AccountNotKept,
    AccountRegistered,
    Acted,
    Actor,
    AwayChanged,
    Banned,
    Encrypted,
    Event,
    FileOffered,
    Identified,
    Invited,
    Joined,
    Kicked,
    Killed,
    MessageNotKept,
    OperatorGranted,
    Parted,
    Said,
    Whispered,
)
from chatd.frontend.fanout import Fanouts
from chatd.frontend.own import acted, news_of
from chatd.line.accounts import (
    dropped_by_operator_notice,
    registered_notice,
    still_registered_notice,
    unregistered_notice,
)
from chatd.line.moderation import NOW_OPERATOR
from chatd.line.render import json_line, text_line
from chatd.line.session import LineSession
from chatd.line.talk import away_notice, not_kept_notice
from chatd.text import fold

NOT_SHOWN: frozenset[type[Event]] = frozenset[type[Event]](
    (
        AwayChanged,
        AccountRegistered,
        Identified,
        AccountDropped,
        AccountNotKept,
        AccountNotDropped,
        MessageNotKept,
        OperatorGranted,
    )
)
"""Events the line protocol shows nobody as events, though the chat sends them to people: IRC clients are
told who went away (away-notify) and who is identified to what (account-notify); a line session, text or
JSON, saw none of it before and sees none now. A user's own away and account changes are told them
in notices instead: by the command, to the session that asked; on delivery, to their other sessions
(``_tell_own_sessions``). Becoming an operator is told on delivery to each of them, the one whose ``/oper`` was
checked (later, not while it acts) too: ``NOW_OPERATOR``, so a page in another tab knows it at once. An unregistering the store could not keep is told on delivery to every one of
them, the asker too (beside its ``ERR not-saved``), as a room's registration not kept is; and a message
for an offline account that the store lost after its receipt, as a notice (``not_kept_notice``)."""


def _tell_own_sessions(
    event: AwayChanged | AccountRegistered | AccountDropped | AccountNotDropped | OperatorGranted,
    sessions: Sequence[LineSession],
) -> None:
    """Tell the actor's sessions among ``sessions``, bar the one that asked (``acting``), the notice the command
    answers it with: they went away or came back, their nickname is registered, or no longer is (by an operator's
    doing, if one gave it up: then to every session of theirs); or that giving it up could not be saved, so it still
    is; or that they are an operator now."""
    for session in sessions:
        user = session.user
        if user is None or not _elsewhere(session, event.actor):
            continue
        if isinstance(event, OperatorGranted):
            session.send(NOW_OPERATOR)
        elif isinstance(event, AccountNotDropped):
            session.send(still_registered_notice(user))
        elif isinstance(event, AwayChanged):
            # An away text that changed: blank is back from away.
            session.send(away_notice(event.text, was_away=True))
        elif isinstance(event, AccountRegistered):
            session.send(registered_notice(user))
        elif event.operator is not None:
            session.send(dropped_by_operator_notice(user, event.operator.nick))
        else:
            session.send(unregistered_notice(user))


def deliver(
    event: Event,
    sessions: Sequence[LineSession],
    ignorers: set[LineSession],
    json: Callable[[Event], bytes] = json_line,
    text: Callable[[Event], bytes] = text_line,
    fanouts: "Fanouts[LineSession, bool] | None" = None,
) -> None:
    """Render ``event`` at most once per format and write it to each session that does not ignore its sender.

    ``json`` and ``text`` render it: a front end that wraps each rendering
    (the browser's, in a WebSocket frame) wraps it here once for all its sessions.
    A line said in a room goes through the front end's ``fanouts`` when it
    keeps them: one C loop a format (chatd.frontend.fanout).

    An event in ``NOT_SHOWN`` is dropped here, once for all its recipients.
    The ignore check runs only while ``ignorers`` (the front end's sessions
    that ignore someone) is not empty, so it costs nothing otherwise. It hides
    file offers too, a room's late joiners' among them: an offer's name is the
    sender's text, shown to everyone offered it. A session an offer is hidden
    from notes it (``offers_hidden``), to be told nothing of its end. After
    a part, a kick, a ban or a kill the sessions catch up with what it did to them: each of the
    user's connections that talked in the room left talks in another (``settle``), wherever the
    part was asked. A join is not sent to the joiner's other connections, which did not ask for
    it: each is told it is in the room and shown it, as the one that joined shows it itself
    (``joined_elsewhere``).
    """
    if type(event) in NOT_SHOWN:
        if isinstance(
            event, AwayChanged | AccountRegistered | AccountDropped | AccountNotDropped | OperatorGranted
        ):
            _tell_own_sessions(event, sessions)
        elif isinstance(event, MessageNotKept):
            for session in sessions:
                session.send(not_kept_notice(event))
        return
    if ignorers and isinstance(event, Said | Acted | Whispered | Encrypted | Invited | FileOffered):
        sender = fold(event.actor.nick)
        shown = [session for session in sessions if sender not in session.ignored]
        if isinstance(event, FileOffered) and len(shown) < len(sessions):
            for session in sessions:
                if sender in session.ignored:
                    session.offers_hidden.add(event.file)
        sessions = shown
    if fanouts is not None and isinstance(event, Said | Acted):
        fanout = fanouts.find(cast(list[LineSession], sessions))
        if fanout is not None:
            for as_json_kind, group in fanout.groups:
                fanout.write(json(event) if as_json_kind else text(event), group)
            return
    as_text = as_json = b""
    # ``_elsewhere`` written out, with the nickname read once: it runs for every member a join is shown to.
    joiner = event.actor.nick if isinstance(event, Joined) else None
    # Someone else's coming or going may wait for company (``Sink.write_later``); their own is an answer.
    movers = news_of(event)
    for session in sessions:
        user = session.user
        if joiner is not None and not session.acting and user is not None and user.nick == joiner:
            session.joined_elsewhere(cast(Joined, event).room)
            continue
        if session.json:
            as_json = as_json or json(event)
            data = as_json
        else:
            as_text = as_text or text(event)
            data = as_text
        if movers is not None and (user is None or user.nick not in movers):
            session.sink.write_later(data)
        else:
            session.sink.write(data)
    if isinstance(event, Parted | Kicked | Banned | Killed):
        for session in sessions:
            session.settle()


def _elsewhere(session: LineSession, actor: Actor) -> bool:
    """Whether ``session`` is one of ``actor``'s that did not ask for what the chat delivers (``acting``): a join,
    an away, an account made or given up, which the command answers itself."""
    return not session.acting and acted(session.user, actor)
