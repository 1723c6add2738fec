"""How the service wires the chat, listeners and shutdown, on a fake reactor."""

import gc
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from contextlib import closing
from typing import cast

from twisted.application.service import IService, IServiceCollection, Service
from twisted.internet.address import IPv4Address
from twisted.internet.base import DelayedCall
from twisted.internet.defer import Deferred
from twisted.internet.endpoints import TCP4ServerEndpoint
from twisted.internet.error import CannotListenError, ConnectionDone
from twisted.internet.interfaces import (
    IAddress,
    IListeningPort,
    IProtocol,
    IProtocolFactory,
    IStreamServerEndpoint,
)
from twisted.internet.protocol import Protocol, ServerFactory
from twisted.internet.testing import EventLoggingObserver, MemoryReactorClock, StringTransport
from twisted.logger import formatEvent, globalLogPublisher
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase
from typing_extensions import override
from zope.interface import implementer

from chatd.config import Config
from chatd.daemon.layers import every_service
from chatd.daemon.lifetimes import Threads
from chatd.daemon.listeners import bind
from chatd.domain.errors import NotOperatorError
from chatd.frontend.oper import BACKGROUND_NICE
from chatd.frontend.ports import FrontEnd
from chatd.frontend.websocket import WebConnection
from chatd.irc.factory import IRCFactory
from chatd.line.console import Console
from chatd.line.factory import LineFactory
from chatd.line.web_factory import WebFactory
from chatd.opers import Opers
from chatd.service import bound_daemon, build, compose, discard
from chatd.storage.database_file import DatabaseFileError
from chatd.storage.pass_log import log_path
from chatd.storage.spool import SpoolFolderError
from chatd.storage.sqlite import SQLiteHistory
from chatd.tap import Options
from tests.events import said
from tests.helpers import (
    RecordingAudience,
    RecordingSession,
    Terminal,
    ThreadedReactor,
    committed,
    connected,
    new_folder,
    quick_hash,
    under_twistd,
)


def options(*arguments: str) -> Options:
    """``twistd chatd --name testhost ARGUMENTS``, parsed; history in memory unless ``ARGUMENTS`` give a --db."""
    parsed = Options()
    parsed.parseOptions(["--name", "testhost", "--db", ":memory:", *arguments])
    return parsed


def config(*arguments: str) -> Config:
    """The configuration ``twistd chatd --name testhost ARGUMENTS`` describes."""
    return options(*arguments).config()


class ListenerTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.reactor = MemoryReactorClock()
        # Twisted annotates this for trial's TestCase, but any addCleanup will do.
        self.logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]

    def start(self, *arguments: str) -> IServiceCollection:
        daemon = build(config(*arguments), self.reactor)
        daemon.startService()
        self.addCleanup(daemon.stopService)
        return IServiceCollection(daemon)

    def announced(self) -> list[str]:
        return [
            event["log_format"].format(**event)
            for event in self.logged
            if "listening on" in event["log_format"]
        ]

    def test_default_is_port_5000_on_every_interface(self) -> None:
        """With no options chatd listens on port 5000 of '::' (IPv6 and IPv4)."""
        self.start()
        [(port, factory, _, interface)] = self.reactor.tcpServers
        self.assertEqual((port, interface), (5000, "::"))
        self.assertIsInstance(factory, LineFactory)
        self.assertEqual(self.announced(), ["chatd listening on [::]:5000"])

    def test_listen_backlog_fits_a_reconnect_storm(self) -> None:
        """--port listens with a backlog of 1024, not Twisted's 50."""
        self.start("--port", "6000")
        [(_, _, backlog, _)] = self.reactor.tcpServers
        self.assertEqual(backlog, 1024)

    def test_listen_endpoints_get_the_same_backlog_unless_they_set_their_own(self) -> None:
        """Every front end's --listen endpoints listen with a backlog of 1024 too; one that gives a backlog (by name
        or in its place) keeps it."""
        self.start(
            *(
                "--listen",
                "tcp:7000:interface=127.0.0.1",
                "--listen",
                "web:tcp:7001",
                "--listen",
                "irc:tcp:7002",
            ),
            *("--listen", "tcp:7003:backlog=64", "--listen", "tcp:7004:127.0.0.1:100"),
        )
        backlogs = {port: backlog for port, _, backlog, _ in self.reactor.tcpServers}
        self.assertEqual(backlogs, {7000: 1024, 7001: 1024, 7002: 1024, 7003: 64, 7004: 100})

    def test_port_and_ipv4_interface(self) -> None:
        """--port and --interface choose where to listen; the address is logged."""
        self.start("--port", "6000", "--interface", "127.0.0.1")
        self.assertEqual([(p, i) for p, _, _, i in self.reactor.tcpServers], [(6000, "127.0.0.1")])
        self.assertEqual(self.announced(), ["chatd listening on 0.0.0.0:6000"])

    def test_listen_alone_replaces_default_port(self) -> None:
        """--listen without --port listens only on the endpoints given."""
        self.start("--listen", "tcp:7000:interface=127.0.0.1", "--listen", "tcp6:7001:interface=\\:\\:1")
        self.assertEqual(
            [(p, i) for p, _, _, i in self.reactor.tcpServers], [(7000, "127.0.0.1"), (7001, "::1")]
        )

    def test_listen_and_port_together(self) -> None:
        """--port with --listen listens on both, sharing one chat."""
        self.start("--port", "5001", "--listen", "tcp:7000")
        factories = {factory for _, factory, _, _ in self.reactor.tcpServers}
        self.assertEqual(len(self.reactor.tcpServers), 2)
        self.assertEqual(len(factories), 1)

    def test_web_port_serves_the_page_beside_the_line_port(self) -> None:
        """--web-port adds the browser front end on its own port, on the same chat, admission and turns of short-word
        searches (a host's page gets no second lane), and logs its page."""
        self.start("--port", "5000", "--web-port", "8080", "--interface", "127.0.0.1")
        [(line_port, line, _, _), (web_port, web, _, interface)] = self.reactor.tcpServers
        self.assertEqual((line_port, web_port, interface), (5000, 8080, "127.0.0.1"))
        assert isinstance(line, LineFactory) and isinstance(web, WebFactory)
        self.assertIs(web.chat, line.chat)
        self.assertIs(web.admission, line.admission)
        self.assertIs(web.search_turns, line.search_turns)
        pages = [line for line in map(formatEvent, self.logged) if "web page" in line]
        # The memory reactor's ports report 0.0.0.0 as their host, as a wildcard does.
        self.assertEqual(pages, ["chatd web page at http://testhost:8080/"])

    def test_the_web_ports_http_connections_are_timed_by_http_timeout(self) -> None:
        """--http-timeout is the idle timeout of the web port's site, and what each of its connections allows a
        request, whichever front end's session speaks over it (IRC's too: it has no copy of its own)."""
        self.start("--web-port", "8080", "--http-timeout", "7")
        [_, (_, web, _, _)] = self.reactor.tcpServers
        assert isinstance(web, WebFactory)
        connection = web.buildProtocol(IPv4Address("TCP", "127.0.0.1", 40000))
        assert isinstance(connection, WebConnection)
        self.assertEqual((web.site.timeOut, connection.request_seconds), (7.0, 7.0))
        # Connected and gone, so the daemon's stop waits for no goodbye to it and joins its threads.
        connection.makeConnection(StringTransport())
        connection.connectionLost(Failure(ConnectionDone()))

    def test_web_page_on_every_interface_is_announced_by_the_servers_name(self) -> None:
        """On '::' the page's address in the log is the server's name, as people would type it."""
        self.start("--web-port", "8080", "--listen", "web:tcp6:8081:interface=\\:\\:1")
        pages = [line for line in map(formatEvent, self.logged) if "web page" in line]
        self.assertEqual(
            pages, ["chatd web page at http://testhost:8080/", "chatd web page at http://[::1]:8081/"]
        )

    def test_limit_options_reach_the_front_end_and_the_chat(self) -> None:
        """Limits given on the command line are the ones enforced."""
        self.start("--max-per-ip", "3", "--sendq", "1000", "--max-rooms", "4", "--max-nick", "9")
        factory = self.reactor.tcpServers[0][1]
        assert isinstance(factory, LineFactory)
        self.assertEqual((factory.admission.max_per_ip, factory.limits.sendq), (3, 1000))
        self.assertEqual((factory.chat.limits.rooms_per_user, factory.chat.limits.nickname), (4, 9))

    def test_name_motd_and_shared_checks_reach_every_front_end(self) -> None:
        """--name and --motd reach the line, web and IRC front ends alike, and they share one admission, one of each
        login and one turn of searches; the line and web ports one check of takeover tokens."""
        self.start("--name", "chat.example", "--motd", "Be kind", "--web-port", "8080", "--irc-port", "6667")
        [line, web, irc] = [factory for _, factory, _, _ in self.reactor.tcpServers]
        assert isinstance(line, LineFactory) and isinstance(web, WebFactory) and isinstance(irc, IRCFactory)
        for factory in (line, web, irc):
            self.assertEqual((factory.server_name, factory.motd), ("chat.example", "Be kind"))
            for shared in ("chat", "admission", "login", "accounts", "search_turns", "files"):
                self.assertIs(getattr(factory, shared), getattr(line, shared), shared)
        self.assertIs(web.tokens, line.tokens)

    def test_default_room_and_room_options_belong_to_the_server(self) -> None:
        """Whoever makes the default room or a --room first may not kick from it; from a room of their own they may."""
        self.start("--default-room", "#main", "--room", "#help")
        factory = self.reactor.tcpServers[0][1]
        assert isinstance(factory, LineFactory)
        chat = factory.chat
        first = chat.register(RecordingSession(RecordingAudience()), "first")
        bob = chat.register(RecordingSession(RecordingAudience()), "bob")
        for room in ("#MAIN", "#help", "#mine"):
            chat.join(first, room)
            chat.join(bob, room)
        self.assertRaises(NotOperatorError, chat.kick, first, "bob", "#main")
        self.assertRaises(NotOperatorError, chat.kick, first, "bob", "#help")
        chat.kick(first, "bob", "#mine")
        self.assertEqual(sorted(bob.rooms), ["#help", "#main"])

    def test_port_that_cannot_be_bound_fails_startup(self) -> None:
        """A listener that fails to bind stops the service from starting."""
        daemon = build(config("--port", "5000"), self.reactor)

        def refuse(*args: object, **kwargs: object) -> None:
            raise CannotListenError("::", 5000, OSError("in use"))

        self.patch(self.reactor, "listenTCP", refuse)
        self.assertRaises(CannotListenError, daemon.privilegedStartService)

    def test_bound_listeners_are_not_bound_again_at_start(self) -> None:
        """bind listens on every endpoint before the start; the start then listens on none again."""
        daemon = build(config("--port", "5000", "--listen", "tcp:7000"), self.reactor)
        bind(daemon)
        self.assertEqual([port for port, *_ in self.reactor.tcpServers], [5000, 7000])
        daemon.privilegedStartService()
        daemon.startService()
        self.addCleanup(daemon.stopService)
        self.assertEqual([port for port, *_ in self.reactor.tcpServers], [5000, 7000])

    def test_stop_says_goodbye_and_waits_for_connections(self) -> None:
        """Stopping the service tells each user and waits until connections close."""
        daemon = build(config("--port", "5000"), self.reactor)
        daemon.startService()
        protocol, wire = connected(self.reactor.tcpServers[0][1], self.reactor)
        stopped = daemon.stopService()
        self.assertEqual(wire.value(), b"*** Server shutting down. Goodbye.\r\n")
        self.assertNoResult(stopped)
        protocol.connectionLost(Failure(ConnectionDone()))
        self.successResultOf(stopped)

    def test_a_running_daemon_freezes_its_start_up_objects_and_thaws_them_when_stopped(self) -> None:
        """While the daemon runs, what start-up made is out of the garbage collector's sight (issue 18)."""
        gc.unfreeze()
        daemon = build(config("--port", "5000"), self.reactor)
        daemon.startService()
        self.assertGreater(gc.get_freeze_count(), 0)
        self.successResultOf(daemon.stopService())
        self.assertEqual(gc.get_freeze_count(), 0)

    def test_backing_services_start_first_and_stop_after_the_last_connection_closes(self) -> None:
        """Services given to build (storage, bus) start before the listeners and stop once the goodbyes are done."""
        journal = Journal()
        storage = Recorder(journal, "storage")
        storage.stopped.callback(None)
        daemon = build(config("--port", "5000"), self.reactor, backing=[storage])
        daemon.privilegedStartService()
        self.assertEqual((journal, self.reactor.tcpServers[0][0]), (["privileged storage"], 5000))
        daemon.startService()
        protocol, wire = connected(self.reactor.tcpServers[0][1], self.reactor)
        stopped = daemon.stopService()
        self.assertEqual(wire.value(), b"*** Server shutting down. Goodbye.\r\n")
        self.assertEqual(journal, ["privileged storage", "start storage"])
        protocol.connectionLost(Failure(ConnectionDone()))
        self.assertEqual(journal[2:], ["stop storage"])
        self.successResultOf(stopped)


