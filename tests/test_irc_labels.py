"""labeled-response: the answer to a labelled command carries its label (chatd.irc.labels)."""

import re

from twisted.internet.defer import Deferred

from chatd.domain.storage_ports import History
from chatd.frontend.oper import PAUSE_SECONDS
from chatd.storage.memory import MemoryHistory
from tests.irc import IRCTestCase


def labelled_batch(case: IRCTestCase, lines: list[bytes], label: bytes, answer: list[bytes]) -> None:
    """``lines`` are a batch opened with ``label``, holding each line of ``answer`` tagged with it, then closed."""
    start = re.fullmatch(rb"@label=" + label + rb" :testhost BATCH \+(\w+) labeled-response", lines[0])
    assert start is not None, lines
    reference = start.group(1)
    case.assertEqual(
        lines[1:],
        [b"@batch=" + reference + b" " + each for each in answer] + [b":testhost BATCH -" + reference],
    )


JOINED_X = [
    b":alice!alice@chatd JOIN #x",
    b":testhost 353 alice = #x :@alice",
    b":testhost 366 alice #x :End of /NAMES list",
]
"""alice's answer to JOIN #x, a room she makes: her JOIN and the names."""


class LabelTests(IRCTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.alice, self.wire = self.irc_user("alice", "labeled-response", "batch", "echo-message")

    def test_one_line_answer_carries_the_label(self) -> None:
        """A PING answered by one PONG: the PONG has the label."""
        self.send(self.alice, "@label=abc PING x")
        self.assertEqual(self.lines(self.wire), [b"@label=abc :testhost PONG testhost x"])

    def test_no_answer_is_an_ack(self) -> None:
        """A PONG, which nothing answers, is ACKed with the label."""
        self.send(self.alice, "@label=p1 PONG x")
        self.assertEqual(self.lines(self.wire), [b"@label=p1 :testhost ACK"])

    def test_several_lines_come_in_a_labelled_batch(self) -> None:
        """A JOIN's burst (JOIN, names) is a labeled-response batch opened with the label."""
        self.send(self.alice, "@label=j;+other=1 JOIN #x")
        labelled_batch(self, self.lines(self.wire), b"j", JOINED_X)

    def test_echo_carries_the_label(self) -> None:
        """With echo-message, the echoed PRIVMSG is the answer and carries the label."""
        self.send(self.alice, "JOIN #x")
        self.lines(self.wire)
        self.send(self.alice, "@label=m PRIVMSG #x :hi")
        self.assertEqual(self.lines(self.wire), [b"@label=m :alice!alice@chatd PRIVMSG #x :hi"])

    def test_waiting_command_answers_in_a_batch_that_closes_when_done(self) -> None:
        """OPER waits for its password check: its batch opens at once and closes after 464."""
        self.send(self.alice, "@label=o OPER boss wrong")
        self.clock.advance(PAUSE_SECONDS)
        labelled_batch(self, self.lines(self.wire), b"o", [b":testhost 464 alice :Password incorrect"])

    def test_label_without_batch_is_ignored(self) -> None:
        """labeled-response without batch: a labelled answer of several lines could not be sent, so none is."""
        carol, wire = self.irc_user("carol", "labeled-response")
        self.send(carol, "@label=w JOIN #x")
        self.assertEqual(self.lines(wire)[0], b":carol!carol@chatd JOIN #x")

    def test_an_empty_label_or_one_past_64_bytes_is_ignored(self) -> None:
        """The label tag has a required value of at most 64 bytes (labeled-response): an empty one, or a longer one,
        is no label, and the answer comes unlabelled rather than tagged ``@label`` or with 300 bytes echoed."""
        self.send(self.alice, "@label= PING a", "@label PING b", f"@label={'x' * 300} PING c")
        self.assertEqual(
            self.lines(self.wire),
            [b":testhost PONG testhost a", b":testhost PONG testhost b", b":testhost PONG testhost c"],
        )
        self.send(self.alice, f"@label={'y' * 64} PING d")
        self.assertEqual(self.lines(self.wire), [b"@label=" + b"y" * 64 + b" :testhost PONG testhost d"])

    def test_label_without_the_capability_is_ignored(self) -> None:
        """A client that did not take labeled-response gets its answer unlabelled."""
        bob, wire = self.irc_user("bob")
        self.send(bob, "@label=abc PING x")
        self.assertEqual(self.lines(wire), [b":testhost PONG testhost x"])


class _SlowLastSeqs(MemoryHistory):
    """A history whose rooms' last seqs are read as a file's are: a join of a room not live waits for the read."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[Deferred[None]] = []
        self._read: set[str] = set()

    def read_last_seq(self, room: str) -> "Deferred[None] | None":  # type: ignore[override]
        if room in self._read:
            return None
        self._read.add(room)
        reading: Deferred[None] = Deferred()
        self.reads.append(reading)
        return reading


class WaitingJoinLabelTests(IRCTestCase):
    def make_history(self) -> History:
        self.slow = _SlowLastSeqs()
        return self.slow

    def test_a_join_that_waits_for_the_rooms_last_seq_has_its_join_line_in_the_batch(self) -> None:
        """A JOIN that waits for the room's last seq (a room not live, on disk) opens its batch at once; the
        JOIN line the join then brings is in it with the names, not outside it as another's line would be."""
        alice, wire = self.irc_user("alice", "labeled-response", "batch")
        self.send(alice, "@label=j JOIN #x")
        [reading] = self.slow.reads
        reading.callback(None)
        labelled_batch(self, self.lines(wire), b"j", JOINED_X)
