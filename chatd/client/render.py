"""Server lines -> the lines a person sees: pure functions, one per kind of line.

The client asks for JSON lines (docs/PROTOCOL.md, "JSON lines") and draws
every line itself: a local ``HH:MM``, a one-character marker saying what
kind of line it is (so the kinds differ without colour too), and the body.
A line from a room's history (``"history": true``) is drawn as it would be
live but dimmed whole, with the marker ``|``, its own time (and date, if
not today) and no bell: it is not news. A line ``/search`` found
(``"search": true`` too) is drawn so, with its id first, which the user
types in ``/history #room around ID`` to see it in context. After the
lines a reconnection resumed, a rule says how many were missed (or that none were), and how
many of them were not shown.
Every string that came over the network goes through ``scrub`` before any
escape sequence of the client's own is added, so nothing another user or
the server sends can move the cursor, retitle the window or ring the bell:
only ``Shown.bell``, decided here, does that.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC

from chatd.client.style import (
    BOLD,
    MAGENTA,
    Look,
    View,
    clock,
    compose,
    is_me,
    mentions,
    moment,
    nickname,
    paint,
)
from chatd.text import SERVER, counted, registration_undone_words, scrub, tally_words

Message = Mapping[str, object]
"""One decoded JSON line from the server: an object whose ``type`` names its kind."""

_UNKNOWN_SHOWN = 40
"""Characters of an unknown kind's name shown, so a newer server's lines are noticed, not dropped."""


@dataclass(frozen=True, slots=True)
class Shown:
    """What one server line (or client notice) puts on screen: lines without endings, and a bell."""

    lines: tuple[str, ...]
    bell: bool = False


def parse(text: str) -> Message | None:
    """The JSON object ``text`` holds, or None if it holds no object (a text line)."""
    try:
        decoded = json.loads(text)
    except (ValueError, RecursionError):
        # RecursionError: arrays nested a thousand deep, which a server could send to drop the connection.
        return None
    return decoded if isinstance(decoded, dict) else None


def render(message: Message, view: View, now: float) -> Shown:
    """The lines for one server JSON object; ``now`` stamps replies that carry no ``at``."""
    kind = message.get("type")
    draw = _RENDERERS.get(kind) if isinstance(kind, str) else None
    if draw is None:
        return _unknown(message, view, now)
    if message.get("history") is True:
        # Drawn without colour, then dimmed whole by the history look.
        past = draw(_Fields(message, now, view), replace(view, colour=False))
        return Shown(past.lines)
    return draw(_Fields(message, now), view)


def render_text(text: str, view: View, now: float) -> Shown:
    """A text line: the greeting, sent before ``/format json`` takes effect, or a refusal on connect.

    Read by the grammar of docs/PROTOCOL.md: ``*** `` starts a notice and
    ``ERR code`` an error; anything else is shown as a notice.
    """
    if text.startswith("ERR "):
        code, _, rest = text[4:].partition(" ")
        return Shown((compose(view, now, Look.ERROR, _error_body(scrub(code), scrub(rest))),))
    return Shown((compose(view, now, Look.NOTICE, scrub(text.removeprefix("*** "))),))


def status(text: str, view: View, now: float) -> Shown:
    """One line of the client's own (connected, lost, retrying), stamped ``now``."""
    return Shown((compose(view, now, Look.STATUS, scrub(text)),))


