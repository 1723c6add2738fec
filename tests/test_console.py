"""The host's console: the daemon's terminal as a front end, through StringTransport."""

from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure

from chatd.domain.storage_ports import History
from chatd.line.console import Console
from tests.helpers import LineTestCase
from tests.test_line_history import LaterHistory


class ConsoleTestCase(LineTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.console, self.terminal = self.start_console()

    def start_console(self, nick: str = "host") -> tuple[Console, StringTransport]:
        console = Console(self.chat, nick, "#lobby", self.limits.max_line)
        terminal = StringTransport()
        console.makeConnection(terminal)
        return console, terminal


class ConsoleTests(ConsoleTestCase):
    def test_host_is_an_operator_in_the_default_room(self) -> None:
        """At start the host is named, in the default room, and an operator without a password."""
        self.assertEqual(
            self.lines(self.terminal),
            [
                b"*** You are host.",
                b"[00:00] #lobby -- host joined",
                b"*** In #lobby (1): host",
                b"*** You are an operator: this is the daemon's own terminal.",
            ],
        )
        self.assertTrue(self.console.me().operator)

    def test_plain_line_is_said_as_the_host(self) -> None:
        """A line typed on the console reaches the room as the host's message, and the console sees it."""
        _, wire = self.connect(b"alice")
        self.lines(self.terminal)
        self.console.dataReceived(b"welcome, alice\n")
        self.assertEqual(self.lines(wire), [b"[00:00] #lobby <host> welcome, alice"])
        self.assertEqual(self.lines(self.terminal), [b"[00:00] #lobby <host> welcome, alice"])

    def test_operator_commands_need_no_password(self) -> None:
        """The console kicks, walls and shuts down without /oper."""
        _, wire = self.connect(b"bob")
        self.console.dataReceived(b"/kick bob enough\n/wall closing soon\n/shutdown bye\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"[00:00] #lobby -- bob was kicked by host (enough)",
                b"*** You are in no room; /join #room to talk.",
                b"[00:00] -- host to everyone: closing soon",
                b"[00:00] -- host is shutting down the server (bye)",
            ],
        )
        self.assertEqual(self.stopped, 1)

    def test_console_shows_what_the_host_is_sent(self) -> None:
        """Private messages, errors and replies appear on the console as text lines."""
        alice, _ = self.connect(b"alice")
        self.lines(self.terminal)
        alice.dataReceived(b"/msg host hi there\n")
        self.console.dataReceived(b"/whois nobody\n\xff\n")
        self.assertEqual(
            self.lines(self.terminal),
            [
                b"[00:00] <alice -> host> hi there",
                b"ERR no-such-nick nobody called nobody is online",
                b"ERR bad-utf8 that line was not valid UTF-8 and was not sent",
            ],
        )

    def test_quit_leaves_the_chat_and_the_terminal(self) -> None:
        """/quit on the console says goodbye and how the daemon stops, stops reading, and the room sees the host
        go."""
        _, wire = self.connect(b"alice")
        self.terminal.clear()
        self.console.dataReceived(b"/quit back later\n")
        self.assertEqual(
            self.terminal.value(),
            b"*** Goodbye. You left the chat and the daemon goes on; Ctrl-C stops it.\r\n",
        )
        self.assertTrue(self.terminal.disconnecting)
        self.assertEqual(self.lines(wire), [b"[00:00] -- host quit (back later)"])
        self.console.connectionLost(Failure(ConnectionError()))
        self.assertEqual(self.chat.users().nicks, ("alice",))

    def test_end_of_input_leaves_the_chat(self) -> None:
        """When the terminal closes, the host quits and the daemon goes on."""
        _, wire = self.connect(b"alice")
        self.console.connectionLost(Failure(ConnectionError()))
        self.assertEqual(self.lines(wire), [b"[00:00] -- host quit (console closed)"])

    def test_taken_nickname_is_asked_for_again(self) -> None:
        """If the host's nickname is taken, the console asks for another, then makes it an operator."""
        console, terminal = self.start_console("HOST")
        self.assertEqual(
            self.lines(terminal),
            [b"ERR nick-in-use host is already taken; choose another nickname", b"*** Choose a nickname:"],
        )
        console.dataReceived(b"host2\n")
        self.assertEqual(self.lines(terminal)[0], b"*** You are host2.")
        self.assertTrue(console.me().operator)


class WaitingTests(ConsoleTestCase):
    """A command that waits for the store holds what is typed after it, as a connection's does."""

    def make_history(self) -> History:
        self.store = LaterHistory()
        return self.store

    def test_lines_typed_while_a_command_waits_are_answered_after_it(self) -> None:
        """A paste of /history then /time: the history comes first, then the time, then the line said."""
        _, wire = self.connect(b"alice")
        self.console.dataReceived(b"before\n")
        self.lines(self.terminal)
        self.store.later = True
        self.console.dataReceived(b"/history\n/time\nafter\n")
        self.assertEqual(self.lines(self.terminal), [])
        self.lines(wire)
        self.store.answer()
        shown = self.lines(self.terminal)
        self.assertEqual(shown[0], b"[1970-01-01 00:00] #lobby <host> before")
        self.assertEqual(shown[-3], b"*** End of history of #lobby: nothing earlier is kept.")
        self.assertEqual(shown[-2], b"*** Server time: 1970-01-01 00:00:00 UTC")
        self.assertEqual(shown[-1], b"[00:00] #lobby <host> after")
        self.assertEqual(self.lines(wire), [b"[00:00] #lobby <host> after"])
