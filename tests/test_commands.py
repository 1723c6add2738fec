"""Typed text -> typed commands: the command table, usage errors, plain lines."""

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.errors import BadDurationError, ChatError
from chatd.domain.events import ModeChange, Setting
from chatd.domain.ids import event_point, time_point
from chatd.frontend.file_pages import Place
from chatd.line import (
    account_commands,
    commands,
    files,
    history_commands,
    keys,
    mode_commands,
    moderation_commands,
    room_commands,
    table,
)
from chatd.line.account_commands import (
    DropAccount,
    Forget,
    Identify,
    Password,
    Register,
    SetPassword,
    Unregister,
)
from chatd.line.commands import (
    Away,
    Format,
    Help,
    Ignore,
    Join,
    Me,
    Msg,
    Nick,
    Part,
    Ping,
    Quit,
    Rooms,
    Say,
    Takeover,
    Time,
    Topic,
    Unignore,
    Users,
    Who,
    Whois,
)
from chatd.line.error_fields import error_fields
from chatd.line.errors import BadPointError, ModeLetterError, UnknownCommandError, UsageError
from chatd.line.files import FileAbout, FileAccept, FileAck, FileDeclineEvery, FileListing, FileOffer, FilePut
from chatd.line.history_commands import History, Resume, Search
from chatd.line.keys import Emsg, KeyCommand
from chatd.line.mode_commands import Invite, ListRoomBans, Mode
from chatd.line.moderation_commands import (
    Ban,
    Delete,
    Kick,
    Kill,
    ListBans,
    Lock,
    Mute,
    Oper,
    Shutdown,
    Unban,
    Unmute,
    Wall,
)
from chatd.line.passwords import Typed
from chatd.line.room_commands import Op, RegisterRoom, UnregisterRoom
from chatd.line.syntax import Command, RoomThenText
from chatd.line.table import COMMANDS, LINE
from chatd.line.wording import word
from tests.helpers import LineTestCase

AT = event_point("0194a2b3c4d50000")
"""Where the id most examples give happened."""


def parse(text: str) -> Command:
    """The command ``text`` gives; its row is ``table.parse(text).row``."""
    return table.parse(text).command


