"""The client's link to the server: JSON lines in, rendered lines out; reconnection; leaving.

A fake endpoint hands each connection attempt to the test, which connects it
to a ``StringTransport`` or fails it; time is a ``Clock``.
"""

import json
from datetime import UTC
from typing import cast

from OpenSSL import SSL
from service_identity import VerificationError
from service_identity.exceptions import DNSMismatch
from service_identity.hazmat import DNS_ID
from twisted.internet.address import IPv4Address
from twisted.internet.defer import Deferred
from twisted.internet.error import ConnectionDone, ConnectionRefusedError
from twisted.internet.interfaces import (
    IHandshakeListener,
    IProtocol,
    IProtocolFactory,
    ISSLTransport,
    IStreamClientEndpoint,
)
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase
from zope.interface import alsoProvides, implementer

from chatd.client.connection import LEAVE_GRACE_SECONDS, Link
from chatd.client.presence import Answer, Presence
from chatd.client.reach import GREETING_SECONDS, Server
from chatd.client.render import render as render_with
from chatd.client.retries import WORKED_SECONDS
from chatd.client.shown import Shown
from chatd.client.style import View

START = 9 * 3600.0
"""The fake clock starts at 09:00 UTC, so the client's own lines are stamped 09:00."""


@implementer(IStreamClientEndpoint)
class FakeEndpoint:
    """An endpoint whose connection attempts wait for the test to connect or fail them."""

    def __init__(self) -> None:
        self.attempts: list[tuple[IProtocolFactory, Deferred[IProtocol]]] = []

    def connect(self, protocolFactory: IProtocolFactory) -> "Deferred[IProtocol]":  # noqa: N803 - the interface's name
        attempt: Deferred[IProtocol] = Deferred()
        self.attempts.append((protocolFactory, attempt))
        return attempt

    def accept(self, tls: bool = False) -> "Peer":
        """Connect the oldest attempt to a new wire; over TLS, one whose handshake has not finished."""
        factory, attempt = self.attempts.pop(0)
        address = IPv4Address("TCP", "127.0.0.1", 5000)
        protocol = factory.buildProtocol(address)
        assert protocol is not None
        wire = StringTransport(peerAddress=address)
        if tls:
            # Over TLS the client waits for the handshake before it counts as connected.
            alsoProvides(wire, ISSLTransport)
        protocol.makeConnection(wire)
        attempt.callback(protocol)
        return Peer(protocol, wire)

    def refuse(self) -> None:
        """Fail the oldest attempt as a closed port does."""
        _, attempt = self.attempts.pop(0)
        attempt.errback(Failure(ConnectionRefusedError()))


class RecordingScreen:
    """A Screen that keeps what it is given."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.notes: list[str] = []
        self.bells = 0
        self.connections = 0
        self.answers: list[Answer] = []

    def show(self, shown: Shown) -> None:
        self.lines.extend(shown.lines)
        self.bells += shown.bell

    def note(self, shown: Shown) -> None:
        self.notes.extend(shown.lines)

    def server_connected(self) -> None:
        self.connections += 1

    def answered(self, answer: Answer) -> None:
        self.answers.append(answer)

    def take(self) -> list[str]:
        """The server lines shown since the last call."""
        lines, self.lines = self.lines, []
        return lines

    def take_notes(self) -> list[str]:
        """The client's own lines shown since the last call."""
        notes, self.notes = self.notes, []
        return notes


