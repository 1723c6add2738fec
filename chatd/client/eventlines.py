"""Events as a person sees them: what people said, and what happened in rooms and to users.

Each server object for something that happened (docs/PROTOCOL.md, "JSON
lines") is drawn here: a line said, acted, whispered or walled, with the
bell when it mentions the user; a join, a kick, a mode change, a ban, as a
dimmed line of the room, with the bell when it is about the user. Apart
from the replies (replylines.py), which answer what the user asked and are
never news of their own.
"""

from collections.abc import Callable

from chatd.client.fields import Fields, Renderer, one_line, until_words
from chatd.client.shown import Shown
from chatd.client.style import BOLD, MAGENTA, Look, View, clock, is_me, mentions, nickname, paint
from chatd.text import SERVER, registration_undone_words, tally_words


def _said(fields: Fields, view: View, action: bool = False) -> Shown:
    nick, room = fields.text("nick"), fields.text("room")
    own = is_me(nick, view)
    texts = fields.lines("text")
    mentioned = not own and any(mentions(text, view.me) for text in texts)
    look = Look.OWN if own else Look.OTHER
    who = f"* {nickname(view, nick)}" if action else f"<{nickname(view, nick)}>"
    lines = tuple(
        fields.line(view, look, f"{room} {who} {paint(view, text, BOLD if mentioned else '')}")
        for text in texts
    )
    return Shown(lines, bell=mentioned)


def _whispered(fields: Fields, view: View) -> Shown:
    nick, to = fields.text("nick"), fields.text("to")
    head = f"<{nickname(view, nick)} -> {nickname(view, to)}>"
    texts = fields.lines("text")
    lines = tuple(fields.line(view, Look.PRIVATE, f"{head} {paint(view, text, MAGENTA)}") for text in texts)
    return Shown(lines, bell=not is_me(nick, view))


def _because(reason: str) -> str:
    return f" ({reason})" if reason else ""


def _event(text: str) -> Callable[[Fields, View], Shown]:
    """A renderer for an event shown as one dimmed line, ``text`` formatted with the scrubbed fields."""

    def draw(fields: Fields, view: View) -> Shown:
        values = {key: fields.text(key) for key in ("room", "nick", "new", "topic", "by", "account")}
        body = text.format(**values, because=_because(fields.text("reason")))
        return one_line(fields, view, Look.EVENT, body)

    return draw


def _crowd_tallied(fields: Fields, view: View) -> Shown:
    """A big room's comings and goings since its last tally, as one dimmed line of the room."""
    counts = (fields.number(key) for key in ("joined", "left", "renamed", "members"))
    return one_line(fields, view, Look.EVENT, f"{fields.text('room')}: {tally_words(*counts)}")


def _registration_not_kept(fields: Fields, view: View) -> Shown:
    """A change to a room's registration undone, the server unable to save it: the registration as it stands."""
    words = registration_undone_words(
        fields.text("nick"),
        fields.text("owner") or None,
        fields.texts("operators"),
        fields.texts("given"),
        fields.texts("taken"),
    )
    return one_line(fields, view, Look.EVENT, f"{fields.text('room')}: {words}")


def _topic_changed(fields: Fields, view: View) -> Shown:
    nick, room, topic = fields.text("nick"), fields.text("room"), fields.text("topic")
    body = f"{nick} set the topic of {room}: {topic}" if topic else f"{nick} cleared the topic of {room}"
    mentioned = not is_me(nick, view) and mentions(topic, view.me)
    return one_line(fields, view, Look.EVENT, body, bell=mentioned)


def _topic_locked(fields: Fields, view: View) -> Shown:
    done = "locked" if fields.flag("locked") else "unlocked"
    body = f"{fields.text('nick')} {done} the topic of {fields.text('room')}"
    return one_line(fields, view, Look.EVENT, body)


def _moderated(done: str) -> Callable[[Fields, View], Shown]:
    """A renderer for a mute or ban of ``nick`` by ``by``: the user's own rings the bell."""

    def draw(fields: Fields, view: View) -> Shown:
        nick, at = fields.text("nick"), fields.at()
        body = f"{nick} was {done} by {fields.text('by')} {until_words(fields.moment('until'), view, at)}"
        return one_line(fields, view, Look.EVENT, body, bell=is_me(nick, view))

    return draw


def _kicked(fields: Fields, view: View) -> Shown:
    nick = fields.text("nick")
    body = f"{nick} was kicked from {fields.text('room')} by {fields.text('by')}{_because(fields.text('reason'))}"
    return one_line(fields, view, Look.EVENT, body, bell=is_me(nick, view))


def _deleted(fields: Fields, view: View) -> Shown:
    """A line taken away (``/delete``), marked so: whose and of when if the client showed it (chatd.client.seen),
    else its id, as ``/search`` shows ids; never its text; the deleter and their reason after."""
    said, at = fields.text("line_nick"), fields.moment("line_at")
    whose = f"the line {fields.text('line')}"
    if said and at is not None:
        whose = f"{said}'s line of {clock(at, view.zone, fields.at())}"
    because = fields.text("reason")
    body = f"{fields.text('room')}: {whose} (deleted by {fields.text('nick')}{': ' + because if because else ''})"
    return one_line(fields, view, Look.EVENT, body)


