"""The client's rendering of server lines: exact lines, colours and markers, bells, local time, safety."""

import ast
import json
import re
from dataclasses import fields, is_dataclass
from datetime import UTC, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar, get_args, get_type_hints

from hypothesis import given
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from chatd.client.e2e import FOLLOWED
from chatd.client.fileevents import FOLLOWERS
from chatd.client.render import parse, render, render_text, status
from chatd.client.shown import Message
from chatd.client.style import View, nick_colour
from chatd.domain.encoding import type_name
from chatd.domain.errors import ChatError
from chatd.domain.events import ROOM_EVENTS, Actor, ModeChange, Setting
from chatd.frontend.named_refusals import NamedRefusal
from chatd.line import render as line_render
from tests.test_terminal_safety import CORPUS

AT = 61.0
"""One minute and one second past the epoch: 00:01 in UTC."""
NOW = 3600.0 * 5
"""The client's clock in these tests: 05:00 UTC."""

PLAIN = View(me="alice", zone=UTC)
COLOUR = View(me="alice", colour=True, zone=UTC)

SGR = re.compile(r"\x1b\[[0-9;]*m")
"""The only escape sequences the client writes into a line: Select Graphic Rendition."""

UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
"""What docs/SECURITY.md says never reaches a terminal (written out here, not imported)."""


ROOT = Path(__file__).resolve().parent.parent
PROTOCOL = (ROOT / "docs" / "PROTOCOL.md").read_text(encoding="utf-8")
JSON_SECTION = PROTOCOL[PROTOCOL.index("## JSON lines") :]

CANNOT_SHOW = "this client cannot show"
"""What the client says for a kind of line it has no rendering for."""


def table(header: str) -> str:
    """The rows of the table under ``header`` in docs/PROTOCOL.md's JSON section."""
    start = JSON_SECTION.index(header)
    end = JSON_SECTION.find("\n\n", start)
    return JSON_SECTION[start:end]


def documented_types() -> dict[str, str]:
    """The JSON table of docs/PROTOCOL.md: each ``type`` with the text of its keys column."""
    return dict(re.findall(r"^\| `([a-z_]+)` \| (.*) \|$", table("| type | keys |"), re.MULTILINE))


def rendered_types() -> dict[str, str]:
    """The documented types the client shows as lines: all but the files' and the keys' and sealed messages'.

    chatd.client.fileevents follows the files' (``FOLLOWERS``), chatd.client.e2e the others (``FOLLOWED``).
    """
    followed = {*FOLLOWERS, *FOLLOWED}
    return {kind: column for kind, column in documented_types().items() if kind not in followed}


def documented_keys(column: str) -> tuple[list[str], list[str]]:
    """A keys column's own keys, and the keys of the objects in its list (``{"room", ...}``), if any."""
    nested = re.findall(r'"([a-z_][a-z0-9_]*)"', " ".join(re.findall(r"`\{[^}]*\}`", column)))
    # What a column says about a key's values is in parentheses: not keys.
    own = re.findall(r"`([a-z_][a-z0-9_]*)`", re.sub(r"\([^)]*\)|`\{[^}]*\}`", "", column))
    return own, nested


def documented_notice_kinds() -> list[str]:
    """The notice kinds of the table of notices' keys (a row may name several kinds)."""
    rows = re.findall(
        r"^\| (`[a-z_]+`(?:, `[a-z_]+`)*) \|", table("| `kind` | keys besides `text` |"), re.MULTILINE
    )
    return [kind for row in rows for kind in re.findall(r"`([a-z_]+)`", row)]


SAMPLES: dict[str, object] = {
    "id": "01a20cc88ef80000",
    "at": AT,
    "seq": 7,
    "room": "#sample-room",
    "nick": "sample-nick",
    "by": "sample-by",
    "tries": 2,
    "to": "sample-to",
    "new": "sample-new",
    "text": "sample text",
    "reason": "sample reason",
    "topic": "sample topic",
    "nicks": ["first-nick", "second-nick"],
    "members": 3,
    "joined": 12,
    "left": 3,
    "renamed": 1,
    "locked": True,
    "operator": True,
    "room_operator": True,
    "member": True,
    "until": AT + 600,
    "away": "sample away",
    "waiting": 4,
    "have": 16384,
    "address": "192.0.2.7",
    "target": "sample-target",
    "code": "sample-code",
    "total": 120,
    "page": 2,
    "pages": 3,
    "operators": ["first-nick"],
    "voiced": ["second-nick"],
    "given": ["given-nick"],
    "taken": ["taken-nick"],
    "on": True,
    "invite_only": True,
    "keyed": True,
    "limit": 10,
    "moderated": True,
    "secret": True,
    "topic_locked": True,
    "registered_only": True,
    "registered_speech": True,
}
"""A value for each key of the JSON table; a key not here gets a string and must not break rendering."""

HIDDEN = frozenset({"type", "id", "seq", "kind", "file", "offer"})
"""Keys a person has no use for; every other string a message holds is on screen. An error's ``file`` and ``offer``
name the transfer or the offer it answers for a program (the client's transfers act on them): its text says what
went wrong."""

ERRORS = (ChatError, *get_args(NamedRefusal))
"""What the line front end renders as an ``error``: a refusal, or one naming the command it answers."""