class Peer:
    """The server's end of one connection: what the client sent, and ways to answer it."""

    def __init__(self, protocol: IProtocol, wire: StringTransport) -> None:
        # ClientService wraps the client's protocol in a proxy that notices the
        # connection's end; the server's close must go through it.
        self.protocol = protocol
        self.wire = wire

    def sent(self) -> list[str]:
        """What the client sent since the last call, one string a line."""
        data: bytes = self.wire.value()
        self.wire.clear()
        return data.decode("utf-8").splitlines()

    def send(self, *messages: object) -> None:
        """Send ``messages``: dicts as JSON lines, strings as text lines, all CRLF."""
        data = b"".join(
            (json.dumps(message) if isinstance(message, dict) else str(message)).encode() + b"\r\n"
            for message in messages
        )
        self.protocol.dataReceived(data)

    def close(self) -> None:
        """Close the connection, as the server does after a goodbye."""
        self.protocol.connectionLost(Failure(ConnectionDone()))

    def register(self, nick: str = "alice", room: str = "#lobby") -> None:
        """Answer an accepted nickname as the server does in JSON."""
        self.send({"type": "notice", "kind": "nick", "nick": nick, "text": f"You are {nick}."})
        self.join(room, nick)

    def join(self, room: str, nick: str = "alice") -> None:
        """Answer the client's join of ``room`` as the server does in JSON: the event, then the members."""
        self.send(
            {"type": "joined", "at": START, "room": room, "nick": nick},
            {"type": "members", "room": room, "nicks": [nick]},
        )


class LinkTestCase(SynchronousTestCase):
    """A link on a fake endpoint and clock, started on a recording screen, times shown in UTC."""

    retry = True
    nick: str | None = None
    password: str | None = None

    def setUp(self) -> None:
        self.clock = Clock()
        self.clock.advance(START)
        self.endpoint = FakeEndpoint()
        self.link = Link(
            self.endpoint,
            self.clock,
            Presence(self.nick, self.password),
            Server("chat.example", 5000),
            retry=self.retry,
            policy=lambda attempt: 2.0 * attempt,
            zone=UTC,
        )
        self.screen = RecordingScreen()
        self.statuses: list[int] = []
        self.link.start(self.screen).addCallback(self.statuses.append)


