"""Output is gathered over a reactor pass and sent once per connection when the pass ends (and its events are kept)."""

import gc

from twisted.internet.error import ConnectionDone
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase
from typing_extensions import override

from chatd.frontend.outbox import PRESENCE_WAIT, SEND_SLICE, Outbox
from chatd.frontend.sinks import NOWHERE, DirectOutput
from chatd.frontend.transport_output import BufferedOutput
from tests.helpers import LineTestCase
from tests.irc import IRCTestCase


class CountingTransport(StringTransport):
    """A StringTransport that counts the writes it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    @override
    def write(self, data: bytes) -> None:
        self.writes += 1
        super().write(data)


class GatheringTests(LineTestCase):
    def test_a_pass_of_lines_reaches_a_connection_in_one_write(self) -> None:
        """Lines from several speakers in one reactor pass leave as one write, in the order said."""
        alice, _ = self.connect(b"alice")
        bob, _ = self.connect(b"bob")
        carol = self.factory.buildProtocol(None)
        wire = CountingTransport()
        carol.makeConnection(wire)
        carol.dataReceived(b"carol\n")
        self.end_pass()
        wire.clear()
        wire.writes = 0
        alice.dataReceived(b"one\n")
        bob.dataReceived(b"two\n")
        alice.dataReceived(b"three\n")
        self.assertEqual((wire.writes, wire.value()), (0, b""))
        self.end_pass()
        self.assertEqual(wire.writes, 1)
        self.assertEqual(
            wire.value(),
            b"[00:00] #lobby <alice> one\r\n[00:00] #lobby <bob> two\r\n[00:00] #lobby <alice> three\r\n",
        )

    def test_last_line_is_sent_before_the_connection_closes(self) -> None:
        """A connection closed mid-pass gets what was gathered for it, then its last line, then the close."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"hello\n/quit\n")
        self.assertTrue(wire.disconnecting)
        self.assertEqual(wire.value(), b"[00:00] #lobby <alice> hello\r\n*** Goodbye.\r\n")


class OthersComingAndGoingTests(IRCTestCase):
    """Someone else's join, part, quit or new nickname waits up to ``PRESENCE_WAIT`` for the connection's next send,
    on either front end; one's own is answered at once."""

    def test_a_join_waits_for_company_and_the_joiner_is_answered_at_once(self) -> None:
        _, alice_wire = self.connect(b"alice")
        irc, irc_wire = self.irc_user("carol")
        self.send(irc, "JOIN #lobby")
        self.clock.advance(0)
        self.assertIn(b"JOIN #lobby", irc_wire.value())
        self.assertEqual(alice_wire.value(), b"")
        self.clock.advance(PRESENCE_WAIT)
        self.assertEqual(alice_wire.value(), b"[00:00] #lobby -- carol joined\r\n")
        alice_wire.clear()
        irc_wire.clear()
        bob, bob_wire = self.connect()
        bob.dataReceived(b"bob\n")
        self.clock.advance(0)
        self.assertIn(b"*** You are bob.\r\n[00:00] #lobby -- bob joined\r\n", bob_wire.value())
        self.assertEqual((alice_wire.value(), irc_wire.value()), (b"", b""))
        bob.dataReceived(b"hi\n")
        self.clock.advance(0)
        self.assertEqual(alice_wire.value(), b"[00:00] #lobby -- bob joined\r\n[00:00] #lobby <bob> hi\r\n")
        self.assertEqual(
            irc_wire.value(), b":bob!bob@chatd JOIN #lobby\r\n:bob!bob@chatd PRIVMSG #lobby :hi\r\n"
        )
        alice_wire.clear()
        bob.dataReceived(b"/nick robert\n")
        self.clock.advance(0)
        self.assertIn(b"robert", bob_wire.value())
        self.assertEqual(alice_wire.value(), b"")
        self.clock.advance(PRESENCE_WAIT)
        self.assertEqual(alice_wire.value(), b"[00:00] -- bob is now known as robert\r\n")
        self.clock.advance(PRESENCE_WAIT)
        self.assertEqual(alice_wire.value(), b"[00:00] -- bob is now known as robert\r\n")