def sample(kind: str, column: str) -> dict[str, object]:
    """A message of ``kind`` with every documented key, each holding its sample."""
    own, nested = documented_keys(column)
    message: dict[str, object] = {"type": kind}
    for key in own:
        if nested and key in ("rooms", "bans", "changes"):
            message[key] = [{name: SAMPLES.get(name, f"sample-{name}") for name in nested}]
        elif key == "rooms":
            message[key] = ["#first-room", "#second-room"]
        else:
            message[key] = SAMPLES.get(key, f"sample-{key}")
    return message


def strings(value: object) -> list[str]:
    """Every string inside ``value``, through lists and objects, bar the hidden keys."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in strings(item)]
    if isinstance(value, dict):
        return [text for key, item in value.items() if key not in HIDDEN for text in strings(item)]
    return []


def lines(message: Message, view: View = PLAIN) -> list[str]:
    return list(render(message, view, NOW).lines)


# One example of each kind of server object and what the client shows for it, colour off.
EXAMPLES: list[tuple[Message, list[str]]] = [
    ({"type": "said", "at": AT, "room": "#lobby", "nick": "bob", "text": "hi"}, ["00:01   #lobby <bob> hi"]),
    (
        {"type": "said", "at": AT, "room": "#lobby", "nick": "bob", "text": "one\ntwo"},
        ["00:01   #lobby <bob> one", "00:01   #lobby <bob> two"],
    ),
    (
        {"type": "said", "at": AT, "room": "#lobby", "nick": "alice", "text": "hi"},
        ["00:01 > #lobby <alice> hi"],
    ),
    (
        {"type": "acted", "at": AT, "room": "#lobby", "nick": "bob", "text": "waves"},
        ["00:01   #lobby * bob waves"],
    ),
    (
        {"type": "acted", "at": AT, "room": "#dev", "nick": "ALICE", "text": "waves"},
        ["00:01 > #dev * ALICE waves"],
    ),
    (
        {"type": "whispered", "at": AT, "nick": "bob", "to": "alice", "text": "psst"},
        ["00:01 @ <bob -> alice> psst"],
    ),
    (
        {"type": "whispered", "at": AT, "nick": "alice", "to": "bob", "text": "psst"},
        ["00:01 @ <alice -> bob> psst"],
    ),
    ({"type": "joined", "at": AT, "room": "#lobby", "nick": "bob"}, ["00:01 - bob joined #lobby"]),
    (
        {"type": "parted", "at": AT, "room": "#lobby", "nick": "bob", "reason": "lunch"},
        ["00:01 - bob left #lobby (lunch)"],
    ),
    (
        {"type": "parted", "at": AT, "room": "#lobby", "nick": "bob", "reason": ""},
        ["00:01 - bob left #lobby"],
    ),
    (
        {
            "type": "crowd_tallied",
            "at": AT,
            "room": "#lobby",
            "joined": 12,
            "left": 3,
            "renamed": 0,
            "members": 5000,
        },
        ["00:01 - #lobby: 12 joined, 3 left; 5000 here now"],
    ),
    ({"type": "quit", "at": AT, "nick": "bob", "reason": "bye"}, ["00:01 - bob quit (bye)"]),
    ({"type": "quit", "at": AT, "nick": "bob", "reason": ""}, ["00:01 - bob quit"]),
    ({"type": "nick_changed", "at": AT, "nick": "bob", "new": "rob"}, ["00:01 - bob is now known as rob"]),
    (
        {"type": "topic_changed", "at": AT, "room": "#dev", "nick": "bob", "topic": "ship it"},
        ["00:01 - bob set the topic of #dev: ship it"],
    ),
    (
        {"type": "topic_changed", "at": AT, "room": "#dev", "nick": "bob", "topic": ""},
        ["00:01 - bob cleared the topic of #dev"],
    ),
    ({"type": "members", "room": "#lobby", "nicks": ["bob", "alice"]}, ["05:00 * In #lobby (2): bob alice"]),
    (
        {
            "type": "members",
            "room": "#dev",
            "nicks": ["alice", "bob", "carol"],
            "operators": ["alice"],
            "voiced": ["alice", "bob"],
        },
        ["05:00 * In #dev (3): @alice +bob carol"],
    ),
    ({"type": "topic", "room": "#dev", "topic": "ship it"}, ["05:00 * Topic of #dev: ship it"]),
    (
        {"type": "topic", "room": "#dev", "topic": "ship it", "by": "bob", "at": AT},
        ["05:00 * Topic of #dev: ship it (set by bob, 00:01)"],
    ),
    ({"type": "topic", "room": "#dev", "topic": "", "by": "", "at": 0.0}, ["05:00 * #dev has no topic"]),
    (
        {
            "type": "room_list",
            "rooms": [
                {"room": "#dev", "members": 2, "topic": "ship it"},
                {"room": "#lobby", "members": 3, "topic": ""},
            ],
        },
        ["05:00 * Rooms (2):", "05:00 *   #dev (2) ship it", "05:00 *   #lobby (3)"],
    ),
    ({"type": "user_list", "nicks": ["alice", "bob"]}, ["05:00 * Online (2): alice bob"]),
    ({"type": "server_time", "at": AT}, ["00:01 * Server time: 1970-01-01 00:01:01 UTC"]),
    (
        {"type": "topic_locked", "at": AT, "room": "#dev", "nick": "boss", "locked": True},
        ["00:01 - boss locked the topic of #dev"],
    ),
    (
        {"type": "topic_locked", "at": AT, "room": "#dev", "nick": "boss", "locked": False},
        ["00:01 - boss unlocked the topic of #dev"],
    ),
    (
        {"type": "room_registered", "at": AT, "room": "#dev", "nick": "Alice", "account": "alice"},
        ["00:01 - Alice registered #dev to the account alice"],
    ),
    (
        {"type": "room_unregistered", "at": AT, "room": "#dev", "nick": "alice"},
        ["00:01 - alice unregistered #dev"],
    ),
    (
        {
            "type": "room_registration_not_kept",
            "at": AT,
            "room": "#dev",
            "nick": "bob",
            "owner": "alice",
            "operators": ["bob", "carol"],
        },
        [
            "00:01 - #dev: bob's change to its registration could not be saved: registered to alice, operators bob, carol"
        ],
    ),
    (
        {
            "type": "room_registration_not_kept",
            "at": AT,
            "room": "#dev",
            "nick": "alice",
            "owner": "alice",
            "operators": ["bob"],
            "given": ["Bob"],
            "taken": ["carol", "dave"],
        },
        [
            "00:01 - #dev: alice's change to its registration could not be saved: registered to alice, operators "
            "bob; room operator standing given back to Bob and taken from carol, dave"
        ],
    ),
    (
        {
            "type": "room_registration_not_kept",
            "at": AT,
            "room": "#dev",
            "nick": "alice",
            "owner": None,
            "operators": [],
        },
        ["00:01 - #dev: alice's change to its registration could not be saved: not registered"],
    ),
    (
        {
            "type": "room_operator_added",
            "at": AT,
            "room": "#dev",
            "nick": "Bob",
            "by": "alice",
            "account": "bob",
        },
        ["00:01 - alice made Bob a room operator of #dev (account bob)"],
    ),
    (
        {
            "type": "room_operator_removed",
            "at": AT,
            "room": "#dev",
            "nick": "Bob",
            "by": "alice",
            "account": "bob",
        },
        ["00:01 - alice took room operator of #dev from Bob (account bob)"],
    ),
    (
        {
            "type": "room_modes_changed",
            "at": AT,
            "room": "#dev",
            "nick": "boss",
            "changes": [
                {"setting": "invite_only", "on": True, "argument": ""},
                {"setting": "key", "on": True, "argument": "hunter2"},
                {"setting": "limit", "on": True, "argument": "1"},
                {"setting": "operator", "on": False, "argument": "bob"},
                {"setting": "quiet", "on": True, "argument": "carol"},
            ],
        },
        [
            "00:01 - boss made #dev invite-only, set the key of #dev to hunter2, set the member limit of #dev to "
            "1, took operator in #dev from bob, set #dev +quiet carol"
        ],
    ),
    (
        {
            "type": "room_modes_changed",
            "at": AT,
            "room": "#dev",
            "nick": "",
            "changes": [{"setting": "operator", "on": True, "argument": "alice"}],
        },
        ["00:01 - the server gave alice operator in #dev"],
    ),
    (
        {"type": "invited", "at": AT, "room": "#dev", "nick": "bob", "by": "boss"},
        ["00:01 - boss invited bob to #dev"],
    ),
    (
        {"type": "invited", "at": AT, "room": "#dev", "nick": "alice", "by": "boss"},
        ["00:01 - boss invited alice to #dev (/join #dev)"],
    ),
    (
        {
            "type": "room_modes",
            "room": "#dev",
            "invite_only": True,
            "keyed": True,
            "key": "",
            "limit": 10,
            "moderated": False,
            "secret": True,
            "topic_locked": False,
        },
        ["05:00 * Settings of #dev: invite-only, key, limit 10, secret"],
    ),
    (
        {"type": "room_ban_list", "room": "#dev", "bans": [{"mask": "*!*@10.*", "by": "boss", "at": AT}]},
        ["05:00 * Bans of #dev (1):", "05:00 *   *!*@10.* set 1970-01-01 00:01 (by boss)"],
    ),
    (
        {
            "type": "deleted",
            "at": AT + 60,
            "room": "#maths",
            "nick": "maya",
            "line": "019c2a7e5b400000",
            "reason": "",
        },
        ["00:02 - #maths: the line 019c2a7e5b400000 (deleted by maya)"],
    ),
    (
        {
            "type": "deleted",
            "at": AT + 60,
            "room": "#maths",
            "nick": "maya",
            "line": "019c2a7e5b400000",
            "reason": "not here",
            "line_nick": "bob",
            "line_at": AT,
        },
        ["00:02 - #maths: bob's line of 00:01 (deleted by maya: not here)"],
    ),
    (
        {"type": "kicked", "at": AT, "room": "#dev", "nick": "bob", "by": "boss", "reason": "behave"},
        ["00:01 - bob was kicked from #dev by boss (behave)"],
    ),
    (
        {"type": "kicked", "at": AT, "room": "#dev", "nick": "bob", "by": "boss", "reason": ""},
        ["00:01 - bob was kicked from #dev by boss"],
    ),
    (
        {"type": "banned", "at": AT, "nick": "bob", "by": "boss", "until": AT + 600},
        ["00:01 - bob was banned by boss until 00:11"],
    ),
    (
        {"type": "banned", "at": AT, "nick": "bob", "by": "boss", "until": None},
        ["00:01 - bob was banned by boss until lifted"],
    ),
    (
        {"type": "killed", "at": AT, "nick": "bob", "by": "boss", "reason": "flooding"},
        ["00:01 - bob was killed by boss (flooding)"],
    ),
    (
        {"type": "killed", "at": AT, "nick": "bob", "by": "boss", "reason": ""},
        ["00:01 - bob was killed by boss"],
    ),
    (
        {"type": "muted", "at": AT, "nick": "bob", "by": "boss", "until": AT + 2 * 86400},
        ["00:01 - bob was muted by boss until 1970-01-03 00:01"],
    ),
    ({"type": "unmuted", "at": AT, "nick": "bob", "by": "boss"}, ["00:01 - bob was unmuted by boss"]),
    ({"type": "unmuted", "at": AT, "nick": "bob", "by": ""}, ["00:01 - bob's mute ran out"]),
    (
        {
            "type": "nickname_claimed",
            "at": AT,
            "nick": "AIice",
            "account": "alice",
            "address": "192.0.2.7",
            "tries": 3,
        },
        [
            "00:01 - someone at 192.0.2.7 tried to take AIice, a nickname of your account alice "
            "(3 tries since the last notice)"
        ],
    ),
    (
        {"type": "password_set", "at": AT, "nick": "boss", "account": "alice"},
        [
            "00:01 - the operator boss set a new password for your account alice; /password OLD NEW chooses your own"
        ],
    ),
    (
        {"type": "walled", "at": AT, "nick": "boss", "text": "restart at noon"},
        ["00:01 * boss to everyone: restart at noon"],
    ),
    (
        {"type": "shutting_down", "at": AT, "nick": "boss", "reason": "upgrade"},
        ["00:01 - boss is shutting down the server (upgrade)"],
    ),
    (
        {
            "type": "whois",
            "nick": "bob",
            "rooms": ["#lobby", "#dev"],
            "away": "lunch",
            "operator": True,
            "address": "192.0.2.7",
        },
        [
            "05:00 * bob is in #lobby #dev",
            "05:00 * bob is an operator",
            "05:00 * bob is connected from 192.0.2.7",
            "05:00 * bob is away: lunch",
        ],
    ),
    (
        {"type": "whois", "nick": "bob", "rooms": [], "away": "", "operator": False, "address": ""},
        ["05:00 * bob is in no room"],
    ),
    ({"type": "away", "nick": "bob", "text": "lunch"}, ["05:00 * bob is away: lunch"]),
    (
        {"type": "kept", "nick": "bob", "waiting": 2},
        ["05:00 * bob is offline: kept until they identify (2 waiting)"],
    ),
    (
        {"type": "ban", "target": "192.0.2.7", "until": NOW + 3600, "by": "boss"},
        ["05:00 * 192.0.2.7 is banned until 06:00 (by boss)"],
    ),
    (
        {
            "type": "ban_list",
            "bans": [
                {"target": "bob", "until": None, "by": "boss"},
                {"target": "192.0.2.7", "until": NOW + 86400, "by": "root"},
            ],
        },
        [
            "05:00 * Bans (2):",
            "05:00 *   bob until lifted (by boss)",
            "05:00 *   192.0.2.7 until 1970-01-02 05:00 (by root)",
        ],
    ),
    ({"type": "notice", "kind": "welcome", "text": "Welcome to chatd."}, ["05:00 * Welcome to chatd."]),
    (
        {"type": "error", "code": "nick-in-use", "text": "bob is already taken"},
        ["05:00 ! bob is already taken (nick-in-use)"],
    ),
]


class RenderTests(SynchronousTestCase):
    """Each kind of server object becomes the lines a person reads."""

    def test_every_kind_renders_as_documented(self) -> None:
        """Each kind of object has its exact lines, stamped with ``at`` or the client's clock."""
        for message, expected in EXAMPLES:
            self.assertEqual(lines(message), expected, message)
        self.assertEqual(set(rendered_types()), {str(message["type"]) for message, _ in EXAMPLES})

    def test_every_documented_type_rendering_leaves_out_is_followed(self) -> None:
        """The documented types rendering leaves out are exactly those the transfers and the encryption follow."""
        followed = set(documented_types()) - set(rendered_types())
        self.assertEqual(followed, {*FOLLOWERS, *FOLLOWED})
        self.assertLessEqual({"file_offered", "encrypted", "keys"}, followed)

    def test_a_topic_set_on_another_day_is_dated(self) -> None:
        """The topic's time names its day unless it was set today; the line itself is stamped when received."""
        topic = {"type": "topic", "room": "#dev", "topic": "ship it", "by": "bob", "at": AT}
        self.assertEqual(
            list(render(topic, PLAIN, NOW + 86400).lines),
            ["05:00 * Topic of #dev: ship it (set by bob, 1970-01-01 00:01)"],
        )

    def test_a_page_of_a_listing_says_where_it_is_and_how_to_go_on(self) -> None:
        """A listing of several pages shows its total and page, and every page but the last the command for the next."""
        self.assertEqual(
            lines({"type": "user_list", "nicks": ["a", "b"], "total": 52, "page": 1, "pages": 2}),
            ["05:00 * Online (52), page 1 of 2: a b", "05:00 * /users 2 for the next page."],
        )
        self.assertEqual(
            lines({"type": "members", "room": "#x", "nicks": ["c"], "total": 51, "page": 2, "pages": 2}),
            ["05:00 * In #x (51), page 2 of 2: c"],
        )
        self.assertEqual(
            lines({"type": "room_list", "rooms": [], "total": 120, "page": 2, "pages": 3}),
            ["05:00 * Rooms (120), page 2 of 3:", "05:00 * /rooms 3 for the next page."],
        )

    def test_a_notice_of_several_lines_shows_each_on_a_line_of_its_own(self) -> None:
        """The lines of /help COMMAND, joined by \\n in JSON, are lines of their own; other controls stay scrubbed."""
        notice = {"type": "notice", "kind": "help", "text": "/msg NICK text\nNICK: who\x1b[2J\rgets it"}
        self.assertEqual(lines(notice), ["05:00 * /msg NICK text", "05:00 * NICK: who\ufffd[2J\ufffdgets it"])

    def test_format_notice_is_not_shown(self) -> None:
        """The server's answer to the client's own /format json is no news to the user."""
        self.assertEqual(lines({"type": "notice", "kind": "format", "text": "Lines are now json."}), [])

    def test_unknown_kind_is_shown_not_dropped(self) -> None:
        """A kind of line from a newer server shows its text, or else a short line naming it, never JSON."""
        self.assertEqual(lines({"type": "novel", "text": "new thing"}), ["05:00 * new thing"])
        self.assertEqual(
            lines({"type": "novel", "n": 1}), ["05:00 * (a kind of line this client cannot show: novel)"]
        )
        self.assertEqual(lines({"n": 1}), ["05:00 * (a kind of line this client cannot show: no type)"])

    def test_unknown_kind_of_several_lines_shows_each_on_a_line_of_its_own(self) -> None:
        """A newer server's text joined by \n in JSON is lines of their own, as a notice's; other controls stay
        scrubbed."""
        novel = {"type": "novel", "text": "Poll: lunch?\n1. pizza\x1b[2J\r\n\n2. soup\x07"}
        self.assertEqual(
            lines(novel),
            ["05:00 * Poll: lunch?", "05:00 * 1. pizza\ufffd[2J\ufffd", "05:00 * ", "05:00 * 2. soup\ufffd"],
        )

    def test_missing_or_wrong_fields_read_as_empty(self) -> None:
        """A malformed object renders with blanks and the client's clock instead of failing."""
        self.assertEqual(lines({"type": "said", "at": "noon", "nick": 7}), ["05:00    <> "])
        self.assertEqual(lines({"type": "members", "room": "#a", "nicks": "bob"}), ["05:00 * In #a (0):"])
        self.assertEqual(
            lines({"type": "joined", "at": 1e300, "room": "#a", "nick": "b"}), ["05:00 - b joined #a"]
        )
        self.assertEqual(
            lines({"type": "joined", "at": True, "room": "#a", "nick": "b"}), ["05:00 - b joined #a"]
        )

    def test_text_lines_read_by_the_grammar(self) -> None:
        """Lines sent before JSON takes effect (the greeting, a refusal) are notices and errors."""
        self.assertEqual(render_text("*** Welcome.", PLAIN, NOW).lines, ("05:00 * Welcome.",))
        self.assertEqual(
            render_text("ERR server-full the server is full", PLAIN, NOW).lines,
            ("05:00 ! the server is full (server-full)",),
        )
        self.assertEqual(render_text("plain words", PLAIN, NOW).lines, ("05:00 * plain words",))

    def test_parse_takes_objects_only(self) -> None:
        """A JSON object is a message; other JSON and non-JSON are text lines."""
        self.assertEqual(parse('{"type":"quit"}'), {"type": "quit"})
        self.assertIsNone(parse("[1]"))
        self.assertIsNone(parse("*** Welcome"))
        # Nested past Python's recursion limit: no object, not an error that drops the connection.
        self.assertIsNone(parse("[" * 100_000 + "]" * 100_000))