class TalkTests(LinkTestCase):
    """Lines typed go out as typed; server lines come back rendered."""

    def test_connect_says_so_and_asks_for_json(self) -> None:
        """On connecting the client sends /format json first; once the server's first line shows it is chatd, it
        says where it is connected and the screen takes lines."""
        self.assertFalse(self.link.connected)
        peer = self.endpoint.accept()
        self.assertTrue(self.link.connected)
        self.assertEqual(self.screen.take_notes(), [])
        self.assertEqual(peer.sent(), ["/format json"])
        self.assertEqual(self.screen.connections, 0, "up, but not yet shown to be chatd")
        peer.send("*** Welcome to chatd 0.1.0 on chat.example. Type /help for help.")
        self.assertEqual(self.screen.connections, 1)
        self.assertEqual(
            self.screen.take_notes(), ["09:00 ~ Connected to chat.example port 5000 (127.0.0.1)."]
        )

    def test_greeting_shown_once_from_its_json(self) -> None:
        """The text greeting before the switch is not shown, the JSON greeting after it is, the switch itself not."""
        peer = self.endpoint.accept()
        welcome = "Welcome to chatd 0.1.0 on testhost. Type /help for help."
        peer.send(
            f"*** {welcome}",
            "*** Choose a nickname:",
            {"type": "notice", "kind": "format", "format": "json", "text": "Lines are now json."},
            {"type": "notice", "kind": "welcome", "server": "testhost", "version": "0.1.0", "text": welcome},
            {"type": "notice", "kind": "prompt", "text": "Choose a nickname:"},
        )
        self.link.send("alice")
        self.assertEqual(peer.sent(), ["/format json", "alice"])
        peer.register()
        peer.send({"type": "said", "at": START + 60, "room": "#lobby", "nick": "alice", "text": "hi"})
        peer.send({"type": "said", "at": START + 120, "room": "#lobby", "nick": "bob", "text": "hi alice"})
        self.assertEqual(
            self.screen.take(),
            [
                "09:00 * Welcome to chatd 0.1.0 on testhost. Type /help for help.",
                "09:00 * Choose a nickname:",
                "09:00 * You are alice.",
                "09:00 - alice joined #lobby",
                "09:00 * In #lobby (1): alice",
                "09:01 > #lobby <alice> hi",
                "09:02   #lobby <bob> hi alice",
            ],
        )
        self.assertEqual(self.screen.bells, 1)

    def test_refusal_on_connect_in_text_is_shown(self) -> None:
        """A text ERR line, a refusal sent before the server reads /format json, is shown as an error."""
        peer = self.endpoint.accept()
        peer.send("ERR server-full the server is full; try again later")
        self.assertEqual(self.screen.take(), ["09:00 ! the server is full; try again later (server-full)"])

    def test_rendering_matches_render(self) -> None:
        """The link shows exactly what render gives for the same object and view."""
        peer = self.endpoint.accept()
        message = {"type": "whispered", "at": START, "nick": "bob", "to": "alice", "text": "psst"}
        peer.send(message)
        self.assertEqual(
            self.screen.take(), list(render_with(message, View(zone=UTC), self.clock.seconds()).lines)
        )

    def test_a_deleted_line_is_marked_by_whose_it_was_and_when(self) -> None:
        """bob's line, then its deletion: the screen marks bob's line of its time deleted, and shows its text once."""
        peer = self.endpoint.accept()
        line = "019c2a7e5b400000"
        peer.send({"type": "said", "id": line, "at": START, "room": "#maths", "nick": "bob", "text": "nasty"})
        peer.send(
            {
                "type": "deleted",
                "at": START + 60,
                "room": "#maths",
                "nick": "maya",
                "line": line,
                "reason": "",
            }
        )
        self.assertEqual(
            self.screen.take(),
            ["09:00   #maths <bob> nasty", "09:01 - #maths: bob's line of 09:00 (deleted by maya)"],
        )

    def test_crlf_split_across_reads_and_bad_utf8(self) -> None:
        """A line split across reads is one line; a byte that is not UTF-8 shows as U+FFFD."""
        peer = self.endpoint.accept()
        peer.protocol.dataReceived(b'{"type":"notice","kind":"help","text":"caf')
        peer.protocol.dataReceived(b'\xc3\xa9 \xff"}\r')
        self.assertEqual(self.screen.take(), [])
        peer.protocol.dataReceived(b"\n")
        self.assertEqual(self.screen.take(), ["09:00 * caf\u00e9 \ufffd"])

    def test_nothing_sent_without_a_connection(self) -> None:
        """A line typed while offline is not sent, and the caller is told."""
        self.assertFalse(self.link.send("hello"))

    def test_nothing_typed_is_sent_before_the_first_line_shows_chatd(self) -> None:
        """A line typed once the connection is up but before the server's first line shows it is chatd is not sent,
        and the caller is told: at a wrong port another service would read it (an ``/identify`` with its password)."""
        peer = self.endpoint.accept()
        peer.sent()
        self.assertFalse(self.link.send("/identify alice hunter22"))
        self.assertEqual(peer.sent(), [])
        peer.send("*** Welcome to chatd 0.1.0 on chat.example. Type /help for help.")
        self.assertTrue(self.link.send("alice"))
        self.assertEqual(peer.sent(), ["alice"])

    def test_format_kept_by_the_client(self) -> None:
        """/format would break the client's JSON; it is refused without reaching the server."""
        peer = self.endpoint.accept()
        peer.wire.clear()
        self.assertTrue(self.link.send("/FORMAT text"))
        self.assertEqual(peer.wire.value(), b"")
        self.assertEqual(
            self.screen.take_notes()[-1],
            "09:00 ~ The client needs JSON lines from the server, so it keeps /format to itself.",
        )

    def test_help_knows_the_clients_own_commands(self) -> None:
        """/help send is the client's to answer; /help alone names the client's commands, then asks the server;
        /help msg adds what the client does to the server's answer; /help join is the server's alone."""
        peer = self.endpoint.accept()
        peer.send("*** Welcome to chatd 0.1.0 on chat.example. Type /help for help.")
        peer.wire.clear()
        self.screen.take_notes()
        self.assertTrue(self.link.send("/help /SEND"))
        self.assertEqual(peer.wire.value(), b"")
        self.assertEqual(
            self.screen.take_notes(),
            [
                "09:00 ~ /send NICK|#room PATH - offer a file; it is checked by SHA-256 and goes on after a drop."
            ],
        )
        self.link.send("/help")
        self.assertEqual(peer.wire.value(), b"/help\n")
        [named] = self.screen.take_notes()
        self.assertIn(
            "/accept, /decline, /cancel, /takedown, /files, /fingerprint, /verify, /trust, /keylog", named
        )
        peer.wire.clear()
        self.link.send("/help msg")
        self.assertEqual(peer.wire.value(), b"/help msg\n")
        self.assertIn("sealed end to end", self.screen.take_notes()[0])
        peer.wire.clear()
        self.link.send("/help join")
        self.assertEqual((peer.wire.value(), self.screen.take_notes()), (b"/help join\n", []))


