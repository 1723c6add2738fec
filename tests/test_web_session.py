"""The browser's WebSocket: the line protocol's JSON form, a message a line, with its own limits."""

import gc
import json
import socket
import weakref

from twisted.internet.address import IPv4Address
from twisted.internet.testing import EventLoggingObserver, StringTransport
from twisted.logger import LogLevel, globalLogPublisher
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Ping,
    Pong,
    RejectConnection,
    RejectData,
    TextMessage,
)

from chatd.frontend.websocket import WebConnection
from chatd.line.limits import LineLimits
from chatd.line.web_session import PING_SECONDS
from tests.web import WebClient, WebTestCase


class UpgradeTests(WebTestCase):
    origins = ("https://chat.example.org",)

    def test_socket_greets_in_json_from_the_first_frame(self) -> None:
        """The upgrade is accepted and the welcome, the MOTD and the prompt follow, one JSON object a frame."""
        client = self.open()
        self.assertIsInstance(client.upgrade()[0], AcceptConnection)
        self.assertEqual(
            client.objects(),
            [
                {
                    "type": "notice",
                    "kind": "welcome",
                    "server": "testhost",
                    "version": "0.1.0",
                    "text": "Welcome to chatd 0.1.0 on testhost. Type /help for help.",
                },
                {"type": "notice", "kind": "motd", "text": "Be kind."},
                {"type": "notice", "kind": "prompt", "text": "Choose a nickname:"},
            ],
        )

    def test_a_service_nickname_is_refused_and_asked_again(self) -> None:
        """The page's user choosing NickServ reads why not, and is asked for another nickname."""
        client = self.open()
        client.upgrade()
        client.objects()
        client.send("NickServ")
        self.assertEqual(
            client.objects(),
            [
                {
                    "type": "error",
                    "code": "nick-reserved",
                    "text": "NickServ is reserved for IRC services; choose another nickname",
                },
                {"type": "notice", "kind": "prompt", "text": "Choose a nickname:"},
            ],
        )

    def test_upgraded_socket_keeps_no_http_channel(self) -> None:
        """Once upgraded, the HTTP channel and its request are let go: a socket holds only what it reads with."""
        client = self.open()
        channel = weakref.ref(client.connection.wrappedProtocol)
        client.upgrade()
        client.send("alice")
        self.assertEqual(client.kinds()[-1], "history_end")
        gc.collect()
        self.assertIsNone(channel())

    def test_page_from_another_origin_is_refused_before_the_upgrade(self) -> None:
        """A page of another site gets 403 and one ERR line; no session starts."""
        client = self.open()
        events = client.upgrade(origin="http://evil.example")
        self.assertIsInstance(events[0], RejectConnection)
        self.assertEqual(events[0].status_code, 403)  # type: ignore[attr-defined]
        body = b"".join(bytes(event.data) for event in events if isinstance(event, RejectData))
        self.assertEqual(body, b"ERR bad-origin pages from that origin may not open this chat\r\n")
        self.assertFalse(client.connection.session.upgraded)

    def test_a_request_that_asks_no_upgrade_wsproto_takes_is_refused_quietly(self) -> None:
        """Without Sec-WebSocket-Key, with one that is not base64 of 16 bytes (RFC 6455, 4.2.1: not ASCII, or
        short), with a subprotocol that is not ASCII, with an Origin no URL has, or by HEAD: 400, 400, 400, 400,
        403 and 405, and nothing in the log.

        Twisted logged each request without a key at error level (a line a
        request, from anyone), and the others were a 500 with a critical
        traceback each.
        """
        # Twisted annotates this for trial's TestCase, but any addCleanup will do.
        logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]
        upgrade = b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        key = b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        for method, extra, status in (
            (b"GET", upgrade, 400),
            (b"GET", upgrade + b"Sec-WebSocket-Key: \xff\xfe\r\n", 400),
            (b"GET", upgrade + b"Sec-WebSocket-Key: c2hvcnQ=\r\n", 400),
            (b"GET", upgrade + key + b"Sec-WebSocket-Protocol: \xff\r\n", 400),
            (b"GET", upgrade + key + b"Origin: http://[::1\r\n", 403),
            (b"HEAD", b"", 405),
        ):
            client = self.open()
            client.connection.dataReceived(
                method + b" /ws HTTP/1.1\r\nHost: chat.test:8080\r\n" + extra + b"\r\n"
            )
            self.end_pass()
            self.assertTrue(client.wire.value().startswith(b"HTTP/1.1 %d " % status), (method, extra))
            self.assertFalse(client.connection.session.upgraded)
        self.assertEqual([event["log_format"] for event in logged if event["log_level"] >= LogLevel.warn], [])

    def test_allowed_origins_are_the_pages_own_and_the_listed_ones(self) -> None:
        """The page's own origin (its host and port), a --web-origin, and a program's request without Origin get in."""
        for origin in ("http://chat.test:8080", "https://CHAT.test:8080", "https://chat.example.org", None):
            events = self.open().upgrade(origin=origin)
            self.assertIsInstance(events[0], AcceptConnection, origin)
        for origin in ("http://chat.test", "http://chat.test:8081", "https://chat.example.org:444", "null"):
            events = self.open().upgrade(origin=origin)
            self.assertIsInstance(events[0], RejectConnection, origin)


