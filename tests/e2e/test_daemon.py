"""The real daemon under twistd, spoken to over loopback sockets as nc and telnet users do."""

import os
import signal
import socket
import subprocess
import time

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import LISTENING, TAC, Daemon, SharedDaemon
from tests.e2e.lobby import LOOPBACK, NAME, PROMPT, SHARED_LOBBY, SHUTDOWN, WELCOME, Lobby, start_chatd
from tests.helpers import new_folder, too_long


def listen_backlog(port: int) -> int:
    """The backlog of the socket listening on TCP ``port`` of 127.0.0.1, as ``ss`` reads it from the kernel."""
    shown = subprocess.run(
        ["ss", "-ltnH", f"src 127.0.0.1:{port}"], capture_output=True, text=True, check=True, timeout=10
    ).stdout.split()
    # State, Recv-Q (connections waiting to be accepted), Send-Q (the backlog), local and peer addresses.
    return int(shown[2])


class RoomTalkTests(SynchronousTestCase):
    """Several users talking in rooms and in private."""

    shared = SharedDaemon(SHARED_LOBBY)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.shared.stop()

    def setUp(self) -> None:
        self.lobby = Lobby(self.shared.lend(self))
        self.alice = self.lobby.enter("alice")
        self.bob = self.lobby.enter("bob")
        self.carol = self.lobby.enter("carol")

    def test_lobby_lines_reach_every_member_each_way(self) -> None:
        """A line said in #lobby reaches all three members, the speaker included, in both directions."""
        self.alice.say("hello bob")
        self.lobby.hear("#lobby <alice> hello bob")
        self.bob.say("hi alice")
        self.lobby.hear("#lobby <bob> hi alice")
        self.carol.say("hi both")
        self.lobby.hear("#lobby <carol> hi both")

    def test_room_line_reaches_only_that_room(self) -> None:
        """A line said in #dev reaches its members and not a user who is only in #lobby."""
        self.alice.say("/join #dev")
        self.alice.expect_stamped("#dev -- alice joined")
        self.alice.expect("*** In #dev (1): @alice")
        self.bob.say("/join dev")
        for member in (self.alice, self.bob):
            member.expect_stamped("#dev -- bob joined")
        self.bob.expect("*** In #dev (2): @alice bob")

        self.alice.say("dev only")
        for member in (self.alice, self.bob):
            member.expect_stamped("#dev <alice> dev only")
        # Lines from one connection are handled in order, so had carol been
        # sent the #dev line it would arrive before this private one.
        self.alice.say("/msg carol are you there?")
        self.alice.expect_stamped("<alice -> carol> are you there?")
        self.carol.expect_stamped("<alice -> carol> are you there?")

    def test_private_message_reaches_only_its_addressee(self) -> None:
        """/msg reaches the addressee and is echoed to the sender; the third user gets nothing."""
        self.alice.say("/msg bob secret plan")
        self.alice.expect_stamped("<alice -> bob> secret plan")
        self.bob.expect_stamped("<alice -> bob> secret plan")
        self.alice.say("in the open")
        self.lobby.hear("#lobby <alice> in the open")


