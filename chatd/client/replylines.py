"""Replies as a person sees them: the answers to what the user asked (``/whois``, ``/who``, ``/rooms``, ``/bans``).

Each is a notice, shown once and never a bell: a person, a room's settings
or bans, or a page of a listing with the command that shows the next page.
Apart from the events (eventlines.py), which are news as they happen.
"""

from chatd.client.fields import Fields, Renderer, one_line, until_words
from chatd.client.shown import Shown
from chatd.client.style import Look, View, moment


def _whois(fields: Fields, view: View) -> Shown:
    nick, rooms = fields.text("nick"), fields.texts("rooms")
    facts = [f"{nick} is in{_names(rooms)}" if rooms else f"{nick} is in no room"]
    if fields.flag("operator"):
        facts.append(f"{nick} is an operator")
    if fields.text("address"):
        facts.append(f"{nick} is connected from {fields.text('address')}")
    if fields.text("away"):
        facts.append(f"{nick} is away: {fields.text('away')}")
    return Shown(tuple(fields.line(view, Look.NOTICE, fact) for fact in facts))


def _away(fields: Fields, view: View) -> Shown:
    return one_line(fields, view, Look.NOTICE, f"{fields.text('nick')} is away: {fields.text('text')}")


def _kept(fields: Fields, view: View) -> Shown:
    """A private message kept for someone offline: they get it when they next identify."""
    nick, waiting = fields.text("nick"), fields.number("waiting")
    return one_line(
        fields, view, Look.NOTICE, f"{nick} is offline: kept until they identify ({waiting} waiting)"
    )


def _ban_terms(ban: Fields, view: View) -> str:
    """How long a ban lasts and who set it: ``until 18:40 (by alice)``."""
    return f"{until_words(ban.moment('until'), view, ban.at())} (by {ban.text('by')})"


def _ban(fields: Fields, view: View) -> Shown:
    body = f"{fields.text('target')} is banned {_ban_terms(fields, view)}"
    return one_line(fields, view, Look.NOTICE, body)


def _ban_list(fields: Fields, view: View) -> Shown:
    bans = fields.objects("bans")
    rows = [f"  {ban.text('target')} {_ban_terms(ban, view)}" for ban in bans]
    return Shown(tuple(fields.line(view, Look.NOTICE, body) for body in [f"Bans ({len(bans)}):", *rows]))


def _names(nicks: list[str]) -> str:
    return "".join(" " + nick for nick in nicks)


def _room_modes(fields: Fields, view: View) -> Shown:
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
    return one_line(
        fields, view, Look.NOTICE, f"Settings of {fields.text('room')}: {', '.join(shown) or 'none'}"
    )


def _room_ban_list(fields: Fields, view: View) -> Shown:
    bans = fields.objects("bans")
    rows = [
        f"  {ban.text('mask')} set {moment(ban.at(), view.zone):%Y-%m-%d %H:%M} (by {ban.text('by')})"
        for ban in bans
    ]
    head = f"Bans of {fields.text('room')} ({len(bans)}):"
    return Shown(tuple(fields.line(view, Look.NOTICE, body) for body in [head, *rows]))


def _standing(fields: Fields) -> list[str]:
    """The members' nicknames, an operator's after ``@``, a voiced member's after ``+``."""
    operators, voiced = set(fields.texts("operators")), set(fields.texts("voiced"))
    return [
        ("@" if nick in operators else "+" if nick in voiced else "") + nick for nick in fields.texts("nicks")
    ]


def _counted(fields: Fields, shown: int) -> str:
    """``(300), page 1 of 6`` for a page of a listing; ``(2)`` for a listing of one page."""
    total, page, pages = fields.number("total") or shown, fields.number("page"), fields.number("pages")
    return f"({total}), page {page} of {pages}" if pages > 1 else f"({total})"


def _listing(fields: Fields, view: View, bodies: list[str], ask: str) -> Shown:
    """A page of a listing, and after every page but the last the command that shows the next."""
    page, pages = fields.number("page"), fields.number("pages")
    more = [f"{ask} {page + 1} for the next page."] if 0 < page < pages else []
    return Shown(tuple(fields.line(view, Look.NOTICE, body) for body in [*bodies, *more]))


def _members(fields: Fields, view: View) -> Shown:
    nicks, room = _standing(fields), fields.text("room")
    return _listing(
        fields, view, [f"In {room} {_counted(fields, len(nicks))}:{_names(nicks)}"], f"/who {room}"
    )


def _topic(fields: Fields, view: View) -> Shown:
    """The answer to ``/topic`` (and the topic on joining), stamped when received: its ``at`` is when the
    topic was set, said after it with who set it."""
    room, topic = fields.text("room"), fields.text("topic")
    body = f"Topic of {room}: {topic}{_topic_setter(fields, view)}" if topic else f"{room} has no topic"
    return Shown((fields.received(view, Look.NOTICE, body),))


def _topic_setter(fields: Fields, view: View) -> str:
    """`` (set by bob, 18:40)`` in the view's zone (with the date if not today); nothing from a server that does not say."""
    by, at = fields.text("by"), fields.moment("at")
    if not by:
        return ""
    if not at:
        return f" (set by {by})"
    when = moment(at, view.zone)
    same_day = when.date() == moment(fields.received_at(), view.zone).date()
    return f" (set by {by}, {when.strftime('%H:%M' if same_day else '%Y-%m-%d %H:%M')})"


def _room_list(fields: Fields, view: View) -> Shown:
    rooms = fields.objects("rooms")
    rows = [f"  {r.text('room')} ({r.number('members')}) {r.text('topic')}".rstrip() for r in rooms]
    return _listing(fields, view, [f"Rooms {_counted(fields, len(rooms))}:", *rows], "/rooms")


def _user_list(fields: Fields, view: View) -> Shown:
    nicks = fields.texts("nicks")
    return _listing(fields, view, [f"Online {_counted(fields, len(nicks))}:{_names(nicks)}"], "/users")


def _server_time(fields: Fields, view: View) -> Shown:
    shown = moment(fields.at(), view.zone).strftime("%Y-%m-%d %H:%M:%S %Z").rstrip()
    return one_line(fields, view, Look.NOTICE, f"Server time: {shown}")


REPLIES: dict[str, Renderer] = {
    "members": _members,
    "topic": _topic,
    "room_list": _room_list,
    "user_list": _user_list,
    "server_time": _server_time,
    "room_modes": _room_modes,
    "room_ban_list": _room_ban_list,
    "whois": _whois,
    "away": _away,
    "kept": _kept,
    "ban": _ban,
    "ban_list": _ban_list,
}
"""The renderer of each kind of reply, by its ``type``."""