class HistoryTests(SynchronousTestCase):
    """Lines from a room's history look like history: their own time, the | marker, dimmed, no bell."""

    def test_history_line_has_its_time_and_the_history_marker(self) -> None:
        """A line from history shows its own time (dated when not today), the | marker, and its live body."""
        said = {
            "type": "said",
            "at": NOW - 60,
            "room": "#a",
            "nick": "bob",
            "text": "one\ntwo",
            "history": True,
        }
        self.assertEqual(lines(said), ["04:59 | #a <bob> one", "04:59 | #a <bob> two"])
        joined = {"type": "joined", "at": AT - 86400, "room": "#a", "nick": "bob", "history": True}
        self.assertEqual(lines(joined), ["1969-12-31 00:01 | bob joined #a"])

    def test_history_line_is_dimmed_whole_and_rings_no_bell(self) -> None:
        """With colour the whole line is dim, the nickname's colour left out; a mention in history is no news."""
        said = {"type": "said", "at": AT, "room": "#a", "nick": "bob", "text": "alice!", "history": True}
        shown = render(said, COLOUR, NOW)
        self.assertEqual(shown.lines, ("\x1b[2m00:01\x1b[0m \x1b[2m|\x1b[0m \x1b[2m#a <bob> alice!\x1b[0m",))
        self.assertFalse(shown.bell)
        self.assertTrue(render({**said, "history": False}, COLOUR, NOW).bell)

    def test_search_hit_is_history_with_its_id_first(self) -> None:
        """A line /search found is drawn as history, dimmed, with its id before the room, for /history around ID."""
        hit = {
            "type": "said",
            "id": "019c2a7e5b400000",
            "at": NOW - 60,
            "room": "#a",
            "nick": "bob",
            "text": "try qwen3.6",
            "history": True,
            "search": True,
        }
        self.assertEqual(lines(hit), ["04:59 | 019c2a7e5b400000 #a <bob> try qwen3.6"])
        shown = render(hit, COLOUR, NOW)
        self.assertEqual(
            shown.lines,
            ("\x1b[2m04:59\x1b[0m \x1b[2m|\x1b[0m \x1b[2m019c2a7e5b400000 #a <bob> try qwen3.6\x1b[0m",),
        )
        self.assertFalse(shown.bell)

    def test_history_end_is_a_notice(self) -> None:
        """The marker after history is shown as the server words it."""
        end = {
            "type": "notice",
            "kind": "history_end",
            "room": "#a",
            "count": 3,
            "text": "End of history of #a.",
        }
        self.assertEqual(lines(end), ["05:00 * End of history of #a."])