class SessionTests(SynchronousTestCase):
    """How one connection begins, misbehaves and ends, as the others see it."""

    shared = SharedDaemon(SHARED_LOBBY)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.shared.stop()

    def setUp(self) -> None:
        self.daemon = self.shared.lend(self)
        self.lobby = Lobby(self.daemon)
        self.alice = self.lobby.enter("alice")
        self.bob = self.lobby.enter("bob")

    def test_exit_says_goodbye_and_closes_connection(self) -> None:
        """EXIT alone (any case) is answered with *** Goodbye. and the server closes the socket."""
        self.alice.say("EXIT")
        self.assertEqual(self.alice.read_to_end(), b"*** Goodbye.\r\n")
        self.bob.expect_stamped("-- alice quit")

    def test_dropped_connection_quits_and_frees_nickname(self) -> None:
        """A connection closed without quitting is a quit for the others, and its nickname is free at once."""
        self.bob.close()
        del self.lobby.members["bob"]
        self.alice.expect_stamped("-- bob quit (connection closed)")
        self.lobby.enter("bob")

    def test_reset_connection_quits_and_frees_nickname(self) -> None:
        """A connection aborted with a TCP reset is a quit like any other drop."""
        self.bob.reset()
        del self.lobby.members["bob"]
        self.alice.expect_stamped("-- bob quit (connection closed)")
        self.lobby.enter("bob")

    def test_telnet_negotiation_answered_and_not_relayed(self) -> None:
        """A telnet client is asked for BINARY, refused all else, and its IAC bytes reach nobody."""
        dave = self.daemon.connect()
        dave.expect(WELCOME, PROMPT)
        # What a telnet client sends on connecting, then the nickname it types.
        dave.send(b"\xff\xfb\x1f" + b"\xff\xfd\x01" + b"dave\r\n")
        # IAC DO BINARY, IAC DONT NAWS, IAC WONT ECHO.
        self.assertEqual(dave.read_bytes(9), b"\xff\xfd\x00" + b"\xff\xfe\x1f" + b"\xff\xfc\x01")
        dave.expect("*** You are dave.")
        for member in (self.alice, self.bob, dave):
            member.expect_stamped("#lobby -- dave joined")
        dave.expect("*** In #lobby (3): alice bob dave")
        self.lobby.members["dave"] = dave

        # IAC WILL BINARY agrees to the server's request (nothing to
        # answer); in the middle of a line IAC WILL TERMINAL-TYPE is refused.
        dave.send(b"\xff\xfb\x00hel\xff\xfb\x18lo \xe2\x9c\x93\r\n")
        self.assertEqual(dave.read_bytes(3), b"\xff\xfe\x18")
        self.lobby.hear("#lobby <dave> hello \u2713")

    def test_invalid_utf8_refused_and_session_goes_on(self) -> None:
        """A line that is not UTF-8 gets ERR bad-utf8, reaches nobody, and the next line is said."""
        self.alice.send(b"\xc3\x28\n")
        self.alice.expect("ERR bad-utf8 that line was not valid UTF-8 and was not sent")
        self.alice.say("still here")
        self.lobby.hear("#lobby <alice> still here")

    def test_overlong_line_refused_and_next_line_said(self) -> None:
        """A line over 512 bytes gets ERR line-too-long, reaches nobody, and the line after it is said."""
        self.alice.send(b"x" * 600 + b"\nafter\n")
        self.alice.expect(too_long(600))
        self.lobby.hear("#lobby <alice> after")

    def test_overlong_line_across_reads_refused_once(self) -> None:
        """A long line still unfinished after 512 bytes is refused once and dropped up to its newline."""
        self.alice.send(b"y" * 600)
        self.alice.expect(too_long(None))
        self.alice.send(b"y" * 600 + b"\nnext\n")
        self.lobby.hear("#lobby <alice> next")

    def test_line_of_exactly_512_bytes_is_said(self) -> None:
        """A line of exactly 512 bytes (the limit) ending in LF is accepted."""
        self.alice.say("z" * 512)
        self.lobby.hear("#lobby <alice> " + "z" * 512)


class JsonSessionTests(SynchronousTestCase):
    """A session's own format, on a daemon of its own: the seq it reads counts #lobby's events since the start."""

    def setUp(self) -> None:
        self.lobby = Lobby(start_chatd(self))
        self.alice = self.lobby.enter("alice")
        self.bob = self.lobby.enter("bob")

    def test_json_format_renders_objects_for_that_session_only(self) -> None:
        """After /format json a session gets one JSON object per line; others keep text."""
        before = time.time()
        self.alice.say("/format json")
        self.assertEqual(
            self.alice.expect_json(),
            {"type": "notice", "kind": "format", "format": "json", "text": "Lines are now json."},
        )
        self.bob.say("hi alice")
        said = self.alice.expect_json()
        at = said.pop("at")
        self.assertRegex(said.pop("id"), "^[0-9a-f]{16}$")
        self.assertEqual(
            said, {"type": "said", "room": "#lobby", "seq": 3, "nick": "bob", "text": "hi alice"}
        )
        self.assertIsInstance(at, float)
        self.assertTrue(before <= at <= time.time(), (before, at))
        self.bob.expect_stamped("#lobby <bob> hi alice")

        self.alice.say("/nope")
        self.assertEqual(
            self.alice.expect_json(),
            {
                "type": "error",
                "code": "unknown-command",
                "text": "/nope is not a command; type /help to see them",
                "command": "nope",
                "likely": None,
            },
        )
        self.alice.say("/format text")
        self.alice.expect("*** Lines are now text.")


class ShutdownTests(SynchronousTestCase):
    """Stopping the daemon with a signal, as a service manager or Ctrl-C does."""

    def stop_with(self, number: signal.Signals) -> None:
        daemon = start_chatd(self)
        lobby = Lobby(daemon)
        clients = [lobby.enter("alice"), lobby.enter("bob")]
        unnamed = daemon.connect()
        unnamed.expect(WELCOME, PROMPT)
        clients.append(unnamed)

        started = time.monotonic()
        status = daemon.signal(number)
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(status, -number)
        for client in clients:
            self.assertEqual(client.read_to_end(), SHUTDOWN)

    def test_sigterm_says_goodbye_to_everyone_and_exits_by_signal(self) -> None:
        """On SIGTERM every connection gets the shutdown line then EOF, and twistd dies of SIGTERM."""
        self.stop_with(signal.SIGTERM)

    def test_sigint_says_goodbye_to_everyone_and_exits_by_signal(self) -> None:
        """On SIGINT every connection gets the shutdown line then EOF, and twistd dies of SIGINT."""
        self.stop_with(signal.SIGINT)


