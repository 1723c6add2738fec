"""One IRC connection's bytes, budget and end (chatd.irc.protocol) and its front end's limits (chatd.irc.factory)."""

from twisted.internet.address import IPv4Address
from twisted.internet.testing import EventLoggingObserver, StringTransport
from twisted.logger import globalLogPublisher

from chatd.domain.events import EVENTS
from chatd.irc.framing import LINE_LIMIT
from chatd.irc.render import EventLines
from tests.irc import IRCTestCase


class BytesTests(IRCTestCase):
    def test_line_split_across_reads_and_inside_a_character(self) -> None:
        """A line may arrive a byte at a time, a UTF-8 character split between reads."""
        alice, wire = self.irc_user("alice")
        self.send(alice, "JOIN #lobby")
        _bob, bob_wire = self.connect(b"bob")
        self.lines(wire)
        for byte in "PRIVMSG #lobby :café\r\n".encode():
            alice.dataReceived(bytes([byte]))
        self.assertEqual(self.lines(bob_wire), ["[00:00] #lobby <alice> café".encode()])

    def test_overlong_line_is_417_and_the_next_is_read(self) -> None:
        """A line past the limits is answered 417 once and skipped whole; the next line runs."""
        alice, wire = self.irc_user("alice")
        alice.dataReceived(b"PRIVMSG #lobby :" + b"x" * LINE_LIMIT + b"\r\nPING :after\r\n")
        self.assertEqual(
            self.lines(wire),
            [b":testhost 417 alice :Input line was too long", b":testhost PONG testhost after"],
        )

    def test_line_not_utf8_is_refused_alone(self) -> None:
        """A Latin-1 line is FAIL * INVALID_UTF8; the connection goes on."""
        alice, wire = self.irc_user("alice")
        alice.dataReceived(b"PRIVMSG #lobby :caf\xe9\r\nPING x\r\n")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost FAIL * INVALID_UTF8 :Message was not UTF-8 and was dropped",
                b":testhost PONG testhost x",
            ],
        )

    def test_a_line_of_spaces_is_skipped_without_a_word(self) -> None:
        """A line of nothing but spaces is ignored, as Modern IRC asks; the next line runs."""
        alice, wire = self.irc_user("alice")
        alice.dataReceived(b"   \r\nPING x\r\n")
        self.assertEqual(self.lines(wire), [b":testhost PONG testhost x"])

    def test_an_empty_line_costs_a_line_of_budget(self) -> None:
        """Empty lines, CR LF or LF alone, are ignored but each costs a line, as a line protocol user's blank line does:
        past the burst of ten, the PING after them waits its turn."""
        alice, wire = self.irc_user("alice")
        alice.dataReceived(b"\r\n" * 5 + b"\n" * 5 + b"PING x\r\n")
        self.assertEqual(self.lines(wire), [])
        self.clock.advance(1)
        self.assertEqual(self.lines(wire), [b":testhost PONG testhost x"])

    def test_flood_waits_then_is_cut_off(self) -> None:
        """Past the burst, messages wait their turn (fakelag); a client that keeps flooding is closed."""
        alice, wire = self.irc_user("alice")
        self.send(alice, *[f"PING {number}" for number in range(15)])
        answered = self.lines(wire)
        self.assertLess(len(answered), 15)
        self.clock.advance(10)
        self.assertEqual(len(answered) + len(self.lines(wire)), 15)
        for _ in range(40):
            self.send(alice, *["PING x"] * 20)
            self.clock.advance(1)
        self.assertTrue(wire.disconnecting)
        self.assertIn(b"ERROR :Closing Link: 127.0.0.1 (Excess Flood)", self.lines(wire))


class FactoryTests(IRCTestCase):
    max_per_ip = 2

    def test_connections_count_with_the_other_front_ends(self) -> None:
        """An address at its limit through nc is refused on IRC with one ERROR line."""
        self.connect(b"one")
        self.connect(b"two")
        refusal = self.irc.buildProtocol(IPv4Address("TCP", "127.0.0.1", 4000))
        wire = StringTransport()
        refusal.makeConnection(wire)
        self.assertEqual(
            wire.value(), b"ERROR :Closing Link: too many connections from your address (at most 2)\r\n"
        )

    def test_shutdown_says_error_to_everyone(self) -> None:
        """At shutdown every IRC client reads ERROR and is closed."""
        _, wire = self.irc_user("alice")
        done = self.irc.shutdown()
        self.assertEqual(self.lines(wire), [b"ERROR :Closing Link: 127.0.0.1 (Server shutting down)"])
        self.assertTrue(wire.disconnecting)
        self.assertNoResult(done)

    def test_every_event_has_an_irc_rendering(self) -> None:
        """Each kind of event is rendered (or deliberately shown to nobody) on IRC."""
        lines = EventLines("testhost")
        self.assertEqual([kind.__name__ for kind in EVENTS if not lines.covers(kind)], [])


class FootprintTests(IRCTestCase):
    def test_connection_state_lives_in_slots_not_a_dict(self) -> None:
        """An IRC connection's state, Twisted's attributes too, is all in slots: it never makes a __dict__ (issue 18)."""
        alice, _ = self.irc_user("alice")
        self.send(alice, "JOIN #lobby", *[f"PING {number}" for number in range(15)])
        self.clock.advance(60)
        self.send(alice, "QUIT")
        self.assertEqual(vars(alice), {})


class EchoedWordTests(IRCTestCase):
    def test_a_word_that_cannot_be_echoed_before_the_last_is_a_star(self) -> None:
        """A target or subcommand sent as a last parameter (empty, or holding a space) is echoed as ``*``.

        Each reply put it where only a single word can stand: the reply failed
        to render, each such line logged a traceback (TOPIC, MODE, INVITE and
        NICK closed the connection with an unhandled error).
        """
        # Twisted annotates this for trial's TestCase, but any addCleanup will do.
        logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]
        alice, wire = self.irc_user("alice")
        self.send(alice, "TOPIC :a b", "NAMES :a b", "PART :", "CAP :a b", "NICK :a b")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost 442 alice * :You're not on that channel",
                b":testhost 366 alice * :End of /NAMES list",
                b":testhost 461 alice PART :Not enough parameters",
                b":testhost 410 alice * :Invalid CAP command",
                b":testhost 432 alice * :Erroneous nickname: a nickname holds only letters, digits, '-', '_', "
                b"'[', ']', '{', '}', '\\', '|', '^' and '`'",
            ],
        )
        self.assertFalse(wire.disconnecting)
        self.assertEqual([event for event in logged if event.get("log_failure")], [])

    def test_a_fail_context_that_cannot_be_echoed_is_a_star(self) -> None:
        """FAIL's context words are written as ``reply``'s are: a limit sent as ``:a b`` is ``*``."""
        alice, wire = self.irc_user("alice", "draft/chathistory", "batch")
        self.send(alice, "JOIN #lobby")
        self.lines(wire)
        self.send(alice, "CHATHISTORY LATEST #lobby * :a b")
        self.assertEqual(
            self.lines(wire),
            [b":testhost FAIL CHATHISTORY INVALID_PARAMS LATEST * :The limit must be a number above 0"],
        )
