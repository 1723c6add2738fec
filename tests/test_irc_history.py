"""History over IRC: replay on join and draft/chathistory (chatd.irc.history)."""

import re

from twisted.internet.defer import fail
from twisted.internet.testing import StringTransport

from chatd.domain.errors import HistoryUnreadableError
from chatd.frontend.flood import RESUMED_BYTES
from chatd.irc.protocol import IRCProtocol
from tests.irc import IRCTestCase


class HistoryTests(IRCTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.bob, _ = self.connect(b"bob")
        for number in range(1, 6):
            self.clock.advance(60)
            self.bob.dataReceived(f"line {number}\n".encode())
            self.end_pass()

    def ids(self, lines: list[bytes]) -> list[str]:
        """The msgids of ``lines``, in order."""
        found = (re.search(rb"msgid=([^; ]+).* PRIVMSG ", line) for line in lines)
        return [match.group(1).decode() for match in found if match]

    def texts(self, lines: list[bytes]) -> list[str]:
        """The texts of the PRIVMSGs among ``lines``, in order."""
        return [
            line.split(b" PRIVMSG ", 1)[1].split(b" :", 1)[1].decode()
            for line in lines
            if b" PRIVMSG " in line
        ]

    def msgid_of(self, lines: list[bytes], ending: bytes) -> str:
        """The msgid of the one line of ``lines`` that ends with ``ending``."""
        found = [re.match(rb"@(?:\S*;)?msgid=([^; ]+)", line) for line in lines if line.endswith(ending)]
        assert len(found) == 1 and found[0] is not None, lines
        return found[0][1].decode()

    def test_the_msgid_of_a_join_topic_or_part_reads_from_where_it_happened(self) -> None:
        """A client whose last line seen was a JOIN, TOPIC or PART gives its msgid: BEFORE, AFTER, AROUND and
        LATEST read the lines said before, after and around it, as from a PRIVMSG's."""
        alice, wire = self.irc_user("alice", "server-time", "message-tags", "batch", "draft/chathistory")
        carol, _ = self.irc_user("carol")
        self.send(alice, "JOIN #lobby")
        join = self.msgid_of(self.lines(wire), b":alice!alice@chatd JOIN #lobby")
        self.bob.dataReceived(b"line 6\n")
        self.send(alice, "TOPIC #lobby :news")
        topic = self.msgid_of(self.lines(wire), b":alice!alice@chatd TOPIC #lobby :news")
        self.bob.dataReceived(b"line 7\n")
        self.send(carol, "JOIN #lobby", "PART #lobby")
        part = self.msgid_of(self.lines(wire), b":carol!carol@chatd PART #lobby")
        self.bob.dataReceived(b"line 8\n")
        self.end_pass()
        self.lines(wire)
        for sub, reference, limit, said in (
            ("BEFORE", join, 10, [f"line {n}" for n in range(1, 6)]),
            ("BEFORE", topic, 2, ["line 5", "line 6"]),
            ("AFTER", join, 10, ["line 6", "line 7", "line 8"]),
            ("AFTER", part, 10, ["line 8"]),
            ("AROUND", topic, 2, ["line 6", "line 7"]),
            ("AROUND", join, 4, ["line 4", "line 5", "line 6", "line 7"]),
            ("LATEST", topic, 10, ["line 7", "line 8"]),
            ("LATEST", f"{join}.1", 1, ["line 8"]),
        ):
            self.clock.advance(1)  # within the flood budget's 2 lines a second
            self.send(alice, f"CHATHISTORY {sub} #lobby msgid={reference} {limit}")
            self.assertEqual(self.texts(self.lines(wire)), said, (sub, reference, limit))

    def test_join_replays_the_last_lines_in_a_batch_with_their_times(self) -> None:
        """A server-time client joining reads the names, then the room's lines in a chathistory batch."""
        alice, wire = self.irc_user("alice", "server-time", "batch")
        self.send(alice, "JOIN #lobby")
        lines = self.lines(wire)
        self.assertEqual(lines[2], b":testhost 366 alice #lobby :End of /NAMES list")
        self.assertRegex(lines[3], rb"^:testhost BATCH \+\w+ chathistory #lobby$")
        reference = lines[3].split()[2][1:]
        self.assertEqual(
            lines[4:],
            [
                b"@time=1970-01-01T00:0%d:00.000Z;batch=%s :bob!bob@chatd PRIVMSG #lobby :line %d"
                % (number, reference, number)
                for number in range(1, 6)
            ]
            + [b":testhost BATCH -" + reference],
        )

    def test_live_line_during_the_read_comes_after_the_replay(self) -> None:
        """What is said while the replay is read is written after it, never before."""
        alice, wire = self.irc_user("alice", "server-time")
        self.send(alice, "JOIN #lobby")
        self.bob.dataReceived(b"live one\n")
        lines = self.lines(wire)
        self.assertTrue(lines[-2].endswith(b"PRIVMSG #lobby :line 5"))
        self.assertTrue(lines[-1].endswith(b"PRIVMSG #lobby :live one"))

    def test_a_failed_read_is_logged_and_answered_and_the_room_goes_on(self) -> None:
        """A store that fails the replay: the joiner reads FAIL JOIN INTERNAL where the lines would be, then
        what the room says; the failure is logged once, not left to an unhandled Deferred."""
        # A store with nothing at hand, whose read fails.
        self.history.at_hand = lambda room, before, limit: None  # type: ignore[method-assign]
        self.history.recent = lambda room, before, limit: fail(OSError("disk gone"))  # type: ignore[method-assign]
        alice, wire = self.irc_user("alice", "server-time")
        self.send(alice, "JOIN #lobby")
        self.bob.dataReceived(b"still here\n")
        lines = self.lines(wire)
        self.assertEqual(lines[2], b":testhost 366 alice #lobby :End of /NAMES list")
        self.assertEqual(lines[3], b":testhost FAIL JOIN INTERNAL :Internal error")
        self.assertRegex(lines[4], rb"^@time=\S+ :bob!bob@chatd PRIVMSG #lobby :still here$")
        self.assertEqual(len(lines), 5)
        self.assertEqual(len(self.flushLoggedErrors(OSError)), 1)

    def test_a_read_reaching_a_line_the_store_cannot_read_is_one_fail_and_nothing_logged(self) -> None:
        """A store that reaches a line it cannot read back (HistoryUnreadableError: it logs the row itself): the
        joiner reads FAIL JOIN HISTORY_UNREADABLE, a CHATHISTORY the same, with no traceback of the front end's."""
        self.history.at_hand = lambda room, before, limit: None  # type: ignore[method-assign]
        unreadable = lambda *_: fail(HistoryUnreadableError())  # noqa: E731
        self.history.recent = unreadable  # type: ignore[method-assign]
        alice, wire = self.irc_user("alice", "server-time", "batch", "draft/chathistory")
        self.send(alice, "JOIN #lobby")
        sentence = (
            "The server could not read a line it keeps here (damaged in its file); its host is told which"
        )
        self.assertEqual(self.lines(wire)[-1], f":testhost FAIL JOIN HISTORY_UNREADABLE :{sentence}".encode())
        self.send(alice, "CHATHISTORY LATEST #lobby * 10")
        self.assertEqual(
            self.lines(wire), [f":testhost FAIL CHATHISTORY HISTORY_UNREADABLE :{sentence}".encode()]
        )

    def test_no_replay_without_server_time(self) -> None:
        """Lines without their times would read as said now: a plain client is shown none."""
        alice, wire = self.irc_user("alice")
        self.send(alice, "JOIN #lobby")
        self.assertEqual(len(self.lines(wire)), 3)

    def test_chathistory_latest_before_after_and_around(self) -> None:
        """LATEST *, then BEFORE, AFTER and AROUND a msgid, each a batch of the right lines."""
        alice, wire = self.irc_user("alice", "server-time", "message-tags", "batch", "draft/chathistory")
        self.send(alice, "JOIN #lobby")
        all_ids = self.ids(self.lines(wire))
        self.assertEqual(len(all_ids), 5)
        self.send(alice, "CHATHISTORY LATEST #lobby * 2")
        self.assertEqual(self.ids(self.lines(wire)), all_ids[3:])
        self.send(alice, f"CHATHISTORY BEFORE #lobby msgid={all_ids[2]} 10")
        self.assertEqual(self.ids(self.lines(wire)), all_ids[:2])
        self.send(alice, f"CHATHISTORY AFTER #lobby msgid={all_ids[2]} 1")
        self.assertEqual(self.ids(self.lines(wire)), all_ids[3:4])
        self.send(alice, f"CHATHISTORY AROUND #lobby msgid={all_ids[2]} 3")
        self.assertEqual(self.ids(self.lines(wire)), all_ids[1:4])
        self.send(alice, f"CHATHISTORY LATEST #lobby msgid={all_ids[1]} 50")
        self.assertEqual(self.ids(self.lines(wire)), all_ids[2:])

    def test_a_msgid_in_upper_case_reads_as_in_lower(self) -> None:
        """AROUND a msgid typed in upper case (the lines are a minute apart, so their ids have letters) gives the
        lines it gives in lower case, as /history does."""
        alice, wire = self.irc_user("alice", "server-time", "message-tags", "batch", "draft/chathistory")
        self.send(alice, "JOIN #lobby")
        all_ids = self.ids(self.lines(wire))
        self.assertNotEqual(all_ids[2], all_ids[2].upper())
        self.send(alice, f"CHATHISTORY AROUND #lobby msgid={all_ids[2].upper()} 3")
        self.assertEqual(self.ids(self.lines(wire)), all_ids[1:4])

    def test_latest_after_a_msgid_first_tells_the_lines_up_to_it_deleted_since(self) -> None:
        """A client back after a drop asks LATEST after the last line it saw: line 2, deleted meanwhile, is REDACTed
        before the batch (a NOTICE without draft/message-redaction), as a live deletion is; line 5, said and deleted
        after that point, is not, nor is anything for the lines kept."""
        caps = ("server-time", "message-tags", "batch", "draft/chathistory")
        alice, wire = self.irc_user("alice", *caps)
        self.send(alice, "JOIN #lobby")
        ids = self.ids(self.lines(wire))
        self.bob.dataReceived(f"/delete #lobby {ids[1]} oops\n/delete #lobby {ids[4]}\n".encode())
        self.end_pass()
        told = []
        for nick, more in (("carol", ("draft/message-redaction",)), ("dave", ())):
            client, client_wire = self.irc_user(nick, *caps, *more)
            self.send(client, "JOIN #lobby")
            self.lines(client_wire)
            self.send(client, f"CHATHISTORY LATEST #lobby msgid={ids[3]} 50")
            told.append(self.lines(client_wire))
        [redact, start, end], [notice, *batch] = told
        self.assertRegex(redact, rb" :bob!bob@chatd REDACT #lobby " + ids[1].encode() + rb" :oops$")
        self.assertEqual((start.split(b" ")[1], end.split(b" ")[1]), (b"BATCH", b"BATCH"))
        self.assertRegex(notice, rb" NOTICE #lobby :.*" + ids[1].encode())
        self.assertEqual([line.split(b" ")[1] for line in batch], [b"BATCH", b"BATCH"])

    def test_latest_tells_deletions_within_the_resume_bound_and_counts_the_rest(self) -> None:
        """carol deletes 600 lines, each with a reason of 110 four-byte characters: alice's LATEST after them is told
        the first deletions that fit in 256 KiB with its batch (not just as many as its limit), then a NOTICE that
        counts them, then the batch with the line said since."""
        carol, carol_wire = self.irc_user("carol", "message-tags", "echo-message")
        self.send(carol, "JOIN #lobby")
        ids = []
        for number in range(600):
            self.clock.advance(1)  # within the flood budget
            self.send(carol, f"PRIVMSG #lobby :deleted {number}")
            ids += self.ids(self.lines(carol_wire))
        reason = "\N{GRINNING FACE}" * 110
        for msgid in ids:
            self.clock.advance(1)
            self.send(carol, f"REDACT #lobby {msgid} :{reason}")
            self.end_pass()
        self.clock.advance(1)
        self.send(carol, "PRIVMSG #lobby :said since")
        caps = ("server-time", "message-tags", "batch", "draft/chathistory", "draft/message-redaction")
        alice, wire = self.irc_user("alice", *caps)
        self.send(alice, "JOIN #lobby")
        self.lines(wire)
        self.send(alice, f"CHATHISTORY LATEST #lobby msgid={ids[-1]} 50")
        lines = self.lines(wire)
        told = [line for line in lines if b" REDACT " in line]
        notice = lines[len(told)]
        self.assertGreater(len(told), 50)
        self.assertLess(len(told), 600)
        self.assertIn(b" REDACT #lobby " + ids[0].encode() + b" :", told[0])
        self.assertEqual(
            notice,
            f":testhost NOTICE #lobby :600 lines of #lobby up to there were deleted since, the first {len(told)} "
            "told: too many to send at once".encode(),
        )
        self.assertEqual(self.texts(lines), ["said since"])
        self.assertLessEqual(sum(len(line) + 2 for line in lines), RESUMED_BYTES + 200)
        self.assertGreater(sum(len(line) + 2 for line in told), RESUMED_BYTES - 1000)

    def test_a_msgid_of_no_form_chatd_gives_is_a_fail_for_every_subcommand(self) -> None:
        """A msgid that is no id chatd could have made (too long, ``ID.x``, a word) names no point: it is answered
        FAIL MESSAGE_ERROR naming the subcommand, room and reference, not an empty batch; ``*`` still reads."""
        alice, wire = self.irc_user("alice", "server-time", "message-tags", "batch", "draft/chathistory")
        self.send(alice, "JOIN #lobby")
        lines = self.lines(wire)
        kept = self.ids(lines)[0]
        for reference in (f"msgid={kept}1", f"msgid={kept}.x", "msgid=nosuchline"):
            for sub in ("LATEST", "BEFORE", "AFTER", "AROUND"):
                self.clock.advance(1)  # within the flood budget's 2 lines a second
                self.send(alice, f"CHATHISTORY {sub} #lobby {reference} 10")
                self.assertEqual(
                    self.lines(wire),
                    [
                        f":testhost FAIL CHATHISTORY MESSAGE_ERROR {sub} #lobby {reference}"
                        " :#lobby keeps no line with that msgid".encode()
                    ],
                )
        self.send(alice, "CHATHISTORY LATEST #lobby * 1")
        self.assertEqual(self.ids(self.lines(wire)), self.ids(lines)[-1:])

    def test_the_msgid_of_a_quit_nick_away_or_another_rooms_join_is_where_it_happened(self) -> None:
        """Ids sort as events happened, in every room: the msgid of carol's QUIT, dave's NICK, erin's AWAY (all
        shown in #lobby, none a #lobby event) or of alice's JOIN of #other reads #lobby's lines after, before and
        around where it happened, as a line's would."""
        alice, wire = self.irc_user(
            "alice", "server-time", "message-tags", "batch", "draft/chathistory", "away-notify"
        )
        carol, _ = self.irc_user("carol")
        dave, _ = self.irc_user("dave")
        erin, _ = self.irc_user("erin")
        self.send(alice, "JOIN #lobby")
        self.send(carol, "JOIN #lobby")
        self.send(dave, "JOIN #lobby")
        self.send(erin, "JOIN #lobby")
        self.end_pass()
        self.lines(wire)
        shown: dict[str, str] = {}
        for number, (who, command, ending) in enumerate(
            (
                (carol, "QUIT :bye", b":carol!carol@chatd QUIT :Quit: bye"),
                (dave, "NICK dan", b":dave!dave@chatd NICK dan"),
                (erin, "AWAY :lunch", b":erin!erin@chatd AWAY :lunch"),
                (alice, "JOIN #other", b":alice!alice@chatd JOIN #other"),
            ),
            start=6,
        ):
            self.clock.advance(1)
            self.send(who, command)
            self.end_pass()
            shown[command.split()[0]] = self.msgid_of(self.lines(wire), ending)
            self.clock.advance(1)
            self.bob.dataReceived(f"line {number}\n".encode())
            self.end_pass()
        self.lines(wire)
        for sub, reference, limit, said in (
            ("AFTER", shown["QUIT"], 10, ["line 6", "line 7", "line 8", "line 9"]),
            ("BEFORE", shown["QUIT"], 2, ["line 4", "line 5"]),
            ("AFTER", shown["NICK"], 1, ["line 7"]),
            ("AROUND", shown["AWAY"], 2, ["line 7", "line 8"]),
            ("LATEST", shown["AWAY"], 10, ["line 8", "line 9"]),
            ("BETWEEN", f"{shown['QUIT']} msgid={shown['JOIN']}", 10, ["line 6", "line 7", "line 8"]),
            ("BEFORE", shown["JOIN"], 1, ["line 8"]),
        ):
            self.clock.advance(1)  # within the flood budget's 2 lines a second
            self.send(alice, f"CHATHISTORY {sub} #lobby msgid={reference} {limit}")
            self.assertEqual(self.texts(self.lines(wire)), said, (sub, reference, limit))

    def test_timestamps_are_points_in_time_each_excluded_as_the_spec_has_it(self) -> None:
        """A ``timestamp=`` (the server-time of a line, or any time) reads as a msgid does: BEFORE and AFTER leave
        out the lines of that millisecond, BETWEEN those of both, LATEST gives the newest after it, AROUND centres
        on it; a time between lines splits them there."""
        alice, wire = self.irc_user("alice", "server-time", "message-tags", "batch", "draft/chathistory")
        self.send(alice, "JOIN #lobby")
        shown = [line for line in self.lines(wire) if line.endswith(b":line 3")]
        self.assertEqual(re.findall(rb"time=([^; ]+)", shown[0]), [b"1970-01-01T00:03:00.000Z"])
        between_3_and_4 = "timestamp=1970-01-01T00:03:30.000Z"
        for sub, reference, limit, said in (
            ("BEFORE", "timestamp=1970-01-01T00:03:00.000Z", 10, ["line 1", "line 2"]),
            ("AFTER", "timestamp=1970-01-01T00:03:00.000Z", 10, ["line 4", "line 5"]),
            ("AFTER", "timestamp=1970-01-01T00:02:59.999Z", 1, ["line 3"]),
            ("BEFORE", "timestamp=1970-01-01T00:03:00.000999Z", 1, ["line 3"]),
            ("BEFORE", between_3_and_4, 10, ["line 1", "line 2", "line 3"]),
            ("AFTER", between_3_and_4, 10, ["line 4", "line 5"]),
            ("LATEST", "timestamp=1970-01-01T00:02:00.000Z", 2, ["line 4", "line 5"]),
            ("AROUND", "timestamp=1970-01-01T00:03:00.000Z", 3, ["line 2", "line 3", "line 4"]),
            ("AROUND", between_3_and_4, 2, ["line 3", "line 4"]),
            (
                "BETWEEN",
                "timestamp=1970-01-01T00:01:00.000Z timestamp=1970-01-01T00:05:00.000Z",
                10,
                ["line 2", "line 3", "line 4"],
            ),
            (
                "BETWEEN",
                "timestamp=1970-01-01T00:05:00.000Z timestamp=1970-01-01T00:01:00.000Z",
                2,
                ["line 3", "line 4"],
            ),
            ("BETWEEN", f"timestamp=1970-01-01T00:01:00.000Z {between_3_and_4}", 10, ["line 2", "line 3"]),
            ("BEFORE", "timestamp=1969-12-31T23:59:59.000Z", 10, []),
            ("AFTER", "timestamp=9999-12-31T23:59:59.999Z", 10, []),
        ):
            self.clock.advance(1)  # within the flood budget's 2 lines a second
            self.send(alice, f"CHATHISTORY {sub} #lobby {reference} {limit}")
            self.assertEqual(self.texts(self.lines(wire)), said, (sub, reference, limit))

    def test_a_timestamp_leaves_out_every_line_of_its_millisecond_a_msgid_only_its_own(self) -> None:
        """bob and carol speak in one millisecond, so their lines share a server-time, rounded as their ids are:
        AFTER and BEFORE that time leave out both (the time is neither before nor after them); AFTER bob's msgid
        gives carol's line."""
        carol, _ = self.irc_user("carol")
        self.send(carol, "JOIN #lobby")
        self.clock.advance(30.0006)
        self.bob.dataReceived(b"from bob\n")
        self.send(carol, "PRIVMSG #lobby :from carol")
        self.end_pass()
        self.clock.advance(1)
        self.bob.dataReceived(b"later\n")
        self.end_pass()
        alice, wire = self.irc_user("alice", "server-time", "message-tags", "batch", "draft/chathistory")
        self.send(alice, "JOIN #lobby")
        lines = self.lines(wire)
        self.assertEqual(self.texts(lines)[-3:], ["from bob", "from carol", "later"])
        times = [re.findall(rb"time=([^; ]+)", line) for line in lines if line.endswith((b"bob", b"carol"))]
        self.assertEqual(times, [[b"1970-01-01T00:05:30.001Z"]] * 2)
        ids = dict(zip(self.texts(lines), self.ids(lines), strict=True))
        for sub, reference, said in (
            ("AFTER", "timestamp=1970-01-01T00:05:30.001Z", ["later"]),
            ("BEFORE", "timestamp=1970-01-01T00:05:30.001Z", ["line 4", "line 5"]),
            ("AFTER", f"msgid={ids['from bob']}", ["from carol", "later"]),
            ("BEFORE", f"msgid={ids['from carol']}", ["line 5", "from bob"]),
        ):
            self.clock.advance(1)
            self.send(alice, f"CHATHISTORY {sub} #lobby {reference} 2")
            self.assertEqual(self.texts(self.lines(wire)), said, (sub, reference))

    def test_the_limit_counts_privmsgs_and_never_cuts_a_paste(self) -> None:
        """bob's paste of three lines is three PRIVMSGs of a CHATHISTORY's limit, never cut: a paste that would pass
        the limit is left for the next request, unless it comes first (a client paging back would stop at an empty
        batch), and AROUND goes on on the side that still fits."""
        self.bob.dataReceived(b"p1\np2\np3\n")
        self.end_pass()
        self.bob.dataReceived(b"line 6\n")
        self.end_pass()
        alice, wire = self.irc_user("alice", "server-time", "message-tags", "batch", "draft/chathistory")
        self.send(alice, "JOIN #lobby")
        lines = self.lines(wire)
        self.assertEqual(self.texts(lines), [*(f"line {n}" for n in range(1, 6)), "p1", "p2", "p3", "line 6"])
        ids = dict(zip(self.texts(lines), self.ids(lines), strict=True))
        self.assertEqual([ids["p2"], ids["p3"]], [f"{ids['p1']}.1", f"{ids['p1']}.2"])
        paste = ["p1", "p2", "p3"]
        for sub, reference, limit, said in (
            ("LATEST", "*", 4, [*paste, "line 6"]),
            ("LATEST", "*", 3, ["line 6"]),
            ("LATEST", "*", 5, ["line 5", *paste, "line 6"]),
            ("LATEST", f"msgid={ids['line 4']}", 3, ["line 6"]),
            ("BEFORE", f"msgid={ids['line 6']}", 4, ["line 5", *paste]),
            ("BEFORE", f"msgid={ids['line 6']}", 2, paste),
            ("AFTER", f"msgid={ids['line 4']}", 3, ["line 5"]),
            ("AFTER", f"msgid={ids['line 5']}", 1, paste),
            ("AROUND", f"msgid={ids['p3']}", 4, [*paste, "line 6"]),
            ("AROUND", f"msgid={ids['line 5']}", 3, ["line 3", "line 4", "line 5"]),
            ("BETWEEN", f"msgid={ids['line 4']} msgid={ids['line 6']}", 3, ["line 5"]),
            ("BETWEEN", f"msgid={ids['line 6']} msgid={ids['line 4']}", 3, paste),
            ("BETWEEN", f"msgid={ids['line 6']} msgid={ids['line 3']}", 2, paste),
        ):
            self.clock.advance(1)  # within the flood budget's 2 lines a second
            self.send(alice, f"CHATHISTORY {sub} #lobby {reference} {limit}")
            self.assertEqual(self.texts(self.lines(wire)), said, (sub, reference, limit))

    def test_between_counts_from_the_first_reference_forward_or_back(self) -> None:
        """BETWEEN gives the lines strictly between two msgids, oldest first; the limit keeps those nearest the
        first reference, forward in time or back; a JOIN's msgid is a place too; none between is an empty batch."""
        alice, wire = self.irc_user("alice", "server-time", "message-tags", "batch", "draft/chathistory")
        self.send(alice, "JOIN #lobby")
        lines = self.lines(wire)
        ids = self.ids(lines)
        join = self.msgid_of(lines, b":alice!alice@chatd JOIN #lobby")
        for first, second, limit, said in (
            (ids[0], ids[4], 10, ["line 2", "line 3", "line 4"]),
            (ids[0], ids[4], 2, ["line 2", "line 3"]),
            (ids[4], ids[0], 2, ["line 3", "line 4"]),
            (ids[4], ids[0], 50, ["line 2", "line 3", "line 4"]),
            (ids[4], ids[0], 10**29, ["line 2", "line 3", "line 4"]),  # 30 digits: all there is, as 50 is
            (join, ids[1], 10, ["line 3", "line 4", "line 5"]),
            (ids[2], f"{join}.1", 1, ["line 4"]),
        ):
            self.clock.advance(1)  # within the flood budget's 2 lines a second
            self.send(alice, f"CHATHISTORY BETWEEN #lobby msgid={first} msgid={second} {limit}")
            self.assertEqual(self.texts(self.lines(wire)), said, (first, second, limit))
        for first, second in ((ids[2], ids[2]), (ids[2], ids[3]), (ids[3], ids[2])):
            self.clock.advance(1)
            self.send(alice, f"CHATHISTORY BETWEEN #lobby msgid={first} msgid={second} 10")
            start, end = self.lines(wire)
            self.assertRegex(start, rb"^:testhost BATCH \+(\w+) chathistory #lobby$")
            self.assertEqual(end, b":testhost BATCH -" + start.split()[2][1:])

    def test_between_refusals_name_what_is_wrong(self) -> None:
        """A msgid of no form chatd gives (first or second) is MESSAGE_ERROR naming it; a limit of 0 or not a
        number, a timestamp that is no time, ``*`` or another kind of reference, a missing parameter, a room not
        joined and a private conversation are each refused; nothing is read."""
        alice, wire = self.irc_user("alice", "server-time", "message-tags", "batch", "draft/chathistory")
        self.send(alice, "JOIN #lobby")
        kept = self.ids(self.lines(wire))[0]
        other = f"msgid={kept}"
        for asked, answer in (
            (
                f"#lobby msgid=nosuchline {other} 10",
                "MESSAGE_ERROR BETWEEN #lobby msgid=nosuchline :#lobby keeps no line with that msgid",
            ),
            (
                f"#lobby {other} msgid=nosuchline 10",
                "MESSAGE_ERROR BETWEEN #lobby msgid=nosuchline :#lobby keeps no line with that msgid",
            ),
            (f"#lobby {other} {other} 0", "INVALID_PARAMS BETWEEN 0 :The limit must be a number above 0"),
            (f"#lobby {other} {other} ten", "INVALID_PARAMS BETWEEN ten :The limit must be a number above 0"),
            # A digit to str.isdigit, none to int(), which raised.
            (
                f"#lobby {other} {other} \u00b2",
                "INVALID_PARAMS BETWEEN \u00b2 :The limit must be a number above 0",
            ),
            (
                f"#lobby timestamp=2026-13-01T00:00:00.000Z {other} 10",
                "INVALID_PARAMS BETWEEN timestamp=2026-13-01T00:00:00.000Z"
                " :A timestamp is written timestamp=YYYY-MM-DDThh:mm:ss.sssZ",
            ),
            (
                f"#lobby {other} timestamp=yesterday 10",
                "INVALID_PARAMS BETWEEN timestamp=yesterday :A timestamp is written timestamp=YYYY-MM-DDThh:mm:ss.sssZ",
            ),
            (
                f"#lobby {other} * 10",
                "INVALID_MSGREFTYPE BETWEEN * :A reference is msgid=, timestamp= or, for LATEST, *",
            ),
            (
                f"#lobby {other} id={kept} 10",
                f"INVALID_MSGREFTYPE BETWEEN id={kept} :A reference is msgid=, timestamp= or, for LATEST, *",
            ),
            (
                f"#elsewhere {other} {other} 10",
                "INVALID_TARGET BETWEEN #elsewhere :Join the room to read its history",
            ),
            (
                f"bob {other} {other} 10",
                f"INVALID_PARAMS BETWEEN {other} :A private conversation is read from its latest lines, or back before a reference",
            ),
        ):
            self.clock.advance(1)  # within the flood budget's 2 lines a second
            self.send(alice, f"CHATHISTORY BETWEEN {asked}")
            self.assertEqual(self.lines(wire), [f":testhost FAIL CHATHISTORY {answer}".encode()], asked)
        self.clock.advance(1)
        self.send(alice, f"CHATHISTORY BETWEEN #lobby {other} 10")
        self.assertEqual(self.lines(wire), [b":testhost 461 alice CHATHISTORY :Not enough parameters"])

    def test_labelled_chathistory_nests_its_batch(self) -> None:
        """A labelled CHATHISTORY: its batch is inside the labelled one, and each line names only its own batch
        (a tag key is on a line at most once)."""
        alice, wire = self.irc_user(
            "alice", "server-time", "message-tags", "batch", "draft/chathistory", "labeled-response"
        )
        self.send(alice, "JOIN #lobby")
        self.lines(wire)
        self.send(alice, "@label=c1 CHATHISTORY LATEST #lobby * 2")
        lines = self.lines(wire)
        outer = re.fullmatch(rb"@label=c1 :testhost BATCH \+(\w+) labeled-response", lines[0])
        assert outer is not None, lines
        inner = re.fullmatch(rb"@batch=%s :testhost BATCH \+(\w+) chathistory #lobby" % outer[1], lines[1])
        assert inner is not None, lines
        for said in lines[2:4]:
            self.assertEqual(re.findall(rb"batch=(\w+)", said), [inner[1]])
        self.assertEqual(
            lines[4:],
            [b"@batch=%s :testhost BATCH -%s" % (outer[1], inner[1]), b":testhost BATCH -" + outer[1]],
        )

    def test_chathistory_refusals(self) -> None:
        """A room not joined, a reference of no kind taken and an unknown subcommand are FAILs; the client goes
        on."""
        alice, wire = self.irc_user("alice", "batch", "draft/chathistory")
        self.send(
            alice,
            "CHATHISTORY LATEST #lobby * 10",
            "CHATHISTORY BEFORE #lobby 2026-01-01T00:00:00.000Z 10",
            "CHATHISTORY TARGETS * * 10",
            "CHATHISTORY NEWEST #lobby * 10",
        )
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost FAIL CHATHISTORY INVALID_TARGET LATEST #lobby :Join the room to read its history",
                b":testhost FAIL CHATHISTORY INVALID_MSGREFTYPE BEFORE 2026-01-01T00:00:00.000Z"
                b" :A reference is msgid=, timestamp= or, for LATEST, *",
                b":testhost FAIL CHATHISTORY INVALID_PARAMS TARGETS * :TARGETS takes timestamp= references only",
                b":testhost FAIL CHATHISTORY INVALID_PARAMS NEWEST"
                b" :chatd answers LATEST, BEFORE, AFTER, AROUND, BETWEEN and TARGETS",
            ],
        )
        self.clock.advance(10)
        self.send(alice, "CHATHISTORY LATEST bob * 5")
        self.assertEqual(
            self.lines(wire),
            [b":testhost FAIL CHATHISTORY INVALID_TARGET LATEST bob :Log in (SASL or PASS) first"],
        )