class ListenerTests(SynchronousTestCase):
    """Where the daemon listens, and the settings it is started with."""

    def test_default_interface_takes_ipv6_and_ipv4(self) -> None:
        """Without --interface chatd listens on [::], reachable at both ::1 and 127.0.0.1."""
        daemon = Daemon.start(self, ["chatd", "--port", "0", "--name", NAME])
        self.assertEqual(daemon.addresses, [("::", daemon.port)])
        lobby = Lobby(daemon)
        six = lobby.enter("six", host="::1")
        lobby.enter("four", host="127.0.0.1")
        six.say("over v6")
        lobby.hear("#lobby <six> over v6")

    def test_listen_alone_listens_only_there(self) -> None:
        """--listen without --port opens that endpoint and not the default port."""
        daemon = Daemon.start(self, ["chatd", "--listen", "tcp:0:interface=127.0.0.1", "--name", NAME])
        self.assertEqual(daemon.addresses, [("127.0.0.1", daemon.port)])
        Lobby(daemon).enter("alice")
        # Every listener is opened before the first connection is served,
        # so by now each one has been announced.
        announced = [line for line in daemon.logged_so_far() if LISTENING.search(line)]
        self.assertEqual(len(announced), 1, announced)
        with socket.socket(socket.AF_INET6) as other, self.assertRaises(ConnectionRefusedError):
            other.connect(("::1", daemon.port))

    def test_port_and_listen_serve_one_chat(self) -> None:
        """Users on the --port listener and on a --listen endpoint share the same rooms."""
        daemon = Daemon.start(self, [*LOOPBACK, "--listen", r"tcp:0:interface=\:\:1"], listeners=2)
        [(first_host, _), (second_host, second_port)] = daemon.addresses
        self.assertEqual((first_host, second_host), ("127.0.0.1", "::1"))
        self.assertNotEqual(second_port, daemon.port)
        lobby = Lobby(daemon)
        lobby.enter("alice")
        client = daemon.connect("::1", second_port)
        client.expect(WELCOME, PROMPT)
        client.say("bob")
        client.expect("*** You are bob.")
        lobby.members["bob"] = client
        lobby.hear("#lobby -- bob joined")
        client.expect("*** In #lobby (2): alice bob")

    def test_listen_endpoints_get_the_ports_backlog_unless_they_set_one(self) -> None:
        """As the kernel shows it (ss's Send-Q of a listening socket): --port and a --listen endpoint of each
        front end listen with a backlog of 1024, a --listen with backlog= of its own with that."""
        endpoint = "tcp:0:interface=127.0.0.1"
        daemon = Daemon.start(
            self,
            [
                *LOOPBACK,
                *("--web-port", "0", "--irc-port", "0"),
                *("--listen", endpoint, "--listen", f"web:{endpoint}", "--listen", f"irc:{endpoint}"),
                *("--listen", f"{endpoint}:backlog=64"),
            ],
            listeners=7,
        )
        backlogs = {port: listen_backlog(port) for _, port in daemon.addresses}
        self.assertEqual(sorted(backlogs.values()), [64, *[1024] * 6], backlogs)

    def test_motd_file_lines_shown_in_greeting(self) -> None:
        """--motd naming a file shows each non-blank line of it as *** line, before the prompt."""
        directory = new_folder(self)
        path = os.path.join(directory, "motd.txt")
        with open(path, "w", encoding="utf-8") as motd:
            motd.write("Welcome, friends.\n\nBe kind — ünïcode too.\n")
        daemon = start_chatd(self, "--motd", path)
        Lobby(daemon).enter("alice", motd=["Welcome, friends.", "Be kind — ünïcode too."])

    def test_tac_runs_the_same_service(self) -> None:
        """twistd -ny chatd.tac with CHATD_* variables runs chatd configured by them."""
        env = {
            "CHATD_PORT": "0",
            "CHATD_INTERFACE": "127.0.0.1",
            "CHATD_MOTD": "hello",
            "CHATD_NAME": NAME,
            "CHATD_DEFAULT_ROOM": "#tac",
        }
        daemon = Daemon.start(self, ["-y", TAC], env=env)
        self.assertEqual(daemon.addresses, [("127.0.0.1", daemon.port)])
        client = daemon.connect()
        client.expect(WELCOME, "*** hello", PROMPT)
        client.say("alice")
        client.expect("*** You are alice.")
        client.expect_stamped("#tac -- alice joined")
        client.expect("*** In #tac (1): alice")
        self.assertEqual(daemon.signal(signal.SIGTERM), -signal.SIGTERM)
        self.assertEqual(client.read_to_end(), SHUTDOWN)