class ResumeMarkerTests(SynchronousTestCase):
    """After lines a reconnection resumed, a rule says how many were missed, and how many are not shown."""

    def end(self, count: int, missed: int, ignored: int = 0, deleted: int = 0, untold: int = 0) -> Message:
        return {
            "type": "notice",
            "kind": "history_end",
            "room": "#a",
            "count": count,
            "missed": missed,
            **({"ignored": ignored} if ignored else {}),
            **({"deleted": deleted} if deleted or untold else {}),
            **({"untold": untold} if untold else {}),
            "text": "x",
        }

    def test_the_rule_says_how_many_were_missed(self) -> None:
        """All shown: missed N lines; none: nothing missed; past the bound, how many earlier ones are not shown."""
        self.assertEqual(lines(self.end(3, 3)), ["05:00 * ---- missed 3 messages in #a ----"])
        self.assertEqual(lines(self.end(1, 1)), ["05:00 * ---- missed 1 message in #a ----"])
        self.assertEqual(lines(self.end(0, 0)), ["05:00 * ---- nothing missed in #a ----"])
        self.assertEqual(
            lines(self.end(1000, 1500)),
            ["05:00 * ---- missed 1500 messages in #a; 500 earlier messages not shown (/history #a) ----"],
        )

    def test_lines_from_someone_ignored_are_not_called_earlier_lines(self) -> None:
        """Missed lines all or partly from someone the user ignores are said so; /history would not show them."""
        self.assertEqual(
            lines(self.end(0, 3, ignored=3)),
            ["05:00 * ---- missed 3 messages in #a, all from people you ignore ----"],
        )
        self.assertEqual(
            lines(self.end(1, 3, ignored=2)),
            ["05:00 * ---- missed 3 messages in #a, 2 from people you ignore ----"],
        )
        self.assertEqual(
            lines(self.end(990, 1500, ignored=10)),
            [
                "05:00 * ---- missed 1500 messages in #a, 10 from people you ignore; "
                "500 earlier messages not shown (/history #a) ----"
            ],
        )

    def test_deletions_told_are_counted_so_nothing_missed_never_follows_one(self) -> None:
        """Deletions told before the lines are counted in the rule: "nothing missed" right after a line was taken
        away read as if it had not been."""
        self.assertEqual(
            lines(self.end(0, 0, deleted=1)), ["05:00 * ---- no messages missed in #a, 1 line deleted ----"]
        )
        self.assertEqual(
            lines(self.end(1000, 1500, deleted=2)),
            [
                "05:00 * ---- missed 1500 messages in #a, 2 lines deleted; "
                "500 earlier messages not shown (/history #a) ----"
            ],
        )

    def test_deletions_past_the_resumes_bound_are_counted_as_not_told(self) -> None:
        """Deletions the server left out of a resume (past its 256 KiB) are counted, and said not told."""
        self.assertEqual(
            lines(self.end(1, 1, deleted=500, untold=100)),
            ["05:00 * ---- missed 1 message in #a, 600 lines deleted, 100 not told ----"],
        )

    def test_the_server_noting_where_the_client_left_off_is_not_shown(self) -> None:
        """The client says where it left off itself; the server's acknowledgement is no news."""
        noted = {
            "type": "notice",
            "kind": "resume",
            "room": "#a",
            "id": "0194a2b3c4d50000",
            "text": "Joining",
        }
        self.assertEqual(lines(noted), [])