class TalkTests(WebTestCase):
    def test_browser_and_nc_users_talk_in_one_room(self) -> None:
        """A line from the browser reaches nc as text; nc's reaches the browser as JSON."""
        alice = self.browser("alice")
        _, bob_wire = self.connect(b"bob")
        alice.objects()
        alice.send("hello bob")
        self.assertEqual(self.lines(bob_wire), [b"[00:00] #lobby <alice> hello bob"])
        said = alice.objects()
        self.assertEqual([(item["type"], item["text"]) for item in said], [("said", "hello bob")])
        self.factory.connections.live.pop().dataReceived(b"hi alice\n")
        self.assertEqual(
            [(item["type"], item["nick"], item["text"]) for item in alice.objects()],
            [("said", "bob", "hi alice")],
        )

    def test_one_frame_goes_to_every_socket(self) -> None:
        """Every browser in the room is sent the very same frame bytes for a line."""
        alice = self.browser("alice")
        bob = self.browser("bob")
        carol = self.browser("carol")
        for client in (alice, bob, carol):
            client.events()
        alice.send("one frame")
        self.end_pass()
        frames = {bob.wire.value(), carol.wire.value()}
        self.assertEqual(len(frames), 1)
        frame = frames.pop()
        self.assertEqual(frame[0], 0x81)
        self.assertEqual(json.loads(frame[2:])["text"], "one frame")

    def test_the_page_is_sent_nothing_of_someone_going_away(self) -> None:
        """The chat tells a browser's user their roommate is away (IRC's away-notify); the socket is sent
        nothing of it, as before: only the one who went away gets the answer to /away."""
        alice = self.browser("alice")
        bob = self.browser("bob")
        alice.objects()
        bob.objects()
        bob.send("/away lunch")
        self.assertEqual([item.get("kind") for item in bob.objects()], ["away"])
        self.assertEqual(alice.objects(), [])

    def test_lines_of_one_message_are_one_paste(self) -> None:
        """A message of several lines is said as one paste, as lines arriving together from nc are."""
        alice = self.browser("alice")
        bob = self.browser("bob")
        alice.objects()
        bob.objects()
        alice.send("first\nsecond\r\nthird")
        self.assertEqual([item["text"] for item in bob.objects()], ["first\nsecond\nthird"])

    def test_commands_run_as_on_the_line_protocol(self) -> None:
        """A message holding a command runs it: /join, then a line to the room joined."""
        alice = self.browser("alice")
        alice.objects()
        alice.send("/join #dev")
        self.assertEqual(alice.kinds(), ["joined", "members", "history_end"])
        alice.send("here")
        self.assertEqual([(item["room"], item["text"]) for item in alice.objects()], [("#dev", "here")])

    def test_closing_the_tab_quits_and_frees_the_place(self) -> None:
        """A socket that drops takes its user off the chat and its connection off the count."""
        alice = self.browser("alice")
        bob = self.browser("bob")
        bob.objects()
        self.assertEqual(self.admission.open, 2)
        alice.wire.loseConnection()
        alice.connection.connectionLost()
        quits = bob.objects()
        self.assertEqual([(item["type"], item["nick"]) for item in quits], [("quit", "alice")])
        self.assertEqual(self.admission.open, 1)
        self.assertNotIn(alice.connection.session, self.web.connections.live)

    def test_quit_ends_with_a_close_frame(self) -> None:
        """/quit says goodbye in JSON, then closes the socket with code 1000."""
        alice = self.browser("alice")
        alice.send("/quit")
        events = alice.events()
        self.assertEqual(json.loads(events[0].data)["kind"], "bye")  # type: ignore[attr-defined]
        self.assertEqual(events[-1], CloseConnection(1000, "closing"))
        self.assertTrue(alice.wire.disconnecting)