def _killed(fields: Fields, view: View) -> Shown:
    nick = fields.text("nick")
    body = f"{nick} was killed by {fields.text('by')}{_because(fields.text('reason'))}"
    return one_line(fields, view, Look.EVENT, body, bell=is_me(nick, view))


def _unmuted(fields: Fields, view: View) -> Shown:
    nick, by = fields.text("nick"), fields.text("by")
    # No operator: the mute ran out (docs/PROTOCOL.md, the chat itself as actor).
    body = f"{nick} was unmuted by {by}" if by else f"{nick}'s mute ran out"
    return one_line(fields, view, Look.EVENT, body)


def _nickname_claimed(fields: Fields, view: View) -> Shown:
    nick, account, address = fields.text("nick"), fields.text("account"), fields.text("address")
    body = f"someone at {address} tried to take {nick}, a nickname of your account {account}"
    tries = fields.number("tries")
    if tries > 1:
        body += f" ({tries} tries since the last notice)"
    return one_line(fields, view, Look.EVENT, body)


def _walled(fields: Fields, view: View) -> Shown:
    nick = fields.text("nick")
    texts = fields.lines("text")
    mentioned = not is_me(nick, view) and any(mentions(text, view.me) for text in texts)
    lines = tuple(fields.line(view, Look.NOTICE, f"{nick} to everyone: {text}") for text in texts)
    return Shown(lines, bell=mentioned)


_CHANGES: dict[tuple[str, bool], str] = {
    ("invite_only", True): "made {room} invite-only",
    ("invite_only", False): "let anyone join {room}",
    ("key", True): "set the key of {room} to {argument}",
    ("key", False): "removed the key of {room}",
    ("limit", True): "set the member limit of {room} to {argument}",
    ("limit", False): "removed the member limit of {room}",
    ("moderated", True): "made {room} moderated",
    ("moderated", False): "let every member of {room} speak",
    ("secret", True): "made {room} secret",
    ("secret", False): "made {room} no longer secret",
    ("registered_only", True): "let only registered users in {room}",
    ("registered_only", False): "let unregistered users in {room} again",
    ("registered_speech", True): "let only registered members of {room} speak",
    ("registered_speech", False): "let unregistered members of {room} speak again",
    ("operator", True): "gave {argument} operator in {room}",
    ("operator", False): "took operator in {room} from {argument}",
    ("voice", True): "gave {argument} voice in {room}",
    ("voice", False): "took voice in {room} from {argument}",
    ("ban", True): "banned {argument} from {room}",
    ("ban", False): "lifted the ban on {argument} in {room}",
}
"""How each change of a room (docs/PROTOCOL.md, ``room_modes_changed``) reads; a setting from a newer
server reads as its name, its sign and its argument."""


def _change(change: Fields, room: str) -> str:
    setting, on, argument = change.text("setting"), change.flag("on"), change.text("argument")
    wording = _CHANGES.get((setting, on))
    if wording is None:
        return f"set {room} {'+' if on else '-'}{setting} {argument}".rstrip()
    return wording.format(room=room, argument=argument)


def _room_modes_changed(fields: Fields, view: View) -> Shown:
    room = fields.text("room")
    changes = ", ".join(_change(change, room) for change in fields.objects("changes"))
    by = fields.text("nick") or SERVER
    return one_line(fields, view, Look.EVENT, f"{by} {changes or f'changed nothing in {room}'}")


def _invited(fields: Fields, view: View) -> Shown:
    nick, room = fields.text("nick"), fields.text("room")
    # Being invited is news for the one invited: the bell, and how to take it up.
    mine = is_me(nick, view)
    body = f"{fields.text('by')} invited {nick} to {room}" + (f" (/join {room})" if mine else "")
    return one_line(fields, view, Look.EVENT, body, bell=mine)


EVENTS: dict[str, Renderer] = {
    "said": _said,
    "acted": lambda fields, view: _said(fields, view, action=True),
    "whispered": _whispered,
    "joined": _event("{nick} joined {room}"),
    "parted": _event("{nick} left {room}{because}"),
    "crowd_tallied": _crowd_tallied,
    "quit": _event("{nick} quit{because}"),
    "nick_changed": _event("{nick} is now known as {new}"),
    "topic_changed": _topic_changed,
    "topic_locked": _topic_locked,
    "kicked": _kicked,
    "room_modes_changed": _room_modes_changed,
    "invited": _invited,
    "deleted": _deleted,
    "room_registered": _event("{nick} registered {room} to the account {account}"),
    "room_unregistered": _event("{nick} unregistered {room}"),
    "room_registration_not_kept": _registration_not_kept,
    "room_operator_added": _event("{by} made {nick} a room operator of {room} (account {account})"),
    "room_operator_removed": _event("{by} took room operator of {room} from {nick} (account {account})"),
    "banned": _moderated("banned"),
    "killed": _killed,
    "muted": _moderated("muted"),
    "unmuted": _unmuted,
    "walled": _walled,
    "nickname_claimed": _nickname_claimed,
    "password_set": _event(
        "the operator {nick} set a new password for your account {account}; /password OLD NEW chooses your own"
    ),
    "shutting_down": _event("{nick} is shutting down the server{because}"),
}
"""The renderer of each kind of event, by its ``type``."""
