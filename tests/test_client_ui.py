"""The interactive client on a terminal emulator: the input line, editing, history, leaving.

The ``ChatTerminal`` runs under conch's insults ``ServerProtocol`` over a
``StringTransport``; its output is fed to pyte, a terminal emulator, so the
tests read the screen a person would see, rows and cursor included.
"""

from datetime import UTC

import pyte
from twisted.conch.insults.insults import ServerProtocol
from twisted.internet.error import ConnectionLost
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from chatd.client.connection import Link
from chatd.client.presence import Presence
from chatd.client.reach import Server
from chatd.client.ui import ChatTerminal, is_leaving
from tests.test_client_connection import START, FakeEndpoint, Peer

WIDTH, HEIGHT = 40, 10

UP, LEFT, HOME = b"\x1b[A", b"\x1b[D", b"\x1b[H"


def said(nick: str, text: str, room: str = "#lobby") -> dict[str, object]:
    return {"type": "said", "at": START, "room": room, "nick": nick, "text": text}


class TerminalTestCase(SynchronousTestCase):
    """A ChatTerminal on a 40x10 emulated screen, linked to a fake server."""

    def setUp(self) -> None:
        self.clock = Clock()
        self.clock.advance(START)
        self.endpoint = FakeEndpoint()
        self.link = Link(
            self.endpoint,
            self.clock,
            Presence(),
            Server("chat.example", 5000),
            policy=lambda attempt: 1.0,
            zone=UTC,
        )
        self.size = (WIDTH, HEIGHT)
        self.ui = ChatTerminal(self.link, colour=False, measure=lambda: self.size)
        self.tty = StringTransport()
        ServerProtocol(lambda: self.ui).makeConnection(self.tty)
        self.statuses: list[int] = []
        self.link.start(self.ui).addCallback(self.ui.close)
        self.ui.ended.addCallback(self.statuses.append)
        self.screen = pyte.Screen(WIDTH, HEIGHT)
        self.stream = pyte.ByteStream(self.screen)

    def type(self, data: bytes) -> None:
        """Keys as the terminal sends them."""
        self.ui.terminal.dataReceived(data)

    def rows(self) -> list[str]:
        """The screen now, each row without trailing blanks, blank rows at the end dropped."""
        self.stream.feed(self.tty.value())
        self.tty.clear()
        rows = [row.rstrip() for row in self.screen.display]
        while rows and not rows[-1]:
            rows.pop()
        return rows

    def input_row(self) -> str:
        """The row the cursor is on: the input line."""
        self.rows()
        return self.screen.display[self.screen.cursor.y].rstrip()

    def online(self) -> Peer:
        """Connected and registered as alice in #lobby; the screen is read."""
        peer = self.endpoint.accept()
        peer.send({"type": "notice", "kind": "format", "text": "Lines are now json."})
        self.type(b"alice\r")
        peer.register()
        peer.sent()
        self.rows()
        return peer


