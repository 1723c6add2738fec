"""Wires the chat, its front ends, the services they rely on and the host's console into one twistd service.

``build`` is shared by the twistd plugin (chatd.tap) and chatd.tac, so both
run the same daemon from the same ``chatd.config.Config``. A front end is a
``chatd.frontend.ports.FrontEnd`` made by its own builder; the service only
listens on its endpoints and calls its ``shutdown``.

The daemon is four layers, started in this order:

1. backing services: the garbage collector's settings
   (chatd.frontend.collector), storage (and, with ``--retain-days``, its
   forgetting), bus, the log of who did what, the chat's timers, the
   password threads;
2. goodbyes: one per front end, whose stop is that front end's ``shutdown``,
   and the host's leaving, when the console is configured;
3. listeners: one per endpoint of each front end, each announced in the log;
4. the host's console, when configured.

``bind`` opens the listeners ahead of the rest, when the service is made:
twistd logs, forks and writes its pid file only after that, so a port that
cannot be had stops the start where the host can still be told in one
sentence (chatd.tap words it), instead of in a traceback in the log.
``bound_daemon`` does both, and a start it stops removes the files it made.

Stopping (SIGTERM, SIGINT, or an operator's ``/shutdown``, which stops the
reactor) goes the other way, each layer once the one above it has stopped:
every listener closes, then every connected user is told the server is
going and the daemon waits for those goodbyes to be written, and only then
do storage and bus stop, so they see every event up to the last quit.

What is wired here is made in chatd.daemon, a module for each purpose: the
stores, the files folder, the browser and IRC front ends, the layers, the
listeners and the services that tie a lifetime to the daemon's.
"""

from collections.abc import Callable, Sequence
from typing import Any

from twisted.application.service import IService, MultiService
from twisted.internet.interfaces import IProtocol
from twisted.internet.stdio import StandardIO

from chatd.audit import AuditLog
from chatd.bus.memory import MemoryBus
from chatd.config import Config
from chatd.daemon.files import LetGo, spool_before_store, transfers_with_expiry
from chatd.daemon.layers import Layers, every_service
from chatd.daemon.lifetimes import Goodbye, Terminal, Threads
from chatd.daemon.listeners import announced_listener, bind
from chatd.daemon.stores import open_stores
from chatd.daemon.web_and_irc import deleted_parts, web_and_irc
from chatd.domain.chat import Chat
from chatd.frontend.accounts import AccountLogin, on_threads
from chatd.frontend.admission import Admission
from chatd.frontend.collector import Collector
from chatd.frontend.logs import BoundedLog
from chatd.frontend.oper import OperatorLogin, in_thread_pool, password_pool
from chatd.frontend.ports import FrontEnd
from chatd.line.console import Console
from chatd.line.frontend import line_front_end
from chatd.line.takeover import SessionTokens
from chatd.storage.new_files import NewFiles
from chatd.storage.retention import Retention
from chatd.storage.sqlite import SQLiteHistory
from chatd.tls_reload import ReloadOnHangup
from chatd.turns import Turns

PASSWORD_THREADS = 1
"""Password checks (Argon2id at argon2-cffi's default cost) that may run at once.

One, measured with bench/password_load.py (20 wrong /oper at once while
two users talk) on the shared 2-core host chatd is developed on, where each
check takes about 0.25 s of one core and 64 MiB. With one thread the
talkers' p99 was 4.7-7.8 ms and the 20 answers took 3.6-6.0 s; with two,
p99 was 8.5-9.0 ms for answers in 3.2 s: the second thread takes the core
the reactor would have had, for little gain. (On the reactor thread, as
before issue 11: p99 5.4 s.) More threads would buy attackers faster
answers with everyone else's latency; the failure budgets, not the pool,
bound how much checking a stranger can ask for, and each host has one
check on the pool at a time (``Turns``), so it waits behind one check of
each other host at most, not behind every check one host asks for.
"""