class NickOptionTests(LinkTestCase):
    """--nick is asked for on every connection, after /format json."""

    nick = "alice"

    def test_nick_sent_after_format(self) -> None:
        """The nickname goes as /nick, so no nickname can read as a command."""
        peer = self.endpoint.accept()
        self.assertEqual(peer.sent(), ["/format json", "/nick alice"])


class IdentifyTests(LinkTestCase):
    """--identify: the password goes only to a server whose first line shows it is chatd."""

    nick = "alice"
    password = "hunter22"

    def test_the_password_goes_once_the_first_line_is_chatds(self) -> None:
        """The greeting asks for JSON alone; chatd's welcome, then /identify, on every connection."""
        for _ in range(2):
            peer = self.endpoint.accept()
            self.assertEqual(peer.sent(), ["/format json"])
            peer.send("*** Welcome to chatd 0.1.0 on testhost. Type /help for help.")
            self.assertEqual(peer.sent(), ["/identify alice hunter22"])
            peer.send(
                "*** Choose a nickname:", {"type": "notice", "kind": "format", "text": "Lines are now json."}
            )
            self.assertEqual(peer.sent(), [])
            peer.close()
            self.clock.advance(2)

    def test_a_server_that_speaks_no_chatd_never_gets_the_password(self) -> None:
        """An HTTP or IRC first line, or silence until the deadline: closed, the password never sent."""
        for answer in (
            "HTTP/1.1 400 Bad Request",
            ":irc.example NOTICE * :*** Looking up your hostname",
            None,
        ):
            peer = self.endpoint.accept()
            if answer is None:
                self.clock.advance(GREETING_SECONDS)
            else:
                peer.send(answer, "*** Welcome to chatd, says the liar.")
            self.assertTrue(peer.wire.disconnecting)
            self.assertEqual(peer.sent(), ["/format json"])
            peer.close()
            self.clock.advance(60)


class ReconnectTests(LinkTestCase):
    """A lost server is said at once, retried with backoff and rejoined as before."""

    def test_lost_retried_and_rejoined(self) -> None:
        """Lost, refused, then back: the same nickname and rooms, named before the nickname, the current room last."""
        peer = self.endpoint.accept()
        self.link.send("alice")
        peer.register()
        peer.join("#dev")
        self.screen.take_notes()
        peer.close()
        self.assertFalse(self.link.connected)
        self.assertEqual(
            self.screen.take_notes(),
            [
                "09:00 ~ Lost the server at chat.example port 5000 (connection closed).",
                "09:00 ~ Reconnecting in 2.0 s.",
            ],
        )
        self.clock.advance(1.9)
        self.assertEqual(self.endpoint.attempts, [])
        self.clock.advance(0.1)
        self.endpoint.refuse()
        self.assertEqual(
            self.screen.take_notes(),
            ["09:00 ~ Cannot reach chat.example port 5000 (connection refused). Retrying in 4.0 s."],
        )
        self.clock.advance(4)
        peer = self.endpoint.accept()
        self.assertEqual(peer.sent(), ["/format json", "/resume #lobby", "/resume #dev", "/nick alice"])
        peer.register()
        peer.join("#dev")
        self.assertEqual(peer.sent(), [])
        self.assertEqual((self.link.presence.rooms, self.link.presence.current), (["#lobby", "#dev"], "#dev"))

    def test_shutdown_notice_then_close_is_a_loss(self) -> None:
        """The server's shutdown goodbye is shown, and the client then retries."""
        peer = self.endpoint.accept()
        peer.send({"type": "notice", "kind": "shutdown", "text": "Server shutting down. Goodbye."})
        peer.close()
        self.assertEqual(self.screen.take(), ["09:00 * Server shutting down. Goodbye."])
        self.clock.advance(2)
        self.assertEqual(len(self.endpoint.attempts), 1)
        self.assertEqual(self.statuses, [])


