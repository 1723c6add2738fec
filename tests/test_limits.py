"""The line front end's limits: floods, pastes, slow readers, timeouts, connection counts."""

import json

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.testing import StringTransport
from twisted.protocols.tls import TLSMemoryBIOFactory
from twisted.python.failure import Failure

from chatd.domain.limits import Limits
from chatd.frontend.connections import GOODBYE_GRACE_SECONDS
from chatd.frontend.wiring import Wiring
from chatd.line.factory import LineFactory
from chatd.line.limits import LineLimits
from chatd.line.protocol import LineProtocol
from chatd.tls import load_tls
from tests.certificates import write_self_signed
from tests.helpers import LineTestCase, buffered, new_folder, too_long

SLOWED = b"*** You are sending faster than the server allows; your lines now wait their turn."


class LimitsTestCase(LineTestCase):
    """A line front end allowing 3 rooms per user."""

    chat_limits = Limits(rooms_per_user=3)

    def said(self, wire: StringTransport) -> list[bytes]:
        """Just the message texts among the lines written since the last call."""
        return [line.split(b"> ", 1)[1] for line in self.lines(wire) if b"> " in line]


class FloodTests(LimitsTestCase):
    def test_burst_passes_then_lines_wait_their_turn(self) -> None:
        """Ten lines pass at once (the nickname was one); those after wait, then come as one message."""
        alice, alice_wire = self.connect(b"alice")
        _, bob_wire = self.connect(b"bob")
        for n in range(12):
            alice.dataReceived(b"line %d\n" % n)
        self.assertEqual(self.said(bob_wire), [b"line %d" % n for n in range(10)])
        self.assertIn(SLOWED, self.lines(alice_wire))
        self.clock.advance(0.49)
        self.assertEqual(self.said(bob_wire), [])
        self.clock.advance(0.01)
        self.assertEqual(self.said(bob_wire), [b"line 10", b"line 11"])

    def test_slowed_client_does_not_slow_others(self) -> None:
        """While one client waits, everyone else's lines go through at once."""
        alice, _ = self.connect(b"alice")
        bob, _ = self.connect(b"bob")
        _, carol_wire = self.connect(b"carol")
        for n in range(15):
            alice.dataReceived(b"flood %d\n" % n)
        self.end_pass()
        carol_wire.clear()
        bob.dataReceived(b"still quick\n")
        self.assertEqual(self.said(carol_wire), [b"still quick"])

    def test_slowed_notice_is_sent_once_per_episode(self) -> None:
        """The warning comes once while the client stays over its budget."""
        alice, wire = self.connect(b"alice")
        for n in range(40):
            alice.dataReceived(b"x%d\n" % n)
            self.clock.advance(0.25)
        self.assertEqual(self.lines(wire).count(SLOWED), 1)

    def test_sustained_flood_is_cut_off_with_a_reason(self) -> None:
        """Over budget for more than 30 s, a client is disconnected and told why."""
        alice, alice_wire = self.connect(b"alice")
        _, bob_wire = self.connect(b"bob")
        for n in range(200):
            if alice_wire.disconnecting:
                break
            alice.dataReceived(b"spam %d\n" % n)
            self.clock.advance(0.25)
        self.assertTrue(alice_wire.disconnecting)
        self.assertEqual(
            self.lines(alice_wire)[-1],
            b"ERR flood disconnected for flooding: over the line budget for more than 30 s",
        )
        self.assertGreater(self.clock.seconds(), 30)
        self.end_pass()
        bob_wire.clear()
        alice.connectionLost(Failure(ConnectionError()))
        self.assertEqual([line[8:] for line in self.lines(bob_wire)], [b"-- alice quit (flooding)"])

    def test_line_that_trips_the_cutoff_is_not_carried_out(self) -> None:
        """The line over the last straw is not delivered: the flooder is gone before it."""
        alice, alice_wire = self.connect(b"alice")
        _, bob_wire = self.connect(b"bob")
        alice.dataReceived(b"".join(b"/msg bob spam %d\n" % n for n in range(200)))
        while not alice_wire.disconnecting:
            self.clock.advance(0.25)
        mine = [line for line in self.lines(alice_wire) if b"spam" in line]
        theirs = [line for line in self.lines(bob_wire) if b"spam" in line]
        self.assertEqual(mine, theirs)

    def test_client_back_under_budget_is_forgiven(self) -> None:
        """A client that slows down to the allowed rate is never cut off."""
        alice, wire = self.connect(b"alice")
        for n in range(15):
            alice.dataReceived(b"burst %d\n" % n)
        for n in range(120):
            self.clock.advance(0.6)
            alice.dataReceived(b"steady %d\n" % n)
        self.assertFalse(wire.disconnecting)

    def test_bytes_are_budgeted_too(self) -> None:
        """Big pastes spend the byte budget (16 KiB at once) even within the line budget."""
        alice, wire = self.connect(b"alice")
        paste = b"".join(b"%03d " % n + b"y" * 496 + b"\n" for n in range(20))
        alice.dataReceived(paste)
        self.assertNotIn(SLOWED, self.lines(wire))
        alice.dataReceived(paste)
        self.assertIn(SLOWED, self.lines(wire))