class SinkStateTests(SynchronousTestCase):
    """A sink is open, then closing, then closed; a session's ``closing`` is its sink's."""

    def setUp(self) -> None:
        self.clock = Clock()
        self.wire = StringTransport()
        self.overflowed = 0
        self.output = BufferedOutput(self.wire, Outbox(self.clock), 100, self.overflow)

    def overflow(self) -> None:
        self.overflowed += 1

    def test_closing_sends_what_waits_then_takes_nothing(self) -> None:
        """close sends what was gathered at once; later writes are dropped, even after the pass ends."""
        self.output.write(b"last words\r\n")
        self.output.close()
        self.assertEqual(self.wire.value(), b"last words\r\n")
        self.output.write(b"too late\r\n")
        self.clock.advance(0)
        self.assertEqual(self.wire.value(), b"last words\r\n")
        self.assertEqual((self.output.closing, self.output.closed), (True, False))

    def test_dropping_discards_what_waits(self) -> None:
        """drop (the connection is gone) sends nothing more, not even what was gathered; closing after it sends nothing."""
        self.output.write(b"never sent\r\n")
        self.output.drop()
        self.output.close()
        self.clock.advance(0)
        self.assertEqual(self.wire.value(), b"")
        self.assertEqual((self.output.closing, self.output.closed), (True, True))

    def test_overflow_closes_the_sink(self) -> None:
        """A client past its send queue is cut off: the sink is closed and says so once."""
        self.output.pauseProducing()
        self.output.write(b"x" * 101)
        self.clock.advance(0)
        self.assertEqual((self.overflowed, self.output.closed, self.wire.value()), (1, True, b""))

    def test_direct_output_writes_at_once_until_closing(self) -> None:
        """DirectOutput (the console's) writes each piece straight away, and nothing once closing."""
        direct = DirectOutput(self.wire)
        direct.write(b"one\r\n")
        self.assertEqual(self.wire.value(), b"one\r\n")
        direct.close()
        direct.write(b"two\r\n")
        self.assertEqual((self.wire.value(), direct.closing), (b"one\r\n", True))

    def test_nowhere_stays_open_and_empty(self) -> None:
        """The shared sink of unconnected sessions drops writes and cannot be closed by one of them."""
        NOWHERE.write(b"dropped\r\n")
        NOWHERE.close()
        NOWHERE.drop()
        self.assertFalse(NOWHERE.closing)


class WhenIdleTests(SynchronousTestCase):
    """``when_idle`` calls back once nothing waits to go out: what a file download's next chunk waits for."""

    def setUp(self) -> None:
        self.clock = Clock()
        self.wire = StringTransport()
        self.output = BufferedOutput(self.wire, Outbox(self.clock), 100, lambda: None)
        self.called = 0

    def call(self) -> None:
        self.called += 1

    def test_idle_output_calls_at_once(self) -> None:
        """With nothing gathered and the transport keeping up, the call comes at once."""
        self.output.when_idle(self.call)
        self.assertEqual(self.called, 1)

    def test_a_pass_gathered_calls_once_it_is_sent(self) -> None:
        """Lines gathered this pass: the call comes when the pass's send has gone, once."""
        self.output.write(b"a line\r\n")
        self.output.when_idle(self.call)
        self.output.when_idle(self.call)
        self.assertEqual(self.called, 0)
        self.clock.advance(0)
        self.assertEqual((self.called, self.wire.value()), (2, b"a line\r\n"))
        self.output.write(b"another\r\n")
        self.clock.advance(0)
        self.assertEqual(self.called, 2)

    def test_a_transport_behind_calls_once_it_has_caught_up(self) -> None:
        """While the transport says its buffer is full, the call waits for it to drain."""
        self.output.pauseProducing()
        self.output.when_idle(self.call)
        self.output.write(b"queued\r\n")
        self.clock.advance(0)
        self.assertEqual(self.called, 0)
        self.output.resumeProducing()
        self.assertEqual(self.called, 1)

    def test_a_dropped_or_closing_output_never_calls(self) -> None:
        """Gone is gone: a call waiting when the output is dropped, or asked for once it is closing, never comes."""
        self.output.write(b"x\r\n")
        self.output.when_idle(self.call)
        self.output.drop()
        self.output.resumeProducing()
        self.output.when_idle(self.call)
        self.assertEqual(self.called, 0)