# For each command in the table, lines that use it well and what they mean.
VALID: dict[str, list[tuple[str, Command]]] = {
    "help": [
        ("/help", Help(None)),
        ("/help msg", Help("msg")),
        ("/help /JOIN", Help("join")),
    ],
    "nick": [("/nick bob", Nick("bob")), ("/nick  bob ", Nick("bob"))],
    "takeover": [("/takeover alice 3q2-7wEVn0Vh1Sx5cEl9_Dk_", Takeover("alice", "3q2-7wEVn0Vh1Sx5cEl9_Dk_"))],
    "join": [
        ("/JOIN dev", Join("#dev")),
        ("/join #dev", Join("#dev")),
        ("/join #dev hunter2", Join("#dev", "hunter2")),
        ("/join dev  hunter2 ", Join("#dev", "hunter2")),
    ],
    "part": [
        ("/part", Part(RoomThenText(None, ""))),
        ("/part #dev", Part(RoomThenText("#dev", ""))),
        ("/part #dev bye now", Part(RoomThenText("#dev", "bye now"))),
        ("/part #dev   bye now", Part(RoomThenText("#dev", "bye now"))),
        ("/part lobby", Part(RoomThenText("#lobby", "", "lobby"))),
        ("/part see  you", Part(RoomThenText("#see", "you", "see  you"))),
    ],
    "rooms": [("/rooms", Rooms(1)), ("/ROOMS  ", Rooms(1)), ("/rooms 3", Rooms(3))],
    "who": [
        ("/who", Who(None, 1)),
        ("/who dev", Who("#dev", 1)),
        ("/who #dev", Who("#dev", 1)),
        ("/who 2", Who("#2", 1)),
        ("/who #dev 2", Who("#dev", 2)),
    ],
    "users": [("/users", Users(1)), ("/users 12", Users(12))],
    "msg": [
        ("/msg bob hi  there", Msg("bob", "hi  there")),
        ("/msg bob   hi", Msg("bob", "hi")),
    ],
    "emsg": [
        ("/emsg bob eyJ2IjoxfQ==", Emsg("bob", "eyJ2IjoxfQ==")),
        ("/EMSG Bob  abc ", Emsg("Bob", "abc")),
    ],
    "key": [
        ("/key get bob", KeyCommand("get", "bob")),
        ("/key PUBLISH k+/=", KeyCommand("publish", "k+/=")),
        ("/key drop k", KeyCommand("drop", "k")),
        ("/key log", KeyCommand("log", "1")),
        ("/key log 42", KeyCommand("log", "42")),
    ],
    "me": [("/me waves", Me("waves")), ("/me waves  twice", Me("waves  twice"))],
    "topic": [
        ("/topic", Topic(None, None)),
        ("/topic release on friday", Topic(None, "release on friday")),
        ("/topic -", Topic(None, "")),
        ("/topic - and more", Topic(None, "- and more")),
        ("/topic #dev", Topic("#dev", None)),
        ("/topic #dev #1 priority", Topic("#dev", "#1 priority")),
        ("/topic #dev -", Topic("#dev", "")),
    ],
    "history": [
        ("/history", History(None, None)),
        ("/history 50", History(None, 50)),
        ("/history dev", History("#dev", None, nick="dev")),
        ("/history #2 5", History("#2", 5)),
        ("/history #dev around 0194a2b3c4d50000", History("#dev", None, AT)),
        ("/history AROUND 0194a2b3c4d50000", History(None, None, AT)),
        ("/history around 0194A2B3C4D50000", History(None, None, AT)),
        ("/history around 2026-12-04t15:04:05.123z", History(None, None, time_point(1796396645123000))),
        ("/history around 2026-12-04T15:04:05.123Z", History(None, None, time_point(1796396645123000))),
        ("/history around", History("#around", None, nick="around")),
        ("/history #dev before 0194a2b3c4d50000", History("#dev", None, before=AT)),
        ("/history Before 0194a2b3c4d50000 50", History(None, 50, before=AT)),
        ("/history before 2026-12-04T15:04:05Z 5", History(None, 5, before=time_point(1796396645000000))),
        ("/history before", History("#before", None, nick="before")),
        ("/history @dev", History(None, None, nick="dev")),
        ("/history @dev 5", History(None, 5, nick="dev")),
    ],
    "search": [
        ("/search qwen3.6", Search(None, "qwen3.6")),
        ("/search #dev cafe  menu", Search("#dev", "cafe  menu")),
        ("/search dev news", Search(None, "dev news")),
        ('/search "quoted" OR *', Search(None, '"quoted" OR *')),
        ("/search @dev cafe menu", Search(None, "cafe menu", "dev")),
    ],
    "resume": [
        ("/resume #dev 0194a2b3c4d50000", Resume("#dev", "0194a2b3c4d50000", AT)),
        ("/RESUME dev  0194a2b3c4d50000 ", Resume("#dev", "0194a2b3c4d50000", AT)),
        (
            "/resume #dev 2026-12-04T15:04:05Z",
            Resume("#dev", "2026-12-04T15:04:05Z", time_point(1796396645000000)),
        ),
        ("/resume #dev 0194A2B3C4D50000", Resume("#dev", "0194A2B3C4D50000", AT)),
        ("/resume dev", Resume("#dev")),
        ("/resume", Resume()),
    ],
    "time": [("/time", Time())],
    "ping": [("/ping", Ping("")), ("/PING 42  abc ", Ping("42  abc"))],
    "quit": [("/quit", Quit("")), ("/quit gone fishing", Quit("gone fishing"))],
    "format": [
        ("/format JSON", Format(True)),
        ("/format json", Format(True)),
        ("/format text", Format(False)),
    ],
    "away": [("/away", Away("")), ("/away  at lunch ", Away("at lunch"))],
    "whois": [("/whois bob", Whois("bob"))],
    "file": [
        ("/file list", FileListing()),
        ("/file list after 5000000-1a2b3c4d5e6f7a8b", FileListing(Place(5_000_000, "1a2b3c4d5e6f7a8b"))),
        ("/file decline 1a2b3c4d5e6f7a8b", FileAbout("decline", "1a2b3c4d5e6f7a8b")),
        ("/file decline *", FileDeclineEvery()),
        ("/file ack 1a2b3c4d5e6f7a8b 16384", FileAck("1a2b3c4d5e6f7a8b", 16384)),
        ("/file accept 1a2b3c4d5e6f7a8b", FileAccept("1a2b3c4d5e6f7a8b")),
        ("/file put 1a2b3c4d5e6f7a8b 0 aGk=", FilePut("1a2b3c4d5e6f7a8b", 0, "aGk=")),
        (
            "/file offer bob 2 " + "0" * 64 + " text/plain my notes.txt",
            FileOffer("bob", 2, "0" * 64, "text/plain", "my notes.txt"),
        ),
    ],
    "ignore": [("/ignore", Ignore(None)), ("/ignore bob", Ignore("bob"))],
    "unignore": [("/unignore bob", Unignore("bob"))],
    # One password example a row, last: it registers the nickname the next example would use.
    "register": [
        ("/register #dev", RegisterRoom("#dev")),
        ('/register "correct horse"', Register("correct horse")),
    ],
    "identify": [
        ("/identify hunter22", Identify(None, Typed("hunter22"))),
        ('/identify "correct horse"', Identify(None, Typed("correct horse", quoted=True))),
        ("/identify alice correct horse", Identify("alice", Typed("correct horse"))),
        ('/identify alice "correct horse"', Identify("alice", Typed("correct horse", quoted=True))),
    ],
    "password": [
        ("/password old1 new one", Password(Typed("old1"), "new one")),
        ('/password "old one" "new one"', Password(Typed("old one", quoted=True), "new one")),
    ],
    "unregister": [
        ("/unregister #Dev", UnregisterRoom("#Dev")),
        ("/unregister correct horse", Unregister(Typed("correct horse"))),
        ('/unregister "correct horse"', Unregister(Typed("correct horse", quoted=True))),
    ],
    "op": [("/op bob", Op(None, "bob", True)), ("/op #dev bob", Op("#dev", "bob", True))],
    "deop": [("/deop bob", Op(None, "bob", False)), ("/deop  #dev  bob ", Op("#dev", "bob", False))],
    "forget": [("/forget", Forget(False)), ("/forget CONFIRM", Forget(True))],
    "account": [
        ("/account password alice first week", SetPassword("alice", "first week")),
        ("/account PASSWORD  Alice   x y ", SetPassword("Alice", "x y")),
        ('/account password alice "x y"', SetPassword("alice", "x y")),
        ("/account drop alice", DropAccount("alice")),
        ("/account Drop  alice ", DropAccount("alice")),
    ],
    "oper": [
        ("/oper boss correct horse", Oper("boss", Typed("correct horse"))),
        ('/oper boss "correct horse"', Oper("boss", Typed("correct horse", quoted=True))),
        ("/oper boss  pw", Oper("boss", Typed("pw"))),
    ],
    "delete": [
        ("/delete 01a20cc867700000", Delete(None, "01a20cc867700000", "")),
        ("/delete #maths 01a20cc867700000", Delete("#maths", "01a20cc867700000", "")),
        ("/delete 01A20CC867700000", Delete(None, "01a20cc867700000", "")),
        (
            "/delete 01a20cc867700000  pasted a  password ",
            Delete(None, "01a20cc867700000", "pasted a  password"),
        ),
        ("/delete #maths 01a20cc867700000 not here", Delete("#maths", "01a20cc867700000", "not here")),
    ],
    "kick": [
        ("/kick bob", Kick("bob", RoomThenText(None, ""))),
        ("/kick bob stop that", Kick("bob", RoomThenText("#stop", "that", "stop that"))),
        ("/kick bob #dev", Kick("bob", RoomThenText("#dev", ""))),
        ("/kick bob #dev  stop  that", Kick("bob", RoomThenText("#dev", "stop  that"))),
        ("/kick bob dev", Kick("bob", RoomThenText("#dev", "", "dev"))),
    ],
    "mode": [
        ("/mode #dev", Mode("#dev", None)),
        ("/MODE dev +b", ListRoomBans("#dev")),
        ("/mode #dev b", ListRoomBans("#dev")),
        (
            "/mode #dev +ik-m hunter2",
            Mode(
                "#dev",
                (
                    ModeChange(Setting.INVITE_ONLY, True),
                    ModeChange(Setting.KEY, True, "hunter2"),
                    ModeChange(Setting.MODERATED, False),
                ),
            ),
        ),
        (
            "/mode #dev +ov bob carol",
            Mode(
                "#dev", (ModeChange(Setting.OPERATOR, True, "bob"), ModeChange(Setting.VOICE, True, "carol"))
            ),
        ),
        (
            "/mode #dev +o bob -v carol",
            Mode(
                "#dev", (ModeChange(Setting.OPERATOR, True, "bob"), ModeChange(Setting.VOICE, False, "carol"))
            ),
        ),
        (
            "/mode #dev +l 10 +b *!*@10.0.0.* -s",
            Mode(
                "#dev",
                (
                    ModeChange(Setting.LIMIT, True, "10"),
                    ModeChange(Setting.BAN, True, "*!*@10.0.0.*"),
                    ModeChange(Setting.SECRET, False),
                ),
            ),
        ),
        (
            "/mode #dev -k hunter2 -l",
            Mode("#dev", (ModeChange(Setting.KEY, False), ModeChange(Setting.LIMIT, False))),
        ),
        (
            "/mode #dev -k +m",
            Mode("#dev", (ModeChange(Setting.KEY, False), ModeChange(Setting.MODERATED, True))),
        ),
        ("/mode #dev +t", Mode("#dev", (), True)),
        ("/mode #dev +i-t", Mode("#dev", (ModeChange(Setting.INVITE_ONLY, True),), False)),
    ],
    "invite": [("/invite bob", Invite("bob", None)), ("/invite bob dev", Invite("bob", "#dev"))],
    "lock": [("/lock", Lock(True))],
    "unlock": [("/unlock", Lock(False))],
    "ban": [
        ("/ban", ListBans()),
        ("/ban bob", Ban("bob", None)),
        ("/ban 10.0.0.1 2h", Ban("10.0.0.1", 7200.0)),
        ("/ban ::1 1D", Ban("::1", 86400.0)),
    ],
    "kill": [
        ("/kill bob", Kill("bob", "")),
        ("/kill bob  flooding #lobby ", Kill("bob", "flooding #lobby")),
    ],
    "unban": [("/unban bob", Unban("bob"))],
    "mute": [("/mute bob", Mute("bob", None)), ("/mute bob 10m", Mute("bob", 600.0))],
    "unmute": [("/unmute bob", Unmute("bob"))],
    "wall": [("/wall back soon", Wall("back soon"))],
    "shutdown": [("/shutdown", Shutdown("")), ("/shutdown new release", Shutdown("new release"))],
}