class ClientCloseTests(WebTestCase):
    def test_nothing_follows_the_answer_to_a_clients_close(self) -> None:
        """Once the client's close frame is answered, the session sends nothing more, though the room talks on."""
        alice = self.browser("alice")
        bob = self.browser("bob")
        alice.objects()
        bob.objects()
        alice.connection.dataReceived(alice.ws.send(CloseConnection(1000)))
        self.assertIsInstance(alice.events()[-1], CloseConnection)
        self.assertTrue(alice.wire.disconnecting)
        bob.send("anyone there?")
        self.clock.advance(0)
        self.assertEqual(alice.wire.value(), b"")
        self.assertEqual([item["text"] for item in bob.objects()], ["anyone there?"])


class LimitTests(WebTestCase):
    limits = LineLimits(max_line=20, paste_lines=3)

    def test_message_over_the_limit_is_refused_whole_and_the_session_goes_on(self) -> None:
        """A message longer than a paste of the longest lines is refused with one error; the next is taken."""
        alice = self.browser("alice")
        bob = self.browser("bob")
        alice.objects()
        bob.objects()
        alice.send("x" * 67)
        self.assertEqual(
            alice.objects(),
            [
                {
                    "type": "error",
                    "code": "message-too-big",
                    "text": "messages are at most 66 bytes; that one was not sent",
                }
            ],
        )
        self.assertEqual(bob.objects(), [])
        alice.send("x" * 66)
        self.assertEqual(alice.kinds(), ["line-too-long"])
        alice.send("still here")
        self.assertEqual([item["text"] for item in bob.objects()], ["still here"])

    def test_unfinished_message_past_the_limit_closes_with_1009(self) -> None:
        """Frames of one message that never ends, past the limit, close the socket (Twisted would keep them all)."""
        alice = self.browser("alice")
        alice.objects()
        alice.connection.dataReceived(alice.ws.send(TextMessage("y" * 60, message_finished=False)))
        self.assertEqual(alice.events(), [])
        alice.connection.dataReceived(alice.ws.send(TextMessage("y" * 30, message_finished=False)))
        events = alice.events()
        self.assertEqual(json.loads(events[0].data)["code"], "message-too-big")  # type: ignore[attr-defined]
        self.assertEqual(events[-1], CloseConnection(1009, "message too big"))

    def test_whole_messages_arriving_in_one_read_are_each_within_the_limit(self) -> None:
        """Five whole messages in one read, together past the limit, are five messages, not one too long (issue 16)."""
        alice = self.browser("alice")
        bob = self.browser("bob")
        alice.objects()
        bob.objects()
        lines = [f"line {n} " + "z" * 12 for n in range(5)]
        alice.connection.dataReceived(b"".join(alice.ws.send(TextMessage(line)) for line in lines))
        self.assertEqual([item["text"] for item in bob.objects()], lines)
        self.assertFalse(alice.wire.disconnecting)
        alice.connection.dataReceived(alice.ws.send(TextMessage("y" * 60, message_finished=False)))
        alice.connection.dataReceived(alice.ws.send(TextMessage("y" * 30, message_finished=False)))
        self.assertEqual(alice.events()[-1].code, 1009)  # type: ignore[attr-defined]

    def test_pings_on_a_quiet_socket_are_answered_and_never_add_up_to_a_message(self) -> None:
        """A program that pings within its budget and never says a line stays, however many pings: each is
        answered, none counts towards a message."""
        alice = self.browser("alice")
        bob = self.browser("bob")
        alice.objects()
        bob.objects()
        for _ in range(50):  # 10 bytes each: the limit on an unfinished message (80) is passed after 8
            self.clock.advance(0.5)  # a line's worth of budget: each ping costs one
            alice.connection.dataReceived(alice.ws.send(Ping(b"abcd")))
            self.assertEqual(alice.events(), [Pong(b"abcd")])
        self.assertFalse(alice.wire.disconnecting)
        alice.send("still here")
        self.assertEqual([item["text"] for item in bob.objects()], ["still here"])
        alice.connection.dataReceived(alice.ws.send(TextMessage("y" * 60, message_finished=False)))
        alice.connection.dataReceived(alice.ws.send(TextMessage("y" * 30, message_finished=False)))
        self.assertEqual(alice.events()[-1].code, 1009)  # type: ignore[attr-defined]

    def test_pings_between_fragments_leave_the_fragments_counted(self) -> None:
        """Pings between the fragments of a message that never ends take off their own bytes, not the fragments'."""
        alice = self.browser("alice")
        alice.objects()
        alice.connection.dataReceived(alice.ws.send(TextMessage("y" * 60, message_finished=False)))
        for _ in range(5):
            alice.connection.dataReceived(alice.ws.send(Ping(b"abcd")))
        self.assertEqual(alice.events(), [Pong(b"abcd")] * 5)
        alice.connection.dataReceived(alice.ws.send(TextMessage("y" * 30, message_finished=False)))
        self.assertEqual(alice.events()[-1].code, 1009)  # type: ignore[attr-defined]

    def test_text_that_is_not_utf8_fails_the_socket_as_the_rfc_requires(self) -> None:
        """A text message of invalid UTF-8 closes the socket with 1007 (RFC 6455 section 8.1); the user quits."""
        alice = self.browser("alice")
        _, bob_wire = self.connect(b"bob")
        alice.objects()
        # FIN and text, masked with a zero key, one byte: 0xff is no UTF-8.
        alice.connection.dataReceived(b"\x81\x81\x00\x00\x00\x00\xff")
        events = alice.events()
        self.assertEqual(events[-1], CloseConnection(1007, "invalid UTF-8"))
        self.assertTrue(alice.wire.disconnecting)
        alice.connection.connectionLost()
        self.assertEqual(self.lines(bob_wire), [b"[00:00] -- alice quit (connection closed)"])

    def test_a_frame_breaking_the_protocol_is_closed_1002_in_a_reason_of_ours(self) -> None:
        """An unmasked frame from a client closes the socket with 1002 and chatd's short reason, not the parser's
        wording of what it found."""
        alice = self.browser("alice")
        alice.objects()
        alice.connection.dataReceived(b"\x81\x01a")
        self.assertEqual(alice.events()[-1], CloseConnection(1002, "protocol error"))

    def test_a_clients_close_is_answered_with_its_code_and_our_reason(self) -> None:
        """A client's close is answered with its code, and not with its own words echoed back: chatd's reason for a
        code it knows, none for one it does not."""
        alice = self.browser("alice")
        alice.objects()
        alice.connection.dataReceived(alice.ws.send(CloseConnection(4000, "\u202etxet")))
        self.assertEqual(alice.events()[-1], CloseConnection(4000, ""))

    def test_binary_message_is_refused(self) -> None:
        """A binary message is no line: one error, and the session goes on."""
        alice = self.browser("alice")
        alice.objects()
        alice.connection.dataReceived(alice.ws.send(BytesMessage(b"\x00\x01")))
        self.assertEqual(alice.kinds(), ["binary-message"])
        alice.send("/time")
        self.assertEqual(alice.kinds(), ["server_time"])