class SessionClosingTests(LineTestCase):
    def test_session_closing_is_its_sinks(self) -> None:
        """A session is closing exactly when its sink is: after close, and after its connection is lost."""
        alice, _ = self.connect(b"alice")
        self.assertFalse(alice.closing)
        alice.close(None)
        self.assertTrue(alice.closing and alice.sink.closing)
        bob, _ = self.connect(b"bob")
        bob.connectionLost(Failure(ConnectionDone()))
        self.assertTrue(bob.closing and bob.sink.closed)


class KeepTests(SynchronousTestCase):
    """With ``keep`` (the SQLite store's, which logs the pass's events), a pass's output goes only after it is called."""

    def setUp(self) -> None:
        self.clock = Clock()
        self.seen: list[list[bytes]] = []
        """What the wires held each time ``keep`` was called."""
        self.outbox = Outbox(self.clock, lambda: self.seen.append([wire.value() for wire in self.wires]))
        self.wires = [StringTransport(), StringTransport()]
        self.outputs = [BufferedOutput(wire, self.outbox, 100, lambda: None) for wire in self.wires]

    def test_a_pass_is_kept_once_then_sent(self) -> None:
        """When the pass ends ``keep`` is called once, with nothing sent yet; then everything gathered goes."""
        for output in self.outputs:
            output.write(b"hi\r\n")
        self.clock.advance(0)
        self.assertEqual(self.seen, [[b"", b""]])
        self.assertEqual([wire.value() for wire in self.wires], [b"hi\r\n", b"hi\r\n"])

    def test_asked_to_send_with_nothing_gathered_it_keeps_once_when_the_pass_ends(self) -> None:
        """``send_soon`` with nothing written still keeps when the pass ends, once however often it was asked (the
        SQLite store asks so in a pass that appends and sends nothing), and sends nothing."""
        self.outbox.send_soon()
        self.outbox.send_soon()
        self.assertEqual(self.seen, [])
        self.assertEqual(len(self.clock.getDelayedCalls()), 1)
        self.clock.advance(0)
        self.assertEqual(self.seen, [[b"", b""]])
        self.assertEqual(
            ([wire.value() for wire in self.wires], self.clock.getDelayedCalls()), ([b"", b""], [])
        )

    def test_closing_keeps_what_is_behind_the_last_words_first(self) -> None:
        """A connection that closes gets everything gathered for it, in order, with its last words, once what is
        behind them is kept (a ``kill -9`` must not lose a line it saw); then it may hang up. Nothing twice."""
        first, _ = self.outputs
        first.write(b"one\r\n")
        first.write(b"bye\r\n")
        hung_up: list[bool] = []
        first.close(lambda: hung_up.append(True))
        first.write(b"too late\r\n")
        self.assertEqual(self.seen, [[b"", b""]])
        self.assertEqual((self.wires[0].value(), hung_up), (b"one\r\nbye\r\n", [True]))
        self.clock.advance(0)
        self.assertEqual(self.wires[0].value(), b"one\r\nbye\r\n")

    def test_dropped_output_is_never_sent(self) -> None:
        """A connection gone before the pass ends is sent nothing."""
        first, _ = self.outputs
        first.write(b"one\r\n")
        first.drop()
        self.clock.advance(0)
        self.assertEqual(self.wires[0].value(), b"")

    def test_a_connection_gathers_every_pass_in_the_same_list(self) -> None:
        """An output's list is made once and kept, pass after pass: a line said to a room of thousands makes
        no list a member for the cyclic collector to count, which set off its full collections (issue 18)."""
        first, _ = self.outputs
        lists = []
        for line in (b"one\r\n", b"two\r\n"):
            first.write(line)
            self.clock.advance(0)
            lists.append({id(kept) for kept in gc.get_referents(first) if isinstance(kept, list)})
        self.assertEqual(self.wires[0].value(), b"one\r\ntwo\r\n")
        self.assertEqual(len(lists[0]), 1)
        self.assertEqual(lists[0], lists[1])