# Lines that name a command with missing or extra arguments.
MISUSED = [
    ("/emsg bob", "emsg"),
    ("/emsg bob a b", "emsg"),
    ("/key", "key"),
    ("/key get", "key"),
    ("/key log x", "key"),
    ("/key lose k", "key"),
    ("/msg bob", "msg"),
    ("/msg", "msg"),
    ("/join", "join"),
    ("/join a b c", "join"),
    ("/nick", "nick"),
    ("/nick bob smith", "nick"),
    ("/rooms extra", "rooms"),
    ("/users extra", "users"),
    ("/time extra", "time"),
    ("/who a b", "who"),
    ("/who #a 0", "who"),
    ("/who #a 2 3", "who"),
    ("/rooms 0", "rooms"),
    ("/rooms -1", "rooms"),
    ("/rooms 2 3", "rooms"),
    ("/users ²", "users"),
    ("/me", "me"),
    ("/format xml", "format"),
    ("/format", "format"),
    ("/whois", "whois"),
    ("/whois a b", "whois"),
    ("/ignore a b", "ignore"),
    ("/unignore", "unignore"),
    ("/help msg extra", "help"),
    ("/op #proj", "op"),
    ("/deop #proj", "deop"),
    ("/register", "register"),
    ("/identify", "identify"),
    ("/password old", "password"),
    ("/unregister", "unregister"),
    ("/forget now", "forget"),
    ("/account", "account"),
    ("/account password alice", "account"),
    ("/account drop", "account"),
    ("/account drop alice bob", "account"),
    ("/account alice newpassword", "account"),
    ("/op", "op"),
    ("/op bob carol", "op"),
    ("/op #dev bob carol", "op"),
    ("/deop", "deop"),
    ("/oper boss", "oper"),
    ("/oper", "oper"),
    ("/delete", "delete"),
    ("/delete #maths", "delete"),
    ("/delete maths 01a20cc867700000", "delete"),
    ("/delete 2026-12-04T15:04:05Z", "delete"),
    ("/kick", "kick"),
    ("/lock #dev", "lock"),
    ("/unlock now", "unlock"),
    ("/ban bob 1h extra", "ban"),
    ("/kill", "kill"),
    ("/unban", "unban"),
    ("/mute", "mute"),
    ("/mute bob 1h extra", "mute"),
    ("/unmute", "unmute"),
    ("/wall", "wall"),
    ("/history #dev 5 6", "history"),
    ("/history 5 #dev", "history"),
    ("/history #dev -5", "history"),
    ("/history #dev around", "history"),
    ("/history #dev around a b", "history"),
    ("/history #dev before a 5 6", "history"),
    ("/history before a b", "history"),
    ("/history @", "history"),
    ("/history @ 5", "history"),
    ("/search", "search"),
    ("/search #dev", "search"),
    ("/search @dev", "search"),
    ("/search @ cafe", "search"),
    ("/resume #dev a b", "resume"),
    ("/mode", "mode"),
    ("/mode +i", "mode"),
    ("/mode #dev i", "mode"),
    ("/mode #dev +i extra", "mode"),
    ("/mode #dev +o bob carol", "mode"),
    ("/invite", "invite"),
    ("/invite bob #dev extra", "invite"),
]

