"""Kept fan-outs (chatd.frontend.fanout): a line said after something about a room's recipients changed.

Each test says a first line, so the room's recipients are kept, changes one
thing delivery reads of a recipient, and says a second: the second must go
as if nothing had been kept.
"""

from collections.abc import Callable

from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.trial.unittest import SynchronousTestCase

from chatd.frontend.fanout import FANOUTS_KEPT, Fanouts
from chatd.frontend.frames import binary_frame, text_frame
from chatd.frontend.held import keep_place
from chatd.frontend.outbox import SEND_SLICE, Outbox
from chatd.frontend.sinks import Sink
from chatd.frontend.socket_session import FramedOutput
from chatd.frontend.transport_output import BufferedOutput
from tests.helpers import LineTestCase
from tests.irc import IRCTestCase

SENDQ = 65536


class LineFanoutTests(LineTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_wire = self.connect(b"alice")
        self.bob, self.bob_wire = self.connect(b"bob")
        self.carol, self.carol_wire = self.connect(b"carol")

    def test_a_member_that_switches_to_json_gets_the_next_line_in_json(self) -> None:
        """``/format json`` between two lines: the second reaches that member as JSON, the others as text."""
        self.bob.dataReceived(b"one\n")
        self.assertEqual(self.lines(self.alice_wire), [b"[00:00] #lobby <bob> one"])
        self.alice.dataReceived(b"/format json\n")
        self.lines(self.alice_wire)
        self.bob.dataReceived(b"two\n")
        [line] = self.lines(self.alice_wire)
        self.assertTrue(line.startswith(b'{"type":"said"'), line)
        self.assertIn(b'"text":"two"', line)
        self.assertEqual(
            self.lines(self.carol_wire), [b"[00:00] #lobby <bob> one", b"[00:00] #lobby <bob> two"]
        )

    def test_one_who_left_is_not_sent_what_a_newcomer_in_its_place_is(self) -> None:
        """The same first member and the same count, another member: the line goes to the room as it is now."""
        for protocol in (self.alice, self.bob):
            protocol.dataReceived(b"/join #r\n")
        self.alice.dataReceived(b"one\n")
        self.assertEqual(self.lines(self.bob_wire)[-1], b"[00:00] #r <alice> one")
        self.bob.dataReceived(b"/part #r\n")
        self.carol.dataReceived(b"/join #r\n")
        for wire in self.wires:
            self.lines(wire)
        self.alice.dataReceived(b"two\n")
        self.assertEqual(self.lines(self.bob_wire), [])
        self.assertEqual(self.lines(self.carol_wire), [b"[00:00] #r <alice> two"])

    def test_what_else_a_member_is_written_stays_between_the_lines_around_it(self) -> None:
        """Within one pass: a room line, a private message, another room line reach a member in that order."""
        self.bob.dataReceived(b"one\n")
        self.carol.dataReceived(b"/msg alice psst\n")
        self.bob.dataReceived(b"two\n")
        self.assertEqual(
            self.lines(self.alice_wire),
            [b"[00:00] #lobby <bob> one", b"[00:00] <carol -> alice> psst", b"[00:00] #lobby <bob> two"],
        )

    def test_a_closing_member_is_sent_nothing_after_its_last_words(self) -> None:
        """A member's sink closes while it is still in the room: nothing more reaches its wire."""
        self.bob.dataReceived(b"one\n")
        self.lines(self.carol_wire)
        self.carol.sink.close()
        self.bob.dataReceived(b"two\n")
        self.assertEqual(self.lines(self.carol_wire), [])
        self.assertEqual(
            self.lines(self.alice_wire), [b"[00:00] #lobby <bob> one", b"[00:00] #lobby <bob> two"]
        )


class IRCFanoutTests(IRCTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_wire = self.irc_user("alice", "labeled-response", "batch", "echo-message")
        self.bob, self.bob_wire = self.irc_user("bob")
        for protocol in (self.alice, self.bob):
            self.send(protocol, "JOIN #r")
        for wire in self.wires:
            self.lines(wire)

    def test_a_client_that_takes_server_time_gets_the_next_line_with_its_time(self) -> None:
        """``CAP REQ server-time`` between two lines: the second is tagged for that client."""
        self.send(self.alice, "PRIVMSG #r :one")
        self.assertEqual(self.lines(self.bob_wire), [b":alice!alice@chatd PRIVMSG #r :one"])
        self.send(self.bob, "CAP REQ server-time")
        self.lines(self.bob_wire)
        self.send(self.alice, "PRIVMSG #r :two")
        [line] = self.lines(self.bob_wire)
        self.assertRegex(line, rb"^@time=\S+ :alice!alice@chatd PRIVMSG #r :two$")

    def test_a_labelled_line_echoes_in_its_answer(self) -> None:
        """A line said with a label after an unlabelled one: its echo carries the label, once."""
        self.send(self.alice, "PRIVMSG #r :one")
        self.assertEqual(self.lines(self.alice_wire), [b":alice!alice@chatd PRIVMSG #r :one"])
        self.send(self.alice, "@label=x PRIVMSG #r :two")
        self.assertEqual(self.lines(self.alice_wire), [b"@label=x :alice!alice@chatd PRIVMSG #r :two"])
        self.assertEqual(
            self.lines(self.bob_wire),
            [b":alice!alice@chatd PRIVMSG #r :one", b":alice!alice@chatd PRIVMSG #r :two"],
        )

    def test_a_speaker_without_echo_is_not_sent_its_own_line_nor_loses_what_came_before(self) -> None:
        """bob (no echo-message) speaks after alice in one pass: he reads hers, not his; she reads both."""
        self.send(self.alice, "PRIVMSG #r :one")
        self.send(self.bob, "PRIVMSG #r :two")
        self.assertEqual(self.lines(self.bob_wire), [b":alice!alice@chatd PRIVMSG #r :one"])
        self.assertEqual(
            self.lines(self.alice_wire),
            [b":alice!alice@chatd PRIVMSG #r :one", b":bob!bob@chatd PRIVMSG #r :two"],
        )


class FanoutsTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.clock = Clock()
        self.outbox = Outbox(self.clock)
        self.fanouts: Fanouts[Member, str] = Fanouts(self.outbox, lambda member: member.kind)

    def member(self, kind: str = "text", framed: Callable[[bytes], bytes] | None = None) -> "Member":
        """A recipient of ``kind`` on a wire of its own, its lines in WebSocket frames by ``framed`` if given."""
        wire = StringTransport()
        output: Sink = BufferedOutput(wire, self.outbox, SENDQ, lambda: None)
        return Member(output if framed is None else FramedOutput(output, framed), wire, kind)

    def test_a_list_seen_again_is_the_same_fan_out_until_a_sink_changes(self) -> None:
        """Kept while nothing changes; made afresh after ``Sink.changed``; not kept past FANOUTS_KEPT lists."""
        members = [self.member(), self.member()]
        kept = self.fanouts.find(list(members))
        self.assertIs(self.fanouts.find(list(members)), kept)
        members[1].sink.changed()
        self.assertIsNot(self.fanouts.find(list(members)), kept)
        again = self.fanouts.find(list(members))
        for _ in range(FANOUTS_KEPT):
            self.fanouts.find([self.member()])
        self.assertIsNot(self.fanouts.find(list(members)), again)

    def test_a_change_forgets_only_the_lists_its_output_is_in(self) -> None:
        """One member of one room changes (closes, say): that room's list is made afresh, the other room's kept."""
        left, right = [self.member(), self.member()], [self.member(), self.member()]
        kept_left, kept_right = self.fanouts.find(list(left)), self.fanouts.find(list(right))
        left[1].sink.changed()
        self.assertIsNot(self.fanouts.find(list(left)), kept_left)
        self.assertIs(self.fanouts.find(list(right)), kept_right)

    def test_a_list_with_a_held_sink_has_a_fan_out_again_once_it_is_given_back(self) -> None:
        """No fan-out while a member's output is held; the next line after it is given back has one."""
        members = [self.member(), self.member()]
        place = keep_place(members[1])
        self.assertIsNone(self.fanouts.find(list(members)))
        self.assertIsNone(self.fanouts.find(list(members)))
        place.fill(b"")
        self.assertIsNotNone(self.fanouts.find(list(members)))

    def test_each_kind_gets_its_own_bytes_and_everything_goes_at_the_end_of_the_pass(self) -> None:
        """Two kinds, two renderings; nothing is sent before the pass ends, then each wire has its own."""
        text, json = self.member("text"), self.member("json")
        fanout = self.fanouts.find([text, json])
        assert fanout is not None
        for kind, group in fanout.groups:
            fanout.write(kind.encode(), group)
            fanout.write(kind.encode(), group)
        self.assertEqual((text.wire.value(), json.wire.value()), (b"", b""))
        self.clock.advance(0)
        self.assertEqual((text.wire.value(), json.wire.value()), (b"texttext", b"jsonjson"))

    def test_an_irc_client_on_a_websocket_is_kept_and_sent_each_line_in_a_frame_of_its_own(self) -> None:
        """A framed sink shares its kind's rendering; its lines are framed once a group, each line a frame."""
        plain, text, binary = self.member(), self.member(framed=text_frame), self.member(framed=binary_frame)
        fanout = self.fanouts.find([plain, text, binary])
        assert fanout is not None
        [(_, group)] = fanout.groups  # one kind, rendered once, in three frames
        self.assertEqual(len(group), 3)
        for _, group in fanout.groups:
            fanout.write(b"one\r\ntwo\r\n", group)
        self.clock.advance(0)
        self.assertEqual(plain.wire.value(), b"one\r\ntwo\r\n")
        self.assertEqual(text.wire.value(), text_frame(b"one") + text_frame(b"two"))
        self.assertEqual(binary.wire.value(), binary_frame(b"one") + binary_frame(b"two"))

    def test_a_room_bigger_than_a_slice_goes_over_two_and_a_line_between_reaches_everyone_once(self) -> None:
        """A slice stops inside the room's fan-out and the next goes on from there, before anything written to
        later: a line said meanwhile goes with the rest in the same send, and once more round to those sent
        before it came."""
        members = [self.member() for _ in range(SEND_SLICE + 2)]
        fanout = self.fanouts.find(list(members))
        assert fanout is not None
        [(_, group)] = fanout.groups
        fanout.write(b"one\r\n", group)
        for later in [self.member() for _ in range(SEND_SLICE)]:
            later.sink.write(b"later\r\n")
        self.outbox.send()
        self.assertEqual([member.wire.value() for member in members], [b"one\r\n"] * SEND_SLICE + [b""] * 2)
        fanout.write(b"two\r\n", group)
        self.outbox.send()
        self.assertEqual(
            [member.wire.value() for member in members][-3:], [b"one\r\n", *[b"one\r\ntwo\r\n"] * 2]
        )
        self.clock.advance(0)
        self.assertEqual({member.wire.value() for member in members}, {b"one\r\ntwo\r\n"})
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_a_list_with_a_closing_sink_is_not_kept(self) -> None:
        """A recipient whose sink is closing: no fan-out, so delivery takes the path that drops its lines."""
        members = [self.member(), self.member()]
        members[0].sink.close()
        self.assertIsNone(self.fanouts.find(members))


class Member:
    """A recipient: a sink and how it renders a line."""

    def __init__(self, sink: Sink, wire: StringTransport, kind: str) -> None:
        self.sink = sink
        self.wire = wire
        self.kind = kind
