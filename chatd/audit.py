"""The daemon's log of who came and what was done to whom: one subscriber to every event the chat publishes.

Every change of chat state leaves the chat as one event through one seam
(chatd.domain.publish), which hands it to the bus; ``AuditLog`` subscribes
there, so one place logs every registration and every act of moderation,
whichever front end or console it came through (connections are logged as
they are admitted, by chatd.frontend.admission). Each line is
twisted.logger's structured form: a format naming its fields, with the
actor's nickname and address as fields of their own (``actor``,
``actor_address``) beside who or what was acted on.

What people say is never logged: no message, action, private message,
``/wall`` text, topic, kick, kill or quit reason, nor any password (``/oper`` is
logged by chatd.frontend.oper, with the name tried, and wrong account
passwords the same way), nor a room's key (a change of it is logged as
``+key``, without it). Accounts registered, proved, changed and given
up are logged with the nickname and address; a registered nickname refused
to someone only when its owner was online to be told (at most one a minute
per account: chatd.domain.identity). An operator's new password for
someone's account, and an account an operator gave up, are logged with the
operator's nickname and address (the host's own ``python -m chatd.admin
password`` works on the file, not through the chat, and is not here).
Registrations go through the daemon's ``BoundedLog``, since a script can
register one connection after another; the moderation lines, operators' acts
on accounts among them, need an operator, or a room owner's flood budget,
and are all written.

A bus between daemons (later) will hand this every daemon's events: each
daemon should then log only its own, or every log holds them all.
"""

from collections.abc import Callable
from datetime import UTC, datetime

from twisted.application.service import Service
from twisted.logger import Logger
from typing_extensions import override

from chatd.domain.events import (
    CHAT,
    AccountDropped,
    AccountNotDropped,
    AccountNotKept,
    AccountRegistered,
    Actor,
    AddressChanged,
    BanAdded,
    BanLifted,
    Banned,
    Event,
    Identified,
    Kicked,
    Killed,
    ModeChange,
    Muted,
    NicknameClaimed,
    PasswordChanged,
    PasswordSet,
    Registered,
    RoomModesChanged,
    RoomOperatorAdded,
    RoomOperatorRemoved,
    RoomRegistered,
    RoomRegistrationNotKept,
    RoomUnregistered,
    Setting,
    ShuttingDown,
    TopicLocked,
    Unmuted,
    Walled,
)
from chatd.domain.ports import Bus
from chatd.frontend.logs import BoundedLog

Line = tuple[str, dict[str, object]]

BOUNDED: tuple[type[Event], ...] = (
    Registered,
    AddressChanged,
    AccountRegistered,
    Identified,
    PasswordChanged,
    AccountDropped,
    AccountNotKept,
    AccountNotDropped,
)
"""What a script can repeat one connection after another, so logged through the ``BoundedLog``."""

LOGGED: tuple[type[Event], ...] = (
    *BOUNDED,
    NicknameClaimed,
    PasswordSet,
    Kicked,
    BanAdded,
    Banned,
    Killed,
    BanLifted,
    Muted,
    Unmuted,
    RoomRegistered,
    RoomUnregistered,
    RoomRegistrationNotKept,
    RoomOperatorAdded,
    RoomOperatorRemoved,
    RoomModesChanged,
    TopicLocked,
    Walled,
    ShuttingDown,
)
"""The kinds ``line`` logs, and so the kinds the log subscribes to: the bus calls it for no other (a line
said, a join)."""


class AuditLog(Service):
    """Logs, from ``bus``, each registration (through ``bounded``) and each act of moderation, by whom."""

    log = Logger()

    def __init__(self, bus: Bus, bounded: BoundedLog) -> None:
        self._bus = bus
        self._bounded = bounded
        self._unsubscribe: Callable[[], None] | None = None

    @override
    def startService(self) -> None:
        super().startService()
        self._unsubscribe = self._bus.subscribe(self.receive, LOGGED)

    @override
    def stopService(self) -> None:
        super().stopService()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def receive(self, event: Event) -> None:
        """Log ``event``, one of ``LOGGED``: the bus hands the log no other kind."""
        found = line(event)
        if found is None:
            return
        format, fields = found
        # An operator giving up someone's account is moderation, written as all of it is.
        by_operator = isinstance(event, AccountDropped) and event.operator is not None
        if isinstance(event, BOUNDED) and not by_operator:
            self._bounded.info(self.log, format, **fields)
        else:
            self.log.info(format, **fields)