# Commands that make sense only once the session has a nickname.
NEED_NICK = frozenset(
    {
        Emsg,
        KeyCommand,
        FileListing,
        FileDeclineEvery,
        FileAbout,
        FileAck,
        FileAccept,
        FilePut,
        FileOffer,
        Join,
        Delete,
        Forget,
        Part,
        Msg,
        Me,
        Topic,
        Away,
        Ignore,
        Unignore,
        Oper,
        Register,
        Password,
        Unregister,
        SetPassword,
        DropAccount,
        RegisterRoom,
        UnregisterRoom,
        Op,
        History,
        Search,
        Kick,
        Lock,
        Ban,
        Kill,
        ListBans,
        Unban,
        Mute,
        Unmute,
        Wall,
        Shutdown,
        Mode,
        ListRoomBans,
        Invite,
    }
)


class ParseCommandTests(SynchronousTestCase):
    """``parse`` turns a line that starts with / into the command it names."""

    def test_every_command_in_the_table_has_examples_here(self) -> None:
        """These tests cover the whole command table, no more and no less."""
        self.assertEqual(set(VALID), set(COMMANDS))

    def test_each_command_parses_to_its_typed_command(self) -> None:
        """Every command, used well, gives the typed command with its arguments."""
        for name, examples in VALID.items():
            for line, command in examples:
                self.assertEqual(parse(line), command, f"{name}: {line!r}")

    def test_table_parsers_agree_with_parse(self) -> None:
        """parse hands the stripped arguments to the table row's parser."""
        self.assertEqual(COMMANDS["part"].parse("#dev bye"), Part(RoomThenText("#dev", "bye")))
        self.assertEqual(COMMANDS["join"].parse("dev"), Join("#dev"))

    def test_a_full_width_number_sign_names_a_room_as_hash_does(self) -> None:
        """A Chinese or Japanese keyboard types the full-width sign U+FF03, which NFKC makes ``#``: it names the room.

        Before, ``/join`` of it and ``dev`` was refused as ``'##dev' is not a
        valid room name``, a name nobody typed, and ``/topic`` of it set the
        current room's topic to the text.
        """
        self.assertEqual(parse("/join \uff03dev"), Join("#dev"))
        self.assertEqual(parse("/who \uff03dev"), Who("#dev", 1))
        self.assertEqual(parse("/topic \uff03dev"), Topic("#dev", None))
        self.assertEqual(parse("/history \uff03dev 5"), History("#dev", 5))
        self.assertEqual(parse("/search \uff03dev words"), Search("#dev", "words", None, None))
        self.assertEqual(parse("/part \uff03dev bye"), Part(RoomThenText("#dev", "bye")))
        self.assertEqual(parse("/delete \uff03dev 01a20cc867700000"), Delete("#dev", "01a20cc867700000", ""))

    def test_commands_that_act_on_rooms_or_people_need_a_nickname(self) -> None:
        """Commands that act as someone need a nickname; help, nick, the listings, whois, time, quit and format do not."""
        for examples in VALID.values():
            for line, command in examples:
                self.assertEqual(table.parse(line).row.needs_nick, type(command) in NEED_NICK, repr(command))

    def test_usage_shows_command_and_arguments(self) -> None:
        """A table row's usage is /name and its arguments, no trailing space."""
        self.assertEqual(COMMANDS["msg"].usage, "/msg NICK text")
        self.assertEqual(COMMANDS["rooms"].usage, "/rooms [PAGE]")

    @settings(max_examples=200)
    @given(st.sampled_from(sorted(COMMANDS)), st.text())
    def test_command_names_ignore_case(self, name: str, args: str) -> None:
        """/NAME and /name parse alike, whatever follows."""
        self.assertEqual(_outcome(f"/{name.upper()} {args}"), _outcome(f"/{name} {args}"))