class BackoffTests(LinkTestCase):
    """Failures in a row make the pauses grow, whether the server refuses or accepts and closes."""

    def close_at_once(self, pause: float) -> list[str]:
        """Wait ``pause``, accept the attempt then, and close it; return what the client said."""
        self.clock.advance(pause)
        self.endpoint.accept().close()
        return self.screen.take_notes()

    def test_server_that_accepts_and_closes_is_asked_less_and_less(self) -> None:
        """A server that closes every connection at once, before chatd spoke (a load balancer while its chatd is
        away), is one line per attempt, retried after 2, 4, 6 s: each was "Connected", "Lost the server" and
        "Reconnecting", three lines saying over and over that nothing was reached."""
        for pause, delay in ((0, 2), (2, 4), (4, 6)):
            self.assertEqual(
                self.close_at_once(pause),
                [
                    "09:00 ~ chat.example port 5000 ended the connection before chatd spoke (connection closed). "
                    f"Retrying in {delay}.0 s."
                ],
            )
        self.clock.advance(6)
        self.endpoint.refuse()
        self.assertEqual(
            self.screen.take_notes(),
            ["09:00 ~ Cannot reach chat.example port 5000 (connection refused). Retrying in 8.0 s."],
        )

    def test_pauses_start_afresh_after_a_session_that_worked(self) -> None:
        """A nickname held WORKED_SECONDS makes the next loss the first failure; a shorter one does not."""
        self.close_at_once(0)
        self.close_at_once(2)
        self.clock.advance(4)
        peer = self.endpoint.accept()
        peer.register()
        self.clock.advance(WORKED_SECONDS - 1)
        peer.close()
        self.assertEqual(self.screen.take_notes()[-1], "09:00 ~ Reconnecting in 6.0 s.")
        self.clock.advance(6)
        peer = self.endpoint.accept()
        peer.register()
        self.clock.advance(WORKED_SECONDS)
        peer.close()
        self.assertEqual(self.screen.take_notes()[-1], "09:00 ~ Reconnecting in 2.0 s.")

    def test_failed_tls_handshake_is_an_attempt_not_a_loss(self) -> None:
        """A TLS connection that ends before its handshake is a failed attempt, said in words, and counted."""
        self.endpoint.accept(tls=True).protocol.connectionLost(
            Failure(VerificationError(errors=[DNSMismatch(DNS_ID("chat.example"))]))
        )
        self.assertEqual(
            self.screen.take_notes(),
            ["09:00 ~ The certificate of chat.example port 5000 is not for chat.example. Retrying in 2.0 s."],
        )
        self.assertFalse(self.link.connected)
        self.clock.advance(2)
        self.endpoint.accept(tls=True).protocol.connectionLost(Failure(ConnectionDone()))
        self.assertEqual(
            self.screen.take_notes(),
            [
                "09:00 ~ chat.example port 5000 closed the connection before the TLS handshake was done. "
                "Retrying in 4.0 s."
            ],
        )

    def test_a_server_that_speaks_no_chatd_is_an_attempt_not_a_loss(self) -> None:
        """An HTTP answer to the first line, or silence for GREETING_SECONDS, is said at once, closed and retried."""
        peer = self.endpoint.accept()
        peer.send("HTTP/1.1 400 Bad Request", "Content-Length: 0")
        self.assertTrue(peer.wire.disconnecting)
        peer.close()
        self.assertEqual(
            self.screen.take_notes(),
            [
                "09:00 ~ chat.example port 5000 does not speak chatd's line protocol (it answered \"HTTP/1.1 400 "
                'Bad Request"): is it the web or IRC port? Retrying in 2.0 s.'
            ],
        )
        self.assertEqual(self.screen.lines, [])
        self.clock.advance(2)
        self.assert_silence_is_no_chatd(self.endpoint.accept(), retrying_in=4.0)

    def assert_silence_is_no_chatd(self, peer: Peer, retrying_in: float) -> None:
        """``peer``, silent, is cut once GREETING_SECONDS pass, not before, and said as a port that is no chatd's."""
        self.clock.advance(GREETING_SECONDS - 0.1)
        self.assertFalse(peer.wire.disconnecting)
        self.clock.advance(0.1)
        self.assertTrue(peer.wire.disconnecting)
        peer.close()
        self.assertEqual(
            self.screen.take_notes(),
            [
                f"09:00 ~ chat.example port 5000 does not speak chatd's line protocol (no greeting in "
                f"{GREETING_SECONDS} s): is it the web or IRC port? Retrying in {retrying_in} s."
            ],
        )

    def test_a_tls_handshake_unanswered_for_greeting_seconds_is_no_chatd(self) -> None:
        """--tls against the web port, which waits for an HTTP request and never answers the handshake, is said as
        a wrong port once GREETING_SECONDS pass, not after the web port's own timeout."""
        self.assert_silence_is_no_chatd(self.endpoint.accept(tls=True), retrying_in=2.0)

    def test_a_tls_handshake_done_in_time_is_not_cut(self) -> None:
        """A handshake finished in time leaves the connection to the first line's own deadline."""
        peer = self.endpoint.accept(tls=True)
        self.clock.advance(GREETING_SECONDS - 0.1)
        cast(IHandshakeListener, peer.protocol).handshakeCompleted()
        peer.send("*** Welcome to chatd 0.1.0 on testhost. Type /help for help.")
        self.clock.advance(GREETING_SECONDS * 10)
        self.assertFalse(peer.wire.disconnecting)
        self.assertTrue(self.link.connected)

    def test_silence_where_chatd_answered_before_is_not_called_a_wrong_port(self) -> None:
        """Silence for GREETING_SECONDS from a port that greeted as chatd on an earlier connection (a chatd too busy
        to answer, a load balancer holding the connection while its chatd is away) is said as silence, not as the web
        or IRC port named by mistake."""
        peer = self.endpoint.accept()
        peer.register()
        peer.close()
        self.clock.advance(2)
        self.screen.take_notes()
        silent = self.endpoint.accept()
        self.clock.advance(GREETING_SECONDS)
        silent.close()
        self.assertEqual(
            self.screen.take_notes(),
            [
                f"09:00 ~ chat.example port 5000 sent no greeting in {GREETING_SECONDS} s, where chatd answered "
                "before: it may be busy, or away behind a load balancer. Retrying in 4.0 s."
            ],
        )

    def test_a_greeting_in_time_is_chatd(self) -> None:
        """chatd's welcome, then silence: the connection stays, however long nothing else is said."""
        peer = self.endpoint.accept()
        peer.send("*** Welcome to chatd 0.1.0 on testhost. Type /help for help.")
        self.clock.advance(GREETING_SECONDS * 10)
        self.assertFalse(peer.wire.disconnecting)
        self.assertTrue(self.link.connected)