class RecordingOpers:
    """Operators from a real --opers file, noting the thread each password is checked on."""

    def __init__(self, opers: Opers) -> None:
        self._opers = opers
        self.threads: list[threading.Thread] = []
        self.nice: list[int] = []

    def verify(self, name: str, password: str) -> bool:
        self.threads.append(threading.current_thread())
        self.nice.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return self._opers.verify(name, password)


def stopped(daemon: IService, reactor: ThreadedReactor) -> None:
    """Stop ``daemon`` and run its stop's whole chain, its threads' answers included."""
    # Until the whole chain has run: ``called`` is true while it waits on a Deferred it returned.
    done: list[object] = []
    daemon.stopService().addBoth(done.append)
    while not done:
        reactor.advance(0)
        reactor.run_from_thread()


class StoreWiringTests(SynchronousTestCase):
    """With --db, history is a SQLite file, and what users see is in its pass log first."""

    def setUp(self) -> None:
        self.reactor = ThreadedReactor()
        self.directory = new_folder(self)
        self.path = os.path.join(self.directory, "chatd.sqlite")

    def start(self) -> LineFactory:
        """The daemon with --db in the temporary directory, started, and stopped (all written) at cleanup.

        No replay on joining (``--replay 0``): no read holds output back.
        """
        daemon = build(config("--db", self.path, "--replay", "0"), self.reactor)
        daemon.startService()
        self.addCleanup(stopped, daemon, self.reactor)
        [self.store] = [service for service in every_service(daemon) if isinstance(service, SQLiteHistory)]
        factory = self.reactor.tcpServers[0][1]
        assert isinstance(factory, LineFactory)
        return factory

    def settle(self) -> None:
        """End the pass, and let the writer commit what it logged."""
        committed(self.reactor, self.store)

    def alice(self, factory: LineFactory) -> tuple[IProtocol, StringTransport]:
        """alice, connected and named, her wire emptied once all before is committed."""
        alice, wire = connected(factory, self.reactor)
        self.addCleanup(alice.connectionLost, Failure(ConnectionDone()))
        alice.dataReceived(b"alice\n")
        self.settle()
        wire.clear()
        return alice, wire

    def locked(self) -> sqlite3.Connection:
        """Another connection, holding the file's write lock: the writer's next commit waits for ``unlocked``."""
        blocker = sqlite3.connect(self.path, isolation_level=None)
        self.addCleanup(blocker.close)
        blocker.execute("BEGIN IMMEDIATE")
        return blocker

    def unlocked(self, blocker: sqlite3.Connection) -> None:
        """``blocker`` lets go of the lock; the writer commits and its word reaches the reactor."""
        blocker.execute("COMMIT")
        while self.store.writing:
            self.reactor.run_from_thread()

    def logged(self) -> list[str]:
        """The texts of the lines the pass log holds now."""
        with open(log_path(self.path), encoding="utf-8") as log:
            bodies = [json.loads(row[7]) for line in log for row in json.loads(line)[1]]
        return [body["text"] for body in bodies if "text" in body]

    def in_file(self, text: str) -> bool:
        """Whether a line of ``text`` is committed to the file."""
        with closing(sqlite3.connect(self.path)) as connection:
            query = "SELECT count(*) FROM events WHERE body ->> '$.text' = ?"
            return bool(connection.execute(query, (text,)).fetchone()[0])

    def test_a_line_is_shown_once_it_is_in_the_pass_log_before_its_commit(self) -> None:
        """The speaker's echo and the others' copies go when the pass ends, the line logged; the commit comes later.

        Another connection holds the file's write lock, so the commit comes
        only once it lets go, long after the lines were sent.
        """
        factory = self.start()
        alice, alice_wire = connected(factory, self.reactor)
        bob, bob_wire = connected(factory, self.reactor)
        for protocol in (alice, bob):
            self.addCleanup(protocol.connectionLost, Failure(ConnectionDone()))
        alice.dataReceived(b"alice\n")
        bob.dataReceived(b"bob\n")
        self.settle()
        alice_wire.clear()
        bob_wire.clear()
        blocker = self.locked()
        alice.dataReceived(b"kept\n")
        self.reactor.advance(0)
        self.assertEqual(alice_wire.value(), bob_wire.value())
        self.assertTrue(alice_wire.value().endswith(b" #lobby <alice> kept\r\n"), alice_wire.value())
        self.assertIn("kept", self.logged())
        self.assertFalse(self.in_file("kept"))
        self.reactor.advance(self.store.commit_every)
        self.unlocked(blocker)
        self.assertTrue(self.in_file("kept"))

    def test_the_host_is_shown_a_line_only_once_it_is_in_the_pass_log(self) -> None:
        """The console writes to the terminal at once, not when the pass ends: a line it shows the host is in the
        pass log by then, as every connection's is, so a kill -9 right after loses nothing the host saw."""
        self.patch(Options, "stdin", Terminal())
        terminals: list[IProtocol] = []
        arguments = ("-n", "chatd", "--name", "testhost", "--db", self.path, "--replay", "0", "--console")
        daemon = build(under_twistd(*arguments).config(), self.reactor, terminal=terminals.append)
        daemon.startService()
        self.addCleanup(stopped, daemon, self.reactor)
        [self.store] = [service for service in every_service(daemon) if isinstance(service, SQLiteHistory)]
        [console] = terminals
        factory = self.reactor.tcpServers[0][1]
        assert isinstance(factory, LineFactory)
        logged_when_shown: dict[bytes, list[str]] = {}
        test = self

        class Watched(StringTransport):
            def write(self, data: bytes) -> None:
                logged_when_shown[data] = test.logged()
                super().write(data)

        console.makeConnection(Watched())
        alice, _ = connected(factory, self.reactor)
        self.addCleanup(alice.connectionLost, Failure(ConnectionDone()))
        alice.dataReceived(b"alice\n")
        self.settle()
        alice.dataReceived(b"seen by the host\n")
        [(shown, logged)] = [(data, logged) for data, logged in logged_when_shown.items() if b"seen" in data]
        self.assertTrue(shown.endswith(b"#lobby <alice> seen by the host\r\n"), shown)
        self.assertIn("seen by the host", logged)

    def test_a_pass_that_says_a_line_is_kept_and_sent_by_one_call(self) -> None:
        """The line front end's send keeps the store's events first, so the pass a line is said in ends with one
        call, not the outbox's and the store's: the store asks the outbox for its ``keep`` rather than the reactor."""
        factory = self.start()
        alice, wire = self.alice(factory)
        alice.dataReceived(b"once\n")
        now = self.reactor.seconds()
        due = [call for call in self.reactor.getDelayedCalls() if call.getTime() == now]
        self.assertEqual([cast(DelayedCall, call).func for call in due], [factory.outbox.send])
        self.reactor.advance(0)
        self.assertIn("once", self.logged())
        self.assertTrue(wire.value().endswith(b" #lobby <alice> once\r\n"), wire.value())

    def test_events_of_a_pass_that_sends_nothing_are_logged_when_it_ends(self) -> None:
        """An event no connection is shown (nobody is connected) is in the pass log once its pass ends all the same."""
        self.start()
        self.settle()
        self.store.append(said(1000, "#quiet", "nobody", "unseen", 1))
        self.assertNotIn("unseen", self.logged())
        self.reactor.advance(0)
        self.assertIn("unseen", self.logged())
        self.assertFalse(self.in_file("unseen"))
        self.settle()
        self.assertTrue(self.in_file("unseen"))

    def test_a_closing_session_is_shown_its_last_lines_once_they_are_logged(self) -> None:
        """A line said just before /quit reaches its speaker with the last words when the pass ends, then the hang-up."""
        factory = self.start()
        alice, wire = self.alice(factory)
        alice.dataReceived(b"last words\n/quit\n")
        self.reactor.advance(0)
        self.assertIn("last words", self.logged())
        self.assertIn(b" #lobby <alice> last words\r\n", wire.value())
        self.assertTrue(wire.value().endswith(b"*** Goodbye.\r\n"), wire.value())
        self.assertTrue(wire.disconnecting)
        self.assertFalse(self.in_file("last words"))

    def test_a_file_that_cannot_be_used_stops_the_build(self) -> None:
        """A --db that is not a database stops the daemon being built, with the sentence chatd.tap shows."""
        with open(self.path, "w", encoding="utf-8") as text:
            text.write("not a database\n" * 100)
        self.assertRaises(DatabaseFileError, build, config("--db", self.path), self.reactor)

    def test_a_files_folder_that_cannot_be_used_stops_the_build(self) -> None:
        """A --files that is a file, not a folder, stops the daemon being built with one sentence naming --files."""
        with open(self.path, "w", encoding="utf-8") as text:
            text.write("a file\n")
        error = self.assertRaises(SpoolFolderError, build, config("--files", self.path), self.reactor)
        self.assertEqual(
            str(error),
            f"--files {self.path} is not a folder; give a folder the daemon may write.",
        )

    def test_files_are_spooled_in_a_temporary_folder_removed_at_stop(self) -> None:
        """With --db :memory: and no --files, the spool is a folder of its own that is gone once the daemon stops."""
        before = set(os.listdir(tempfile.gettempdir()))
        daemon = build(config("--db", ":memory:"), self.reactor)
        [made] = {
            name for name in os.listdir(tempfile.gettempdir()) if name.startswith("chatd-files-")
        } - before
        daemon.startService()
        daemon.stopService()
        self.assertFalse(os.path.exists(os.path.join(tempfile.gettempdir(), made)))