class UsageErrorTests(SynchronousTestCase):
    """A known command with the wrong arguments raises a usage error."""

    def test_misused_commands_raise_usage_errors(self) -> None:
        """Missing or extra arguments raise UsageError with code usage."""
        for line, _ in MISUSED:
            error = self.assertRaises(UsageError, parse, line)
            self.assertEqual(error.code, "usage", line)

    def test_usage_error_quotes_the_command_usage(self) -> None:
        """The message is "usage: " and the usage /help shows for that command."""
        for line, name in MISUSED:
            error = self.assertRaises(UsageError, parse, line)
            self.assertEqual(word(error), f"usage: {COMMANDS[name].usage}", line)

    def test_msg_without_text_names_its_arguments(self) -> None:
        """/msg bob says how /msg is used."""
        error = self.assertRaises(UsageError, parse, "/msg bob")
        self.assertEqual(word(error), "usage: /msg NICK text")

    def test_ids_and_times_are_checked_while_parsing(self) -> None:
        """/resume and /history before|around with a word that is no id nor time raise bad-id, not usage."""
        for line in (
            "/resume #dev 12345",
            "/history around gggggggggggggggg",
            "/history around x",
            "/history #dev before 2026-13-01T00:00:00Z",
            "/history before 2026-12-04T15:04:05 5",
        ):
            self.assertRaises(BadPointError, parse, line)
        self.assertEqual(
            word(self.assertRaises(BadPointError, parse, "/history around x")),
            "'x' is neither a line's id (16 hex digits, 0-9 and a-f, as /search shows) "
            "nor a time like 2026-12-04T15:04:05Z (UTC)",
        )

    def test_durations_are_checked_while_parsing(self) -> None:
        """/ban and /mute with a duration that is no duration raise bad-duration, not usage."""
        for line in ("/ban bob 10x", "/mute bob 0m", "/mute bob 400d"):
            self.assertRaises(BadDurationError, parse, line)

    def test_oper_never_shows_its_password(self) -> None:
        """The typed /oper command's repr, as a traceback would show it, leaves the password out."""
        self.assertEqual(repr(parse("/oper boss correct horse")), "Oper(name='boss')")

    def test_format_refuses_other_formats(self) -> None:
        """/format xml lists the formats there are."""
        error = self.assertRaises(UsageError, parse, "/format xml")
        self.assertEqual(word(error), "usage: /format text|json")