class SocketBudgetTests(WebTestCase):
    def test_a_socket_has_the_flood_burst_not_a_page_loads(self) -> None:
        """While HTTP a connection may make a page load's requests at once; once a socket, --flood-burst lines (10): the
        nickname and nine more lines are within it, one more is past it."""
        alice = self.browser("alice")
        for number in range(9):
            alice.send(f"/away {number}")
        self.assertNotIn("flood", alice.kinds())
        alice.send("/away 9")
        self.assertIn("flood", alice.kinds())

    def test_an_empty_message_costs_a_line(self) -> None:
        """An empty message, or CR LF alone, is a blank line, and costs a line as an nc user's blank line does (and
        as IRC's empty messages do): the nickname and nine of them are the burst, the next line is past it."""
        alice = self.browser("alice")
        for number in range(9):
            alice.send("" if number % 2 else "\r\n")
        self.assertNotIn("flood", alice.kinds())
        alice.send("/away 9")
        self.assertIn("flood", alice.kinds())


class ControlFrameBudgetTests(WebTestCase):
    """Pings and pongs cost a line each, and frames past the budget wait unread, as an nc user's lines do."""

    def test_a_read_of_a_thousand_pings_is_answered_at_the_budgets_pace_then_cut_off(self) -> None:
        """A thousand pings in one read (6 KB, within the byte budget's burst) get the budget's pongs, ten, with the
        flood notice; the rest wait for the budget and come at its pace, two a second, until the socket, over its
        budget all along, is cut off for flooding.

        Each answered for its 6 bytes alone, a socket kept up 680 pings a
        second, and every frame of a 64 KiB read (11,000 of them) was parsed
        at once: twenty such sockets held everyone's lines back by seconds.
        """
        alice = self.browser("alice")
        alice.objects()
        alice.connection.dataReceived(b"".join(alice.ws.send(Ping(b"")) for _ in range(1000)))
        events = alice.events()
        self.assertLessEqual(len([event for event in events if isinstance(event, Pong)]), 10)
        notices = [json.loads(event.data).get("kind") for event in events if isinstance(event, TextMessage)]
        self.assertIn("flood", notices)
        for _ in range(60):
            self.clock.advance(1)
        later = alice.events()
        self.assertLessEqual(len([event for event in later if isinstance(event, Pong)]), 60 * 2)
        self.assertEqual(json.loads(later[-2].data)["code"], "flood")  # type: ignore[attr-defined]
        self.assertTrue(alice.wire.disconnecting)

    def test_pongs_nobody_asked_for_cost_a_line_each(self) -> None:
        """A read of a thousand pongs is told it floods, and a line after them waits its turn behind them."""
        alice = self.browser("alice")
        alice.objects()
        alice.connection.dataReceived(
            b"".join(alice.ws.send(Pong(b"")) for _ in range(1000)) + alice.ws.send(TextMessage("/time"))
        )
        self.assertEqual(alice.kinds(), ["flood"])
        for _ in range(10):
            self.clock.advance(1)
        self.assertNotIn("server_time", alice.kinds())