def build(
    config: Config,
    reactor: Any,
    terminal: Callable[[IProtocol], object] | None = None,
    backing: Sequence[IService] = (),
) -> IService:
    """The whole daemon ``config`` describes, on ``reactor``.

    ``reactor`` provides ``IReactorTime``, ``IReactorCore`` (``/shutdown``
    stops it) and ``IReactorTCP`` (and whatever the ``--listen`` endpoints
    need). With a console configured, ``terminal`` connects the console
    protocol to the daemon's terminal; by default through ``StandardIO`` on
    ``reactor``. ``backing`` are services the chat relies on (storage, bus):
    they start before any front end listens and stop after every goodbye.
    With ``config.db``, the SQLite file is opened, checked and read here
    (``SQLiteHistory.open``: raises ``DatabaseFileError``), once, before
    the daemon starts.
    """
    # The files folder first: one that cannot be used stops the start before the --db file is opened.
    spool, spool_services = spool_before_store(config, reactor)
    # Storage and bus are made here, handed to the chat, and put first, so
    # they start before and stop after the front ends.
    # The default room and the --room ones belong to the server: nobody owns them by joining first.
    server_rooms = (config.default_room, *config.rooms)
    try:
        stores = open_stores(config.db, reactor, server_rooms)
    except BaseException:
        spool.release()
        raise
    history, keep = stores.history, stores.keep
    bus = MemoryBus()
    chat = Chat(
        reactor,
        history,
        bus,
        limits=config.chat,
        stop=reactor.stop,
        server_rooms=server_rooms,
        accounts=stores.accounts,
        mailbox=stores.mailbox,
        rooms=stores.rooms,
        keys=stores.keys,
        parts=deleted_parts(config),
    )
    # Before anything else happens: the bans kept from before are in force from the first connection.
    chat.restore(stores.restored)
    # One for the whole daemon: what strangers can repeat is logged at a bounded rate.
    bounded = BoundedLog(reactor)
    # One for the whole daemon: every front end's connections count against the same limits.
    admission = Admission(
        config.max_connections,
        config.max_per_ip,
        bounded=bounded,
        now=reactor.seconds,
        connect_rate=config.connect_rate,
        connect_burst=config.connect_burst,
    )
    # Password checks run here, never on the reactor thread; each host's, whatever the port or kind, one at a time.
    passwords = password_pool(PASSWORD_THREADS)
    password_turns = Turns()
    login = OperatorLogin(
        in_thread_pool(reactor, passwords, config.operators.verify),
        reactor,
        bounded=bounded,
        turns=password_turns,
    )
    # One for the whole daemon: the line and web front ends' connections carry files through it.
    # With --db FILE the transfers still open are kept in it, so a restart goes on with them.
    files, file_services = transfers_with_expiry(config.files, chat, reactor, spool, bus, stores.transfers)
    # One builder per front end.
    accounts_login = AccountLogin(
        *on_threads(reactor, passwords), reactor, bounded=bounded, turns=password_turns
    )
    # One for the whole daemon: each host's searches go one at a time, whatever the port.
    search_turns = Turns()
    # One for the line and web ports: a wrong takeover token costs the same budget on either.
    tokens = SessionTokens(reactor, bounded=bounded)
    line = line_front_end(
        config, chat, reactor, admission, login, keep, accounts_login, files, search_turns, tokens
    )
    if isinstance(history, SQLiteHistory):
        # One call at the end of a pass, not two: the line front end's send keeps the store's events first,
        # with nothing to send too. Every daemon has it; a pass that writes to another front end's outbox still
        # makes that one's call as well.
        history.keep_with(line.factory.outbox.send_soon)
    front_ends: list[FrontEnd] = [
        line,
        *web_and_irc(
            config, chat, reactor, admission, login, keep, accounts_login, files, search_turns, tokens
        ),
    ]
    console: list[IService] = []
    leaving: list[IService] = []
    if config.console is not None:
        host = Console(chat, config.console.nick, config.default_room, config.line.limits.max_line, keep)
        console.append(Terminal(host, terminal or (lambda protocol: StandardIO(protocol, reactor=reactor))))
        # The host leaves among the goodbyes, not when the reactor closes the terminal after every service has
        # stopped: its quit then reached a closed --db file. Last of them, so users already told the server
        # is going are not told the host left.
        leaving.append(Goodbye(host.shutdown))
    # Started after the store, so its first round (at start) finds the store's threads running.
    forgetting = [] if config.retain_days is None else [Retention(history.prune, config.retain_days, reactor)]
    # A renewed certificate is taken on SIGHUP (chatd.tls_reload); without one, SIGHUP keeps its default.
    reloading = [] if config.certificate is None else [ReloadOnHangup(config.certificate, reactor)]
    return compose(
        [
            # First: it freezes what building the daemon made (nearly all start-up leaves), and thaws last.
            Collector(),
            history,
            *forgetting,
            bus,
            bounded,
            AuditLog(bus, bounded),
            Goodbye(chat.stop),
            Threads(passwords),
            *spool_services,
            *file_services,
            *backing,
            *reloading,
        ],
        front_ends,
        console,
        leaving,
    )


def compose(
    backing: Sequence[IService],
    front_ends: Sequence[FrontEnd],
    last: Sequence[IService] = (),
    leaving: Sequence[IService] = (),
) -> MultiService:
    """The daemon's layers (see the module docstring): ``backing``, goodbyes, listeners, ``last``.

    ``leaving`` stop with the goodbyes, after every front end's has begun (a
    layer stops its services last first).
    """
    goodbyes = [*leaving, *(Goodbye(front_end.shutdown) for front_end in front_ends)]
    listeners = [
        announced_listener(endpoint, front_end.factory)
        for front_end in front_ends
        for endpoint in front_end.endpoints
    ]
    return Layers([backing, goodbyes, listeners, last])


def bound_daemon(config: Config, reactor: Any) -> IService:
    """The daemon ``config`` describes on ``reactor``, built and its listeners bound (``build``, ``bind``).

    A start that cannot go ahead (``DatabaseFileError``, ``SpoolFolderError``,
    ``CannotListenError``, raised as they come) leaves nothing behind: what
    the daemon holds open is let go (``discard``), and the files and folders
    this start made are removed (chatd.storage.new_files). A busy port left
    a brand-new --db file that the next start took for a real one.
    """
    made = NewFiles.before(config.db, config.files.directory)
    try:
        daemon = build(config, reactor)
        try:
            bind(daemon)
        except BaseException:
            discard(daemon)
            raise
    except BaseException:
        made.remove()
        raise
    return daemon


def discard(daemon: IService) -> None:
    """Let go of what ``daemon``, made by ``build`` and never started, holds on disk: its store's files are closed
    as they are, its temporary files folder is removed and its files folder let go."""
    for service in every_service(daemon):
        if isinstance(service, SQLiteHistory | LetGo):
            service.let_go()
