"""labeled-response: the answer to a labelled command carries its label (chatd.irc.labels)."""

import re

from chatd.frontend.oper import PAUSE_SECONDS
from tests.irc import IRCTestCase


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
        lines = self.lines(self.wire)
        start = re.fullmatch(rb"@label=j :testhost BATCH \+(\w+) labeled-response", lines[0])
        assert start is not None, lines
        reference = start.group(1)
        self.assertEqual(
            lines[1:],
            [
                b"@batch=" + reference + b" :alice!alice@chatd JOIN #x",
                b"@batch=" + reference + b" :testhost 353 alice = #x :@alice",
                b"@batch=" + reference + b" :testhost 366 alice #x :End of /NAMES list",
                b":testhost BATCH -" + reference,
            ],
        )

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
        lines = self.lines(self.wire)
        start = re.fullmatch(rb"@label=o :testhost BATCH \+(\w+) labeled-response", lines[0])
        assert start is not None, lines
        reference = start.group(1)
        self.assertEqual(
            lines[1:],
            [
                b"@batch=" + reference + b" :testhost 464 alice :Password incorrect",
                b":testhost BATCH -" + reference,
            ],
        )

    def test_label_without_batch_is_ignored(self) -> None:
        """labeled-response without batch: a labelled answer of several lines could not be sent, so none is."""
        carol, wire = self.irc_user("carol", "labeled-response")
        self.send(carol, "@label=w JOIN #x")
        self.assertEqual(self.lines(wire)[0], b":carol!carol@chatd JOIN #x")

    def test_label_without_the_capability_is_ignored(self) -> None:
        """A client that did not take labeled-response gets its answer unlabelled."""
        bob, wire = self.irc_user("bob")
        self.send(bob, "@label=abc PING x")
        self.assertEqual(self.lines(wire), [b":testhost PONG testhost x"])