class ModeParseTests(SynchronousTestCase):
    """``/mode`` reads IRC's letters into the chat's own words, and refuses a letter of no setting."""

    def test_a_letter_without_its_argument_is_named(self) -> None:
        """+k with no key, +v with no nickname (and the others that take one): the refusal names the letter and what
        it lacks, not the general usage."""
        for line, usage in (
            ("/mode #dev +k", "/mode #room +k KEY; +k was given no key"),
            ("/mode #dev +v", "/mode #room +v NICK; +v was given no nickname"),
            ("/mode #dev +i-o", "/mode #room -o NICK; -o was given no nickname"),
            ("/mode #dev -b", "/mode #room -b MASK; -b was given no ban mask"),
            ("/mode #dev +ol bob", "/mode #room +l N; +l was given no member limit"),
        ):
            error = self.assertRaises(UsageError, parse, line)
            self.assertEqual(word(error), f"usage: {usage}", line)

    def test_a_letter_of_no_setting_is_named(self) -> None:
        """/mode #dev +n (every room is already) and +x are refused with the letter and the ones there are."""
        for line, letter in (("/mode #dev +n", "n"), ("/mode #dev +ix", "x"), ("/mode #dev -I", "I")):
            error = self.assertRaises(ModeLetterError, parse, line)
            self.assertEqual(error.code, "bad-mode")
            self.assertEqual(
                word(error), f"{letter!r} is no room setting; /mode takes +/- and i k l m s t o v b"
            )

    def test_a_key_may_look_like_changes(self) -> None:
        """A letter takes the next word as its argument whatever it looks like, as IRC's MODE does."""
        self.assertEqual(parse("/mode #dev +k +m"), Mode("#dev", (ModeChange(Setting.KEY, True, "+m"),)))