class InputCostTests(LimitsTestCase):
    """Input that is not a message costs budget too (issue 12): a client that earns only refusals is cut off."""

    CUT_OFF = b"ERR flood disconnected for flooding: over the line budget for more than 30 s"
    CUT_OFF_FOR_BYTES = b"ERR flood disconnected for flooding: over the byte budget for more than 30 s"

    def flood(self, nick: bytes | None, chunk: bytes) -> list[bytes]:
        """Send ``chunk`` every 0.1 s while the server reads, for up to 45 s; the lines written back.

        Like a real client, it sends only while the server reads (a paused
        transport leaves the bytes in TCP). 45 s is past the 30 s flood
        cut-off and short of the 60 s nickname deadline.
        """
        protocol, wire = self.connect(nick)
        while not wire.disconnecting and self.clock.seconds() < 45:
            if wire.producerState == "producing":
                protocol.dataReceived(chunk)
            self.clock.advance(0.1)
        self.assertTrue(wire.disconnecting, "never cut off")
        return self.lines(wire)

    def assert_slowed_then_cut_off(
        self, lines: list[bytes], refusal: bytes | None, cut_off: bytes = CUT_OFF
    ) -> None:
        """Warned once, cut off last (told ``cut_off``), and answered (if at all) at about the line budget's rate."""
        self.assertEqual(lines.count(SLOWED), 1)
        self.assertEqual(lines[-1], cut_off)
        refused = [line for line in lines if line.startswith(b"ERR ") and line != cut_off]
        if refusal is None:
            self.assertEqual(refused, [])
        else:
            self.assertEqual(set(refused), {refusal})
            # The burst, then two a second for the 30 s over budget, and the
            # line that started it: nothing like one per line sent.
            self.assertLessEqual(len(refused), 10 + 2 * 31 + 1)

    def test_blank_lines_before_a_nickname_are_charged(self) -> None:
        """``yes '' | nc``: blank lines cost a line each; the connection is slowed and cut off."""
        self.assert_slowed_then_cut_off(self.flood(None, b"\n" * 100), None)

    def test_overlong_lines_are_charged(self) -> None:
        """600-byte lines are refused at the line budget's pace, not one ERR per line, then cut off."""
        lines = self.flood(None, b"x" * 600 + b"\n")
        self.assert_slowed_then_cut_off(
            lines,
            too_long(600).encode(),
        )

    def test_invalid_utf8_lines_are_charged(self) -> None:
        """Lines of invalid UTF-8 before a nickname cost a line each."""
        lines = self.flood(None, b"\xc3(\n" * 10)
        self.assert_slowed_then_cut_off(lines, b"ERR bad-utf8 that line was not valid UTF-8 and was not sent")

    def test_refused_text_is_charged(self) -> None:
        """A named user's lines refused for their characters cost a line each."""
        lines = self.flood(b"mallory", b"\x1b[2J\n" * 10)
        self.assert_slowed_then_cut_off(
            lines, b"ERR bad-text not sent: control or bidi character U+001B refused"
        )

    def test_telnet_commands_are_charged_by_the_byte(self) -> None:
        """IAC NOP costs its two bytes: a stream of them is slowed and cut off before a nickname, told it was over
        the byte budget (it sent no line)."""
        first, *rest = self.flood(None, b"\xff\xf1" * 2000)
        self.assertEqual(first, b"\xff\xfd\x00" + SLOWED)  # IAC DO BINARY, then the warning
        self.assert_slowed_then_cut_off([SLOWED, *rest], None, self.CUT_OFF_FOR_BYTES)

    def test_bytes_are_charged_once(self) -> None:
        """Reads adding up to exactly the byte burst are not slowed: bytes count on arrival, not again as lines."""
        alice, wire = self.connect(b"alice")  # 6 bytes
        lines = [b"%03d" % n + b"y" * 508 + b"\n" for n in range(31)] + [b"y" * 505 + b"\n"]
        alice.dataReceived(b"".join(lines))  # 16378 bytes, in 32 lines: two pastes
        self.assertNotIn(SLOWED, self.lines(wire))
        alice.dataReceived(b"z\n")
        self.assertIn(SLOWED, self.lines(wire))