class LeaveTests(LinkTestCase):
    """Leaving quits politely, waits for the server, and never retries."""

    def test_leave_sends_quit_and_ends_when_server_closes(self) -> None:
        """The quit line goes out; the server's goodbye and close end the link with status 0."""
        peer = self.endpoint.accept()
        peer.wire.clear()
        self.link.leave("/quit see you")
        self.assertEqual(peer.sent(), ["/quit see you"])
        self.assertEqual(self.statuses, [])
        peer.send({"type": "notice", "kind": "bye", "text": "Goodbye."})
        peer.close()
        self.assertEqual(self.statuses, [0])
        self.assertEqual(self.screen.take_notes()[1:], [])
        self.clock.advance(100)
        self.assertEqual(self.endpoint.attempts, [])

    def test_leave_gives_up_waiting(self) -> None:
        """A server that never closes is closed on after the grace period."""
        peer = self.endpoint.accept()
        self.link.leave()
        self.clock.advance(LEAVE_GRACE_SECONDS)
        self.assertTrue(peer.wire.disconnecting)

    def test_leave_while_retrying_ends_at_once(self) -> None:
        """With no connection, leaving stops the retries and ends at once."""
        self.endpoint.refuse()
        self.link.leave()
        self.assertEqual(self.statuses, [0])
        self.clock.advance(100)
        self.assertEqual(self.endpoint.attempts, [])

    def test_leave_while_connecting_ends(self) -> None:
        """Leaving during an attempt cancels it."""
        self.link.leave()
        self.assertEqual(self.statuses, [0])

    def test_typed_exit_answered_by_bye_is_no_loss(self) -> None:
        """A goodbye from the server means the close that follows is expected: no retry."""
        peer = self.endpoint.accept()
        self.link.send("exit")
        peer.send({"type": "notice", "kind": "bye", "text": "Goodbye."})
        peer.close()
        self.assertEqual(self.statuses, [0])