class DocumentedKindsTests(SynchronousTestCase):
    """Every kind docs/PROTOCOL.md documents has a rendering, and the docs list every kind the server sends."""

    def assert_shown(self, message: Message, where: str) -> list[str]:
        shown = lines(message)
        self.assertNotEqual(shown, [], where)
        for line in shown:
            self.assertNotIn(CANNOT_SHOW, line, where)
            self.assertNotIn('{"', line, where)
        return shown

    def test_every_documented_type_shows_all_it_says(self) -> None:
        """A message of each documented type it renders, each key filled, shows every string it holds."""
        types = rendered_types()
        self.assertIn("banned", types)
        for kind, column in types.items():
            message = sample(kind, column)
            shown = "\n".join(self.assert_shown(message, kind))
            # A notice's text says what its other fields (if any) say again.
            wanted = [str(message["text"])] if kind == "notice" else strings(message)
            for text in wanted:
                self.assertIn(text, shown, f"{kind} hides {text!r}")

    def test_every_documented_notice_kind_shown(self) -> None:
        """Every notice kind is shown by its text; only the answers to the client's own /format and /resume are not."""
        kinds = documented_notice_kinds()
        self.assertIn("welcome", kinds)
        for kind in kinds:
            shown = lines({"type": "notice", "kind": kind, "text": f"{kind} text"})
            self.assertEqual(shown, [] if kind in ("format", "resume") else [f"05:00 * {kind} text"])

    def test_documented_examples_shown(self) -> None:
        """Each JSON line in docs/PROTOCOL.md's examples renders as a line of its own kind."""
        examples = [parse(line) for line in re.findall(r"^(\{.*\})$", PROTOCOL, re.MULTILINE)]
        self.assertGreater(len(examples), 3)
        for example in examples:
            assert example is not None, "every example line is a JSON object"
            if example.get("kind") not in ("format", "resume"):
                self.assert_shown(example, str(example))

    def test_docs_list_every_type_the_server_renders(self) -> None:
        """Every event and reply the line front end can render, and notice and error, is in the JSON table."""
        # The line renderer's registry is what the server can send on a line connection at all.
        sent = {type_name(kind) for kind in line_render._human.registry if kind not in ERRORS}
        sent -= {"object", "notice"}
        self.assertEqual(sent - set(documented_types()), set())
        self.assertLessEqual({"notice", "error"}, set(documented_types()))

    def test_docs_list_every_key_the_server_sends(self) -> None:
        """Each type's object, as the line front end writes it, has exactly the keys its row lists."""
        types = documented_types()
        values: dict[object, object] = {
            str: "x",
            float: 1.0,
            int: 1,
            bool: True,
            Actor: Actor("x"),
            tuple[ModeChange, ...]: (ModeChange(Setting.KEY, True, "x"),),
        }
        for kind in line_render._human.registry:
            # Notices and errors are written by hand, with the keys their rows list.
            if not is_dataclass(kind) or kind in (line_render.Notice, *ERRORS):
                continue
            assert isinstance(kind, type), "the registry holds classes"
            hints = get_type_hints(kind)
            item: Any = kind(**{each.name: values.get(hints[each.name]) for each in fields(kind)})
            sent = set(json.loads(line_render.json_line(item))) - {"type"}
            own, _ = documented_keys(types[type_name(kind)])
            self.assertEqual(sent, set(own), type_name(kind))

    def test_docs_say_history_lines_are_live_lines_with_history_true(self) -> None:
        """Each kind of room event, shown from history, has its row's keys and ``history``, which the docs name."""
        self.assertIn('`"history": true`', JSON_SECTION)
        types = documented_types()
        values: dict[object, object] = {
            str: "x",
            float: 1.0,
            int: 1,
            bool: True,
            Actor: Actor("x"),
            tuple[ModeChange, ...]: (ModeChange(Setting.KEY, True, "x"),),
        }
        kinds: tuple[Any, ...] = ROOM_EVENTS
        for kind in kinds:
            hints = get_type_hints(kind)
            event = kind(**{each.name: values.get(hints[each.name]) for each in fields(kind)})
            sent = json.loads(line_render.history_json(event))
            own, _ = documented_keys(types[type_name(kind)])
            self.assertEqual(set(sent) - {"type"}, {*own, "history"}, type_name(kind))
            self.assertIs(sent["history"], True)

    def test_docs_list_every_notice_kind_the_server_sends(self) -> None:
        """Every ``Notice(kind, ...)`` in the server's source is one of the documented kinds."""
        used = set()
        for path in (ROOT / "chatd").rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "Notice"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    used.add(node.args[0].value)
        self.assertIn("welcome", used)
        self.assertEqual(used - set(documented_notice_kinds()), set())