class PasteTests(LimitsTestCase):
    def test_flood_in_pastes_is_slowed_by_its_lines(self) -> None:
        """Twenty-line pastes cost four lines each: the third in a row is slowed."""
        alice, wire = self.connect(b"alice")
        paste = b"".join(b"p%d\n" % n for n in range(20))
        alice.dataReceived(paste)
        alice.dataReceived(paste)
        self.assertNotIn(SLOWED, self.lines(wire))
        alice.dataReceived(paste)
        self.assertIn(SLOWED, self.lines(wire))

    def test_lines_arriving_together_are_one_message(self) -> None:
        """A paste of several lines reaches others as one message, every line shown."""
        alice, _ = self.connect(b"alice")
        bot, bot_wire = self.connect(b"bot")
        bot.dataReceived(b"/format json\n")
        _, bob_wire = self.connect(b"bob")
        alice.dataReceived(b"def f():\n    return 1\n\nprint(f())\n")
        self.assertEqual(
            self.lines(bob_wire),
            [
                b"[00:00] #lobby <alice> def f():",
                b"[00:00] #lobby <alice>     return 1",
                b"[00:00] #lobby <alice> print(f())",
            ],
        )
        [said] = [json.loads(line) for line in self.lines(bot_wire)]
        self.assertEqual(said["text"], "def f():\n    return 1\nprint(f())")

    def test_long_paste_is_split_into_messages_and_never_dropped(self) -> None:
        """A paste longer than 20 lines becomes several messages; every line arrives."""
        alice, _ = self.connect(b"alice")
        bot, bot_wire = self.connect(b"bot")
        bot.dataReceived(b"/format json\n")
        self.end_pass()
        bot_wire.clear()
        alice.dataReceived(b"".join(b"row %d\n" % n for n in range(45)))
        texts = [json.loads(line)["text"] for line in self.lines(bot_wire)]
        self.assertEqual([text.count("\n") + 1 for text in texts], [20, 20, 5])
        self.assertEqual("\n".join(texts).split("\n"), [f"row {n}" for n in range(45)])

    def test_short_pastes_cost_one_line_each(self) -> None:
        """Pastes of up to five lines cost one line of budget: eight in a row are not slowed."""
        alice, wire = self.connect(b"alice")
        for _ in range(8):
            alice.dataReceived(b"a\nb\nc\nd\n")
        self.assertNotIn(SLOWED, self.lines(wire))

    def test_bad_line_in_paste_is_refused_alone(self) -> None:
        """A line with an escape is refused; the rest of the paste goes through."""
        alice, alice_wire = self.connect(b"alice")
        _, bob_wire = self.connect(b"bob")
        alice.dataReceived(b"one\n\x1b[2Jtwo\nthree\n")
        self.assertEqual(self.said(bob_wire), [b"one", b"three"])
        self.assertIn(
            b"ERR bad-text not sent: control or bidi character U+001B refused", self.lines(alice_wire)
        )

    def test_line_of_nothing_visible_in_paste_is_refused_alone(self) -> None:
        """A line of a zero-width space or a Hangul filler is refused as it is alone; the rest goes through.

        It was let into the paste as an empty line, which everyone in the
        room read as ``<alice>`` and nothing: a line of fillers passing for a
        blank one, which no real blank line of a paste ever shows.
        """
        alice, alice_wire = self.connect(b"alice")
        _, bob_wire = self.connect(b"bob")
        alice.dataReceived("one\n\u200b\n\u3164\nthree\n".encode())
        self.assertEqual(self.said(bob_wire), [b"one", b"three"])
        self.assertEqual(
            [line for line in self.lines(alice_wire) if line.startswith(b"ERR")],
            [b"ERR bad-text not sent: nothing in it would show"] * 2,
        )

    def test_command_in_paste_keeps_its_place(self) -> None:
        """Lines before a command are sent before it runs, lines after it after."""
        alice, alice_wire = self.connect(b"alice")
        alice.dataReceived(b"before\n/join #dev\nafter\n")
        self.assertEqual(
            self.lines(alice_wire),
            [
                b"[00:00] #lobby <alice> before",
                b"[00:00] #dev -- alice joined",
                b"*** In #dev (1): @alice",
                b"[00:00] #dev <alice> after",
            ],
        )