class ReplayChargeTests(IRCTestCase):
    """A replay costs an IRC connection what it costs on the line front end: a line of flood budget per 10 lines
    shown where the connection's own JOIN asked for it, per 100 where it asked for none (the rooms of an account it
    logs in to, online elsewhere; a room another connection of the account joins).

    The default budget is a burst of 10 lines; alice is in six rooms, each with 25 lines said, and a join replays
    20 of them: 12 lines at a join's cost, none at a resume's.
    """

    ROOMS = 6

    def setUp(self) -> None:
        super().setUp()
        self.alice, _ = self.connect(b"alice")
        self.alice.dataReceived(b"/register sesame12\n/part #lobby\n")
        for number in range(self.ROOMS):
            self.clock.advance(10)
            self.alice.dataReceived(f"/join #r{number}\n".encode())
            for line in range(25):
                self.clock.advance(1)
                self.alice.dataReceived(f"line {line}\n".encode())
        self.clock.advance(60)

    def log_in(self) -> tuple[IRCProtocol, StringTransport]:
        """An IRC connection of alice's account with server-time and batch: six lines of its budget."""
        client, wire = self.irc_connect()
        self.send(
            client, "CAP LS 302", "CAP REQ :server-time batch", "PASS sesame12", "NICK alice", "USER a 0 * :A"
        )
        self.send(client, "CAP END")
        return client, wire

    def test_logging_in_to_the_account_online_elsewhere_costs_its_rooms_replays_as_a_resume(self) -> None:
        """Shown each of the account's rooms with its last 20 lines, the connection answers its next PING at once:
        it asked for none of them."""
        client, wire = self.log_in()
        lines = self.lines(wire)
        self.assertEqual(len([line for line in lines if b" BATCH +" in line]), self.ROOMS)
        self.send(client, "PING now")
        self.assertEqual(self.lines(wire), [b":testhost PONG testhost now"])

    def test_a_join_from_another_connection_of_the_account_is_not_charged_here(self) -> None:
        """alice's IRC connection has spent nine lines of its burst of 10 when her nc session joins a room: the IRC connection
        is shown the room with its last lines and answers its next PING at once; the joiner pays."""
        client, wire = self.log_in()
        self.alice.dataReceived(b"/join #r6\n")
        for line in range(25):
            self.clock.advance(1)
            self.alice.dataReceived(f"more {line}\n".encode())
        self.clock.advance(60)
        self.send(client, *["PING spent"] * 9)
        self.lines(wire)
        self.alice.dataReceived(b"/part #r6\n/join #r6\n")
        self.assertIn(b" BATCH +", b"\n".join(self.lines(wire)))
        self.send(client, "PING now")
        self.assertEqual(self.lines(wire), [b":testhost PONG testhost now"])

    def test_a_join_of_the_connections_own_pays_for_its_replay(self) -> None:
        """The connection's own PART and JOIN of a room, three times over: each replay costs 2 lines, and the
        PING after them waits its turn."""
        client, wire = self.log_in()
        self.clock.advance(60)
        self.lines(wire)
        self.send(client, *["PART #r0", "JOIN #r0"] * 3, "PING late")
        self.assertNotIn(b":testhost PONG testhost late", self.lines(wire))
        self.clock.advance(10)
        self.assertIn(b":testhost PONG testhost late", self.lines(wire))