class _Fields:
    """Typed, scrubbed access to a server object's fields; a wrong or missing field reads as empty.

    ``past`` is the view a line from history is shown in (its renderer
    gets one without colour), None for a live one.
    """

    def __init__(self, message: Message, now: float, past: View | None = None) -> None:
        self._message = message
        self._now = now
        self._past = past

    def line(self, view: View, look: Look, body: str) -> str:
        """A screen line for this object, at its time: ``look``'s live, or the history look, dated if not today."""
        if self._past is None:
            return compose(view, self.at(), look, body)
        if self.flag("search"):
            body = f"{self.text('id')} {body}"
        return compose(self._past, self.at(), Look.HISTORY, body, since=self._now)

    def received(self, view: View, look: Look, body: str) -> str:
        """A screen line for a reply whose ``at`` is not its own time (a topic's): stamped when received."""
        return compose(view, self._now, look, body)

    def received_at(self) -> float:
        """When the client received this object."""
        return self._now

    def text(self, key: str) -> str:
        value = self._message.get(key)
        return scrub(value) if isinstance(value, str) else ""

    def lines(self, key: str) -> list[str]:
        """A field that may hold several lines (a paste, a notice's), each scrubbed, at least one."""
        value = self._message.get(key)
        return _scrubbed_lines(value) if isinstance(value, str) else [""]

    def texts(self, key: str) -> list[str]:
        value = self._message.get(key)
        return [scrub(item) for item in value if isinstance(item, str)] if isinstance(value, list) else []

    def objects(self, key: str) -> "list[_Fields]":
        value = self._message.get(key)
        items = value if isinstance(value, list) else []
        return [_Fields(item, self._now) for item in items if isinstance(item, dict)]

    def has(self, key: str) -> bool:
        """Whether the object carries ``key`` at all."""
        return key in self._message

    def flag(self, key: str) -> bool:
        return self._message.get(key) is True

    def moment(self, key: str) -> float | None:
        """A time field (seconds since the epoch) that a calendar holds, or None (``null``: no end)."""
        value = self._message.get(key)
        if not isinstance(value, int | float) or isinstance(value, bool):
            return None
        try:
            moment(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return float(value)

    def number(self, key: str) -> int:
        value = self._message.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    def at(self) -> float:
        """The server's ``at``, or the time of receipt if it is missing or no usable time."""
        at = self.moment("at")
        return self._now if at is None else at


def _scrubbed_lines(text: str) -> list[str]:
    """The lines of a text that may hold several, each scrubbed: split first, as scrubbing makes a ``\\n`` U+FFFD."""
    return [scrub(line) for line in text.split("\n")]


def _one(fields: _Fields, view: View, look: Look, body: str, bell: bool = False) -> Shown:
    return Shown((fields.line(view, look, body),), bell)


def _said(fields: _Fields, view: View, action: bool = False) -> Shown:
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


def _whispered(fields: _Fields, view: View) -> Shown:
    nick, to = fields.text("nick"), fields.text("to")
    head = f"<{nickname(view, nick)} -> {nickname(view, to)}>"
    texts = fields.lines("text")
    lines = tuple(fields.line(view, Look.PRIVATE, f"{head} {paint(view, text, MAGENTA)}") for text in texts)
    return Shown(lines, bell=not is_me(nick, view))


def _because(reason: str) -> str:
    return f" ({reason})" if reason else ""


def _event(text: str) -> Callable[[_Fields, View], Shown]:
    """A renderer for an event shown as one dimmed line, ``text`` formatted with the scrubbed fields."""

    def draw(fields: _Fields, view: View) -> Shown:
        values = {key: fields.text(key) for key in ("room", "nick", "new", "topic", "by", "account")}
        body = text.format(**values, because=_because(fields.text("reason")))
        return _one(fields, view, Look.EVENT, body)

    return draw


def _crowd_tallied(fields: _Fields, view: View) -> Shown:
    """A big room's comings and goings since its last tally, as one dimmed line of the room."""
    counts = (fields.number(key) for key in ("joined", "left", "renamed", "members"))
    return _one(fields, view, Look.EVENT, f"{fields.text('room')}: {tally_words(*counts)}")


def _registration_not_kept(fields: _Fields, view: View) -> Shown:
    """A change to a room's registration undone, the server unable to save it: the registration as it stands."""
    words = registration_undone_words(
        fields.text("nick"),
        fields.text("owner") or None,
        fields.texts("operators"),
        fields.texts("given"),
        fields.texts("taken"),
    )
    return _one(fields, view, Look.EVENT, f"{fields.text('room')}: {words}")


def _topic_changed(fields: _Fields, view: View) -> Shown:
    nick, room, topic = fields.text("nick"), fields.text("room"), fields.text("topic")
    body = f"{nick} set the topic of {room}: {topic}" if topic else f"{nick} cleared the topic of {room}"
    mentioned = not is_me(nick, view) and mentions(topic, view.me)
    return _one(fields, view, Look.EVENT, body, bell=mentioned)


def _topic_locked(fields: _Fields, view: View) -> Shown:
    done = "locked" if fields.flag("locked") else "unlocked"
    body = f"{fields.text('nick')} {done} the topic of {fields.text('room')}"
    return _one(fields, view, Look.EVENT, body)


def _until(until: float | None, view: View, since: float) -> str:
    """``until 18:40`` in the view's zone (with the date if not the day of ``since``), or ``until lifted``."""
    if until is None:
        return "until lifted"
    end = moment(until, view.zone)
    same_day = end.date() == moment(since, view.zone).date()
    return end.strftime("until %H:%M" if same_day else "until %Y-%m-%d %H:%M")


def _moderated(done: str) -> Callable[[_Fields, View], Shown]:
    """A renderer for a mute or ban of ``nick`` by ``by``: the user's own rings the bell."""

    def draw(fields: _Fields, view: View) -> Shown:
        nick, at = fields.text("nick"), fields.at()
        body = f"{nick} was {done} by {fields.text('by')} {_until(fields.moment('until'), view, at)}"
        return _one(fields, view, Look.EVENT, body, bell=is_me(nick, view))

    return draw


def _kicked(fields: _Fields, view: View) -> Shown:
    nick = fields.text("nick")
    body = f"{nick} was kicked from {fields.text('room')} by {fields.text('by')}{_because(fields.text('reason'))}"
    return _one(fields, view, Look.EVENT, body, bell=is_me(nick, view))


def _deleted(fields: _Fields, view: View) -> Shown:
    """A line taken away (``/delete``), marked so: whose and of when if the client showed it (chatd.client.seen),
    else its id, as ``/search`` shows ids; never its text; the deleter and their reason after."""
    said, at = fields.text("line_nick"), fields.moment("line_at")
    whose = f"the line {fields.text('line')}"
    if said and at is not None:
        whose = f"{said}'s line of {clock(at, view.zone, fields.at())}"
    because = fields.text("reason")
    body = f"{fields.text('room')}: {whose} (deleted by {fields.text('nick')}{': ' + because if because else ''})"
    return _one(fields, view, Look.EVENT, body)


def _killed(fields: _Fields, view: View) -> Shown:
    nick = fields.text("nick")
    body = f"{nick} was killed by {fields.text('by')}{_because(fields.text('reason'))}"
    return _one(fields, view, Look.EVENT, body, bell=is_me(nick, view))


def _unmuted(fields: _Fields, view: View) -> Shown:
    nick, by = fields.text("nick"), fields.text("by")
    # No operator: the mute ran out (docs/PROTOCOL.md, the chat itself as actor).
    body = f"{nick} was unmuted by {by}" if by else f"{nick}'s mute ran out"
    return _one(fields, view, Look.EVENT, body)


def _nickname_claimed(fields: _Fields, view: View) -> Shown:
    nick, account, address = fields.text("nick"), fields.text("account"), fields.text("address")
    body = f"someone at {address} tried to take {nick}, a nickname of your account {account}"
    tries = fields.number("tries")
    if tries > 1:
        body += f" ({tries} tries since the last notice)"
    return _one(fields, view, Look.EVENT, body)


def _walled(fields: _Fields, view: View) -> Shown:
    nick = fields.text("nick")
    texts = fields.lines("text")
    mentioned = not is_me(nick, view) and any(mentions(text, view.me) for text in texts)
    lines = tuple(fields.line(view, Look.NOTICE, f"{nick} to everyone: {text}") for text in texts)
    return Shown(lines, bell=mentioned)


def _whois(fields: _Fields, view: View) -> Shown:
    nick, rooms = fields.text("nick"), fields.texts("rooms")
    facts = [f"{nick} is in{_names(rooms)}" if rooms else f"{nick} is in no room"]
    if fields.flag("operator"):
        facts.append(f"{nick} is an operator")
    if fields.text("address"):
        facts.append(f"{nick} is connected from {fields.text('address')}")
    if fields.text("away"):
        facts.append(f"{nick} is away: {fields.text('away')}")
    return Shown(tuple(fields.line(view, Look.NOTICE, fact) for fact in facts))


def _away(fields: _Fields, view: View) -> Shown:
    return _one(fields, view, Look.NOTICE, f"{fields.text('nick')} is away: {fields.text('text')}")


def _kept(fields: _Fields, view: View) -> Shown:
    """A private message kept for someone offline: they get it when they next identify."""
    nick, waiting = fields.text("nick"), fields.number("waiting")
    return _one(fields, view, Look.NOTICE, f"{nick} is offline: kept until they identify ({waiting} waiting)")


def _ban_terms(ban: _Fields, view: View) -> str:
    """How long a ban lasts and who set it: ``until 18:40 (by alice)``."""
    return f"{_until(ban.moment('until'), view, ban.at())} (by {ban.text('by')})"


def _ban(fields: _Fields, view: View) -> Shown:
    body = f"{fields.text('target')} is banned {_ban_terms(fields, view)}"
    return _one(fields, view, Look.NOTICE, body)


def _ban_list(fields: _Fields, view: View) -> Shown:
    bans = fields.objects("bans")
    rows = [f"  {ban.text('target')} {_ban_terms(ban, view)}" for ban in bans]
    return Shown(tuple(fields.line(view, Look.NOTICE, body) for body in [f"Bans ({len(bans)}):", *rows]))


def _names(nicks: list[str]) -> str:
    return "".join(" " + nick for nick in nicks)


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


def _change(change: _Fields, room: str) -> str:
    setting, on, argument = change.text("setting"), change.flag("on"), change.text("argument")
    wording = _CHANGES.get((setting, on))
    if wording is None:
        return f"set {room} {'+' if on else '-'}{setting} {argument}".rstrip()
    return wording.format(room=room, argument=argument)


def _room_modes_changed(fields: _Fields, view: View) -> Shown:
    room = fields.text("room")
    changes = ", ".join(_change(change, room) for change in fields.objects("changes"))
    by = fields.text("nick") or SERVER
    return _one(fields, view, Look.EVENT, f"{by} {changes or f'changed nothing in {room}'}")


def _invited(fields: _Fields, view: View) -> Shown:
    nick, room = fields.text("nick"), fields.text("room")
    # Being invited is news for the one invited: the bell, and how to take it up.
    mine = is_me(nick, view)
    body = f"{fields.text('by')} invited {nick} to {room}" + (f" (/join {room})" if mine else "")
    return _one(fields, view, Look.EVENT, body, bell=mine)


def _room_modes(fields: _Fields, view: View) -> Shown:
    key = fields.text("key")
    shown = [
        *(["invite-only"] if fields.flag("invite_only") else []),
        *([f"key {key}" if key else "key"] if fields.flag("keyed") else []),
        *([f"limit {fields.number('limit')}"] if fields.number("limit") else []),
        *(["moderated"] if fields.flag("moderated") else []),
        *(["secret"] if fields.flag("secret") else []),
        *(["registered only"] if fields.flag("registered_only") else []),
        *(["registered speech"] if fields.flag("registered_speech") else []),
        *(["topic locked"] if fields.flag("topic_locked") else []),
    ]
    return _one(fields, view, Look.NOTICE, f"Settings of {fields.text('room')}: {', '.join(shown) or 'none'}")


def _room_ban_list(fields: _Fields, view: View) -> Shown:
    bans = fields.objects("bans")
    rows = [
        f"  {ban.text('mask')} set {moment(ban.at(), view.zone):%Y-%m-%d %H:%M} (by {ban.text('by')})"
        for ban in bans
    ]
    head = f"Bans of {fields.text('room')} ({len(bans)}):"
    return Shown(tuple(fields.line(view, Look.NOTICE, body) for body in [head, *rows]))


def _standing(fields: _Fields) -> list[str]:
    """The members' nicknames, an operator's after ``@``, a voiced member's after ``+``."""
    operators, voiced = set(fields.texts("operators")), set(fields.texts("voiced"))
    return [
        ("@" if nick in operators else "+" if nick in voiced else "") + nick for nick in fields.texts("nicks")
    ]


def _counted(fields: _Fields, shown: int) -> str:
    """``(300), page 1 of 6`` for a page of a listing; ``(2)`` for a listing of one page."""
    total, page, pages = fields.number("total") or shown, fields.number("page"), fields.number("pages")
    return f"({total}), page {page} of {pages}" if pages > 1 else f"({total})"


def _listing(fields: _Fields, view: View, bodies: list[str], ask: str) -> Shown:
    """A page of a listing, and after every page but the last the command that shows the next."""
    page, pages = fields.number("page"), fields.number("pages")
    more = [f"{ask} {page + 1} for the next page."] if 0 < page < pages else []
    return Shown(tuple(fields.line(view, Look.NOTICE, body) for body in [*bodies, *more]))


def _members(fields: _Fields, view: View) -> Shown:
    nicks, room = _standing(fields), fields.text("room")
    return _listing(
        fields, view, [f"In {room} {_counted(fields, len(nicks))}:{_names(nicks)}"], f"/who {room}"
    )


def _topic(fields: _Fields, view: View) -> Shown:
    """The answer to ``/topic`` (and the topic on joining), stamped when received: its ``at`` is when the
    topic was set, said after it with who set it."""
    room, topic = fields.text("room"), fields.text("topic")
    body = f"Topic of {room}: {topic}{_topic_setter(fields, view)}" if topic else f"{room} has no topic"
    return Shown((fields.received(view, Look.NOTICE, body),))


def _topic_setter(fields: _Fields, view: View) -> str:
    """`` (set by bob, 18:40)`` in the view's zone (with the date if not today); nothing from a server that does not say."""
    by, at = fields.text("by"), fields.moment("at")
    if not by:
        return ""
    if not at:
        return f" (set by {by})"
    when = moment(at, view.zone)
    same_day = when.date() == moment(fields.received_at(), view.zone).date()
    return f" (set by {by}, {when.strftime('%H:%M' if same_day else '%Y-%m-%d %H:%M')})"


def _room_list(fields: _Fields, view: View) -> Shown:
    rooms = fields.objects("rooms")
    rows = [f"  {r.text('room')} ({r.number('members')}) {r.text('topic')}".rstrip() for r in rooms]
    return _listing(fields, view, [f"Rooms {_counted(fields, len(rooms))}:", *rows], "/rooms")


def _user_list(fields: _Fields, view: View) -> Shown:
    nicks = fields.texts("nicks")
    return _listing(fields, view, [f"Online {_counted(fields, len(nicks))}:{_names(nicks)}"], "/users")


def _server_time(fields: _Fields, view: View) -> Shown:
    shown = moment(fields.at(), view.zone).strftime("%Y-%m-%d %H:%M:%S %Z").rstrip()
    return _one(fields, view, Look.NOTICE, f"Server time: {shown}")


def _notice(fields: _Fields, view: View) -> Shown:
    kind = fields.text("kind")
    # The client switches to JSON and says where it left off itself: the
    # server's acknowledgements are no news to the user.
    if kind in ("format", "resume"):
        return Shown(())
    if kind == "history_end" and fields.has("missed"):
        return _one(
            fields,
            view,
            Look.NOTICE,
            _missed(
                fields.text("room"), fields.number("count"), fields.number("missed"), fields.number("ignored")
            ),
        )
    return Shown(tuple(fields.line(view, Look.NOTICE, text) for text in fields.lines("text")))


def _missed(room: str, shown: int, missed: int, ignored: int) -> str:
    """The rule drawn between what a resume showed and the live lines after it: lines from someone ignored are
    counted as such, not as earlier lines /history would show."""
    if not missed:
        said = f"nothing missed in {room}"
    else:
        said = f"missed {counted(missed, 'message')} in {room}"
        if ignored:
            said += f", {ignored if ignored < missed else 'all'} from people you ignore"
        earlier = missed - shown - ignored
        if earlier > 0:
            said += f"; {counted(earlier, 'earlier message')} not shown (/history {room})"
    return f"---- {said} ----"


def _error_body(code: str, text: str) -> str:
    return f"{text} ({code})" if code else text


def _error(fields: _Fields, view: View) -> Shown:
    return _one(fields, view, Look.ERROR, _error_body(fields.text("code"), fields.text("text")))


def _unknown(message: Message, view: View, now: float) -> Shown:
    # A kind from a newer server: its text if it has one (each of its lines,
    # as a notice's), else a short line naming the kind; never raw JSON, which reads as noise.
    text = message.get("text")
    if isinstance(text, str) and text:
        return Shown(tuple(compose(view, now, Look.NOTICE, line) for line in _scrubbed_lines(text)))
    kind = message.get("type")
    named = scrub(kind)[:_UNKNOWN_SHOWN] if isinstance(kind, str) else "no type"
    return Shown((compose(view, now, Look.NOTICE, f"(a kind of line this client cannot show: {named})"),))


_RENDERERS: dict[str, Callable[[_Fields, View], Shown]] = {
    "said": _said,
    "acted": lambda fields, view: _said(fields, view, action=True),
    "whispered": _whispered,
    "joined": _event("{nick} joined {room}"),
    "parted": _event("{nick} left {room}{because}"),
    "crowd_tallied": _crowd_tallied,
    "quit": _event("{nick} quit{because}"),
    "nick_changed": _event("{nick} is now known as {new}"),
    "topic_changed": _topic_changed,
    "members": _members,
    "topic": _topic,
    "room_list": _room_list,
    "user_list": _user_list,
    "server_time": _server_time,
    "topic_locked": _topic_locked,
    "kicked": _kicked,
    "room_modes_changed": _room_modes_changed,
    "invited": _invited,
    "deleted": _deleted,
    "room_modes": _room_modes,
    "room_ban_list": _room_ban_list,
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
    "whois": _whois,
    "away": _away,
    "kept": _kept,
    "ban": _ban,
    "ban_list": _ban_list,
    "notice": _notice,
    "error": _error,
}