class InputLineTests(TerminalTestCase):
    """What is being typed stays whole on its own line."""

    def test_half_line_intact_while_a_message_arrives(self) -> None:
        """A line arriving mid-typing prints above the input line, which keeps its text and cursor."""
        peer = self.online()
        self.type(b"half a li")
        peer.send(said("bob", "hello alice"))
        rows = self.rows()
        self.assertEqual(rows[-2:], ["09:00   #lobby <bob> hello alice", "#lobby> half a li"])
        self.assertEqual(self.screen.cursor.y, len(rows) - 1)
        self.assertEqual(self.screen.cursor.x, len("#lobby> half a li"))
        self.type(b"ne\r")
        self.assertEqual(peer.sent(), ["half a line"])
        self.assertEqual(self.input_row(), "#lobby>")

    def test_many_lines_scroll_the_screen_not_the_input(self) -> None:
        """More lines than rows scroll up; the input line stays last, intact."""
        peer = self.online()
        self.type(b"typing")
        for number in range(HEIGHT * 2):
            peer.send(said("bob", f"line {number}"))
        rows = self.rows()
        self.assertEqual(len(rows), HEIGHT)
        self.assertEqual(rows[-2:], [f"09:00   #lobby <bob> line {HEIGHT * 2 - 1}", "#lobby> typing"])

    def test_prompt_shows_where_lines_go(self) -> None:
        """Offline, still so while the connection is up but the server's first line has not shown chatd, then asked
        for a nickname, then the current room."""
        self.assertEqual(self.input_row(), "(offline)>")
        peer = self.endpoint.accept()
        self.assertEqual(self.input_row(), "(offline)>")
        peer.send("*** Welcome to chatd 0.1.0 on chat.example. Type /help for help.")
        self.assertEqual(self.input_row(), "nickname>")
        self.type(b"alice\r")
        peer.register()
        self.assertEqual(self.input_row(), "#lobby>")
        peer.join("#dev")
        self.assertEqual(self.input_row(), "#dev>")

    def test_bell_rung_for_private_message(self) -> None:
        """A private message to the user writes BEL; a room line not naming the user does not."""
        peer = self.online()
        peer.send(said("bob", "hi all"))
        self.assertNotIn(b"\x07", self.tty.value())
        peer.send({"type": "whispered", "at": START, "nick": "bob", "to": "alice", "text": "psst"})
        self.assertIn(b"\x07", self.tty.value())

    def test_long_line_scrolls_sideways(self) -> None:
        """A line wider than the terminal shows its end around the cursor, never wrapping."""
        self.online()
        text = "".join(str(n % 10) for n in range(60))
        self.type(text.encode())
        row = self.input_row()
        self.assertEqual(len(row), WIDTH - 1)
        self.assertTrue(row.startswith("#lobby> "))
        self.assertTrue(text.endswith(row.removeprefix("#lobby> ")))
        self.assertEqual(self.screen.cursor.x, WIDTH - 1)
        self.type(HOME)
        self.assertEqual(self.input_row(), "#lobby> " + text[: WIDTH - 1 - len("#lobby> ")])
        self.assertEqual(self.screen.cursor.x, len("#lobby> "))

    def test_resize_redraws_for_the_new_width(self) -> None:
        """After the terminal narrows the line scrolls to fit; once it widens again, all of it shows."""
        self.online()
        text = "".join(chr(ord("a") + n % 26) for n in range(30))
        self.type(text.encode())
        self.size = (20, HEIGHT)
        self.ui.resized()
        self.assertEqual(self.ui.width, 20)
        self.assertEqual(self.input_row()[:20], "#lobby> " + text[-11:])
        self.assertEqual(self.screen.cursor.x, 19)
        self.size = (WIDTH, HEIGHT)
        self.ui.resized()
        self.assertEqual(self.input_row(), "#lobby> " + text)
        self.assertEqual(self.screen.cursor.x, len("#lobby> ") + 30)


class EditingTests(TerminalTestCase):
    """Editing keys, UTF-8 and history."""

    def test_utf8_typed_a_byte_at_a_time(self) -> None:
        """Multi-byte characters typed in pieces are whole characters, wide ones two columns."""
        peer = self.online()
        for byte in "é日本".encode():
            self.type(bytes([byte]))
        self.assertEqual(self.input_row(), "#lobby> é日本")
        self.assertEqual(self.screen.cursor.x, len("#lobby> ") + 1 + 2 + 2)
        self.type(LEFT)
        self.stream.feed(self.tty.value())
        self.tty.clear()
        self.assertEqual(self.screen.cursor.x, len("#lobby> ") + 1 + 2)
        self.type(b"x")
        self.type(b"\r")
        self.assertEqual(peer.sent(), ["é日x本"])

    def test_history_recalls_unicode_lines(self) -> None:
        """Up brings back earlier lines, multi-byte characters intact."""
        peer = self.online()
        self.type("grüße\r".encode())
        self.type(b"second\r")
        self.type(UP + UP)
        self.assertEqual(self.input_row(), "#lobby> grüße")
        self.type(b"\r")
        self.assertEqual(peer.sent(), ["grüße", "second", "grüße"])

    def test_shell_editing_keys(self) -> None:
        """Ctrl-A, Ctrl-E, Ctrl-W, Ctrl-U and Ctrl-K edit as in a shell."""
        self.online()
        self.type(b"one two three")
        self.type(b"\x17")
        self.assertEqual(self.input_row(), "#lobby> one two")
        self.type(b"\x01\x0b")
        self.assertEqual(self.input_row(), "#lobby>")
        self.type(b"abc\x05d\x15")
        self.assertEqual(self.input_row(), "#lobby>")

    def test_tab_pads_to_the_next_stop(self) -> None:
        """A pasted tab becomes spaces to the next multiple of four, as in RecvLine."""
        peer = self.online()
        self.type(b"a\tb\t\tc\r")
        self.assertEqual(peer.sent(), ["a   b       c"])

    def test_control_characters_never_enter_the_line(self) -> None:
        """Keys that are control characters or unknown sequences add nothing to the line."""
        peer = self.online()
        self.type(b"a\x00\x1b[99~\x1f\xc2\x9bb\r")
        self.assertEqual(peer.sent(), ["ab"])

    def test_line_typed_offline_kept_in_history(self) -> None:
        """Offline, a line is not sent; the client says so, and Up brings it back."""
        self.type(b"hello\r")
        self.assertEqual(
            self.rows()[-3:],
            ["09:00 ~ Not connected, so that line was", "not sent; Up brings it back.", "(offline)>"],
        )
        self.type(UP)
        self.assertEqual(self.input_row(), "(offline)> hello")


