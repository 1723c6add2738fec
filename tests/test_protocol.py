"""The line protocol through StringTransport, on a fake clock."""

import dataclasses
import gc
import json

from twisted.internet.defer import Deferred
from twisted.internet.error import ConnectionDone
from twisted.internet.testing import EventLoggingObserver, StringTransport
from twisted.logger import globalLogPublisher
from twisted.python.failure import Failure

from chatd.domain.errors import NoSuchRoomError
from chatd.line import commands as cmd
from chatd.line import table
from chatd.line.errors import NoCurrentRoomError
from chatd.line.limits import LineLimits
from chatd.line.render import Notice
from chatd.line.session import LineSession
from chatd.line.table import COMMANDS
from tests.helpers import LineTestCase, too_long
from tests.test_limits import SLOWED

MAX_LINE_BYTES = LineLimits().max_line


GREETING = (
    b"*** Welcome to chatd 0.1.0 on testhost. Type /help for help.\r\n"
    b"*** Be kind.\r\n"
    b"*** Choose a nickname:\r\n"
)


class ConnectTests(LineTestCase):
    def test_greeting_motd_and_prompt_on_connect(self) -> None:
        """A new connection is greeted, shown the MOTD and asked for a nickname."""
        protocol = self.factory.buildProtocol(None)
        wire = StringTransport()
        protocol.makeConnection(wire)
        self.end_pass()
        self.assertEqual(wire.value(), GREETING)

    def test_a_connection_after_the_motd_changed_is_greeted_with_the_new_one(self) -> None:
        """The greeting is rendered once for every connection, but not kept past a change of what it says."""
        self.connect()
        self.factory.motd = "Be quick.\n"
        protocol = self.factory.buildProtocol(None)
        wire = StringTransport()
        protocol.makeConnection(wire)
        self.end_pass()
        self.assertEqual(wire.value(), GREETING.replace(b"Be kind.", b"Be quick."))

    def test_first_line_is_nickname_and_lands_in_default_room(self) -> None:
        """The first line names the user, who joins #lobby and sees who is there."""
        self.clock.advance(3600 + 60)
        self.connect(b"bob")
        alice, wire = self.connect()
        self.clock.advance(59)
        alice.dataReceived(b"alice\r\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"*** You are alice.",
                b"[01:01] #lobby -- alice joined",
                b"*** In #lobby (2): bob alice",
            ],
        )

    def test_taken_nickname_gets_error_and_prompt_again(self) -> None:
        """A taken nickname is refused with a reason and the prompt repeats."""
        self.connect(b"alice")
        protocol, wire = self.connect()
        protocol.dataReceived(b"ALICE\n")
        self.assertEqual(
            self.lines(wire),
            [b"ERR nick-in-use alice is already taken; choose another nickname", b"*** Choose a nickname:"],
        )
        protocol.dataReceived(b"bob\n")
        self.assertEqual(self.lines(wire)[0], b"*** You are bob.")

    def test_invalid_nickname_gets_error_and_prompt_again(self) -> None:
        """A nickname with a space is refused with the rule it breaks."""
        protocol, wire = self.connect()
        protocol.dataReceived(b"al ice\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"ERR bad-nick 'al ice' is not a valid nickname: a nickname holds only letters, digits, '-', '_', '[', ']', '{', '}', '\\', '|', '^' and '`'",
                b"*** Choose a nickname:",
            ],
        )

    def test_nick_command_works_before_registering(self) -> None:
        """/nick NAME picks the first nickname too."""
        protocol, wire = self.connect()
        protocol.dataReceived(b"/nick alice\n")
        self.assertEqual(self.lines(wire)[0], b"*** You are alice.")

    def test_commands_needing_nickname_are_refused_before_one(self) -> None:
        """/join before a nickname is refused; the prompt is not repeated, since no nickname was refused."""
        protocol, wire = self.connect()
        protocol.dataReceived(b"/join #dev\n")
        self.assertEqual(self.lines(wire), [b"ERR need-nick choose a nickname first"])

    def test_only_a_refused_nickname_repeats_the_prompt(self) -> None:
        """Errors before a nickname (usage, unknown command, bad UTF-8, a bad /nick) stand alone; a refused nickname is asked again."""
        self.connect(b"alice")
        protocol, wire = self.connect()
        protocol.dataReceived(b"/nope\n/nick\n\xc3(\n/whois ghost\n/nick alice\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"ERR unknown-command /nope is not a command; type /help to see them",
                b"ERR usage usage: /nick NAME",
                b"ERR bad-utf8 that line was not valid UTF-8 and was not sent",
                b"ERR no-such-nick nobody called ghost is online",
                b"ERR nick-in-use alice is already taken; choose another nickname",
                b"*** Choose a nickname:",
            ],
        )

    def test_quit_word_before_nickname_ends_session(self) -> None:
        """Typing exit at the prompt says goodbye and closes."""
        protocol, wire = self.connect()
        protocol.dataReceived(b"exit\n")
        self.assertEqual(self.lines(wire), [b"*** Goodbye."])
        self.assertTrue(wire.disconnecting)