class FilesFolderClaimTests(SynchronousTestCase):
    """Two daemons whose --db files sit in one folder would share the default --files folder beside them."""

    def setUp(self) -> None:
        self.reactor = ThreadedReactor()
        self.directory = new_folder(self)
        self.files = os.path.join(self.directory, "chatd-files")

    def start(self, db: str) -> IService:
        """A daemon with ``--db DIRECTORY/db``, started, and stopped at cleanup."""
        daemon = build(config("--db", os.path.join(self.directory, db)), self.reactor)
        daemon.startService()
        self.addCleanup(stopped, daemon, self.reactor)
        return daemon

    def test_a_second_daemon_is_refused_the_folder_before_it_touches_it(self) -> None:
        """The second daemon's build stops with one sentence naming --files; the first one's upload and the folder
        beside it are as they were: no second database is made."""
        self.start("x.sqlite")
        upload = f"{'ab' * 32}-10.part"
        with open(os.path.join(self.files, upload), "wb") as part:
            part.write(b"half")
        before = sorted(os.listdir(self.directory))
        error = self.assertRaises(
            SpoolFolderError, build, config("--db", os.path.join(self.directory, "y.sqlite")), self.reactor
        )
        self.assertEqual(
            str(error), f"--files {self.files} is in use by another chatd; give another folder with --files."
        )
        self.assertEqual(os.listdir(self.files), [upload])
        self.assertEqual(sorted(os.listdir(self.directory)), before)

    def test_a_second_daemon_on_the_same_database_is_told_about_the_database(self) -> None:
        """It meets the files folder beside the --db file first, but the --db is what its host must change."""
        self.start("x.sqlite")
        path = os.path.join(self.directory, "x.sqlite")
        error = self.assertRaises(DatabaseFileError, build, config("--db", path), self.reactor)
        self.assertEqual(
            str(error),
            f"--db {path} is in use by another chatd or by python -m chatd.admin; stop it, or give another file.",
        )

    def test_a_database_in_a_missing_folder_is_refused_with_no_folder_made(self) -> None:
        """A --db whose folder does not exist stops the build naming --db, as it does with --files elsewhere: the
        default files folder beside it does not make the missing folders, so a mistyped one holds no new chat."""
        db = os.path.join(self.directory, "nonexist", "dir", "x.sqlite")
        sentence = f"--db {db} cannot be opened (No such file or directory); give a file in a directory the daemon may write."
        for given in ((), ("--files", os.path.join(self.directory, "spool"))):
            error = self.assertRaises(DatabaseFileError, build, config("--db", db, *given), self.reactor)
            self.assertEqual(str(error), sentence)
            self.assertFalse(os.path.exists(os.path.join(self.directory, "nonexist")))

    def test_a_stopped_daemon_lets_the_folder_go(self) -> None:
        """Once the first daemon has stopped, the next one on the folder starts."""
        first = build(config("--db", os.path.join(self.directory, "x.sqlite")), self.reactor)
        first.startService()
        stopped(first, self.reactor)
        self.start("y.sqlite")

    def test_a_build_refused_its_database_lets_the_folder_go(self) -> None:
        """A build stopped by its --db (another daemon's) leaves its --files folder free for the next."""
        self.start("x.sqlite")
        other = os.path.join(self.directory, "other")
        held = config("--db", os.path.join(self.directory, "x.sqlite"), "--files", other)
        self.assertRaises(DatabaseFileError, build, held, self.reactor)
        daemon = build(
            config("--db", os.path.join(self.directory, "z.sqlite"), "--files", other), self.reactor
        )
        discard(daemon)