class PlainLinkTests(LinkTestCase):
    """A link for scripts does not retry: it ends with status 1 when the server is gone."""

    retry = False

    def test_unreachable_ends_with_1(self) -> None:
        """A refused connection is said and ends the link."""
        self.endpoint.refuse()
        self.assertEqual(
            self.screen.take_notes(), ["09:00 ~ Cannot reach chat.example port 5000 (connection refused)."]
        )
        self.assertEqual(self.statuses, [1])

    def test_failed_tls_handshake_ends_with_1(self) -> None:
        """A TLS check that fails is said as it is, never as a lost server, and ends the link."""
        self.endpoint.accept(tls=True).protocol.connectionLost(
            Failure(SSL.Error([("SSL routines", "", "wrong version number")]))
        )
        self.assertEqual(
            self.screen.take_notes(),
            ["09:00 ~ chat.example port 5000 does not speak TLS: is it the plain port?"],
        )
        self.assertEqual(self.statuses, [1])

    def test_a_connection_closed_before_chatd_spoke_is_one_line_and_ends_with_1(self) -> None:
        """A connection closed before the server's first line is said as that, not as a server connected and lost."""
        self.endpoint.accept().close()
        self.assertEqual(
            self.screen.take_notes(),
            ["09:00 ~ chat.example port 5000 ended the connection before chatd spoke (connection closed)."],
        )
        self.assertEqual(self.statuses, [1])

    def test_a_server_that_speaks_no_chatd_ends_with_1(self) -> None:
        """An IRC answer to the first line is said as such, never as a lost server, and ends the link."""
        peer = self.endpoint.accept()
        peer.send(":irc.example FAIL * INVALID_MESSAGE :That line is not an IRC message")
        peer.send(":irc.example FAIL * INVALID_MESSAGE :That line is not an IRC message")
        peer.close()
        self.assertEqual(
            self.screen.take_notes(),
            [
                "09:00 ~ chat.example port 5000 does not speak chatd's line protocol (it answered "
                '":irc.example FAIL * INVALID_MESSAGE :That line is not an IRC..."): is it the web or IRC port?'
            ],
        )
        self.assertEqual((self.screen.lines, self.statuses), ([], [1]))

    def test_lost_ends_with_1(self) -> None:
        """A server that goes away ends the link, and nothing is retried."""
        peer = self.endpoint.accept()
        peer.close()
        self.assertEqual(self.statuses, [1])
        self.clock.advance(100)
        self.assertEqual(self.endpoint.attempts, [])

    def test_leave_ends_with_0_after_the_close(self) -> None:
        """At the end of input the quit goes out and the link ends once the server has closed."""
        peer = self.endpoint.accept()
        peer.wire.clear()
        self.link.leave()
        self.assertEqual(peer.sent(), ["/quit"])
        peer.send({"type": "notice", "kind": "bye", "text": "Goodbye."})
        peer.close()
        self.assertEqual(self.statuses, [0])

    def test_leave_closes_after_grace(self) -> None:
        """A server that greeted and never answers the quit is closed on, and the link ends with 0 (one that never
        said a word is no chatd, and ends it with 1)."""
        peer = self.endpoint.accept()
        peer.send({"type": "notice", "kind": "welcome", "text": "Welcome to chatd."})
        self.link.leave()
        self.clock.advance(LEAVE_GRACE_SECONDS)
        self.assertTrue(peer.wire.disconnecting)
        peer.close()
        self.assertEqual(self.statuses, [0])
