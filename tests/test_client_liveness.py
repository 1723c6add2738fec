"""The client notices a stalled connection, comes back at once, and sends again what the drop lost.

The link of tests.test_client_connection on a fake endpoint, its time a ``Clock``.
"""

from chatd.client.comeback import BACK_TEXT
from chatd.client.liveness import ANSWER_SECONDS, PROBE, QUIET_SECONDS
from tests.test_client_connection import START, LinkTestCase, Peer


def pong(text: str) -> dict[str, str]:
    """The server's answer to ``/ping text``."""
    return {"type": "notice", "kind": "pong", "echo": text, "text": f"PONG {text}"}


def said(text: str, nick: str = "alice", room: str = "#lobby", history: bool = False) -> dict[str, object]:
    """A line said in ``room``, as the server sends it in JSON."""
    return {
        "type": "said",
        "at": START,
        "room": room,
        "seq": 1,
        "nick": nick,
        "text": text,
        "history": history,
    }


class LivenessTests(LinkTestCase):
    """alice in #lobby; the server goes quiet."""

    def named(self) -> Peer:
        peer = self.endpoint.accept()
        self.link.send("alice")
        peer.register()
        peer.sent()
        self.screen.take()
        self.screen.take_notes()
        return peer

    def test_a_quiet_server_is_asked_once_and_an_answer_is_not_shown(self) -> None:
        """After QUIET_SECONDS without a line the client sends its /ping, not before; its pong is not shown, and the
        connection stays."""
        peer = self.named()
        self.clock.advance(QUIET_SECONDS - 0.1)
        self.assertEqual(peer.sent(), [])
        self.clock.advance(0.1)
        self.assertEqual(peer.sent(), [PROBE])
        peer.send(pong("chatd-client-liveness"))
        self.clock.advance(ANSWER_SECONDS)
        self.assertEqual((peer.sent(), self.screen.take(), self.screen.take_notes()), ([], [], []))
        self.assertTrue(self.link.connected)

    def test_a_busy_chat_is_never_asked(self) -> None:
        """Lines from the server start the quiet afresh: no probe while they come."""
        peer = self.named()
        for _ in range(5):
            self.clock.advance(QUIET_SECONDS - 1)
            peer.send(said("still here", "bob"))
        self.assertEqual(peer.sent(), [])

    def test_no_answer_is_said_dropped_and_reconnected(self) -> None:
        """No line within ANSWER_SECONDS of the probe: the client says the connection is not answering, drops it and
        comes back, taking the old connection's place with its token."""
        peer = self.endpoint.accept()
        self.link.send("alice")
        peer.send(
            {"type": "notice", "kind": "nick", "nick": "alice", "token": "tok3n", "text": "You are alice."}
        )
        peer.join("#lobby")
        self.screen.take_notes()
        self.clock.advance(QUIET_SECONDS)
        self.clock.advance(ANSWER_SECONDS - 0.1)
        self.assertTrue(self.link.connected)
        self.clock.advance(0.1)
        self.assertTrue(peer.wire.disconnected)
        peer.close()
        self.assertEqual(
            self.screen.take_notes(),
            ["09:00 ~ The connection is not answering; reconnecting…", "09:00 ~ Reconnecting in 2.0 s."],
        )
        self.clock.advance(2)
        again = self.endpoint.accept()
        self.assertEqual(again.sent(), ["/format json", "/resume #lobby", "/takeover alice tok3n"])

    def test_commands_typed_since_the_server_last_answered_are_said_maybe_lost(self) -> None:
        """A command has no echo: those typed after the server's last line are counted when the stall is noticed."""
        peer = self.named()
        self.clock.advance(QUIET_SECONDS)
        self.link.send("/topic new")
        self.link.send("/away lunch")
        self.clock.advance(ANSWER_SECONDS)
        self.assertEqual(
            self.screen.take_notes()[1:2],
            [
                "09:00 ~ The 2 commands typed since the server last answered may not have reached it: type them again "
                "if nothing comes of them."
            ],
        )
        self.assertEqual(peer.sent()[-2:], ["/topic new", "/away lunch"])


