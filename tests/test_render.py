"""Events, replies, notices and errors -> wire lines, for people and for programs."""

import json
import re
from dataclasses import asdict, fields, replace

from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.durations import LONGEST
from chatd.domain.errors import (
    BadDurationError,
    ChatError,
    InvalidNicknameError,
    NicknameInUseError,
    NicknameRegisteredError,
    NicknameRule,
    NoSuchAccountError,
    NoSuchLineError,
    NoSuchNicknameError,
    NoSuchRoomError,
    NotMemberError,
    NotYourLineError,
)
from chatd.domain.events import (
    CHAT,
    EVENTS,
    ROOM_EVENTS,
    Acted,
    Actor,
    Banned,
    Event,
    Invited,
    Joined,
    Kicked,
    Killed,
    ModeChange,
    Muted,
    NickChanged,
    Parted,
    Quit,
    RoomBan,
    RoomModesChanged,
    RoomOperatorAdded,
    RoomOperatorRemoved,
    RoomRegistered,
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
from chatd.domain.listing import remaining
from chatd.domain.names import check_text
from chatd.domain.replies import (
    Away,
    Ban,
    BanList,
    Members,
    Reply,
    RoomBanList,
    RoomList,
    RoomModes,
    RoomSummary,
    ServerTime,
    Topic,
    UserList,
    Whois,
)
from chatd.frontend.named_refusals import FileRefusedError, OfferRefusedError
from chatd.line.error_fields import error_fields, offer_fields
from chatd.line.errors import UnknownCommandError, UsageError
from chatd.line.render import Notice, Renderable, json_line, text_line
from chatd.line.wording import word
from chatd.text import REPLACEMENT
from tests.events import (
    acted,
    banned,
    joined,
    kicked,
    killed,
    muted,
    nick_changed,
    parted,
    quit,
    said,
    shutting_down,
    topic_changed,
    topic_locked,
    unmuted,
    walled,
    whispered,
)

AT = 61.0
"""One minute and one second past the epoch: shown as [00:01]."""

# One example of every renderable data type and the exact text line it gives.
TEXT_LINES: list[tuple[Event | Reply | Notice, bytes]] = [
    (said(AT, "#lobby", "alice", "hi", seq=1), b"[00:01] #lobby <alice> hi\r\n"),
    (acted(AT, "#lobby", "alice", "waves", seq=1), b"[00:01] #lobby * alice waves\r\n"),
    (whispered(AT, "alice", "bob", "psst"), b"[00:01] <alice -> bob> psst\r\n"),
    (joined(AT, "#lobby", "alice", seq=1), b"[00:01] #lobby -- alice joined\r\n"),
    (
        parted(AT, "#lobby", "alice", "lunch", seq=1),
        b"[00:01] #lobby -- alice left (lunch)\r\n",
    ),
    (parted(AT, "#lobby", "alice", "", seq=1), b"[00:01] #lobby -- alice left\r\n"),
    (quit(AT, "alice", "gone fishing"), b"[00:01] -- alice quit (gone fishing)\r\n"),
    (quit(AT, "alice", ""), b"[00:01] -- alice quit\r\n"),
    (
        nick_changed(AT, "alice", "alicia"),
        b"[00:01] -- alice is now known as alicia\r\n",
    ),
    (
        topic_changed(AT, "#lobby", "alice", "release friday", seq=1),
        b"[00:01] #lobby -- alice set the topic: release friday\r\n",
    ),
    (
        topic_changed(AT, "#lobby", "alice", "", seq=1),
        b"[00:01] #lobby -- alice cleared the topic\r\n",
    ),
    (Members("#lobby", ("alice", "bob"), 2), b"*** In #lobby (2): alice bob\r\n"),
    (
        Members("#dev", ("alice", "bob", "carol"), 3, operators=("alice",), voiced=("alice", "bob")),
        b"*** In #dev (3): @alice +bob carol\r\n",
    ),
    (Topic("#lobby", "release friday"), b"*** Topic of #lobby: release friday\r\n"),
    (Topic("#lobby", ""), b"*** #lobby has no topic\r\n"),
    (RoomList((), 0), b"*** Rooms (0):\r\n"),
    (UserList(("alice", "bob", "carol"), 3), b"*** Online (3): alice bob carol\r\n"),
    (ServerTime(0.0), b"*** Server time: 1970-01-01 00:00:00 UTC\r\n"),
    (
        ServerTime(1_700_000_000.75),
        b"*** Server time: 2023-11-14 22:13:20 UTC\r\n",
    ),
    (Notice("welcome", "Welcome to chatd."), b"*** Welcome to chatd.\r\n"),
    (Notice("nick", "You are bob.", {"nick": "bob"}), b"*** You are bob.\r\n"),
    (
        Notice("help", "/me action", {"command": "me"}, ("Example: /me waves",)),
        b"*** /me action\r\n*** Example: /me waves\r\n",
    ),
    (topic_locked(AT, "#dev", "alice", True, seq=1), b"[00:01] #dev -- alice locked the topic\r\n"),
    (topic_locked(AT, "#dev", "alice", False, seq=1), b"[00:01] #dev -- alice unlocked the topic\r\n"),
    (
        RoomRegistered(id="1", at=AT, actor=Actor("Alice"), room="#dev", seq=2, account="alice"),
        b"[00:01] #dev -- Alice registered the room to the account alice\r\n",
    ),
    (
        RoomUnregistered(id="1", at=AT, actor=Actor("Alice"), room="#dev", seq=2),
        b"[00:01] #dev -- Alice unregistered the room\r\n",
    ),
    (
        RoomOperatorAdded(id="1", at=AT, actor=Actor("alice"), room="#dev", seq=3, nick="Bob", account="bob"),
        b"[00:01] #dev -- alice made Bob a room operator (account bob)\r\n",
    ),
    (
        RoomOperatorRemoved(
            id="1", at=AT, actor=Actor("alice"), room="#dev", seq=4, nick="Bob", account="bob"
        ),
        b"[00:01] #dev -- alice took room operator from Bob (account bob)\r\n",
    ),
    (
        RoomModesChanged(
            id="1",
            at=AT,
            actor=Actor("alice"),
            room="#dev",
            seq=5,
            changes=(
                ModeChange(Setting.INVITE_ONLY, True),
                ModeChange(Setting.KEY, True, "hunter2"),
                ModeChange(Setting.LIMIT, True, "10"),
                ModeChange(Setting.MODERATED, True),
                ModeChange(Setting.SECRET, True),
                ModeChange(Setting.OPERATOR, True, "bob"),
                ModeChange(Setting.VOICE, True, "carol"),
                ModeChange(Setting.BAN, True, "*!*@10.0.0.*"),
            ),
        ),
        b"[00:01] #dev -- alice made the room invite-only, set the room's key to hunter2, set the room's "
        b"member limit to 10, made the room moderated, made the room secret, gave bob operator, gave carol voice, "
        b"banned *!*@10.0.0.*\r\n",
    ),
    (
        RoomModesChanged(
            id="1",
            at=AT,
            actor=CHAT,
            room="#dev",
            seq=7,
            changes=(ModeChange(Setting.OPERATOR, True, "alice"),),
        ),
        b"[00:01] #dev -- the server gave alice operator\r\n",
    ),
    (
        RoomModesChanged(
            id="1",
            at=AT,
            actor=Actor("alice"),
            room="#dev",
            seq=6,
            changes=(
                ModeChange(Setting.INVITE_ONLY, False),
                ModeChange(Setting.KEY, False),
                ModeChange(Setting.LIMIT, False),
                ModeChange(Setting.MODERATED, False),
                ModeChange(Setting.SECRET, False),
                ModeChange(Setting.OPERATOR, False, "bob"),
                ModeChange(Setting.VOICE, False, "carol"),
                ModeChange(Setting.BAN, False, "*!*@10.0.0.*"),
            ),
        ),
        b"[00:01] #dev -- alice let anyone join the room, removed the room's key, removed the room's member "
        b"limit, let every member speak, made the room no longer secret, took operator from bob, took voice "
        b"from carol, lifted the ban on *!*@10.0.0.*\r\n",
    ),
    (
        Invited(id="1", at=AT, actor=Actor("alice"), room="#dev", seq=7, nick="bob"),
        b"[00:01] #dev -- alice invited bob\r\n",
    ),
    (
        kicked(AT, "#dev", "bob", "alice", "spam", seq=1),
        b"[00:01] #dev -- bob was kicked by alice (spam)\r\n",
    ),
    (kicked(AT, "#dev", "bob", "alice", "", seq=1), b"[00:01] #dev -- bob was kicked by alice\r\n"),
    (banned(AT, "bob", "op", AT + 7200), b"[00:01] -- bob was banned by op for 2h\r\n"),
    (banned(AT, "bob", "op", None), b"[00:01] -- bob was banned by op\r\n"),
    (killed(AT, "bob", "op", "flooding"), b"[00:01] -- bob was killed by op (flooding)\r\n"),
    (killed(AT, "bob", "op", ""), b"[00:01] -- bob was killed by op\r\n"),
    (muted(AT, "bob", "op", AT + 90), b"[00:01] -- bob was muted by op for 1m 30s\r\n"),
    (muted(AT, "bob", "op", None), b"[00:01] -- bob was muted by op\r\n"),
    (unmuted(AT, "bob", "op"), b"[00:01] -- bob was unmuted by op\r\n"),
    (walled(AT, "op", "back soon"), b"[00:01] -- op to everyone: back soon\r\n"),
    (shutting_down(AT, "op", "upgrade"), b"[00:01] -- op is shutting down the server (upgrade)\r\n"),
    (shutting_down(AT, "op", ""), b"[00:01] -- op is shutting down the server\r\n"),
    (Whois("bob", (), "", False, ""), b"*** bob is in no room\r\n"),
    (
        Whois("bob", ("#dev", "#lobby"), "lunch", True, "10.0.0.2"),
        b"*** bob is in #dev #lobby\r\n"
        b"*** bob is an operator\r\n"
        b"*** bob is connected from 10.0.0.2\r\n"
        b"*** bob is away: lunch\r\n",
    ),
    (Away("bob", "lunch"), b"*** bob is away: lunch\r\n"),
    (
        RoomModes("#dev", True, True, "hunter2", 10, True, True, True),
        b"*** Settings of #dev: invite-only, key hunter2, limit 10, moderated, secret, topic locked\r\n",
    ),
    (RoomModes("#dev", False, True, "", 0, False, False, False), b"*** Settings of #dev: key\r\n"),
    (RoomModes("#dev", False, False, "", 0, False, False, False), b"*** Settings of #dev: none\r\n"),
    (
        RoomBanList("#dev", (RoomBan("*!*@10.0.0.*", "alice", 86400.0), RoomBan("bob!*@*", "op", AT))),
        b"*** Bans of #dev (2):\r\n"
        b"***   *!*@10.0.0.* set 1970-01-02 00:00 UTC (by alice)\r\n"
        b"***   bob!*@* set 1970-01-01 00:01 UTC (by op)\r\n",
    ),
    (RoomBanList("#dev", ()), b"*** Bans of #dev (0):\r\n"),
    (Ban("bob", 86400.0, "op"), b"*** bob is banned until 1970-01-02 00:00 UTC (by op)\r\n"),
    (Ban("10.0.0.2", None, "op"), b"*** 10.0.0.2 is banned until lifted (by op)\r\n"),
    (
        BanList((Ban("bob", 86400.0, "op"), Ban("10.0.0.2", None, "op"))),
        b"*** Bans (2):\r\n"
        b"***   bob until 1970-01-02 00:00 UTC (by op)\r\n"
        b"***   10.0.0.2 until lifted (by op)\r\n",
    ),
]

# The "type" each kind of item has in a JSON line.
TYPE_NAMES: dict[type, str] = {
    Said: "said",
    Acted: "acted",
    Whispered: "whispered",
    Joined: "joined",
    Parted: "parted",
    Quit: "quit",
    NickChanged: "nick_changed",
    TopicChanged: "topic_changed",
    Members: "members",
    Topic: "topic",
    RoomList: "room_list",
    UserList: "user_list",
    ServerTime: "server_time",
    Notice: "notice",
    TopicLocked: "topic_locked",
    Kicked: "kicked",
    RoomRegistered: "room_registered",
    RoomUnregistered: "room_unregistered",
    RoomOperatorAdded: "room_operator_added",
    RoomOperatorRemoved: "room_operator_removed",
    Banned: "banned",
    Killed: "killed",
    Muted: "muted",
    Unmuted: "unmuted",
    Walled: "walled",
    ShuttingDown: "shutting_down",
    Whois: "whois",
    Away: "away",
    Ban: "ban",
    BanList: "ban_list",
    RoomModesChanged: "room_modes_changed",
    Invited: "invited",
    RoomModes: "room_modes",
    RoomBanList: "room_ban_list",
}

# What no rendered text may hold, bar the CRLF that ends each line: C0 and
# C1 controls, DEL, the line and paragraph separators and every bidi
# mark, embedding, override and isolate.
FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

# --- strategies -----------------------------------------------------------

TIMES = st.floats(min_value=0, max_value=4_102_444_800)  # up to 2100
"""Timestamps as the chat's clock gives them."""


def _accepted_unchanged(text: str) -> bool:
    """Whether check_text shows ``text`` exactly as it is."""
    try:
        return check_text(text) == text
    except ChatError:
        return False


# Text check_text accepts unchanged: no controls (Cc), surrogates, line or
# paragraph separators, bidi marks or tabs; joiners and emoji are fine.
SAFE_TEXT = st.text(
    st.characters(
        exclude_categories=["Cc", "Cs", "Zl", "Zp"],
        exclude_characters="\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    )
).filter(_accepted_unchanged)


SHOWN = (*ROOM_EVENTS, Whispered, Quit, NickChanged, Banned, Killed, Muted, Unmuted, Walled, ShuttingDown)
"""The events a front end shows someone; the rest (a user online, away, made operator, a ban
set or lifted) change state and are kept, and reach people only through replies and notices."""


def events(text: st.SearchStrategy[str], kinds: tuple[type[Event], ...] = SHOWN) -> st.SearchStrategy[Event]:
    """Every kind of event in ``kinds``, with each string field drawn from ``text``."""
    actors = st.builds(Actor, text, text, st.none() | text)
    by_name: dict[str, st.SearchStrategy[object]] = {
        "id": st.text("0123456789abcdef", min_size=16, max_size=16),
        "at": TIMES,
        "actor": actors,
        "operator": st.none() | actors,
        "seq": st.integers(min_value=1, max_value=2**53),
        "until": st.none() | TIMES,
        "locked": st.booleans(),
        "apart": st.booleans(),
        "room_operator": st.booleans(),
        "made": st.booleans(),
        "member": st.booleans(),
        "address": st.booleans(),
        "owner": st.none() | text,
        "operators": st.lists(text, max_size=4).map(tuple),
        "changes": st.lists(
            st.builds(ModeChange, st.sampled_from(Setting), st.booleans(), text), min_size=1, max_size=3
        ).map(tuple),
        "restored": st.lists(st.builds(RoomBan, text, text, TIMES), max_size=2).map(tuple),
    }
    return st.one_of(
        *(st.builds(kind, **{f.name: by_name.get(f.name, text) for f in fields(kind)}) for kind in kinds)
    )


def replies(text: st.SearchStrategy[str]) -> st.SearchStrategy[Reply]:
    """Every kind of reply, with each string drawn from ``text``."""
    names = st.lists(text, max_size=4).map(tuple)
    summaries = st.builds(RoomSummary, text, st.integers(min_value=0), text)
    bans = st.builds(Ban, text, st.none() | TIMES, text)
    room_bans = st.builds(RoomBan, text, text, TIMES)
    return st.one_of(
        st.builds(Members, text, names, st.integers(min_value=0), operators=names, voiced=names),
        st.builds(RoomModes, text, *[st.booleans()] * 2, text, st.integers(0, 100_000), *[st.booleans()] * 3),
        st.builds(RoomBanList, text, st.lists(room_bans, max_size=4).map(tuple)),
        st.builds(Topic, text, text, text, TIMES),
        st.builds(RoomList, st.lists(summaries, max_size=4).map(tuple)),
        st.builds(UserList, names),
        st.builds(ServerTime, TIMES),
        st.builds(Whois, text, names, text, st.booleans(), text),
        st.builds(Away, text, text),
        st.builds(BanList, st.lists(bans, max_size=4).map(tuple)),
        bans,
    )


def errors(text: st.SearchStrategy[str]) -> st.SearchStrategy[ChatError]:
    """Errors whose messages quote what a user typed."""
    return st.one_of(
        st.builds(NicknameInUseError, text),
        st.builds(InvalidNicknameError, text, st.sampled_from(NicknameRule), st.integers(1, 99)),
        st.builds(BadDurationError, text, st.floats(1, LONGEST)),
        st.builds(NoSuchNicknameError, text),
        st.builds(NoSuchRoomError, text),
        st.builds(UnknownCommandError, text),
        st.builds(UsageError, text),
    )


def offer_refusals(text: st.SearchStrategy[str]) -> st.SearchStrategy[OfferRefusedError]:
    """Refusals of offers, naming them by what a user typed: target, size, SHA-256 and name."""
    return st.builds(
        OfferRefusedError,
        errors(text),
        text,
        st.integers(-1, 10**12),
        text,
        text,
        st.none() | st.from_regex("[0-9a-f]{16}", fullmatch=True),
    )


def accept_refusals(text: st.SearchStrategy[str]) -> st.SearchStrategy[FileRefusedError]:
    """Refusals of accepts, naming the file they answer."""
    return st.builds(FileRefusedError, errors(text), st.from_regex("[0-9a-f]{16}", fullmatch=True))


def renderables(text: st.SearchStrategy[str]) -> st.SearchStrategy[Renderable]:
    """Anything a front end renders, with each string drawn from ``text``."""
    return st.one_of(
        events(text), replies(text), notices(text), errors(text), offer_refusals(text), accept_refusals(text)
    )


def notices(text: st.SearchStrategy[str]) -> st.SearchStrategy[Notice]:
    """Notices with fields and further lines, each string drawn from ``text``."""
    keys = st.sampled_from(["nick", "room", "usage", "away"])
    return st.builds(
        Notice, text, text, st.dictionaries(keys, text, max_size=3), st.lists(text, max_size=3).map(tuple)
    )


def _lines(line: bytes) -> list[bytes]:
    """The CRLF-terminated lines of ``line``; fails unless it ends in CRLF."""
    if not line.endswith(b"\r\n"):
        raise AssertionError(f"{line!r} does not end in CRLF")
    return line[:-2].split(b"\r\n")


ACCOUNTS = ("actor", "to_account", "person")
"""The fields that say who is identified to what (a kick's ``person``: the kicked one's account or address), which
programs are not shown (bar the actor's nickname)."""

NOT_SHOWN = (*ACCOUNTS, "apart", "restored", "made")
"""The fields programs are not shown: the accounts, a kill's ``apart``, which only says how IRC tells the operator,
the masks a room's settings put back (``restored``), which its ban list shows, and whether a join made its room anew
(``made``), which only a store reads back."""


def _client_fields(item: Event | Reply | Notice) -> dict[str, object]:
    """What a program reads of ``item``: its fields, for an event the actor as ``nick`` (or ``by``) and no address."""
    if isinstance(item, Notice):
        return {"kind": item.kind, **item.fields, "text": "\n".join((item.text, *item.more))}
    if not isinstance(item, EVENTS):
        return {key: _as_json(value) for key, value in asdict(item).items()}
    own = {f.name: _as_json(getattr(item, f.name)) for f in fields(item) if f.name not in NOT_SHOWN}
    own["by" if "nick" in own else "nick"] = item.actor.nick
    return own


def _as_json(value: object) -> object:
    """``value`` with tuples as lists, as JSON gives them back."""
    if isinstance(value, dict):
        return {key: _as_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_as_json(item) for item in value]
    if isinstance(value, ModeChange):
        return _as_json(asdict(value))
    return value


class TextLineTests(SynchronousTestCase):
    """``text_line`` renders each item as the line(s) a person reads."""

    def test_every_kind_of_item_has_its_line(self) -> None:
        """Each event, reply and notice renders to its exact line."""
        for item, line in TEXT_LINES:
            self.assertEqual(text_line(item), line, repr(item))

    def test_examples_cover_every_kind_of_item(self) -> None:
        """The examples above include every event, reply and notice type."""
        self.assertEqual({type(item) for item, _ in TEXT_LINES}, set(TYPE_NAMES))

    def test_error_renders_as_err_code_and_message(self) -> None:
        """A ChatError is one line: ERR, its code, its message."""
        self.assertEqual(
            text_line(NicknameInUseError("alice")),
            b"ERR nick-in-use alice is already taken; choose another nickname\r\n",
        )
        self.assertEqual(
            text_line(UsageError("/msg NICK text")),
            b"ERR usage usage: /msg NICK text\r\n",
        )

    def test_a_refusal_naming_what_it_answers_reads_as_the_refusal(self) -> None:
        """A refused offer or accept is the refusal's line: a person reads it under the line they typed, and what
        it names is for programs, in its JSON."""
        refusal = NoSuchNicknameError("bob")
        line = b"ERR no-such-nick nobody called bob is online\r\n"
        self.assertEqual(text_line(OfferRefusedError(refusal, "bob", 10, "ab" * 32, "x.bin")), line)
        self.assertEqual(text_line(FileRefusedError(refusal, "1a2b3c4d5e6f7a8b")), line)

    def test_room_list_has_a_header_and_a_line_per_room(self) -> None:
        """A room list is a count line and then one line per room, each CRLF."""
        rooms = RoomList(
            (
                RoomSummary("#dev", 2, "release friday"),
                RoomSummary("#lobby", 5, ""),
                RoomSummary("#random", 1, "anything goes"),
            ),
            3,
        )
        self.assertEqual(
            text_line(rooms),
            b"*** Rooms (3):\r\n"
            b"***   #dev (2) release friday\r\n"
            b"***   #lobby (5)\r\n"
            b"***   #random (1) anything goes\r\n",
        )

    def test_clock_shows_hours_and_minutes_of_the_utc_day(self) -> None:
        """The stamp is UTC hours:minutes; whole days and seconds are not shown."""
        event = said(3 * 86400 + 13 * 3600 + 7 * 60 + 59.9, "#lobby", "alice", "hi", seq=1)
        self.assertEqual(text_line(event), b"[13:07] #lobby <alice> hi\r\n")

    def test_non_ascii_text_is_sent_as_utf8(self) -> None:
        """Accents and emoji with joiners arrive as UTF-8, unchanged."""
        event = said(AT, "#café", "zoë", "👩\u200d💻 ok", seq=1)
        self.assertEqual(text_line(event), "[00:01] #café <zoë> 👩\u200d💻 ok\r\n".encode())

    def test_escape_sequence_is_defused(self) -> None:
        """An ESC in any field is shown as U+FFFD, so no terminal obeys it."""
        event = said(AT, "#lobby", "al\x1bice", "\x1b[2Jgone", seq=1)
        self.assertEqual(
            text_line(event),
            f"[00:01] #lobby <al{REPLACEMENT}ice> {REPLACEMENT}[2Jgone\r\n".encode(),
        )

    def test_bidi_override_is_defused(self) -> None:
        """A right-to-left override is shown as U+FFFD."""
        event = said(AT, "#lobby", "alice", "abc\u202edef", seq=1)
        self.assertEqual(
            text_line(event),
            f"[00:01] #lobby <alice> abc{REPLACEMENT}def\r\n".encode(),
        )

    def test_tab_is_shown_as_a_space(self) -> None:
        """A tab in a field is shown as one space."""
        event = said(AT, "#lobby", "alice", "a\tb", seq=1)
        self.assertEqual(text_line(event), b"[00:01] #lobby <alice> a b\r\n")

    @settings(max_examples=200)
    @given(renderables(st.text()))
    def test_any_item_renders_safe_crlf_lines(self, item: Renderable) -> None:
        """Whatever the fields hold, the output is UTF-8 lines ending in one CRLF
        each, with no control, separator or bidi character inside a line."""
        line = text_line(item)
        for one in _lines(line):
            self.assertNotIn(b"\r", one)
            self.assertNotIn(b"\n", one)
            shown = one.decode("utf-8")
            self.assertIsNone(FORBIDDEN.search(shown), repr(shown))

    def test_newline_inside_a_field_cannot_forge_a_line(self) -> None:
        """A newline that slipped into a field is shown as U+FFFD, never as a new line."""
        event = acted(AT, "#lobby", "alice", "waves\n[00:01] #lobby <bob> trust me", seq=1)
        self.assertEqual(
            text_line(event), "[00:01] #lobby * alice waves\ufffd[00:01] #lobby <bob> trust me\r\n".encode()
        )

    def test_multi_line_message_shows_each_line_as_from_its_sender(self) -> None:
        """A pasted message shows every line with the room and the sender's nickname."""
        event = said(AT, "#lobby", "alice", "one\ntwo", seq=1)
        self.assertEqual(text_line(event), b"[00:01] #lobby <alice> one\r\n[00:01] #lobby <alice> two\r\n")
        self.assertEqual(json.loads(json_line(event))["text"], "one\ntwo")

    def test_empty_listings_end_after_the_colon(self) -> None:
        """A listing with nobody in it ends at its colon, with no trailing space."""
        self.assertEqual(text_line(Members("#x", (), 0)), b"*** In #x (0):\r\n")
        self.assertEqual(text_line(UserList((), 0)), b"*** Online (0):\r\n")

    @settings(max_examples=200)
    @given(renderables(st.text()))
    def test_item_renders_as_its_own_lines_whatever_its_fields(self, item: Renderable) -> None:
        """A room list takes one line per room plus a header, a message one line
        per line of its text, a notice one per line it was given, a listing with
        more pages one more line, and anything else exactly one line, whatever
        characters its fields hold."""
        if isinstance(item, RoomList):
            expected = 1 + len(item.rooms) + bool(remaining(item.total, item.page, len(item.rooms)))
        elif isinstance(item, Members | UserList):
            expected = 1 + bool(remaining(item.total, item.page, len(item.nicks)))
        elif isinstance(item, BanList | RoomBanList):
            expected = 1 + len(item.bans)
        elif isinstance(item, Whois):
            expected = 1 + item.operator + bool(item.address) + bool(item.away)
        elif isinstance(item, Said):
            expected = 1 + item.text.count("\n")
        elif isinstance(item, Notice):
            expected = 1 + len(item.more)
        else:
            expected = 1
        self.assertEqual(len(_lines(text_line(item))), expected)

    @settings(max_examples=200)
    @given(events(SAFE_TEXT))
    def test_checked_text_is_shown_verbatim(self, event: Event) -> None:
        """Every string field of an event made of checked text appears unchanged, and its actor's nickname
        (its id is for programs: the text rendering leaves it out)."""
        shown = text_line(event).decode("utf-8")
        self.assertIn(event.actor.nick, shown)
        for field in fields(event):
            value = getattr(event, field.name)
            if isinstance(value, str) and field.name not in ("id", *ACCOUNTS):
                self.assertIn(value, shown)


class JsonLineTests(SynchronousTestCase):
    """``json_line`` renders each item as one JSON object for programs."""

    def test_said_renders_as_compact_json_in_field_order(self) -> None:
        """A Said is one compact object: type, id, time, room and sequence, who, what; never the address."""
        event = Said(
            id="000000000ee48000", at=AT, actor=Actor("alice", "10.0.0.1"), room="#lobby", seq=7, text="hi"
        )
        self.assertEqual(
            json_line(event),
            b'{"type":"said","id":"000000000ee48000","at":61.0,"room":"#lobby","seq":7,'
            b'"nick":"alice","text":"hi"}\r\n',
        )

    def test_actor_is_by_where_nick_names_who_was_acted_on(self) -> None:
        """A kick, ban or mute names its target as nick and the operator or owner as by."""
        self.assertEqual(
            json.loads(json_line(kicked(AT, "#dev", "bob", "alice", "spam", seq=3))),
            {
                "type": "kicked",
                "id": "",
                "at": AT,
                "room": "#dev",
                "seq": 3,
                "nick": "bob",
                "by": "alice",
                "reason": "spam",
                "until": 121.0,
            },
        )

    def test_type_is_the_snake_case_class_name(self) -> None:
        """Each item's "type" is its class name in snake_case."""
        for item, _ in TEXT_LINES:
            parsed = json.loads(json_line(item))
            self.assertEqual(parsed["type"], TYPE_NAMES[type(item)], repr(item))

    def test_other_keys_are_the_fields(self) -> None:
        """Bar "type", the object holds exactly the item's fields and values (an event's actor as its nickname)."""
        items = [item for item, _ in TEXT_LINES] + [
            RoomList((RoomSummary("#dev", 2, "code"), RoomSummary("#lobby", 5, "")), 2)
        ]
        for item in items:
            parsed = json.loads(json_line(item))
            del parsed["type"]
            self.assertEqual(parsed, _client_fields(item), repr(item))

    def test_error_renders_its_code_and_message(self) -> None:
        """A ChatError is an "error" object with its code and message as text, and its own keys (no-such-nick's
        nickname and look-alike)."""
        self.assertEqual(
            json.loads(json_line(NoSuchNicknameError("bob"))),
            {
                "type": "error",
                "code": "no-such-nick",
                "text": "nobody called bob is online",
                "nick": "bob",
                "alike": None,
            },
        )

    def test_non_ascii_text_is_sent_as_utf8_not_escapes(self) -> None:
        """Non-ASCII characters go out as UTF-8 bytes, not \\u escapes."""
        line = json_line(said(AT, "#lobby", "zoë", "👩\u200d💻", seq=1))
        self.assertIn("zoë".encode(), line)
        self.assertIn("👩\u200d💻".encode(), line)

    def test_escape_sequence_is_defused(self) -> None:
        """An ESC in a field arrives as U+FFFD."""
        parsed = json.loads(json_line(said(AT, "#lobby", "alice", "\x1b[2J", seq=1)))
        self.assertEqual(parsed["text"], f"{REPLACEMENT}[2J")

    @settings(max_examples=200)
    @given(renderables(st.text()))
    def test_any_item_is_one_parsable_line(self, item: Renderable) -> None:
        """Whatever the fields hold, the output is one CRLF-ended line of JSON
        that names the item's type and holds no forbidden character."""
        line = json_line(item)
        self.assertEqual(len(_lines(line)), 1)
        self.assertNotIn(b"\n", line[:-2])
        text = line.decode("utf-8")
        self.assertIsNone(FORBIDDEN.search(text[:-2]), repr(text))
        parsed = json.loads(text)
        if isinstance(item, ChatError):
            self.assertEqual(set(parsed), {"type", "code", "text", *error_fields(item)})
            self.assertEqual(parsed["code"], item.code)
        elif isinstance(item, OfferRefusedError):
            refusal = item.refusal
            self.assertEqual(
                set(parsed), {"type", "code", "text", *error_fields(refusal), *offer_fields(item)}
            )
            self.assertEqual(parsed["code"], refusal.code)
        elif isinstance(item, FileRefusedError):
            self.assertEqual(set(parsed), {"type", "code", "text", "file", *error_fields(item.refusal)})
            self.assertEqual((parsed["code"], parsed["file"]), (item.refusal.code, item.file))
        else:
            self.assertEqual(set(parsed), {"type"} | set(_client_fields(item)))
            self.assertEqual(parsed["type"], TYPE_NAMES[type(item)])

    def test_errors_that_answer_a_key_get_say_what_they_answer(self) -> None:
        """``no-such-account`` names the nickname, ``unknown-command`` the command: a client tells which of its
        commands an error answers (issue 17: never taking a typo's error for a /key get's)."""
        self.assertEqual(json.loads(json_line(NoSuchAccountError("Bob")))["nick"], "Bob")
        self.assertEqual(json.loads(json_line(UnknownCommandError("typo")))["command"], "typo")

    def test_a_refused_delete_names_its_line(self) -> None:
        """``no-such-line`` and ``not-your-line`` name the room and the line, ``members-only`` the room: the page says
        a refusal of a line's delete button on that line."""
        for error in (
            NoSuchLineError("#Lobby", "019c2a7e5b400000"),
            NotYourLineError("#Lobby", "019c2a7e5b400000"),
        ):
            parsed = json.loads(json_line(error))
            self.assertEqual((parsed["room"], parsed["line"]), ("#Lobby", "019c2a7e5b400000"))
        self.assertEqual(json.loads(json_line(NotMemberError("#art")))["room"], "#art")

    def test_a_registered_nickname_s_error_says_whether_a_password_would_take_it(self) -> None:
        """``nick-registered`` names the nickname, and whether it only looks like the registered one: a program
        asks for a password in its own words (the page's password box), and for a look-alike, another name."""
        fields = [
            json.loads(json_line(NicknameRegisteredError(nick, "alice"))) for nick in ("Alice", "AIice")
        ]
        self.assertEqual(
            [(error["nick"], error["look_alike"]) for error in fields], [("Alice", False), ("AIice", True)]
        )

    def test_a_number_past_64_bits_is_written_as_it_is(self) -> None:
        """A page number someone typed may be any length: orjson refuses those past 64 bits, JSON does not."""
        page = 10**30
        self.assertEqual(json.loads(json_line(RoomList((), total=3, page=page, pages=1)))["page"], page)

    @settings(max_examples=200)
    @given(st.one_of(replies(SAFE_TEXT), notices(SAFE_TEXT)))
    def test_checked_fields_come_back_unchanged(self, item: Reply | Notice) -> None:
        """For a reply or notice of checked text, the JSON holds its fields as they are."""
        parsed = json.loads(json_line(item))
        del parsed["type"]
        self.assertEqual(parsed, _client_fields(item))

    @settings(max_examples=200)
    @given(events(SAFE_TEXT))
    def test_render_then_parse_gives_the_event_back(self, event: Event) -> None:
        """An event of checked text rebuilt from its JSON line equals the event, bar the actor's address and
        account, the account a private message went to, whom a kick's wait holds, whether a kill's operator was apart,
        the masks a room's settings put back, and whether a join made its room anew."""
        parsed = json.loads(json_line(event))
        kind = type(event)
        self.assertEqual(parsed.pop("type"), TYPE_NAMES[kind])
        actor = Actor(parsed.pop("by" if "by" in parsed else "nick"))
        if "changes" in parsed:
            parsed["changes"] = tuple(
                ModeChange(Setting(c["setting"]), c["on"], c["argument"]) for c in parsed["changes"]
            )
        shown = replace(event, actor=actor)
        if isinstance(shown, Whispered):
            shown = replace(shown, to_account=None)
        elif isinstance(shown, Kicked):
            shown = replace(shown, person="")
        elif isinstance(shown, Killed):
            shown = replace(shown, apart=False)
        elif isinstance(shown, RoomModesChanged):
            shown = replace(shown, restored=())
        elif isinstance(shown, Joined):
            shown = replace(shown, made=False)
        self.assertEqual(kind(actor=actor, **parsed), shown)

    @settings(max_examples=200)
    @given(errors(SAFE_TEXT))
    def test_checked_error_message_comes_back_unchanged(self, error: ChatError) -> None:
        """An error built from checked text is worded as checked text, sent unchanged."""
        self.assertTrue(_accepted_unchanged(word(error)), repr(word(error)))
        self.assertEqual(json.loads(json_line(error))["text"], word(error))
        self.assertEqual(text_line(error), f"ERR {error.code} {word(error)}\r\n".encode())