class LookTests(SynchronousTestCase):
    """Own, others', private, server and error lines look different, with colour or without."""

    KINDS: ClassVar[list[Message]] = [
        {"type": "said", "at": AT, "room": "#a", "nick": "alice", "text": "x"},
        {"type": "said", "at": AT, "room": "#a", "nick": "bob", "text": "x"},
        {"type": "whispered", "at": AT, "nick": "bob", "to": "alice", "text": "x"},
        {"type": "joined", "at": AT, "room": "#a", "nick": "bob"},
        {"type": "notice", "kind": "help", "text": "x"},
        {"type": "error", "code": "usage", "text": "x"},
    ]

    def test_markers_differ_without_colour(self) -> None:
        """Without colour each kind has its own marker after the time, and no escape code is written."""
        markers = [lines(message)[0][6] for message in self.KINDS]
        self.assertEqual(markers, [">", " ", "@", "-", "*", "!"])
        self.assertEqual(status("Connected.", PLAIN, NOW).lines, ("05:00 ~ Connected.",))
        for message in self.KINDS:
            self.assertNotIn("\x1b", lines(message)[0])

    def test_colours_differ_with_colour(self) -> None:
        """With colour the same kinds differ in their escape codes, and the text is unchanged."""
        coloured = [lines(message, COLOUR)[0] for message in self.KINDS]
        self.assertEqual(len({SGR.findall(line).__repr__() for line in coloured}), len(self.KINDS))
        for message, line in zip(self.KINDS, coloured, strict=True):
            self.assertEqual(SGR.sub("", line), lines(message)[0])

    def test_exact_coloured_line(self) -> None:
        """Another's message: a dim time, the nickname in its colour, the text as sent."""
        line = lines({"type": "said", "at": AT, "room": "#a", "nick": "bob", "text": "hi"}, COLOUR)[0]
        self.assertEqual(line, f"\x1b[2m00:01\x1b[0m   #a <\x1b[{nick_colour('bob')}mbob\x1b[0m> hi")

    def test_own_nickname_bold(self) -> None:
        """The user's own nickname is bold in its colour."""
        line = lines({"type": "said", "at": AT, "room": "#a", "nick": "Alice", "text": "hi"}, COLOUR)[0]
        self.assertIn(f"\x1b[1;{nick_colour('alice')}mAlice\x1b[0m", line)