class PingTests(WebTestCase):
    def test_socket_that_answers_pings_stays(self) -> None:
        """Every 30 s the socket is pinged; one that answers is pinged again, not closed."""
        alice = self.browser("alice")
        alice.events()
        for _ in range(3):
            self.clock.advance(PING_SECONDS)
            events = alice.events()
            self.assertEqual([type(event) for event in events], [Ping])
            alice.connection.dataReceived(alice.ws.send(events[0].response()))  # type: ignore[attr-defined]
        self.assertFalse(alice.wire.disconnecting)

    def test_socket_that_does_not_answer_is_closed_at_the_next_ping(self) -> None:
        """A ping unanswered by the next is a dead socket: it is closed and its user quits."""
        alice = self.browser("alice")
        _, bob_wire = self.connect(b"bob")
        alice.events()
        self.clock.advance(PING_SECONDS)
        self.assertEqual([type(event) for event in alice.events()], [Ping])
        self.clock.advance(PING_SECONDS - 1)
        self.assertFalse(alice.wire.disconnecting)
        self.clock.advance(1)
        self.assertEqual(alice.kinds(), ["ping-timeout"])
        self.assertTrue(alice.wire.disconnecting)
        alice.connection.connectionLost()
        self.assertEqual(self.lines(bob_wire), [b"[00:01] -- alice quit (ping timeout)"])


class ShutdownTests(WebTestCase):
    def test_sockets_hear_the_goodbye_and_http_connections_are_dropped(self) -> None:
        """At shutdown a socket is told, then closed with 1000; a plain HTTP connection is dropped at once."""
        alice = self.browser("alice")
        page = self.open()
        alice.objects()
        done = self.web.shutdown()
        events = alice.events()
        self.assertEqual(json.loads(events[0].data)["kind"], "shutdown")  # type: ignore[attr-defined]
        self.assertEqual(events[-1].code, 1000)  # type: ignore[attr-defined]
        self.assertTrue(page.wire.disconnecting)
        self.assertNoResult(done)
        for client in (alice, page):
            client.connection.connectionLost()
        self.successResultOf(done)
        self.assertEqual(self.admission.open, 0)


class _Accepted(StringTransport):
    """A connection as Twisted's ``tcp.Server`` shows one: its socket (``getHandle``) and its listener (``server``)."""

    def __init__(self, server: object, handle: socket.socket) -> None:
        super().__init__(peerAddress=IPv4Address("TCP", "127.0.0.1", 40000))
        self.server = server
        self._handle = handle

    def getHandle(self) -> socket.socket:  # noqa: N802 - Twisted's name
        return self._handle


class TuningTests(WebTestCase):
    def test_a_socket_is_tuned_as_it_is_accepted_and_not_again_as_it_upgrades(self) -> None:
        """A connection whose listener could not pass its settings on is tuned once, as it is accepted: its upgrade
        to a WebSocket makes none again. The session it was handed to tuned it a second time, a system call a
        setting, all but the send buffer already made."""
        # A listener whose socket Twisted does not show: each of its connections is tuned on its own.
        listener = object()
        self.web.tuning.listening(listener)  # type: ignore[arg-type]
        handle = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(handle.close)
        connection = self.web.buildProtocol(IPv4Address("TCP", "127.0.0.1", 40000))
        assert isinstance(connection, WebConnection), connection
        wire = _Accepted(listener, handle)
        connection.makeConnection(wire)
        self.assertEqual(handle.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE), self.limits.keepalive)
        # Changed after the accept's tuning: a second tuning would set it back.
        handle.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 77)
        client = WebClient(self, connection, wire)
        self.assertIsInstance(client.upgrade()[0], AcceptConnection)
        self.assertEqual(client.kinds(), ["welcome", "motd", "prompt"])
        self.assertEqual(handle.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE), 77)