class LoggedTransport(StringTransport):
    """A StringTransport that notes its number in ``log`` at each write, so tests see the order of sends."""

    def __init__(self, number: int, log: list[int]) -> None:
        super().__init__()
        self._number = number
        self._log = log

    @override
    def write(self, data: bytes) -> None:
        self._log.append(self._number)
        super().write(data)


class SliceTests(SynchronousTestCase):
    """A busy pass is sent ``SEND_SLICE`` connections at a time, and the reactor reads between two slices."""

    def setUp(self) -> None:
        self.clock = Clock()
        self.sends: list[int] = []
        """Which connection each send went to, in order."""
        self.kept: list[int] = []
        """How many sends had gone each time ``keep`` was called."""
        self.outbox = Outbox(self.clock, lambda: self.kept.append(len(self.sends)))
        self.wires = [LoggedTransport(number, self.sends) for number in range(SEND_SLICE + 2)]
        self.outputs = [BufferedOutput(wire, self.outbox, 100, lambda: None) for wire in self.wires]

    def test_a_line_read_between_slices_goes_with_this_round_or_after_it(self) -> None:
        """The first ``SEND_SLICE`` connections are sent; a line read before the rest joins, in the same send, a
        connection not sent yet, and goes to one sent already after all the others; each slice is kept first."""
        for output in self.outputs:
            output.write(b"one\r\n")
        self.outbox.send()
        self.assertEqual(self.sends, list(range(SEND_SLICE)))
        self.assertEqual(len(self.clock.getDelayedCalls()), 1)
        first, last = self.outputs[0], self.outputs[-1]
        first.write(b"two\r\n")
        last.write(b"two\r\n")
        self.clock.advance(0)
        self.assertEqual(self.sends, [*range(SEND_SLICE + 2), 0])
        self.assertEqual(self.kept, [0, SEND_SLICE])
        self.assertEqual((self.wires[0].value(), self.wires[-1].value()), (b"one\r\ntwo\r\n",) * 2)
        self.assertEqual(self.clock.getDelayedCalls(), [])


class IdleOutputTests(SynchronousTestCase):
    def test_an_output_never_written_to_keeps_no_list(self) -> None:
        """A connection nothing was written to yet holds no list (issue 18)."""
        clock = Clock()
        wire = StringTransport()
        output = BufferedOutput(wire, Outbox(clock), 100, lambda: None)
        self.assertEqual([kept for kept in gc.get_referents(output) if isinstance(kept, list)], [])
        output.write(b"one\r\n")
        clock.advance(0)
        self.assertEqual(wire.value(), b"one\r\n")
        self.assertEqual(len([kept for kept in gc.get_referents(output) if isinstance(kept, list)]), 1)


