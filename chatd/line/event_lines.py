"""What a person reads of each event after its clock: the same body live, from history and found by ``/search``.

On its own as the longest family of lines, and the one read most often; chatd.line.render puts the clock before
each body (and the file and key families' events beside these).
"""

from chatd.domain.durations import format_duration
from chatd.domain.events import (
    Acted,
    Banned,
    CrowdTallied,
    Deleted,
    Invited,
    Joined,
    Kicked,
    Killed,
    ModeChange,
    Muted,
    NickChanged,
    NicknameClaimed,
    Parted,
    PasswordSet,
    Quit,
    RoomModesChanged,
    RoomOperatorAdded,
    RoomOperatorRemoved,
    RoomRegistered,
    RoomRegistrationNotKept,
    RoomUnregistered,
    Said,
    Setting,
    ShuttingDown,
    TopicChanged,
    TopicLocked,
    Unmuted,
    Walled,
    Whispered,
)
from chatd.line.pieces import Rendering, because
from chatd.text import SERVER, registration_undone_words, tally_words


def _lasting(at: float, until: float | None) -> str:
    """`` for 10m`` from ``at`` to ``until``; nothing for what lasts until lifted."""
    return "" if until is None else f" for {format_duration(until - at)}"


_CHANGES: dict[tuple[Setting, bool], str] = {
    (Setting.INVITE_ONLY, True): "made the room invite-only",
    (Setting.INVITE_ONLY, False): "let anyone join the room",
    (Setting.KEY, True): "set the room's key to {}",
    (Setting.KEY, False): "removed the room's key",
    (Setting.LIMIT, True): "set the room's member limit to {}",
    (Setting.LIMIT, False): "removed the room's member limit",
    (Setting.MODERATED, True): "made the room moderated",
    (Setting.MODERATED, False): "let every member speak",
    (Setting.SECRET, True): "made the room secret",
    (Setting.SECRET, False): "made the room no longer secret",
    (Setting.REGISTERED_ONLY, True): "let only registered users in",
    (Setting.REGISTERED_ONLY, False): "let unregistered users in again",
    (Setting.REGISTERED_SPEECH, True): "let only registered members speak",
    (Setting.REGISTERED_SPEECH, False): "let unregistered members speak again",
    (Setting.OPERATOR, True): "gave {} operator",
    (Setting.OPERATOR, False): "took operator from {}",
    (Setting.VOICE, True): "gave {} voice",
    (Setting.VOICE, False): "took voice from {}",
    (Setting.BAN, True): "banned {}",
    (Setting.BAN, False): "lifted the ban on {}",
}
"""How a line says each change of a room's settings or standing; ``{}`` is its argument."""


def _change(change: ModeChange) -> str:
    return _CHANGES[change.setting, change.on].format(change.argument)


EVENT_BODIES: dict[type, Rendering] = {
    Said: lambda e: [f"{e.room} <{e.actor.nick}> {line}" for line in e.text.split("\n")],
    Acted: lambda e: f"{e.room} * {e.actor.nick} {e.text}",
    Whispered: lambda e: f"<{e.actor.nick} -> {e.to}> {e.text}",
    Joined: lambda e: f"{e.room} -- {e.actor.nick} joined",
    CrowdTallied: lambda e: f"{e.room} -- {tally_words(e.joined, e.left, e.renamed, e.members)}",
    Parted: lambda e: f"{e.room} -- {e.actor.nick} left{because(e.reason)}",
    Quit: lambda e: f"-- {e.actor.nick} quit{because(e.reason)}",
    NickChanged: lambda e: f"-- {e.actor.nick} is now known as {e.new}",
    TopicChanged: lambda e: (
        f"{e.room} -- {e.actor.nick} set the topic: {e.topic}"
        if e.topic
        else f"{e.room} -- {e.actor.nick} cleared the topic"
    ),
    TopicLocked: lambda e: f"{e.room} -- {e.actor.nick} {'locked' if e.locked else 'unlocked'} the topic",
    RoomRegistered: lambda e: f"{e.room} -- {e.actor.nick} registered the room to the account {e.account}",
    RoomUnregistered: lambda e: f"{e.room} -- {e.actor.nick} unregistered the room",
    RoomRegistrationNotKept: lambda e: (
        f"{e.room} -- {registration_undone_words(e.actor.nick, e.owner, e.operators, e.given, e.taken)}"
    ),
    RoomOperatorAdded: lambda e: (
        f"{e.room} -- {e.actor.nick} made {e.nick} a room operator (account {e.account})"
    ),
    RoomOperatorRemoved: lambda e: (
        f"{e.room} -- {e.actor.nick} took room operator from {e.nick} (account {e.account})"
    ),
    RoomModesChanged: lambda e: f"{e.room} -- {e.actor.nick or SERVER} " + ", ".join(map(_change, e.changes)),
    Invited: lambda e: f"{e.room} -- {e.actor.nick} invited {e.nick}",
    Deleted: lambda e: f"{e.room} -- {e.actor.nick} deleted the line {e.line}{because(e.reason)}",
    Kicked: lambda e: f"{e.room} -- {e.nick} was kicked by {e.actor.nick}{because(e.reason)}",
    Banned: lambda e: f"-- {e.nick} was banned by {e.actor.nick}{_lasting(e.at, e.until)}",
    Killed: lambda e: f"-- {e.nick} was killed by {e.actor.nick}{because(e.reason)}",
    Muted: lambda e: f"-- {e.nick} was muted by {e.actor.nick}{_lasting(e.at, e.until)}",
    Unmuted: lambda e: f"-- {e.nick} was unmuted by {e.actor.nick}",
    Walled: lambda e: f"-- {e.actor.nick} to everyone: {e.text}",
    NicknameClaimed: lambda e: (
        f"-- someone at {e.address} tried to take your nickname {e.actor.nick}"
        + (f" ({e.tries} tries since the last notice)" if e.tries > 1 else "")
    ),
    PasswordSet: lambda e: (
        f"-- the operator {e.actor.nick} set a new password for your account {e.account}; "
        "/password OLD NEW chooses your own"
    ),
    ShuttingDown: lambda e: f"-- {e.actor.nick} is shutting down the server{because(e.reason)}",
}
"""Each event's line(s) after the clock, by its type: the same body live and from history."""