class UnknownCommandTests(SynchronousTestCase):
    """A line naming no command raises UnknownCommandError."""

    def test_unknown_command_points_at_help(self) -> None:
        """/bogus is refused with code unknown-command and a pointer to /help."""
        error = self.assertRaises(UnknownCommandError, parse, "/bogus")
        self.assertEqual(error.code, "unknown-command")
        self.assertEqual(word(error), "/bogus is not a command; type /help to see them")

    def test_unknown_command_keeps_its_case_in_the_message(self) -> None:
        """The message quotes the command as typed, arguments left out."""
        error = self.assertRaises(UnknownCommandError, parse, "/BoGuS with args")
        self.assertEqual(word(error), "/BoGuS is not a command; type /help to see them")

    def test_a_slip_of_a_key_is_answered_with_the_command_meant(self) -> None:
        """A letter wrong, missing, extra or swapped (two in a long name) names the one command it is a slip from."""
        for typed, meant in (
            ("/jion #dev", "join"),
            ("/mgs bob hi", "msg"),
            ("/Quti", "quit"),
            ("/topc", "topic"),
            ("/shutdwon now", "shutdown"),
            ("/idnetify secret", "identify"),
        ):
            error = self.assertRaises(UnknownCommandError, parse, typed)
            name = typed[1:].split()[0]
            self.assertEqual(
                word(error), f"/{name} is not a command; did you mean /{meant}? /help lists them"
            )
            self.assertEqual(error_fields(error), {"command": name, "likely": meant})

    def test_what_irc_calls_a_command_is_answered_with_chatds_name(self) -> None:
        """/names, /list and /query, as IRC users type them, point at /who, /rooms and /msg; nothing is run."""
        for typed, meant in (
            ("/names", "who"),
            ("/LIST", "rooms"),
            ("/query bob", "msg"),
            ("/j #dev", "join"),
        ):
            error = self.assertRaises(UnknownCommandError, parse, typed)
            self.assertEqual(error.likely, meant)

    def test_the_beginning_of_one_command_names_it(self) -> None:
        """Three letters or more that begin exactly one command name it; a slip from two names none."""
        self.assertEqual(self.assertRaises(UnknownCommandError, parse, "/hist").likely, "history")
        self.assertIsNone(self.assertRaises(UnknownCommandError, parse, "/whos").likely)
        self.assertEqual(self.assertRaises(UnknownCommandError, parse, "/unb").likely, "unban")

    def test_a_name_near_no_command_or_near_two_is_given_no_guess(self) -> None:
        """A name two slips from any short command, or one slip from two of them, gets the plain refusal."""
        for typed in ("/nope", "/dance", "/x", "/whos"):
            error = self.assertRaises(UnknownCommandError, parse, typed)
            self.assertIsNone(error.likely)
            self.assertEqual(word(error), f"{typed} is not a command; type /help to see them")

    def test_any_whitespace_ends_the_command_name(self) -> None:
        """A tab after the command name separates it from its arguments."""
        self.assertEqual(parse("/nick\tbob"), Nick("bob"))

    def test_lone_slash_is_an_unknown_command(self) -> None:
        """A line of just / names no command."""
        error = self.assertRaises(UnknownCommandError, parse, "/")
        self.assertEqual(error.code, "unknown-command")


class PlainLineTests(SynchronousTestCase):
    """Lines that do not start with / are said, bar the exit words."""

    def test_exit_words_quit_without_reason(self) -> None:
        """exit or quit alone, in any case and with spaces around, quits."""
        for line in ("exit", "EXIT", " quit ", "Quit", "\texit"):
            self.assertEqual(parse(line), Quit(""), repr(line))

    def test_exit_word_in_a_sentence_is_said(self) -> None:
        """exit followed by more words is an ordinary line."""
        self.assertEqual(parse("exit now"), Say("exit now"))

    def test_double_slash_says_a_line_starting_with_slash(self) -> None:
        """//etc says /etc, so paths and smileys can start a line."""
        self.assertEqual(parse("//etc"), Say("/etc"))
        self.assertEqual(parse("//"), Say("/"))

    def test_plain_line_is_said_exactly_as_typed(self) -> None:
        """Spaces around a plain line are kept."""
        self.assertEqual(parse("  hello  there "), Say("  hello  there "))

    def test_empty_line_is_said(self) -> None:
        """An empty line parses to an empty Say (the session decides what it means)."""
        self.assertEqual(parse(""), Say(""))

    @settings(max_examples=200)
    @given(
        st.text().filter(
            lambda text: not text.startswith("/") and text.strip().lower() not in {"exit", "quit"}
        )
    )
    def test_any_other_line_is_said_unchanged(self, text: str) -> None:
        """A line that neither starts with / nor is an exit word is said as is."""
        self.assertEqual(parse(text), Say(text))

    @settings(max_examples=200)
    @given(st.text())
    def test_double_slash_line_is_said_without_one_slash(self, text: str) -> None:
        """Any line after // is said with one leading / left."""
        self.assertEqual(parse("//" + text), Say("/" + text))