class SlowReaderTests(LimitsTestCase):
    limits = LineLimits(sendq=1000)

    def test_client_that_stops_reading_is_cut_off_past_sendq(self) -> None:
        """Once its transport is backed up, a client gets sendq more bytes, then is aborted."""
        alice, _ = self.connect(b"alice")
        slow, slow_wire = self.connect(b"slow")
        _, bob_wire = self.connect(b"bob")
        buffered(slow).pauseProducing()  # what a TCP transport does when its buffer is full
        for n in range(30):
            alice.dataReceived(b"message number %d\n" % n)
            self.clock.advance(1)
        self.assertTrue(slow_wire.disconnected)
        self.end_pass()
        self.assertLess(len(slow_wire.value()), 1000)
        self.assertEqual(len(self.said(bob_wire)), 30)
        slow.connectionLost(Failure(ConnectionError()))
        self.assertEqual(self.lines(bob_wire)[-1][8:], b"-- slow quit (send queue exceeded)")

    def test_telnet_replies_count_against_the_send_queue(self) -> None:
        """A client that asks for options and never reads is cut off, not answered without bound."""
        mallory, wire = self.connect(b"mallory")
        buffered(mallory).pauseProducing()
        for _ in range(20):
            # A reactor reads a connection once a pass; its output is sent as the pass ends.
            mallory.dataReceived(b"\xff\xfd\x01" * 1000)
            self.end_pass()
        self.assertTrue(wire.disconnected)
        self.end_pass()
        self.assertLess(len(wire.value()), 2000)

    def test_client_that_catches_up_is_kept(self) -> None:
        """A client whose transport drains in time is not cut off."""
        alice, _ = self.connect(b"alice")
        slow, slow_wire = self.connect(b"slow")
        for n in range(30):
            buffered(slow).pauseProducing()
            alice.dataReceived(b"message number %d\n" % n)
            self.end_pass()
            buffered(slow).resumeProducing()
            self.clock.advance(1)
        self.assertFalse(slow_wire.disconnected)


class RegisterTimeoutTests(LimitsTestCase):
    def test_unnamed_connection_closed_at_limit_not_before(self) -> None:
        """A connection that never picks a nickname is closed after 60 s, with a reason."""
        _, wire = self.connect(None)
        self.clock.advance(59)
        self.assertFalse(wire.disconnecting)
        self.clock.advance(1)
        self.assertTrue(wire.disconnecting)
        self.assertEqual(self.lines(wire), [b"ERR register-timeout no nickname chosen within 60 s; closing"])

    def test_goodbye_not_written_in_time_is_dropped_with_the_connection(self) -> None:
        """A timed-out connection whose goodbye is still not written after the grace is aborted."""
        _, wire = self.connect(None)
        self.clock.advance(60)
        self.assertEqual((wire.disconnecting, wire.disconnected), (True, False))
        self.clock.advance(GOODBYE_GRACE_SECONDS)
        self.assertTrue(wire.disconnected)

    def test_tls_handshake_not_finished_in_time_is_dropped(self) -> None:
        """A TLS connection has 10 s to finish its handshake; then it is aborted, with nothing to say."""
        directory = new_folder(self)
        tls = TLSMemoryBIOFactory(load_tls(*write_self_signed(directory)), False, self.factory, self.clock)
        wire = StringTransport()
        protocol = tls.buildProtocol(IPv4Address("TCP", "127.0.0.1", 4000))
        assert protocol is not None, "the factory accepts connections"
        protocol.makeConnection(wire)
        self.clock.advance(9.9)
        self.assertFalse(wire.disconnecting)
        self.clock.advance(0.1)
        self.assertTrue(wire.disconnected)
        self.assertEqual(wire.value(), b"")

    def test_garbage_does_not_extend_the_deadline(self) -> None:
        """Lines that choose no nickname do not buy more time."""
        protocol, wire = self.connect(None)
        for _ in range(6):
            self.clock.advance(10)
            protocol.dataReceived(b"/who\n")
        self.assertTrue(wire.disconnecting)

    def test_named_connection_is_never_timed_out(self) -> None:
        """Once named, a quiet user stays connected."""
        _, wire = self.connect(b"alice")
        self.clock.advance(3600)
        self.assertFalse(wire.disconnecting)

    def test_timer_cancelled_when_connection_drops(self) -> None:
        """A connection lost before naming itself leaves no timer behind."""
        protocol, _ = self.connect(None)
        protocol.connectionLost(Failure(ConnectionError()))
        self.assertEqual(self.clock.getDelayedCalls(), [])