class WriteLaterTests(SynchronousTestCase):
    """Bytes written to wait for company (someone else's coming or going) go with the connection's next send, or
    ``PRESENCE_WAIT`` later, in the order written, and are kept first like any other."""

    def setUp(self) -> None:
        self.clock = Clock()
        self.kept = 0
        self.outbox = Outbox(self.clock, self.keep)
        self.wire = CountingTransport()
        self.output = BufferedOutput(self.wire, self.outbox, 100, lambda: None)

    def keep(self) -> None:
        self.kept += 1

    def test_alone_it_waits_then_goes_once_kept(self) -> None:
        """Nothing else to send: the end of the pass sends nothing; ``PRESENCE_WAIT`` on, everything gathered since
        goes in one write, once what is behind it is kept."""
        self.output.write_later(b"bob joined\r\n")
        self.clock.advance(0)
        self.assertEqual(self.wire.value(), b"")
        self.output.write_later(b"carol joined\r\n")
        self.clock.advance(PRESENCE_WAIT / 2)
        self.assertEqual(self.wire.value(), b"")
        kept = self.kept
        self.clock.advance(PRESENCE_WAIT / 2)
        self.assertEqual((self.wire.writes, self.wire.value()), (1, b"bob joined\r\ncarol joined\r\n"))
        self.assertGreater(self.kept, kept)
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_it_goes_with_the_next_pass_that_sends_before_what_came_after(self) -> None:
        """A line written in a later pass takes what waited with it, after it, in one write; the wait's end then
        sends nothing more."""
        self.output.write_later(b"bob joined\r\n")
        self.clock.advance(0.01)
        self.output.write(b"<bob> hi\r\n")
        self.clock.advance(0)
        self.assertEqual((self.wire.writes, self.wire.value()), (1, b"bob joined\r\n<bob> hi\r\n"))
        self.clock.advance(PRESENCE_WAIT)
        self.assertEqual(self.wire.writes, 1)

    def test_after_a_line_in_the_same_pass_it_goes_with_it(self) -> None:
        """Written after something this pass sends anyway, it goes with it, in order, and waits for nothing."""
        self.output.write(b"<alice> one\r\n")
        self.output.write_later(b"bob joined\r\n")
        self.output.write(b"<alice> two\r\n")
        self.clock.advance(0)
        self.assertEqual(
            (self.wire.writes, self.wire.value()), (1, b"<alice> one\r\nbob joined\r\n<alice> two\r\n")
        )
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_a_fanned_line_takes_it_along_after_it(self) -> None:
        """A line a kept fan-out appends to the output's list (chatd.frontend.fanout) goes after what waited."""
        self.output.write_later(b"bob joined\r\n")
        self.clock.advance(0)
        self.output.parts().append(b"<bob> hi\r\n")
        self.outbox.hold(self.output)
        self.clock.advance(0)
        self.assertEqual((self.wire.writes, self.wire.value()), (1, b"bob joined\r\n<bob> hi\r\n"))

    def test_closing_sends_it_and_dropping_loses_it(self) -> None:
        """A connection that closes is sent what waited, with its last words; one dropped is sent nothing, then or
        at the wait's end."""
        self.output.write_later(b"bob joined\r\n")
        self.output.write(b"bye\r\n")
        self.output.close()
        self.assertEqual(self.wire.value(), b"bob joined\r\nbye\r\n")
        other_wire = StringTransport()
        other = BufferedOutput(other_wire, self.outbox, 100, lambda: None)
        other.write_later(b"bob joined\r\n")
        other.drop()
        self.clock.advance(PRESENCE_WAIT)
        self.assertEqual(other_wire.value(), b"")

    def test_a_file_chunk_need_not_wait_for_it(self) -> None:
        """Only others' comings and goings waiting, the output is idle: a download's next chunk goes at once (it
        waited up to ``PRESENCE_WAIT`` a chunk in a busy room), and takes them with it, first."""
        self.output.write_later(b"bob joined\r\n")
        self.clock.advance(0)
        chunks: list[bool] = []
        self.output.when_idle(lambda: chunks.append(True))
        self.assertEqual(chunks, [True])
        self.output.write(b"chunk\r\n")
        self.clock.advance(0)
        self.assertEqual((self.wire.writes, self.wire.value()), (1, b"bob joined\r\nchunk\r\n"))