class ParseRobustnessTests(SynchronousTestCase):
    """Whatever a user types, parse answers with a command or a ChatError."""

    @settings(max_examples=200)
    @given(
        st.one_of(
            st.text(),
            st.builds(
                lambda name, args: f"/{name}{args}",
                st.sampled_from(sorted(COMMANDS)),
                st.text(),
            ),
            st.builds(
                lambda name, args: f"/{name} {args}",
                st.sampled_from(sorted(COMMANDS)),
                st.text(),
            ),
        )
    )
    def test_parse_raises_only_chat_errors(self, text: str) -> None:
        """Arbitrary text parses to a command or raises a ChatError, nothing else."""
        try:
            parse(text)
        except ChatError as error:
            self.assertIsInstance(
                error, (UsageError, UnknownCommandError, BadDurationError, BadPointError, ModeLetterError)
            )


def _outcome(text: str) -> Command | tuple[type[ChatError], str]:
    """What parse makes of ``text``: the command, or the error's type and message."""
    try:
        return parse(text)
    except ChatError as error:
        return type(error), word(error)


class CommandTableTests(SynchronousTestCase):
    """Each command is one row: name, usage, summary, parser, handler and the checks before it runs."""

    def test_every_command_type_has_a_row_that_gives_it(self) -> None:
        """No command can be parsed yet have no row, and so no handler: each typed command comes from a row."""
        defined = {
            kind
            for module in (
                commands,
                history_commands,
                moderation_commands,
                account_commands,
                room_commands,
                mode_commands,
                files,
                keys,
            )
            for kind in vars(module).values()
            if isinstance(kind, type)
            and dataclasses.is_dataclass(kind)
            and kind.__module__ == module.__name__
        }
        given = {type(command) for examples in VALID.values() for _, command in examples} | {Say}
        self.assertEqual(defined, given)
        self.assertIs(table.parse("hello").row, LINE)

    def test_every_row_explains_itself_with_an_example_it_parses(self) -> None:
        """Each row has details for /help NAME and an example that this row's own parser reads, so help cannot drift."""
        for row in [*COMMANDS.values(), LINE]:
            self.assertTrue(row.details.strip(), row.name)
            # parse runs the row's own parser, which raises on a misused command.
            self.assertIs(table.parse(row.example).row, row, row.example)

    def test_rows_for_operators_say_so_in_their_summary(self) -> None:
        """A row checked as operators-only says "(server operators)" in /help; no other row does."""
        for row in COMMANDS.values():
            self.assertEqual(row.operators, row.summary.endswith("(server operators)"), row.name)


class HandlerTests(LineTestCase):
    # Three connections an example, each closed with /quit (StringTransport never reports the close).
    max_per_ip = max_connections = 1000

    def test_every_example_runs_without_an_internal_error(self) -> None:
        """Each row's handler takes every command its parser gives, as an operator and as a newcomer."""
        for number, (name, examples) in enumerate(VALID.items()):
            for line, _ in examples:
                if name in ("quit", "shutdown"):
                    continue
                # Nicknames of their own: /register keeps one from everyone after.
                operator, newcomer = f"op{number}".encode(), f"bob{number}".encode()
                for protocol, wire in (self.operator(operator), self.connect(newcomer), self.connect()):
                    protocol.dataReceived(line.encode() + b"\n")
                    self.clock.advance(1)
                    self.assertNotIn(b"ERR internal", wire.value(), (name, line))
                    protocol.dataReceived(b"/quit\n")

    def test_operator_rows_are_refused_before_they_run(self) -> None:
        """A non-operator's /wall is refused by the row's check, with the domain's own error line."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/wall hello\n")
        self.assertEqual(self.lines(wire), [b"ERR not-operator only server operators may do that"])