class ConnectionLimitTests(LimitsTestCase):
    max_per_ip = 2
    max_connections = 4

    def refused(self, host: str, factory: LineFactory | None = None) -> bytes:
        address = IPv6Address("TCP", host, 4000) if ":" in host else IPv4Address("TCP", host, 4000)
        protocol = (factory or self.factory).buildProtocol(address)
        self.assertNotIsInstance(protocol, LineProtocol)
        wire = StringTransport()
        protocol.makeConnection(wire)
        self.assertTrue(wire.disconnecting)
        value: bytes = wire.value()
        return value

    def test_per_address_limit_refuses_with_a_line(self) -> None:
        """A third connection from one address is told why and closed; others still get in."""
        self.connect(host="10.0.0.1")
        self.connect(host="10.0.0.1")
        self.assertEqual(
            self.refused("10.0.0.1"),
            b"ERR too-many-connections at most 2 connections from one address; close one first\r\n",
        )
        self.connect(host="10.0.0.2")

    def test_ipv4_mapped_address_counts_as_ipv4(self) -> None:
        """::ffff:10.0.0.1 and 10.0.0.1 are one address."""
        self.connect(host="10.0.0.1")
        self.connect(host="::ffff:10.0.0.1")
        self.refused("10.0.0.1")

    def test_closed_connection_frees_its_place(self) -> None:
        """When a connection ends, its address may connect again."""
        first, _ = self.connect(host="10.0.0.1")
        self.connect(host="10.0.0.1")
        first.connectionLost(Failure(ConnectionError()))
        self.connect(host="10.0.0.1")

    def test_server_limit_refuses_with_a_line(self) -> None:
        """Past the total limit, anyone is told the server is full."""
        for n in range(4):
            self.connect(host=f"10.0.1.{n}")
        self.assertEqual(self.refused("10.0.2.1"), b"ERR server-full the server is full; try again later\r\n")

    def test_front_ends_sharing_an_admission_share_the_counts(self) -> None:
        """Connections to another front end with the same Admission count against the same address and total."""
        other = LineFactory(Wiring.alone(self.chat, self.clock, "testhost", admission=self.admission))
        self.connect(host="10.0.0.1")
        protocol = other.buildProtocol(IPv4Address("TCP", "10.0.0.1", 4000))
        assert isinstance(protocol, LineProtocol)
        protocol.makeConnection(StringTransport())
        self.assertEqual(
            self.refused("10.0.0.1"),
            b"ERR too-many-connections at most 2 connections from one address; close one first\r\n",
        )
        self.assertEqual(
            self.refused("10.0.0.1", other),
            b"ERR too-many-connections at most 2 connections from one address; close one first\r\n",
        )
        self.connect(host="10.0.0.2")
        self.connect(host="10.0.0.3")
        self.assertEqual(
            self.refused("10.0.0.4", other), b"ERR server-full the server is full; try again later\r\n"
        )
        protocol.connectionLost(Failure(ConnectionError()))
        self.connect(host="10.0.0.1")


class RoomLimitTests(LimitsTestCase):
    def test_rooms_per_user_limit(self) -> None:
        """Joining more rooms than allowed is refused; parting one makes room."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/join #a\n/join #b\n")
        self.lines(wire)
        alice.dataReceived(b"/join #c\n")
        self.assertEqual(
            self.lines(wire),
            [b"ERR too-many-rooms you are in 3 rooms already, the most allowed; /part one first"],
        )
        alice.dataReceived(b"/part #a\n/join #c\n")
        self.assertIn(b"[00:00] #c -- alice joined", self.lines(wire))


class LineLengthOptionTests(LimitsTestCase):
    limits = LineLimits(max_line=100)

    def test_configured_line_limit(self) -> None:
        """The host's line limit applies, CR not counted."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"z" * 100 + b"\r\n" + b"z" * 101 + b"\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"[00:00] #lobby <alice> " + b"z" * 100,
                too_long(101, limit=100).encode(),
            ],
        )