class SendAgainTests(LinkTestCase):
    """alice says lines into a connection that stalled, and comes back."""

    def named(self) -> Peer:
        """alice's first connection, named."""
        peer = self.endpoint.accept()
        self.link.send("alice")
        peer.register()
        return peer

    def back(self, peer: Peer) -> Peer:
        """``peer`` closed, and alice on a new connection after the client's pause, named again, what it sent so far
        read."""
        peer.close()
        self.clock.advance(2)
        again = self.endpoint.accept()
        again.sent()
        again.register()
        return again

    def stalled(self, *typed: str) -> Peer:
        """alice named in #lobby, who typed ``typed`` after the server went quiet, back on a new connection and
        named again; the connection's later lines are returned."""
        peer = self.named()
        peer.send(said("seen before"))
        self.clock.advance(QUIET_SECONDS)
        for text in typed:
            self.link.send(text)
        self.clock.advance(ANSWER_SECONDS)
        again = self.back(peer)
        self.screen.take_notes()
        return again

    def test_lines_the_resume_does_not_show_are_sent_again_once(self) -> None:
        """Named again, the client asks a /ping whose answer comes after what was missed; the lines typed into the
        stalled connection that were not among it are then sent again, once, in the order typed."""
        peer = self.stalled("one", "/me waves", "two")
        self.assertEqual(peer.sent(), [f"/ping {BACK_TEXT}"])
        peer.send(said("one", history=True))
        peer.send(pong(BACK_TEXT))
        self.assertEqual(peer.sent(), ["/me waves", "two"])
        self.assertEqual(
            self.screen.take_notes(),
            ["09:00 ~ Sending again the 2 lines the dropped connection did not deliver."],
        )
        peer.send(pong(BACK_TEXT))
        self.assertEqual(peer.sent(), [])

    def test_attempts_closed_before_chatd_spoke_do_not_age_the_lines_a_stall_lost(self) -> None:
        """Connections closed before chatd's first line (a load balancer taking them while chatd is away) carried no
        line typed: those the stalled connection lost are sent again once back, however long the attempts took."""
        peer = self.named()
        peer.send(said("seen before"))
        self.clock.advance(QUIET_SECONDS)
        self.link.send("one")
        self.clock.advance(ANSWER_SECONDS)
        peer.close()
        for _ in range(4):
            self.clock.advance(20)
            self.endpoint.accept().close()
        self.clock.advance(20)
        again = self.endpoint.accept()
        again.sent()
        again.register()
        self.assertEqual(again.sent(), [f"/ping {BACK_TEXT}"])
        again.send(pong(BACK_TEXT))
        self.assertEqual(again.sent(), ["one"])

    def test_a_paste_shown_missed_is_not_sent_again(self) -> None:
        """Lines the server joined into one paste come back as one message: each of them counts as arrived."""
        peer = self.stalled("one", "two")
        peer.send(said("one\ntwo", history=True))
        peer.send(pong(BACK_TEXT))
        self.assertEqual(peer.sent(), [f"/ping {BACK_TEXT}"])

    def test_a_line_typed_once_back_is_not_sent_twice(self) -> None:
        """A line typed after coming back, whose echo comes after the pong, is no line of the dropped connection."""
        peer = self.stalled("one")
        self.link.send("fresh")
        peer.send(pong(BACK_TEXT))
        self.assertEqual(peer.sent(), [f"/ping {BACK_TEXT}", "fresh", "one"])

    def test_echoed_lines_are_not_sent_again(self) -> None:
        """Lines whose echo came before the stall are delivered: nothing is asked or sent on coming back."""
        peer = self.named()
        self.link.send("hello")
        peer.send(said("hello"))
        self.assertEqual(self.back(peer).sent(), [])

    def test_a_line_refused_long_before_the_drop_is_not_sent_again(self) -> None:
        """A line with no echo (the server refused it) a minute before the stall is no line the stall lost."""
        peer = self.named()
        self.link.send("refused long ago")
        peer.send(said("others talk"))
        self.clock.advance(60)
        peer.send(said("still talking"))
        self.clock.advance(QUIET_SECONDS + ANSWER_SECONDS)
        self.assertEqual(self.back(peer).sent(), [])