def line(event: Event) -> Line | None:
    """How ``event`` is logged; None if it is not. Never with what anyone said."""
    match event:
        case Registered(actor=actor):
            return "{nick} came online from {address}", {"nick": actor.nick, "address": _where(actor)}
        case AddressChanged(actor=actor):
            return _by(actor, "moved to {address}, taking their connection over", address=event.address)
        case AccountRegistered(actor=actor):
            return _by(actor, "registered the account {account}", account=event.account)
        case Identified(actor=actor):
            return _by(actor, "identified to the account {account}", account=event.account)
        case PasswordChanged(actor=actor):
            return _by(actor, "changed the password of the account {account}", account=event.account)
        case PasswordSet(actor=actor):
            return _by(
                actor, "set a new password for the account {account}, as an operator", account=event.account
            )
        case AccountDropped(operator=operator) if operator is not None:
            return _by(operator, "gave up the account {account}, as an operator", account=event.account)
        case AccountDropped(actor=actor):
            return _by(actor, "unregistered the account {account}", account=event.account)
        case AccountNotKept(actor=actor):
            return _by(
                actor,
                "did not get the account {account}: the --db file could not keep it",
                account=event.account,
            )
        case AccountNotDropped(actor=actor):
            return _by(
                actor,
                "still has the account {account}: the --db file could not forget it",
                account=event.account,
            )
        case NicknameClaimed(actor=actor):
            return "Refused the registered nickname {nick} to {address}", {
                "nick": actor.nick,
                "address": event.address,
                "account": event.account,
            }
        case Kicked(actor=actor):
            return _by(actor, "kicked {nick} from {room}", nick=event.nick, room=event.room)
        case BanAdded(actor=actor):
            kind = "address" if event.address else "nickname"
            return _by(
                actor,
                "banned {kind} {target} {lasting}",
                kind=kind,
                target=event.target,
                **_until(event.until),
            )
        case Banned(actor=actor):
            return _by(
                actor, "put {nick} off the server by a ban {lasting}", nick=event.nick, **_until(event.until)
            )
        case Killed(actor=actor):
            return _by(actor, "killed {nick} off the server", nick=event.nick)
        case BanLifted(actor=actor) if actor == CHAT:
            return "The ban on {target} ran out", {"target": event.target}
        case BanLifted(actor=actor):
            return _by(actor, "lifted the ban on {target}", target=event.target)
        case Muted(actor=actor):
            return _by(actor, "muted {nick} {lasting}", nick=event.nick, **_until(event.until))
        case Unmuted(actor=actor) if actor == CHAT:
            return "The mute of {nick} ran out", {"nick": event.nick}
        case Unmuted(actor=actor):
            return _by(actor, "unmuted {nick}", nick=event.nick)
        case RoomRegistered(actor=actor):
            return _by(actor, "registered {room}", room=event.room)
        case RoomUnregistered(actor=actor):
            return _by(actor, "unregistered {room}", room=event.room)
        case RoomRegistrationNotKept(actor=actor):
            return _by(
                actor,
                "changed {room}'s registration, undone: the --db file could not keep it ({kept})",
                room=event.room,
                kept="not registered" if event.owner is None else f"registered to {event.owner}",
            )
        case RoomOperatorAdded(actor=actor):
            return _by(actor, "made {nick} a room operator of {room}", nick=event.nick, room=event.room)
        case RoomOperatorRemoved(actor=actor):
            return _by(actor, "took room operator of {room} from {nick}", nick=event.nick, room=event.room)
        case RoomModesChanged(actor=actor) if actor == CHAT:
            changes = " ".join(map(_logged, event.changes))
            return "{room}: {changes}, as its registration gives", {"room": event.room, "changes": changes}
        case RoomModesChanged(actor=actor):
            return _by(
                actor,
                "changed {room}: {changes}",
                room=event.room,
                changes=" ".join(map(_logged, event.changes)),
            )
        case TopicLocked(actor=actor):
            what = "locked" if event.locked else "unlocked"
            return _by(actor, f"{what} the topic of {{room}}", room=event.room)
        case Walled(actor=actor):
            return _by(actor, "wrote to everyone")
        case ShuttingDown(actor=actor):
            return _by(actor, "shut the server down")
    return None


def _by(actor: Actor, what: str, **fields: object) -> Line:
    """The line saying ``actor`` did ``what`` (a format over ``fields``), led by who and from where."""
    return "{actor} from {actor_address} " + what, {
        "actor": actor.nick,
        "actor_address": _where(actor),
        **fields,
    }


def _logged(change: ModeChange) -> str:
    """``+ban *!*@10.0.0.*``: a change as the log shows it, with a key left out (it is a password)."""
    shown = "" if change.setting is Setting.KEY or not change.argument else f" {change.argument}"
    return f"{'+' if change.on else '-'}{change.setting}{shown}"


def _where(actor: Actor) -> str:
    """The address an actor acted from; the host at the daemon's console has none."""
    return actor.address or "the console"


def _until(until: float | None) -> dict[str, object]:
    """``until`` as a field for programs (seconds since the epoch, or None: no end) and as words, ``lasting``."""
    if until is None:
        return {"until": None, "lasting": "until lifted"}
    return {
        "until": until,
        "lasting": datetime.fromtimestamp(until, UTC).strftime("until %Y-%m-%dT%H:%M:%SZ"),
    }