class LeavingTests(TerminalTestCase):
    """exit asks first; Ctrl-C and Ctrl-D leave; the terminal is left as it was."""

    def test_exit_asks_and_no_stays(self) -> None:
        """exit asks "Leave chatd?"; any answer but y or yes stays, and nothing is sent."""
        peer = self.online()
        self.type(b"exit\r")
        self.assertEqual(self.input_row(), "Leave chatd? (y/n)")
        self.type(b"n\r")
        self.assertEqual(self.input_row(), "#lobby>")
        self.assertEqual(peer.sent(), [])

    def test_exit_yes_quits_and_restores_the_screen(self) -> None:
        """yes sends /quit; after the server's goodbye the input line is cleared and stdio closed, no reset."""
        peer = self.online()
        self.type(b"EXIT\r")
        self.type(b"Yes\r")
        self.assertEqual(peer.sent(), ["/quit"])
        peer.send({"type": "notice", "kind": "bye", "text": "Goodbye."})
        peer.close()
        self.assertEqual(self.rows()[-1], "09:00 * Goodbye.")
        self.assertEqual(self.screen.cursor.x, 0)
        self.assertTrue(self.tty.disconnecting)
        self.ui.terminal.connectionLost(Failure(ConnectionLost()))
        self.assertEqual(self.statuses, [0])

    def test_no_terminal_reset_ever(self) -> None:
        """The client never sends a full reset (ESC c), which would wipe the conversation."""
        peer = self.online()
        self.type(b"\x03")
        peer.close()
        self.assertNotIn(b"\x1bc", self.tty.value())

    def test_quit_with_reason_sent_as_typed(self) -> None:
        """/quit with a reason asks too, and sends the reason."""
        peer = self.online()
        self.type(b"/quit see you\ry\r")
        self.assertEqual(peer.sent(), ["/quit see you"])

    def test_ctrl_c_leaves_at_once(self) -> None:
        """Ctrl-C (a key in raw mode) quits without asking."""
        peer = self.online()
        self.type(b"half\x03")
        self.assertEqual(peer.sent(), ["/quit"])

    def test_ctrl_d_deletes_then_leaves(self) -> None:
        """Ctrl-D inside a line deletes the character under the cursor; on an empty line it leaves."""
        peer = self.online()
        self.type(b"ab" + LEFT + b"\x04")
        self.assertEqual(self.input_row(), "#lobby> a")
        self.assertEqual(peer.sent(), [])
        self.type(b"\x7f\x04")
        self.assertEqual(peer.sent(), ["/quit"])

    def test_exit_while_offline_ends_at_once(self) -> None:
        """With no server, yes ends the client at once."""
        self.type(b"exit\ry\r")
        self.assertTrue(self.tty.disconnecting)

    def test_hang_up_leaves(self) -> None:
        """If the terminal goes away, the client quits the chat."""
        peer = self.online()
        self.ui.terminal.connectionLost(Failure(ConnectionLost()))
        self.assertEqual(peer.sent(), ["/quit"])
        peer.close()
        self.assertEqual(self.statuses, [0])


class LeavingWordsTests(SynchronousTestCase):
    """Which typed lines ask before leaving."""

    def test_is_leaving(self) -> None:
        """exit, quit (any case, alone) and /quit leave; other lines do not."""
        for text in ("exit", " QUIT ", "/quit", "/QUIT bye"):
            self.assertTrue(is_leaving(text), text)
        for text in ("exit now", "/quitter", "hello", ""):
            self.assertFalse(is_leaving(text), text)