class BellTests(SynchronousTestCase):
    """A private message or a mention rings the bell, unless the user wrote it."""

    def bell(self, message: Message) -> bool:
        return render(message, PLAIN, NOW).bell

    def test_private_message_from_another_rings(self) -> None:
        """A private message to the user rings; the echo of one the user sent does not."""
        self.assertTrue(self.bell({"type": "whispered", "at": AT, "nick": "bob", "to": "alice", "text": "x"}))
        self.assertFalse(
            self.bell({"type": "whispered", "at": AT, "nick": "alice", "to": "bob", "text": "x"})
        )

    def test_mention_rings_own_does_not(self) -> None:
        """A line naming the user (any case) rings; the user's own line naming themself does not."""
        said = {"type": "said", "at": AT, "room": "#a", "nick": "bob", "text": "ALICE: look"}
        self.assertTrue(self.bell(said))
        self.assertTrue(self.bell({**said, "type": "acted", "text": "pokes alice"}))
        self.assertFalse(self.bell({**said, "nick": "alice"}))
        self.assertFalse(self.bell({**said, "text": "malice aforethought"}))
        self.assertFalse(self.bell({"type": "joined", "at": AT, "room": "#a", "nick": "alice"}))

    def test_mention_bold_when_coloured(self) -> None:
        """A line naming the user has its text in bold."""
        said = {"type": "said", "at": AT, "room": "#a", "nick": "bob", "text": "hi alice"}
        self.assertTrue(lines(said, COLOUR)[0].endswith("\x1b[1mhi alice\x1b[0m"))

    def test_being_kicked_banned_or_killed_rings_the_bell(self) -> None:
        """What is done to the user rings the bell; the same done to someone else does not."""
        for done in (
            {"type": "kicked", "at": AT, "room": "#a", "nick": "alice", "by": "boss", "reason": ""},
            {"type": "banned", "at": AT, "nick": "alice", "by": "boss", "until": None},
            {"type": "killed", "at": AT, "nick": "alice", "by": "boss", "reason": ""},
        ):
            self.assertTrue(self.bell(done), done)
            self.assertFalse(self.bell({**done, "nick": "bob"}), done)

    def test_no_bell_before_a_nickname(self) -> None:
        """Before the user has a nickname nothing is a mention."""
        said = {"type": "said", "at": AT, "room": "#a", "nick": "bob", "text": "alice"}
        self.assertFalse(render(said, View(zone=UTC), NOW).bell)


