"""Events as tests state them: without the id (made by the chat) and with actors by nickname alone.

``seen`` puts an event a session received in the same form, so a test
compares what matters: time, room and sequence, who, and what.
"""

from dataclasses import replace

from chatd.domain.events import (
    Acted,
    Actor,
    Banned,
    Event,
    Joined,
    Kicked,
    Killed,
    Muted,
    NickChanged,
    Parted,
    Quit,
    Said,
    ShuttingDown,
    TopicChanged,
    TopicLocked,
    Unmuted,
    Walled,
    Whispered,
)
from chatd.domain.limits import DEFAULT_LIMITS
from chatd.domain.people import waiting_key


def seen(event: Event) -> Event:
    """``event`` without its id, its actor by nickname alone."""
    return replace(event, id="", actor=Actor(event.actor.nick))


def said(at: float, room: str, nick: str, text: str, seq: int) -> Said:
    return Said(id="", at=at, actor=Actor(nick), room=room, seq=seq, text=text)


def acted(at: float, room: str, nick: str, text: str, seq: int) -> Acted:
    return Acted(id="", at=at, actor=Actor(nick), room=room, seq=seq, text=text)


def joined(
    at: float, room: str, nick: str, seq: int, room_operator: bool = False, made: bool = False
) -> Joined:
    return Joined(id="", at=at, actor=Actor(nick), room=room, seq=seq, room_operator=room_operator, made=made)


def parted(at: float, room: str, nick: str, reason: str, seq: int) -> Parted:
    return Parted(id="", at=at, actor=Actor(nick), room=room, seq=seq, reason=reason)


def topic_changed(at: float, room: str, nick: str, topic: str, seq: int) -> TopicChanged:
    return TopicChanged(id="", at=at, actor=Actor(nick), room=room, seq=seq, topic=topic)


def topic_locked(at: float, room: str, nick: str, locked: bool, seq: int) -> TopicLocked:
    return TopicLocked(id="", at=at, actor=Actor(nick), room=room, seq=seq, locked=locked)


def kicked(at: float, room: str, nick: str, by: str, reason: str, seq: int) -> Kicked:
    """A kick at ``at``, barring ``nick`` from ``room`` for the default ``Limits.kick_rejoin``."""
    return Kicked(
        id="",
        at=at,
        actor=Actor(by),
        room=room,
        seq=seq,
        nick=nick,
        reason=reason,
        until=at + DEFAULT_LIMITS.kick_rejoin,
        person=waiting_key(Actor(nick)),
    )


def whispered(at: float, nick: str, to: str, text: str) -> Whispered:
    return Whispered(id="", at=at, actor=Actor(nick), to=to, text=text)


def quit(at: float, nick: str, reason: str) -> Quit:
    return Quit(id="", at=at, actor=Actor(nick), reason=reason)


def nick_changed(at: float, nick: str, new: str) -> NickChanged:
    return NickChanged(id="", at=at, actor=Actor(nick), new=new)


def banned(at: float, nick: str, by: str, until: float | None) -> Banned:
    return Banned(id="", at=at, actor=Actor(by), nick=nick, until=until)


def killed(at: float, nick: str, by: str, reason: str, apart: bool = False) -> Killed:
    return Killed(id="", at=at, actor=Actor(by), nick=nick, reason=reason, apart=apart)


def muted(at: float, nick: str, by: str, until: float | None) -> Muted:
    return Muted(id="", at=at, actor=Actor(by), nick=nick, until=until)


def unmuted(at: float, nick: str, by: str) -> Unmuted:
    return Unmuted(id="", at=at, actor=Actor(by), nick=nick)


def walled(at: float, nick: str, text: str) -> Walled:
    return Walled(id="", at=at, actor=Actor(nick), text=text)


def shutting_down(at: float, nick: str, reason: str) -> ShuttingDown:
    return ShuttingDown(id="", at=at, actor=Actor(nick), reason=reason)