class TalkTests(LineTestCase):
    def test_room_line_reaches_others_stamped_by_server_clock(self) -> None:
        """A plain line reaches the other members with the server's time."""
        alice, alice_wire = self.connect(b"alice")
        _, bob_wire = self.connect(b"bob")
        self.clock.advance(61)
        self.end_pass()
        alice_wire.clear()
        alice.dataReceived(b"hi all\r\n")  # telnet sends CRLF, nc sends LF
        self.end_pass()
        self.assertEqual(bob_wire.value(), b"[00:01] #lobby <alice> hi all\r\n")
        self.assertEqual(alice_wire.value(), b"[00:01] #lobby <alice> hi all\r\n")

    def test_empty_lines_are_ignored(self) -> None:
        """Blank lines send nothing and get no error."""
        alice, alice_wire = self.connect(b"alice")
        _, bob_wire = self.connect(b"bob")
        self.end_pass()
        alice_wire.clear()
        alice.dataReceived(b"\n   \r\n\t\n")
        self.end_pass()
        self.assertEqual((alice_wire.value(), bob_wire.value()), (b"", b""))

    def test_slash_slash_sends_a_line_starting_with_slash(self) -> None:
        """// escapes a leading slash."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"//shrug\n")
        self.assertEqual(self.lines(wire), [b"[00:00] #lobby <alice> /shrug"])

    def test_me_is_an_action_in_current_room(self) -> None:
        """/me shows an action line."""
        alice, _ = self.connect(b"alice")
        _, bob_wire = self.connect(b"bob")
        alice.dataReceived(b"/ME waves\n")
        self.assertEqual(self.lines(bob_wire), [b"[00:00] #lobby * alice waves"])

    def test_private_message_reaches_target_and_sender_only(self) -> None:
        """/msg reaches its target and is echoed to its sender; others see nothing."""
        alice, alice_wire = self.connect(b"alice")
        _, bob_wire = self.connect(b"bob")
        _, carol_wire = self.connect(b"carol")
        for wire in (alice_wire, bob_wire, carol_wire):
            self.end_pass()
            wire.clear()
        alice.dataReceived(b"/msg BOB just  you\n")
        self.assertEqual(self.lines(bob_wire), [b"[00:00] <alice -> bob> just  you"])
        self.assertEqual(self.lines(alice_wire), [b"[00:00] <alice -> bob> just  you"])
        self.end_pass()
        self.assertEqual(carol_wire.value(), b"")

    def test_private_message_to_nobody_is_an_error(self) -> None:
        """/msg to an unknown nickname says nobody has it."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/msg ghost hi\n")
        self.assertEqual(self.lines(wire), [b"ERR no-such-nick nobody called ghost is online"])

    def test_escape_sequences_never_reach_others(self) -> None:
        """A line with ESC, BEL or a bidi override is refused and relayed to nobody."""
        alice, alice_wire = self.connect(b"alice")
        _, bob_wire = self.connect(b"bob")
        self.end_pass()
        alice_wire.clear()
        bob_wire.clear()
        alice.dataReceived(b"\x1b]0;pwned\x07\n\xe2\x80\xaeevil\n\xc2\x9b2J\n")
        self.assertEqual(
            self.lines(alice_wire),
            [
                b"ERR bad-text not sent: control or bidi character U+001B refused",
                b"ERR bad-text not sent: control or bidi character U+202E refused",
                b"ERR bad-text not sent: control or bidi character U+009B refused",
            ],
        )
        self.end_pass()
        self.assertEqual(bob_wire.value(), b"")

    def test_tab_is_relayed_as_space(self) -> None:
        """A tab, harmless but a control character, arrives as a space."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"a\tb\n")
        self.assertEqual(self.lines(wire), [b"[00:00] #lobby <alice> a b"])


class RoomCommandTests(LineTestCase):
    def test_join_makes_room_current_and_lists_members(self) -> None:
        """/join enters a room, shows who is there, and plain lines go there."""
        alice, alice_wire = self.connect(b"alice")
        bob, bob_wire = self.connect(b"bob")
        bob.dataReceived(b"/join #dev\n")
        self.lines(bob_wire)
        alice.dataReceived(b"/join dev\n")
        self.assertEqual(
            self.lines(alice_wire),
            [b"[00:00] #dev -- alice joined", b"*** In #dev (2): @bob alice"],
        )
        alice.dataReceived(b"in dev\n")
        self.assertEqual(
            self.lines(bob_wire),
            [b"[00:00] #dev -- alice joined", b"[00:00] #dev <alice> in dev"],
        )

    def test_join_shows_topic_when_set(self) -> None:
        """Joining a room with a topic shows it after the members, with who set it and when, on one line (IRC's
        332 and 333), in text and in JSON."""
        alice, _ = self.connect(b"alice")
        self.clock.advance(3 * 86400 + 3600 + 120)
        alice.dataReceived(b"/join #dev\n/topic builds and tests\n")
        self.clock.advance(600)
        bob, bob_wire = self.connect(b"bob")
        bob.dataReceived(b"/join #dev\n")
        self.assertEqual(
            self.lines(bob_wire)[-1],
            b"*** Topic of #dev (set by alice, 1970-01-04 01:02 UTC): builds and tests",
        )
        carol, carol_wire = self.connect(b"carol")
        carol.dataReceived(b"/format json\n/join #dev\n")
        [topic] = [line for line in map(json.loads, self.lines(carol_wire)) if line["type"] == "topic"]
        self.assertEqual(
            topic,
            {
                "type": "topic",
                "room": "#dev",
                "topic": "builds and tests",
                "by": "alice",
                "at": 3 * 86400 + 3720.0,
            },
        )

    def test_joining_a_room_already_in_makes_it_current(self) -> None:
        """/join of a room one is in switches to it without a join event."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/join #dev\n/join #lobby\n")
        self.lines(wire)
        alice.dataReceived(b"/join #dev\n")
        self.assertEqual(self.lines(wire), [b"*** Now talking in #dev.", b"*** In #dev (1): @alice"])
        alice.dataReceived(b"hi\n")
        self.assertEqual(self.lines(wire), [b"[00:00] #dev <alice> hi"])

    def test_part_current_room_falls_back_to_previous(self) -> None:
        """Leaving the current room makes the last joined remaining room current."""
        alice, wire = self.connect(b"alice")
        _, bob_wire = self.connect(b"bob")
        alice.dataReceived(b"/join #dev\n")
        self.lines(wire)
        alice.dataReceived(b"/part\n")
        self.assertEqual(
            self.lines(wire),
            [b"[00:00] #dev -- alice left", b"*** Now talking in #lobby."],
        )
        self.end_pass()
        bob_wire.clear()
        alice.dataReceived(b"back\n")
        self.assertEqual(self.lines(bob_wire), [b"[00:00] #lobby <alice> back"])

    def test_part_with_room_and_reason(self) -> None:
        """/part #room reason tells the room why."""
        alice, _ = self.connect(b"alice")
        _, bob_wire = self.connect(b"bob")
        self.end_pass()
        bob_wire.clear()
        alice.dataReceived(b"/part #lobby off to lunch\n")
        self.assertEqual(self.lines(bob_wire), [b"[00:00] #lobby -- alice left (off to lunch)"])

    def test_bare_room_name_in_part_means_the_room_as_in_join(self) -> None:
        """/part lobby leaves #lobby, as /join lobby joins it, with the reason after it."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/join dev\n")
        self.lines(wire)
        alice.dataReceived(b"/part lobby see you\n")
        self.assertEqual(self.lines(wire), [b"[00:00] #lobby -- alice left (see you)"])

    def test_first_word_of_part_naming_no_room_begins_the_reason(self) -> None:
        """/part bye leaves the current room with the reason "bye": no room #bye exists."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/join dev\n")
        self.lines(wire)
        alice.dataReceived(b"/part bye  for now\n")
        self.assertEqual(
            self.lines(wire), [b"[00:00] #dev -- alice left (bye  for now)", b"*** Now talking in #lobby."]
        )

    def test_no_room_left_means_lines_are_refused(self) -> None:
        """After leaving every room, a plain line says to join one."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/part\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"[00:00] #lobby -- alice left",
                b"*** You are in no room; /join #room to talk.",
            ],
        )
        alice.dataReceived(b"anyone?\n")
        self.assertEqual(self.lines(wire), [b"ERR no-room you are in no room; /join #room first"])

    def test_part_of_room_not_in_is_an_error(self) -> None:
        """/part of a room one is not in says so."""
        alice, wire = self.connect(b"alice")
        self.connect(b"bob")[0].dataReceived(b"/join #dev\n")
        alice.dataReceived(b"/part #dev\n/part #nowhere\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"ERR not-in-room you are not in #dev",
                b"ERR no-such-room there is no room #nowhere",
            ],
        )

    def test_bad_room_name_is_an_error(self) -> None:
        """/join of a name with forbidden characters explains the rule."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/join #a*b\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"ERR bad-room '#a*b' is not a valid room name: a room name holds only letters, digits, '-', '_' and '.'"
            ],
        )

    def test_rooms_lists_counts_and_topics(self) -> None:
        """/rooms lists each room with its member count and topic."""
        alice, wire = self.connect(b"alice")
        self.connect(b"bob")
        alice.dataReceived(b"/join #dev\n/topic ship it\n")
        self.lines(wire)
        alice.dataReceived(b"/rooms\n")
        self.assertEqual(
            self.lines(wire),
            [b"*** Rooms (2):", b"***   #dev (1) ship it", b"***   #lobby (2)"],
        )

    def test_who_lists_current_or_named_room(self) -> None:
        """/who shows the current room's members; /who #room another's."""
        alice, wire = self.connect(b"alice")
        self.connect(b"bob")[0].dataReceived(b"/join #dev\n")
        alice.dataReceived(b"/who\n/who #dev\n/who #nowhere\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"*** In #lobby (2): alice bob",
                b"*** In #dev (1): @bob",
                b"ERR no-such-room there is no room #nowhere",
            ],
        )

    def test_users_lists_everyone_online(self) -> None:
        """/users lists every registered user, sorted."""
        self.connect(b"zed")
        alice, wire = self.connect(b"alice")
        self.connect()
        alice.dataReceived(b"/users\n")
        self.assertEqual(self.lines(wire), [b"*** Online (2): alice zed"])

    def test_topic_set_shown_and_announced(self) -> None:
        """/topic text sets it for all to see; /topic alone shows it."""
        alice, wire = self.connect(b"alice")
        _, bob_wire = self.connect(b"bob")
        self.end_pass()
        bob_wire.clear()
        alice.dataReceived(b"/topic\n")
        self.assertEqual(self.lines(wire), [b"*** #lobby has no topic"])
        alice.dataReceived(b"/topic Welcome!\n/topic\n")
        self.assertEqual(self.lines(bob_wire), [b"[00:00] #lobby -- alice set the topic: Welcome!"])
        self.assertEqual(
            self.lines(wire)[-1], b"*** Topic of #lobby (set by alice, 1970-01-01 00:00 UTC): Welcome!"
        )

    def test_topic_dash_clears_the_topic(self) -> None:
        """/topic - clears the topic: the room sees it cleared, JSON gets "topic": ""."""
        alice, wire = self.connect(b"alice")
        bot, bot_wire = self.connect(b"bot")
        bot.dataReceived(b"/format json\n")
        alice.dataReceived(b"/topic Welcome!\n")
        self.lines(wire)
        self.lines(bot_wire)
        alice.dataReceived(b"/topic -\n/topic\n")
        self.assertEqual(
            self.lines(wire), [b"[00:00] #lobby -- alice cleared the topic", b"*** #lobby has no topic"]
        )
        cleared = json.loads(self.lines(bot_wire)[0])
        self.assertEqual((cleared["type"], cleared["topic"]), ("topic_changed", ""))

    def test_topic_in_json_says_who_set_it_and_when(self) -> None:
        """A program's /topic names the setter and the time (none and 0 without a topic), as people's line does."""
        alice, wire = self.connect(b"alice")
        bot, bot_wire = self.connect(b"bot")
        bot.dataReceived(b"/format json\n/topic\n")
        self.assertEqual(
            json.loads(self.lines(bot_wire)[-1]),
            {"type": "topic", "room": "#lobby", "topic": "", "by": "", "at": 0.0},
        )
        self.clock.advance(90)
        alice.dataReceived(b"/topic Welcome!\n")
        self.clock.advance(30)
        alice.dataReceived(b"/topic\n")
        self.assertEqual(
            self.lines(wire)[-1], b"*** Topic of #lobby (set by alice, 1970-01-01 00:01 UTC): Welcome!"
        )
        self.lines(bot_wire)
        bot.dataReceived(b"/topic\n")
        self.assertEqual(
            json.loads(self.lines(bot_wire)[-1]),
            {"type": "topic", "room": "#lobby", "topic": "Welcome!", "by": "alice", "at": 90.0},
        )