class FailedStartTests(SynchronousTestCase):
    """A start whose port is busy, with --db and --files in a folder of the test's, leaves it as it found it."""

    def setUp(self) -> None:
        self.reactor = MemoryReactorClock()
        self.patch(self.reactor, "listenTCP", self.refuse)
        self.directory = new_folder(self)
        self.path = os.path.join(self.directory, "chatd.sqlite")
        with open(os.path.join(self.directory, "notes.txt"), "w", encoding="utf-8") as notes:
            notes.write("the host's own\n")

    @staticmethod
    def refuse(port: int, *args: object, **kwargs: object) -> None:
        raise CannotListenError("127.0.0.1", port, OSError("in use"))

    def fail_to_start(self, *arguments: str) -> None:
        """Start with ``arguments`` on the busy port: the bind's error goes through."""
        self.assertRaises(CannotListenError, bound_daemon, config("--port", "5000", *arguments), self.reactor)

    def test_a_new_database_and_files_folder_are_removed(self) -> None:
        """The --db file, its pass log and search index, and the --files folder it made are gone; what was in the
        folder before stays."""
        files = os.path.join(self.directory, "files")
        self.fail_to_start("--db", self.path, "--files", files)
        self.assertEqual(os.listdir(self.directory), ["notes.txt"])

    def test_a_database_that_was_there_is_kept_with_its_files_and_let_go(self) -> None:
        """A --db file from an earlier run and the default files folder beside it stay as they were, and the file is
        not held: the next start opens it."""
        store = SQLiteHistory.open(self.path, self.reactor)
        store.let_go()
        os.mkdir(os.path.join(self.directory, "chatd-files"))
        before = sorted(os.listdir(self.directory))
        self.fail_to_start("--db", self.path)
        self.assertEqual(sorted(os.listdir(self.directory)), before)
        SQLiteHistory.open(self.path, self.reactor).let_go()

    def test_the_files_folder_is_let_go(self) -> None:
        """A --files folder that was there is not held: the next start has it."""
        files = os.path.join(self.directory, "files")
        os.mkdir(files)
        self.fail_to_start("--files", files)
        discard(build(config("--files", files), self.reactor))

    def test_a_temporary_files_folder_is_removed(self) -> None:
        """With --db :memory:, the spool's temporary folder goes with the start."""
        before = set(os.listdir(tempfile.gettempdir()))
        self.fail_to_start()
        made = {
            name for name in os.listdir(tempfile.gettempdir()) if name.startswith("chatd-files-")
        } - before
        self.assertEqual(made, set())


class OperatorWiringTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.reactor = ThreadedReactor()
        self.directory = new_folder(self)

    def start(self, *arguments: str) -> tuple[LineFactory, list[IProtocol]]:
        """The daemon for ``arguments``, started; its line front end and what it connected to the terminal."""
        return self.start_with(options(*arguments))

    def start_with(self, parsed: Options) -> tuple[LineFactory, list[IProtocol]]:
        terminals: list[IProtocol] = []
        daemon = build(parsed.config(), self.reactor, terminal=terminals.append)
        daemon.startService()
        self.addCleanup(daemon.stopService)
        factory = self.reactor.tcpServers[0][1]
        assert isinstance(factory, LineFactory)
        return factory, terminals

    def test_opers_file_operators_can_oper_checked_on_the_pool(self) -> None:
        """An operator from --opers becomes one with /oper; the hash is checked on a low-priority thread of the daemon's pool."""
        path = os.path.join(self.directory, "opers")
        with open(path, "w", encoding="utf-8") as opers:
            opers.write("boss " + quick_hash("pw") + "\n")
        parsed = options("--opers", path)
        recording = parsed["operators"] = RecordingOpers(parsed["operators"])
        factory, _ = self.start_with(parsed)
        protocol = factory.buildProtocol(None)
        wire = StringTransport()
        protocol.makeConnection(wire)
        # Gone before the daemon stops, so its goodbye is done and the pool's threads are joined.
        self.addCleanup(protocol.connectionLost, Failure(ConnectionDone()))
        protocol.dataReceived(b"alice\n")
        self.reactor.advance(0)
        wire.clear()
        protocol.dataReceived(b"/oper boss pw\n")
        self.reactor.advance(0)
        self.assertEqual(wire.value(), b"")
        self.reactor.run_from_thread()
        self.reactor.advance(0)
        self.assertEqual(wire.value(), b"*** You are now an operator.\r\n")
        [thread] = recording.threads
        self.assertIsNot(thread, threading.current_thread())
        self.assertIn("chatd-passwords", thread.name)
        if sys.platform.startswith("linux"):
            self.assertEqual(recording.nice, [BACKGROUND_NICE])

    def test_password_pool_runs_while_the_listeners_do(self) -> None:
        """The thread pools (passwords, files) are started before the listeners and stopped, their threads joined, after them."""
        daemon = build(config(), self.reactor)
        backing = next(iter(IServiceCollection(daemon)))
        pools = [service._pool for service in IServiceCollection(backing) if isinstance(service, Threads)]
        self.assertEqual(sorted(pool.name for pool in pools), ["chatd-files", "chatd-passwords"])
        daemon.startService()
        self.assertTrue(all(pool.started for pool in pools))
        daemon.stopService()
        self.assertTrue(all(pool.joined for pool in pools))

    def console_daemon(self) -> tuple[IService, Console]:
        """A daemon built with --console, started, and the console its start connected to the terminal."""
        self.patch(Options, "stdin", Terminal())
        terminals: list[IProtocol] = []
        daemon = build(
            under_twistd("-n", "chatd", "--name", "testhost", "--db", ":memory:", "--console").config(),
            self.reactor,
            terminal=terminals.append,
        )
        self.assertEqual(terminals, [])
        daemon.startService()
        [console] = terminals
        assert isinstance(console, Console)
        return daemon, console

    def test_console_is_connected_at_start_and_shutdown_stops_the_reactor(self) -> None:
        """With --console the host's console reaches the terminal when the daemon starts; its /shutdown stops the reactor."""
        daemon, console = self.console_daemon()
        self.addCleanup(daemon.stopService)
        console.makeConnection(StringTransport())
        console.dataReceived(b"/shutdown bye\n")
        self.assertTrue(self.reactor.hasStopped)

    def test_the_host_leaves_the_chat_before_storage_stops(self) -> None:
        """Stopping the daemon tells the host's console the server is going and has the host quit, with the goodbyes."""
        daemon, console = self.console_daemon()
        screen = StringTransport()
        console.makeConnection(screen)
        host = console.user
        self.successResultOf(daemon.stopService())
        self.assertTrue(screen.value().endswith(b"*** Server shutting down. Goodbye.\r\n"))
        self.assertIsNone(console.user)
        assert host is not None, "the console named the host"
        self.assertFalse(host.online)

    def test_no_console_unless_asked(self) -> None:
        """Without --console nothing is connected to the terminal."""
        _, terminals = self.start()
        self.assertEqual(terminals, [])