class TargetsTests(IRCTestCase):
    """CHATHISTORY TARGETS: the rooms and private conversations of the asking user with a line between two times.

    alice (an account) is in #lobby and #dev and has written to carol; bob has written to carol too, and #far,
    which alice is not in, talks: neither is hers to list.
    """

    def setUp(self) -> None:
        super().setUp()
        self.alice, _ = self.connect(b"alice")
        self.alice.dataReceived(b"/register sesame12\n")
        self.bob, _ = self.connect(b"bob", host="10.0.0.2")
        self.bob.dataReceived(b"/register sesame34\n/join #far\n")
        self.carol, _ = self.connect(b"carol", host="10.0.0.3")
        self.carol.dataReceived(b"/register sesame56\n")
        self.clock.advance(100)
        self.alice.dataReceived(b"hello lobby\n")  # at 100
        self.clock.advance(100)
        self.alice.dataReceived(b"/msg carol hi carol\n")  # at 200
        self.bob.dataReceived(b"/msg carol psst\nfar away\n")
        self.clock.advance(100)
        self.alice.dataReceived(b"/join #dev\nhello dev\n")  # at 300
        self.clock.advance(100)
        self.client, self.wire = self.log_in()

    def log_in(
        self,
        host: str = "127.0.0.1",
        caps: str = "batch draft/chathistory",
        nick: str = "alice",
        password: str = "sesame12",
    ) -> tuple[IRCProtocol, StringTransport]:
        """An IRC connection from ``host`` that took ``caps``, logged in to the account ``nick``; its wire cleared."""
        client, wire = self.irc_connect(host)
        self.send(client, "CAP LS 302", f"CAP REQ :{caps}", f"PASS {password}", f"NICK {nick}")
        self.send(client, "USER a 0 * :A", "CAP END")
        self.lines(wire)
        return client, wire

    def test_targets_lists_the_users_rooms_and_conversations_with_their_latest_line_oldest_first(
        self,
    ) -> None:
        """From the latest bound back: #lobby, carol and #dev with the times of their latest lines, in a
        draft/chathistory-targets batch; bob's conversation with carol and #far, not alice's, are not listed."""
        self.send(
            self.client,
            "CHATHISTORY TARGETS timestamp=1970-01-01T00:10:00.000Z timestamp=1970-01-01T00:00:00.000Z 10",
        )
        lines = self.lines(self.wire)
        start = re.fullmatch(rb":testhost BATCH \+(\w+) draft/chathistory-targets", lines[0])
        assert start is not None, lines
        reference = start[1]
        self.assertEqual(
            lines[1:],
            [
                b"@batch=%s :testhost CHATHISTORY TARGETS #lobby 1970-01-01T00:01:40.000Z" % reference,
                b"@batch=%s :testhost CHATHISTORY TARGETS carol 1970-01-01T00:03:20.000Z" % reference,
                b"@batch=%s :testhost CHATHISTORY TARGETS #dev 1970-01-01T00:05:00.000Z" % reference,
                b":testhost BATCH -%s" % reference,
            ],
        )

    def test_a_conversation_pages_back_before_a_msgid_or_a_timestamp(self) -> None:
        """BEFORE carol msgid=ID gives alice's private messages with carol before that one, as a room's BEFORE does;
        before a time, those sent earlier; before the first, an empty batch. AFTER is still refused: a
        conversation is read from its latest lines or back from a reference."""
        for text in ("one", "two", "three"):
            self.clock.advance(10)
            self.alice.dataReceived(f"/msg carol {text}\n".encode())
        client, wire = self.log_in("10.0.0.4", caps="batch message-tags draft/chathistory")
        self.send(client, "CHATHISTORY LATEST carol * 2")
        latest = self.lines(wire)
        self.assertEqual([line.rsplit(b" :", 1)[1] for line in latest[1:-1]], [b"two", b"three"])
        two = re.search(rb"msgid=(\w+)", latest[1])
        assert two is not None, latest
        self.send(client, f"CHATHISTORY BEFORE carol msgid={two[1].decode()} 5")
        before = self.lines(wire)
        self.assertEqual([line.rsplit(b" :", 1)[1] for line in before[1:-1]], [b"hi carol", b"one"])
        self.send(client, "CHATHISTORY BEFORE carol timestamp=1970-01-01T00:07:00.000Z 5")
        self.assertEqual([line.rsplit(b" :", 1)[1] for line in self.lines(wire)[1:-1]], [b"hi carol", b"one"])
        self.send(client, "CHATHISTORY BEFORE carol timestamp=1970-01-01T00:03:00.000Z 5")
        self.assertEqual(len(self.lines(wire)), 2)
        self.clock.advance(10)  # past the flood budget the pages spent
        self.send(client, "CHATHISTORY BEFORE carol msgid=nosuchline 5")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost FAIL CHATHISTORY MESSAGE_ERROR BEFORE carol msgid=nosuchline :carol keeps no line with that msgid"
            ],
        )
        self.send(client, f"CHATHISTORY AFTER carol msgid={two[1].decode()} 5")
        self.assertEqual(
            self.lines(wire),
            [
                f":testhost FAIL CHATHISTORY INVALID_PARAMS AFTER msgid={two[1].decode()} "
                ":A private conversation is read from its latest lines, or back before a reference".encode()
            ],
        )

    def test_a_client_without_batch_reads_the_targets_untagged(self) -> None:
        """A client that took no batch reads the same lines, with no batch around them and no batch tag."""
        client, wire = self.log_in("10.0.0.4", caps="draft/chathistory")
        self.send(
            client,
            "CHATHISTORY TARGETS timestamp=1970-01-01T00:00:00.000Z timestamp=1970-01-01T00:10:00.000Z 2",
        )
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost CHATHISTORY TARGETS #lobby 1970-01-01T00:01:40.000Z",
                b":testhost CHATHISTORY TARGETS carol 1970-01-01T00:03:20.000Z",
            ],
        )

    def test_the_limit_counts_from_the_first_bound_and_the_window_leaves_out_the_rest(self) -> None:
        """Counted from the later bound, a limit of 1 keeps the newest; from the earlier, the oldest; a window
        that ends before #dev's line and starts after #lobby's lists carol alone."""
        later, earlier = "timestamp=1970-01-01T00:10:00.000Z", "timestamp=1970-01-01T00:00:00.000Z"
        self.send(
            self.client,
            f"CHATHISTORY TARGETS {later} {earlier} 1",
            f"CHATHISTORY TARGETS {earlier} {later} 1",
        )
        self.send(
            self.client,
            "CHATHISTORY TARGETS timestamp=1970-01-01T00:02:00.000Z timestamp=1970-01-01T00:04:00.000Z 9",
        )
        listed = [line.split(b" TARGETS ")[1] for line in self.lines(self.wire) if b" TARGETS " in line]
        self.assertEqual(
            listed,
            [
                b"#dev 1970-01-01T00:05:00.000Z",
                b"#lobby 1970-01-01T00:01:40.000Z",
                b"carol 1970-01-01T00:03:20.000Z",
            ],
        )

    def test_a_conversation_of_the_nicknames_last_owner_is_not_listed(self) -> None:
        """carol gives her account up; whoever registers carol next is not shown alice's conversation with her.

        TARGETS names whom the account wrote to: the next owner of a
        nickname read who its last owner had talked with.
        """
        self.carol.dataReceived(b"/unregister sesame56\n/quit\n")
        self.end_pass()
        self.clock.advance(100)
        mallory, _ = self.connect(b"carol", host="10.0.0.9")
        mallory.dataReceived(b"/register sesame78\n")
        self.end_pass()
        mallory.dataReceived(b"/msg bob yo\n")
        self.clock.advance(100)
        client, wire = self.log_in("10.0.0.9", nick="carol", password="sesame78")
        self.send(
            client,
            "CHATHISTORY TARGETS timestamp=1970-01-01T00:00:00.000Z timestamp=1970-01-02T00:00:00.000Z 10",
        )
        listed = [line.rsplit(b" ", 2)[1] for line in self.lines(wire) if b" CHATHISTORY TARGETS " in line]
        self.assertEqual(listed, [b"#lobby", b"bob"])

    def test_targets_refuses_a_msgid_a_bad_time_and_a_bad_limit(self) -> None:
        """The bounds are timestamps, as the spec has it, and the limit a number above 0; each refusal names it. A
        time that is no date is told in the words every subcommand tells it in."""
        self.send(
            self.client,
            "CHATHISTORY TARGETS msgid=abc timestamp=1970-01-01T00:00:00.000Z 5",
            "CHATHISTORY TARGETS timestamp=1970-01-01T00:00:00.000Z timestamp=1970-13-01T00:00:00.000Z 5",
            "CHATHISTORY TARGETS timestamp=1970-01-01T00:00:00.000Z timestamp=1970-01-02T00:00:00.000Z 0",
            "CHATHISTORY TARGETS timestamp=1970-01-01T00:00:00.000Z 5",
        )
        self.assertEqual(
            self.lines(self.wire),
            [
                b":testhost FAIL CHATHISTORY INVALID_PARAMS TARGETS msgid=abc :TARGETS takes timestamp= references only",
                b":testhost FAIL CHATHISTORY INVALID_PARAMS TARGETS timestamp=1970-13-01T00:00:00.000Z"
                b" :A timestamp is written timestamp=YYYY-MM-DDThh:mm:ss.sssZ",
                b":testhost FAIL CHATHISTORY INVALID_PARAMS TARGETS 0 :The limit must be a number above 0",
                b":testhost 461 alice CHATHISTORY :Not enough parameters",
            ],
        )