class NickTimeHelpQuitTests(LineTestCase):
    def test_nick_change_seen_by_roommates(self) -> None:
        """/nick renames and every roommate sees it."""
        alice, wire = self.connect(b"alice")
        _, bob_wire = self.connect(b"bob")
        self.end_pass()
        bob_wire.clear()
        alice.dataReceived(b"/nick alicia\n")
        self.assertEqual(self.lines(bob_wire), [b"[00:00] -- alice is now known as alicia"])
        self.assertEqual(self.lines(wire), [b"[00:00] -- alice is now known as alicia"])

    def test_nick_taken_is_refused(self) -> None:
        """/nick onto another user's nickname is refused."""
        alice, wire = self.connect(b"alice")
        self.connect(b"Bob")
        alice.dataReceived(b"/nick bob\n")
        self.assertEqual(self.lines(wire), [b"ERR nick-in-use Bob is already taken; choose another nickname"])

    def test_time_shows_server_clock_in_utc(self) -> None:
        """/time shows the server's clock as a UTC date and time."""
        alice, wire = self.connect(b"alice")
        self.clock.advance(86400 + 3661)
        alice.dataReceived(b"/time\n")
        self.assertEqual(self.lines(wire), [b"*** Server time: 1970-01-02 01:01:01 UTC"])

    def test_ping_is_answered_pong_with_its_text_before_a_nickname_too(self) -> None:
        """/ping is answered PONG with the text sent, in text and in JSON, named or not."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/ping 42 abc\n/ping\n")
        self.assertEqual(self.lines(wire), [b"*** PONG 42 abc", b"*** PONG"])
        bot, bot_wire = self.connect(None)
        bot.dataReceived(b"/format json\n")
        self.lines(bot_wire)
        bot.dataReceived(b"/ping k7\n")
        self.assertEqual(
            [json.loads(line) for line in self.lines(bot_wire)],
            [{"type": "notice", "kind": "pong", "echo": "k7", "text": "PONG k7"}],
        )

    def test_help_lists_every_command(self) -> None:
        """/help has a line per command and a last line on plain text."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/help\n")
        lines = self.lines(wire)
        for name in (
            b"help",
            b"nick",
            b"join",
            b"part",
            b"rooms",
            b"who",
            b"users",
            b"msg",
            b"me",
            b"topic",
        ):
            self.assertTrue(any(line.startswith(b"*** /" + name + b" ") for line in lines), name)
        self.assertEqual(len(lines), len(COMMANDS) + 1)

    def test_help_for_one_command(self) -> None:
        """/help msg explains /msg alone: usage, what its arguments mean, an example; /help bogus is an error."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/help /MSG\n/help bogus\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"*** /msg NICK text - send a private message",
                b"*** NICK: who gets it (any case); text: the rest of the line. "
                b"It comes back to you as the receipt; if NICK is away you are told why. To a registered "
                b"nickname whose owner is offline it is kept (up to 100) and shown when they identify.",
                b"*** Example: /msg bob are you coming to #dev?",
                b"ERR unknown-command /bogus is not a command; type /help to see them",
            ],
        )

    def test_help_for_every_command_has_usage_and_an_example(self) -> None:
        """/help NAME of every command, operators' too, shows its usage first and an example last."""
        alice, wire = self.connect(b"alice")
        for row in COMMANDS.values():
            self.clock.advance(1)  # one command a second stays within the flood budget
            alice.dataReceived(b"/help " + row.name.encode() + b"\n")
            lines = self.lines(wire)
            self.assertEqual(lines[0], f"*** {row.usage} - {row.summary}".encode(), row.name)
            self.assertEqual(lines[-1], f"*** Example: {row.example}".encode(), row.name)
            self.assertEqual(len(lines), 3, row.name)

    def test_help_is_data_for_programs(self) -> None:
        """In JSON, /help NAME carries the command, usage, summary, details and example as fields."""
        bot, wire = self.connect(b"bot")
        bot.dataReceived(b"/format json\n/help topic\n")
        notice = json.loads(self.lines(wire)[1])
        row = COMMANDS["topic"]
        self.assertEqual(
            notice,
            {
                "type": "notice",
                "kind": "help",
                "command": "topic",
                "usage": "/topic [#room] [text|-]",
                "summary": row.summary,
                "details": row.details,
                "example": row.example,
                "text": f"/topic [#room] [text|-] - {row.summary}\n{row.details}\nExample: {row.example}",
            },
        )

    def test_unknown_command_points_at_help(self) -> None:
        """An unknown command gets an error naming /help."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/dance\n")
        self.assertEqual(
            self.lines(wire),
            [b"ERR unknown-command /dance is not a command; type /help to see them"],
        )

    def test_a_mistyped_command_is_answered_with_the_one_meant_and_nothing_runs(self) -> None:
        """/jion #dev names /join and joins nothing; /help jion names it too; /names, IRC's, names /who."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/jion #dev\n/help jion\n/names\n/who\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"ERR unknown-command /jion is not a command; did you mean /join? /help lists them",
                b"ERR unknown-command /jion is not a command; did you mean /join? /help lists them",
                b"ERR unknown-command /names is not a command; did you mean /who? /help lists them",
                b"*** In #lobby (1): alice",
            ],
        )

    def test_usage_error_shows_usage(self) -> None:
        """A command with missing arguments shows how to use it."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/msg bob\n")
        self.assertEqual(self.lines(wire), [b"ERR usage usage: /msg NICK text"])

    def test_quit_with_reason_tells_roommates_and_closes(self) -> None:
        """/quit says goodbye, closes, and roommates see the reason."""
        alice, wire = self.connect(b"alice")
        _, bob_wire = self.connect(b"bob")
        self.end_pass()
        bob_wire.clear()
        alice.dataReceived(b"/quit see you\nignored\n")
        self.assertEqual(self.lines(wire), [b"*** Goodbye."])
        self.assertTrue(wire.disconnecting)
        self.assertEqual(self.lines(bob_wire), [b"[00:00] -- alice quit (see you)"])
        alice.connectionLost(Failure(ConnectionError()))
        self.end_pass()
        self.assertEqual(bob_wire.value(), b"")

    def test_a_quit_reason_past_the_limit_is_cut_not_dropped(self) -> None:
        """A 250-character /quit reason reaches the roommates as its first 200 characters."""
        alice, wire = self.connect(b"alice")
        _, bob_wire = self.connect(b"bob")
        self.end_pass()
        bob_wire.clear()
        alice.dataReceived(b"/quit " + b"0123456789" * 25 + b"\n")
        self.assertEqual(self.lines(wire), [b"*** Goodbye."])
        self.assertEqual(self.lines(bob_wire), [b"[00:00] -- alice quit (" + b"0123456789" * 20 + b")"])

    def test_exit_words_alone_end_session(self) -> None:
        """EXIT, exit and quit alone each end the session."""
        for word in (b"EXIT", b"exit", b"quit"):
            protocol, wire = self.connect(b"alice")
            protocol.dataReceived(word + b"\n")
            self.assertEqual(self.lines(wire), [b"*** Goodbye."])
            self.assertTrue(wire.disconnecting)
            protocol.connectionLost(Failure(ConnectionError()))

    def test_dropped_connection_leaves_every_room_and_frees_nick(self) -> None:
        """A lost connection quits the user from all rooms and frees the nickname."""
        alice, _ = self.connect(b"alice")
        alice.dataReceived(b"/join #dev\n")
        _, bob_wire = self.connect(b"bob")
        self.end_pass()
        bob_wire.clear()
        alice.connectionLost(Failure(ConnectionError()))
        self.assertEqual(self.lines(bob_wire), [b"[00:00] -- alice quit (connection closed)"])
        self.connect(b"alice")
        self.assertEqual(self.chat.users().nicks, ("alice", "bob"))
        self.assertEqual(self.chat.members("#lobby").nicks, ("bob", "alice"))
        self.assertRaises(NoSuchRoomError, self.chat.members, "#dev")


class BadInputTests(LineTestCase):
    def test_overlong_line_refused_and_session_goes_on(self) -> None:
        """A line past the limit is refused whole; the next line works."""
        alice, wire = self.connect(b"alice")
        _, bob_wire = self.connect(b"bob")
        self.end_pass()
        bob_wire.clear()
        alice.dataReceived(b"x" * (MAX_LINE_BYTES + 1) + b"\nafter\n")
        self.assertEqual(self.lines(bob_wire), [b"[00:00] #lobby <alice> after"])
        self.assertEqual(self.lines(wire)[0], too_long(MAX_LINE_BYTES + 1).encode())

    def test_an_invisible_nickname_is_quoted_escaped(self) -> None:
        """/nick of a Hangul filler (which Python's repr prints as it is) names it escaped, as NFKC made it (the
        half-width filler U+1160): the user sees what is there."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived("/nick \u3164\n".encode())
        self.assertEqual(
            self.lines(wire),
            [b"ERR bad-nick '\\u1160' is not a valid nickname: a nickname cannot hold invisible characters"],
        )

    def test_a_byte_order_mark_before_the_nickname_is_dropped(self) -> None:
        """``nc HOST PORT < script.txt`` of a file Notepad saved starts with a BOM: the nickname is still taken.

        It was refused as ``'\\ufeffalice'``, holding an invisible character,
        and the script's next line was then taken for the nickname.
        """
        alice, wire = self.connect()
        alice.dataReceived(b"\xef\xbb\xbfalice\nhello\n")
        lines = self.lines(wire)
        self.assertEqual((lines[0], lines[-1]), (b"*** You are alice.", b"[00:00] #lobby <alice> hello"))
        bot, bot_wire = self.connect()
        bot.dataReceived(b"\xef\xbb\xbf/format json\n")
        self.assertEqual(json.loads(self.lines(bot_wire)[0])["kind"], "format")

    def test_overlong_line_says_how_long_it_was(self) -> None:
        """200 Japanese characters are 600 bytes: the refusal says so, and what a character takes."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived("あ".encode() * 200 + b"\r\n")
        self.assertEqual(self.lines(wire), [too_long(600).encode()])

    def test_line_at_limit_is_accepted(self) -> None:
        """A line of exactly the limit goes through."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"y" * MAX_LINE_BYTES + b"\n")
        self.assertEqual(self.lines(wire), [b"[00:00] #lobby <alice> " + b"y" * MAX_LINE_BYTES])

    def test_line_at_limit_with_crlf_is_accepted(self) -> None:
        """The limit does not count the line ending, CRLF included."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"y" * MAX_LINE_BYTES + b"\r\n")
        self.assertEqual(self.lines(wire), [b"[00:00] #lobby <alice> " + b"y" * MAX_LINE_BYTES])

    def test_line_one_past_limit_is_refused_however_it_ends(self) -> None:
        """A line one byte over the limit is refused with LF and with CRLF."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"y" * (MAX_LINE_BYTES + 1) + b"\n" + b"y" * (MAX_LINE_BYTES + 1) + b"\r\n")
        self.assertEqual(self.lines(wire), [too_long(MAX_LINE_BYTES + 1).encode()] * 2)

    def test_endless_line_is_cut_with_bounded_memory(self) -> None:
        """A line that never ends is refused once, its bytes dropped until its newline."""
        alice, wire = self.connect(b"alice")
        for _ in range(100):
            alice.dataReceived(b"z" * 4096)
            self.assertLessEqual(len(alice._buffer), MAX_LINE_BYTES + 1)
            self.clock.advance(1)  # 4 KiB a second: within the byte budget
        self.assertEqual(self.lines(wire), [too_long(None).encode()])
        alice.dataReceived(b"zzz\nfine\n")
        self.assertEqual(self.lines(wire), [b"[00:01] #lobby <alice> fine"])

    def test_invalid_utf8_refused_never_relayed(self) -> None:
        """A line that is not UTF-8 is refused and relayed to nobody."""
        alice, wire = self.connect(b"alice")
        _, bob_wire = self.connect(b"bob")
        self.end_pass()
        bob_wire.clear()
        alice.dataReceived(b"caf\xe9\n\xed\xa0\x80\nok\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"ERR bad-utf8 that line was not valid UTF-8 and was not sent",
                b"ERR bad-utf8 that line was not valid UTF-8 and was not sent",
                b"[00:00] #lobby <alice> ok",
            ],
        )
        self.assertEqual(self.lines(bob_wire), [b"[00:00] #lobby <alice> ok"])

    def test_character_split_across_reads_is_kept(self) -> None:
        """A UTF-8 character split between two TCP reads arrives whole."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"caf\xc3")
        alice.dataReceived(b"\xa9\n")
        self.assertEqual(self.lines(wire), [b"[00:00] #lobby <alice> caf\xc3\xa9"])

    def test_telnet_negotiation_answered_and_never_shown(self) -> None:
        """Telnet option offers are refused and never become text."""
        alice, wire = self.connect(b"alice")
        _, bob_wire = self.connect(b"bob")
        alice.dataReceived(b"\xff\xfb\x1f\xff\xfd\x01hel")
        # IAC DO BINARY first, then IAC DONT NAWS and IAC WONT ECHO.
        self.end_pass()
        self.assertEqual(wire.value(), b"\xff\xfd\x00\xff\xfe\x1f\xff\xfc\x01")
        self.end_pass()
        wire.clear()
        alice.dataReceived(b"lo\xff\xf1\r\n")
        self.assertEqual(self.lines(bob_wire), [b"[00:00] #lobby <alice> hello"])

    def test_telnet_client_is_asked_to_send_binary(self) -> None:
        """A telnet client is asked to send 8-bit data, so its UTF-8 is not mangled."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"\xff\xf1")  # IAC NOP: the first sign of telnet.
        self.end_pass()
        self.assertEqual(wire.value(), b"\xff\xfd\x00")  # IAC DO BINARY
        self.end_pass()
        wire.clear()
        alice.dataReceived(b"\xff\xfb\x00")  # IAC WILL BINARY: agreed, nothing to answer
        self.end_pass()
        self.assertEqual(wire.value(), b"")
        # IAC DO BINARY is refused: the server's output is UTF-8 either way,
        # and a client in binary output mode shows the local echo of Enter
        # as a bare line feed.
        alice.dataReceived(b"\xff\xfd\x00")
        self.end_pass()
        self.assertEqual(wire.value(), b"\xff\xfc\x00")  # IAC WONT BINARY
        self.end_pass()
        wire.clear()
        alice.dataReceived(b"caf\xc3\xa9 \xe2\x9c\x93\r\n")
        self.assertEqual(self.lines(wire), ["[00:00] #lobby <alice> café \u2713".encode()])

    def test_telnet_client_refusing_binary_still_chats(self) -> None:
        """A client that refuses BINARY, or later leaves it, keeps chatting in ASCII."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"\xff\xfc\x00")  # IAC WONT BINARY
        self.end_pass()
        self.assertEqual(wire.value(), b"\xff\xfd\x00")  # IAC DO BINARY, refused
        self.end_pass()
        wire.clear()
        alice.dataReceived(b"plain\r\n")
        self.assertEqual(self.lines(wire), [b"[00:00] #lobby <alice> plain"])
        alice.dataReceived(b"\xff\xfb\x00\xff\xfc\x00")  # IAC WILL BINARY, then IAC WONT BINARY
        self.end_pass()
        self.assertEqual(wire.value(), b"\xff\xfd\x00\xff\xfe\x00")  # agreed, then acknowledged
        self.end_pass()
        wire.clear()
        alice.dataReceived(b"still\r\n")
        self.assertEqual(self.lines(wire), [b"[00:00] #lobby <alice> still"])

    def test_client_vanishing_mid_line_sends_nothing_of_it(self) -> None:
        """An unfinished line from a client that disconnects is never relayed."""
        alice, _ = self.connect(b"alice")
        _, bob_wire = self.connect(b"bob")
        alice.dataReceived(b"half a li")
        alice.connectionLost(Failure(ConnectionError()))
        self.assertEqual(self.lines(bob_wire), [b"[00:00] -- alice quit (connection closed)"])

    def test_unknown_telnet_command_is_reported(self) -> None:
        """IAC followed by a byte that is no telnet command gets one error line."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"\xff\xf1")
        self.end_pass()
        wire.clear()
        alice.dataReceived(b"\xff\x41junk\n")
        self.assertEqual(
            self.lines(wire),
            [b"ERR bad-telnet unknown telnet command ignored", b"[00:00] #lobby <alice> junk"],
        )

    def test_bad_telnet_command_loses_no_line_around_it(self) -> None:
        """Lines before and text after a bad command in the same read all arrive."""
        protocol, wire = self.connect()
        protocol.dataReceived(b"\xff\xf1")
        self.end_pass()
        wire.clear()
        protocol.dataReceived(b"alice\nhello\n\xff\x01\xff\xfb\x18after\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"*** You are alice.",
                b"[00:00] #lobby -- alice joined",
                b"*** In #lobby (1): alice",
                b"[00:00] #lobby <alice> hello",
                b"ERR bad-telnet unknown telnet command ignored",
                b"\xff\xfe\x18[00:00] #lobby <alice> after",
            ],
        )

    def test_bad_telnet_command_split_across_reads_is_skipped(self) -> None:
        """An IAC ending one read and a bad byte starting the next cost just those two bytes."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"ok \xff")
        alice.dataReceived(b"\x01fine\n")
        self.assertEqual(
            self.lines(wire),
            [b"\xff\xfd\x00ERR bad-telnet unknown telnet command ignored", b"[00:00] #lobby <alice> ok fine"],
        )

    def test_empty_subnegotiation_is_a_bad_command_not_a_crash(self) -> None:
        """IAC SB IAC SE, which makes conch raise IndexError, gets one error line."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"\xff\xfa\xff\xf0still\n")
        self.assertEqual(
            self.lines(wire),
            [b"\xff\xfd\x00ERR bad-telnet unknown telnet command ignored", b"[00:00] #lobby <alice> still"],
        )
        self.assertEqual(self.flushLoggedErrors(), [])

    def test_overlong_subnegotiation_closes_with_a_reason(self) -> None:
        """A telnet subnegotiation past 4096 bytes closes the connection with one line."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"\xff\xfa\x18" + b"x" * 5000)
        self.assertEqual(
            self.lines(wire),
            [b"\xff\xfd\x00ERR telnet-overflow telnet subnegotiation longer than 4096 bytes; closing"],
        )
        self.assertTrue(wire.disconnecting)

    def test_bug_is_logged_and_answered_with_internal_error(self) -> None:
        """An unexpected exception is logged and the session goes on."""
        alice, wire = self.connect(b"alice")
        # Twisted annotates this for trial's TestCase, but any addCleanup will do.
        events = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]

        def broken(page: int) -> None:
            raise RuntimeError("bug")

        self.patch(self.chat, "users", broken)
        alice.dataReceived(b"/users\nstill here\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"ERR internal the server failed to do that; it has been logged",
                b"[00:00] #lobby <alice> still here",
            ],
        )
        self.assertEqual(len(self.flushLoggedErrors(RuntimeError)), 1)
        self.assertEqual(events[0]["log_format"], "Handling a line from {peer} failed")


class JsonTests(LineTestCase):
    def test_json_format_renders_events_as_objects(self) -> None:
        """/format json switches this session to one JSON object per line."""
        alice, _ = self.connect(b"alice")
        bot, bot_wire = self.connect(b"bot")
        bot.dataReceived(b"/format json\n")
        self.assertEqual(
            json.loads(self.lines(bot_wire)[0]),
            {"type": "notice", "kind": "format", "format": "json", "text": "Lines are now json."},
        )
        self.clock.advance(2.5)
        alice.dataReceived(b"hello\n/msg bot psst\n")
        bot.dataReceived(b"/who\n/nope\n")
        parsed = [json.loads(line) for line in self.lines(bot_wire)]
        # Ids sort in the order events happened: the second is the first's successor.
        self.assertEqual([event.pop("id") for event in parsed[:2]], ["0000000009c40000", "0000000009c40001"])
        self.assertEqual(
            parsed,
            [
                {
                    "type": "said",
                    "at": 2.5,
                    "room": "#lobby",
                    "seq": 3,
                    "nick": "alice",
                    "text": "hello",
                },
                {
                    "type": "whispered",
                    "at": 2.5,
                    "nick": "alice",
                    "to": "bot",
                    "text": "psst",
                },
                {
                    "type": "members",
                    "room": "#lobby",
                    "nicks": ["alice", "bot"],
                    "total": 2,
                    "page": 1,
                    "pages": 1,
                    "operators": [],
                    "voiced": [],
                },
                {
                    "type": "error",
                    "code": "unknown-command",
                    "text": "/nope is not a command; type /help to see them",
                    "command": "nope",
                    "likely": None,
                },
            ],
        )

    def test_json_before_nickname_greets_again_in_json(self) -> None:
        """/format json before a nickname is followed by the welcome, the MOTD and the prompt as JSON objects."""
        bot, wire = self.connect()
        bot.dataReceived(b"/format json\nbot\n")
        objects = [json.loads(line) for line in self.lines(wire)]
        token = objects[4].pop("token")
        self.assertRegex(token, r"^[A-Za-z0-9_-]{24}$")
        self.assertEqual(
            objects[:5],
            [
                {"type": "notice", "kind": "format", "format": "json", "text": "Lines are now json."},
                {
                    "type": "notice",
                    "kind": "welcome",
                    "server": "testhost",
                    "version": "0.1.0",
                    "text": "Welcome to chatd 0.1.0 on testhost. Type /help for help.",
                },
                {"type": "notice", "kind": "motd", "text": "Be kind."},
                {"type": "notice", "kind": "prompt", "text": "Choose a nickname:"},
                {"type": "notice", "kind": "nick", "nick": "bot", "text": "You are bot."},
            ],
        )
        self.assertEqual([each["type"] for each in objects[5:]], ["joined", "members", "notice"])

    def test_text_before_nickname_greets_again_in_text(self) -> None:
        """/format text before a nickname greets again too: the rule is the same for both formats."""
        person, wire = self.connect()
        person.dataReceived(b"/format text\n")
        self.assertEqual(b"\r\n".join(self.lines(wire)) + b"\r\n", b"*** Lines are now text.\r\n" + GREETING)

    def test_every_notice_carries_its_data(self) -> None:
        """Notices about nicknames, rooms, away, ignores and bans carry what they say as fields."""
        self.connect(b"bob")
        bot, wire = self.operator(b"bot")
        bot.dataReceived(b"/format json\n")
        self.lines(wire)
        for line in (
            b"/nick bot",
            b"/join #dev",
            b"/join lobby",
            b"/away lunch",
            b"/away",
            b"/ignore bob",
            b"/ignore",
            b"/unignore bob",
            b"/ban carol",
            b"/unban carol",
            b"/part",
            b"/part dev",
        ):
            self.clock.advance(1)  # one command a second stays within the flood budget
            bot.dataReceived(line + b"\n")
        notices = [each for each in map(json.loads, self.lines(wire)) if each["type"] == "notice"]
        self.assertEqual(
            [{key: value for key, value in each.items() if key not in ("type", "text")} for each in notices],
            [
                {"kind": "nick", "nick": "bot", "operator": True},
                {"kind": "history_end", "room": "#dev", "count": 0, "earlier": False},
                {"kind": "room", "room": "#lobby"},
                {"kind": "away", "away": "lunch"},
                {"kind": "away", "away": ""},
                {"kind": "ignore", "nick": "bob", "ignored": True},
                {"kind": "ignore", "nicks": ["bob"]},
                {"kind": "ignore", "nick": "bob", "ignored": False},
                {"kind": "ban", "target": "carol", "banned": False},
                {"kind": "room", "room": "#dev"},
                {"kind": "room", "room": None},
            ],
        )

    def test_render_once_per_format(self) -> None:
        """Text and JSON sessions in one room get the same bytes as their peers."""
        alice, _ = self.connect(b"alice")
        wires = [self.connect(b"t%d" % n)[1] for n in range(3)]
        bots = [self.connect(b"j%d" % n) for n in range(3)]
        for bot, _ in bots:
            bot.dataReceived(b"/format json\n")
        self.end_pass()
        for wire in wires + [w for _, w in bots]:
            self.end_pass()
            wire.clear()
        alice.dataReceived(b"hi\n")
        self.end_pass()
        self.assertEqual(len({w.value() for w in wires}), 1)
        self.assertEqual(len({w.value() for _, w in bots}), 1)
        self.assertTrue(bots[0][1].value().startswith(b'{"type":"said"'))


class ShutdownTests(LineTestCase):
    def test_shutdown_says_goodbye_and_closes_each(self) -> None:
        """On shutdown every connection gets one notice and is closed."""
        _, alice_wire = self.connect(b"alice")
        _, anon_wire = self.connect()
        done = self.factory.shutdown()
        for wire in (alice_wire, anon_wire):
            self.assertEqual(self.lines(wire), [b"*** Server shutting down. Goodbye."])
            self.assertTrue(wire.disconnecting)
        self.assertNoResult(done)
        for protocol in list(self.factory.connections):
            protocol.connectionLost(Failure(ConnectionError()))
        self.successResultOf(done)
        self.end_pass()
        self.assertEqual(alice_wire.value(), b"")

    def test_shutdown_aborts_connections_that_do_not_close(self) -> None:
        """Connections still open after the grace period are aborted."""
        _, wire = self.connect(b"alice")
        self.factory.shutdown()
        self.clock.advance(1.9)
        self.assertFalse(wire.disconnected)
        self.clock.advance(0.1)
        self.assertTrue(wire.disconnected)


class FootprintTests(LineTestCase):
    def test_connection_state_lives_in_slots_not_a_dict(self) -> None:
        """A connection's state, Twisted's attributes too, is all in slots: it never makes a __dict__ (issue 18)."""
        alice, _ = self.connect(b"alice")
        for _ in range(15):
            alice.dataReceived(b"flood\n")  # slowed: LineReceiver's paused is set too
        self.clock.advance(60)
        alice.dataReceived(b"/quit\n")
        self.assertEqual(vars(alice), {})

    def test_an_idle_connection_keeps_no_paste(self) -> None:
        """Once its paste is said, a connection holds no list of lines (issue 18)."""
        alice, _ = self.connect(b"alice")
        alice.dataReceived(b"hello\nthere\n")
        self.end_pass()
        self.assertEqual([kept for kept in gc.get_referents(alice) if isinstance(kept, list)], [])


class WaitingCommandTests(LineTestCase):
    """/time stands in for a command that waits (as /oper does for its password check): its Deferred is fired by hand."""

    def setUp(self) -> None:
        super().setUp()
        self.pending: list[Deferred[None]] = []

        def wait(session: LineSession, command: cmd.Time) -> "Deferred[None]":
            done: Deferred[None] = Deferred()
            self.pending.append(done)
            return done.addCallback(lambda _: session.send(Notice("time", "done waiting")))

        row = table.COMMANDS["time"]
        table.COMMANDS["time"] = dataclasses.replace(row, run=wait)
        self.addCleanup(table.COMMANDS.__setitem__, "time", row)

    def log_from_now(self) -> EventLoggingObserver:
        """What is logged from now on (after connecting, which is logged too)."""
        return EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]

    def test_line_after_a_waiting_command_is_answered_after_it(self) -> None:
        """While a command waits the connection reads nothing more; the line after it is taken once it is done."""
        alice, alice_wire = self.connect(b"alice")
        _, bob_wire = self.connect(b"bob")
        alice.dataReceived(b"/time\nhello\n")
        self.assertEqual((self.lines(alice_wire), self.lines(bob_wire)), ([], []))
        self.assertEqual(alice_wire.producerState, "paused")
        alice.dataReceived(b"and more\n")
        self.assertEqual(self.lines(bob_wire), [])
        [done] = self.pending
        done.callback(None)
        self.assertEqual(
            self.lines(alice_wire),
            [b"*** done waiting", b"[00:00] #lobby <alice> hello", b"[00:00] #lobby <alice> and more"],
        )
        self.assertEqual(
            self.lines(bob_wire), [b"[00:00] #lobby <alice> hello", b"[00:00] #lobby <alice> and more"]
        )
        self.assertEqual(alice_wire.producerState, "producing")

    def test_half_closed_connection_takes_its_unended_line_after_the_waiting_command_then_closes(
        self,
    ) -> None:
        """A client that shuts its side (nc -N) with a command waiting and a last line unended: the line is taken
        once the command is done, then the connection closes; not before."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/time\nlast words")
        alice.readConnectionLost()
        self.assertEqual((self.lines(wire), wire.disconnecting), ([], False))
        self.pending[0].callback(None)
        self.assertEqual(self.lines(wire), [b"*** done waiting", b"[00:00] #lobby <alice> last words"])
        self.assertTrue(wire.disconnecting)

    def test_waiting_commands_answer_in_order(self) -> None:
        """Two waiting commands in one read: the second is not even started before the first is done."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/time\n/time\n")
        self.assertEqual(len(self.pending), 1)
        self.pending[0].callback(None)
        self.assertEqual((self.lines(wire), len(self.pending)), ([b"*** done waiting"], 2))
        self.pending[1].callback(None)
        self.assertEqual(self.lines(wire), [b"*** done waiting"])

    def test_refusal_of_a_waiting_command_is_one_err_line(self) -> None:
        """A waiting command that fails with a ChatError answers with its ERR line, and the session goes on."""
        alice, wire = self.connect(b"alice")
        logged = self.log_from_now()
        alice.dataReceived(b"/time\nhello\n")
        self.pending[0].errback(NoCurrentRoomError())
        self.assertEqual(
            self.lines(wire),
            [b"ERR no-room you are in no room; /join #room first", b"[00:00] #lobby <alice> hello"],
        )
        self.assertEqual(list(logged), [])

    def test_bug_in_a_waiting_command_is_logged_and_answered_internal(self) -> None:
        """A waiting command that fails with anything else is logged and answered ERR internal, and the session goes on."""
        alice, wire = self.connect(b"alice")
        logged = self.log_from_now()
        alice.dataReceived(b"/time\nhello\n")
        self.pending[0].errback(RuntimeError("bug"))
        self.assertEqual(
            self.lines(wire),
            [
                b"ERR internal the server failed to do that; it has been logged",
                b"[00:00] #lobby <alice> hello",
            ],
        )
        self.assertEqual(len(self.flushLoggedErrors(RuntimeError)), 1)
        self.assertEqual([event["log_format"] for event in logged], ["Handling a line from {peer} failed"])

    def test_before_a_nickname_a_refused_waiting_command_is_one_line(self) -> None:
        """An unnamed connection whose waiting command is refused gets its error alone: no nickname was refused."""
        protocol, wire = self.connect()
        protocol.dataReceived(b"/time\n")
        self.pending[0].errback(NoCurrentRoomError())
        self.assertEqual(self.lines(wire), [b"ERR no-room you are in no room; /join #room first"])

    def test_flood_wait_ending_first_still_waits_for_the_command(self) -> None:
        """Slowed and waiting on a command at once: the budget refilling does not let later lines overtake the command."""
        alice, wire = self.connect(b"alice")
        for n in range(9):  # one read each, so not one paste: with the nickname, the whole burst
            alice.dataReceived(b"x%d\n" % n)
        alice.dataReceived(b"/time\nafter\n")
        self.assertIn(SLOWED, self.lines(wire))
        self.clock.advance(10)
        self.assertEqual((self.lines(wire), wire.producerState), ([], "paused"))
        self.pending[0].callback(None)
        self.assertEqual(self.lines(wire), [b"*** done waiting", b"[00:00] #lobby <alice> after"])

    def test_command_ending_first_still_waits_for_the_flood_budget(self) -> None:
        """Slowed and waiting on a command at once: the command's end does not let a flooder in before its wait is over."""
        alice, wire = self.connect(b"alice")
        for n in range(9):  # one read each, so not one paste: with the nickname, the whole burst
            alice.dataReceived(b"x%d\n" % n)
        alice.dataReceived(b"/time\nafter\n")
        self.lines(wire)
        self.pending[0].callback(None)
        self.assertEqual((self.lines(wire), wire.producerState), ([b"*** done waiting"], "paused"))
        self.clock.advance(0.49)
        self.assertEqual(self.lines(wire), [])
        self.clock.advance(0.01)
        self.assertEqual(self.lines(wire), [b"[00:00] #lobby <alice> after"])

    def test_connection_lost_while_waiting_leaves_nothing_behind(self) -> None:
        """A connection lost while its command waits quits at once; the command's end later writes nothing."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/time\nhello\n")
        alice.connectionLost(Failure(ConnectionDone()))
        self.pending[0].callback(None)
        self.assertEqual(self.lines(wire), [])
        self.assertEqual(self.chat.users().nicks, ())