class Journal(list[str]):
    """What happened, in order, to the services and listeners of one test."""


class Recorder(Service):
    """A backing service (storage, bus) that notes its start and stop; its stop waits for ``stopped``."""

    def __init__(self, journal: Journal, name: str) -> None:
        self.journal = journal
        self.name = name
        self.stopped: Deferred[None] = Deferred()

    @override
    def privilegedStartService(self) -> None:
        super().privilegedStartService()
        self.journal.append(f"privileged {self.name}")

    @override
    def startService(self) -> None:
        super().startService()
        self.journal.append(f"start {self.name}")

    @override
    def stopService(self) -> "Deferred[None]":
        super().stopService()
        self.journal.append(f"stop {self.name}")
        return self.stopped


@implementer(IListeningPort)
class RecordingPort:
    """A listening port that notes when it is closed; closing waits for ``closed``."""

    def __init__(self, journal: Journal, name: str, port: IListeningPort) -> None:
        self._journal = journal
        self._name = name
        self._port = port
        self.closed: Deferred[None] = Deferred()

    def startListening(self) -> None:  # noqa: N802 (IListeningPort's name)
        self._port.startListening()

    def stopListening(self) -> "Deferred[None]":  # noqa: N802 (IListeningPort's name)
        self._journal.append(f"close {self._name}")
        self._port.stopListening()
        return self.closed

    def getHost(self) -> IAddress:  # noqa: N802 (IListeningPort's name)
        return self._port.getHost()


@implementer(IStreamServerEndpoint)
class RecordingEndpoint:
    """A TCP endpoint on the fake reactor that notes when it listens and hands out a ``RecordingPort``."""

    def __init__(self, journal: Journal, reactor: MemoryReactorClock, port: int) -> None:
        self._journal = journal
        self._endpoint = TCP4ServerEndpoint(reactor, port, interface="127.0.0.1")
        self._name = str(port)
        self.ports: list[RecordingPort] = []

    def listen(self, factory: IProtocolFactory) -> "Deferred[IListeningPort]":
        self._journal.append(f"listen {self._name}")
        listening: Deferred[IListeningPort] = self._endpoint.listen(factory)
        return listening.addCallback(self._record)

    def _record(self, port: IListeningPort) -> IListeningPort:
        recording = RecordingPort(self._journal, self._name, port)
        self.ports.append(recording)
        return recording


class FakeFrontEnd:
    """A ``FrontEnd`` whose shutdown is noted and fires when the test says."""

    def __init__(self, journal: Journal, name: str, endpoints: Sequence[RecordingEndpoint]) -> None:
        self._journal = journal
        self.name = name
        self.factory = ServerFactory.forProtocol(Protocol)
        self.endpoints = endpoints
        self.closed: Deferred[None] = Deferred()

    def shutdown(self) -> "Deferred[None]":
        self._journal.append(f"goodbye {self.name}")
        return self.closed


class CompositionTests(SynchronousTestCase):
    """Backing services start first and stop last; listeners close before the goodbyes, which all run at once."""

    def setUp(self) -> None:
        self.reactor = MemoryReactorClock()
        self.journal = Journal()
        self.logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]
        self.storage = Recorder(self.journal, "storage")
        self.bus = Recorder(self.journal, "bus")
        self.line_endpoints = [RecordingEndpoint(self.journal, self.reactor, port) for port in (5000, 5001)]
        self.irc_endpoints = [RecordingEndpoint(self.journal, self.reactor, 6667)]
        self.line = FakeFrontEnd(self.journal, "line", self.line_endpoints)
        self.irc = FakeFrontEnd(self.journal, "irc", self.irc_endpoints)
        front_ends: list[FrontEnd] = [self.line, self.irc]
        console = Recorder(self.journal, "console")
        console.stopped.callback(None)
        self.daemon = compose([self.storage, self.bus], front_ends, [console])

    def start(self) -> None:
        """Start as twistd does: every privileged start first, then every start."""
        self.daemon.privilegedStartService()
        self.daemon.startService()

    def closed(self, endpoints: Sequence[RecordingEndpoint]) -> None:
        for endpoint in endpoints:
            for port in endpoint.ports:
                port.closed.callback(None)

    def test_each_front_end_listens_on_its_own_endpoints_with_its_factory(self) -> None:
        """Two front ends each get a listener per endpoint, serving their own factory, each announced."""
        self.start()
        self.assertEqual(
            [(port, factory) for port, factory, _, _ in self.reactor.tcpServers],
            [(5000, self.line.factory), (5001, self.line.factory), (6667, self.irc.factory)],
        )
        announced = [event["log_format"].format(**event) for event in self.logged]
        self.assertEqual(
            [text for text in announced if "listening on" in text],
            [f"chatd listening on 0.0.0.0:{port}" for port in (5000, 5001, 6667)],
        )

    def test_backing_services_start_before_the_listeners(self) -> None:
        """Each phase starts storage and bus first, then the listeners, then the console.

        Ports are bound in the privileged phase (twistd binds before it
        sheds root), but nothing is accepted until the reactor runs, after
        every service has started.
        """
        self.start()
        self.assertEqual(
            self.journal,
            [
                *("privileged storage", "privileged bus"),
                *("listen 5000", "listen 5001", "listen 6667"),
                "privileged console",
                *("start storage", "start bus", "start console"),
            ],
        )

    def test_stop_closes_listeners_then_says_goodbye_then_stops_backing_services(self) -> None:
        """Stopping waits for every listener to close before the goodbyes, and for every goodbye before storage and bus stop."""
        self.start()
        self.journal.clear()
        stopped = self.daemon.stopService()
        self.assertEqual(self.journal, ["stop console", "close 6667", "close 5001", "close 5000"])
        self.closed(self.irc_endpoints)
        self.assertEqual(self.journal[4:], [])
        self.closed(self.line_endpoints)
        self.assertEqual(self.journal[4:], ["goodbye irc", "goodbye line"])
        self.irc.closed.callback(None)
        self.assertEqual(self.journal[6:], [])
        self.line.closed.callback(None)
        self.assertEqual(self.journal[6:], ["stop bus", "stop storage"])
        self.assertNoResult(stopped)
        self.bus.stopped.callback(None)
        self.assertNoResult(stopped)
        self.storage.stopped.callback(None)
        self.assertIsNone(self.successResultOf(stopped))

    def test_a_failed_stop_does_not_hold_back_the_rest(self) -> None:
        """A listener that fails to close still lets the goodbyes and the backing services stop."""
        self.start()
        stopped = self.daemon.stopService()
        for endpoint in [*self.line_endpoints, *self.irc_endpoints]:
            for port in endpoint.ports:
                port.closed.errback(Failure(RuntimeError("cannot close")))
        self.line.closed.callback(None)
        self.irc.closed.callback(None)
        self.bus.stopped.callback(None)
        self.storage.stopped.callback(None)
        self.assertIsNone(self.successResultOf(stopped))
        self.assertEqual(len(self.flushLoggedErrors(RuntimeError)), 3)
        self.assertEqual(
            [event["log_format"] for event in self.logged if "log_failure" in event],
            ["A service failed to stop"] * 3,
        )