class ZoneTests(SynchronousTestCase):
    """Lines are stamped in the view's zone."""

    def test_injected_zone(self) -> None:
        """A zone five and a half hours east shows 00:01 UTC as 05:31."""
        india = timezone(timedelta(hours=5, minutes=30))
        said = {"type": "said", "at": AT, "room": "#a", "nick": "bob", "text": "hi"}
        self.assertEqual(lines(said, View(zone=india)), ["05:31   #a <bob> hi"])


class SafetyTests(SynchronousTestCase):
    """No hostile string from the network reaches the terminal as anything but harmless text."""

    def assert_safe(self, shown: list[str]) -> None:
        for line in shown:
            leftover = UNSAFE.search(SGR.sub("", line))
            self.assertIsNone(leftover, f"{line!r} holds U+{ord(leftover.group()):04X}" if leftover else "")

    def test_hostile_corpus_in_every_field(self) -> None:
        """Every corpus string, in every string field of every kind, is scrubbed, with colour and without."""
        for hostile in CORPUS:
            text = hostile.wire.decode("utf-8", "surrogateescape")
            for message, _ in EXAMPLES:
                poisoned = {
                    key: text if isinstance(value, str) and key != "type" else value
                    for key, value in message.items()
                }
                poisoned.setdefault("nicks", [text])
                poisoned.setdefault("rooms", [{"room": text, "members": 1, "topic": text}])
                poisoned.setdefault("bans", [{"target": text, "until": None, "by": text}])
                line = json.dumps(poisoned)
                decoded = parse(line)
                assert decoded is not None
                for view in (PLAIN, COLOUR, View(me=text, colour=True)):
                    self.assert_safe(list(render(decoded, view, NOW).lines))
            self.assert_safe(list(render_text(text, COLOUR, NOW).lines))
            self.assert_safe(list(status(text, COLOUR, NOW).lines))

    @given(
        st.dictionaries(
            st.sampled_from(["type", "nick", "text", "room", "at", "code"]), st.text() | st.floats()
        )
    )
    def test_any_object_renders_safely(self, message: dict[str, object]) -> None:
        """Whatever the server sends, rendering gives safe lines and never raises."""
        message.setdefault("type", "said")
        self.assert_safe(list(render(message, COLOUR, NOW).lines))