_LOADED = """
import sys
from twisted.internet.testing import MemoryReactorClock
from chatd.service import build, discard
from chatd.tap import Options
options = Options()
options.parseOptions(sys.argv[1:])
discard(build(options.config(), MemoryReactorClock()))
print("\\n".join(sorted(sys.modules)))
"""
"""Builds the daemon its arguments describe, as twistd would, and prints every module then imported."""

WEB_AND_IRC = ("twisted.web", "wsproto", "h11", "chatd.web", "chatd.line.web_", "chatd.frontend.websocket")
"""What only the browser and IRC front ends use, as the prefixes of their modules' names (chatd.irc's come on top,
apart from ``EVERY_DAEMON``'s)."""

EVERY_DAEMON = (
    "chatd.irc.limits",
    "chatd.irc.pieces",
    "chatd.irc.framing",
    "chatd.irc.lines",
    "chatd.irc.message",
)
"""chatd.irc's modules every daemon imports: its limits, which the options give, and how it cuts a line into
PRIVMSGs (with the 512 bytes it cuts to and the source it writes), by which every daemon counts a deleted line's
pieces."""


class StartImportTests(SynchronousTestCase):
    """A daemon imports the browser and IRC front ends only when one of their ports is configured."""

    def loaded(self, *arguments: str) -> set[str]:
        """The modules imported once ``twistd chatd --name testhost --db :memory: ARGUMENTS`` is built, in a fresh
        Python (this one has imported every front end for other tests)."""
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        result = subprocess.run(
            [sys.executable, "-c", _LOADED, "--name", "testhost", "--db", ":memory:", *arguments],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return set(result.stdout.split())

    def web_and_irc(self, loaded: set[str]) -> list[str]:
        return sorted(
            name
            for name in loaded
            if name.startswith(WEB_AND_IRC) or (name.startswith("chatd.irc.") and name not in EVERY_DAEMON)
        )

    def test_a_daemon_without_web_or_irc_imports_neither(self) -> None:
        """With neither a web nor an IRC port, none of their modules is imported: they and twisted.web, wsproto
        and h11 were about a sixth of a daemon's start-up, spent on every start."""
        self.assertEqual(self.web_and_irc(self.loaded("--port", "0")), [])
        self.assertEqual(self.web_and_irc(self.loaded("--listen", "tcp:0")), [])

    def test_a_web_or_irc_port_imports_its_front_end(self) -> None:
        """A web port brings the page and IRC over its sockets; an IRC port the IRC front end."""
        web = self.web_and_irc(self.loaded("--web-port", "0"))
        for name in (
            "chatd.web.site",
            "chatd.line.web_frontend",
            "chatd.irc.frontend",
            "twisted.web.websocket",
        ):
            self.assertIn(name, web)
        self.assertIn("chatd.irc.frontend", self.web_and_irc(self.loaded("--irc-port", "0")))
        self.assertIn("chatd.irc.frontend", self.web_and_irc(self.loaded("--listen", "irc:tcp:0")))

    def test_an_irc_port_without_a_web_port_imports_no_twisted_web(self) -> None:
        """IRC over the web port's sockets, and the WebSocket and HTTP code under it, come with a web port only:
        an IRC port imported twisted.web, wsproto and h11 for sockets it could not have, about a tenth of its
        start-up's CPU."""
        for arguments in (("--irc-port", "0"), ("--listen", "irc:tcp:0")):
            irc = self.web_and_irc(self.loaded(*arguments))
            self.assertIn("chatd.irc.factory", irc)
            self.assertEqual(
                [name for name in irc if name.startswith((*WEB_AND_IRC, "chatd.irc.socket"))], [], arguments
            )
        self.assertIn("chatd.irc.socket", self.web_and_irc(self.loaded("--web-port", "0")))
