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
stores, the files folder, what every front end shares, the browser and IRC
front ends, the layers, the listeners and the services that tie a lifetime
to the daemon's. ``build`` reads as the steps: stores, chat, shared,
files, front ends, host, and the layers they go in.
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
from chatd.daemon.shared import Shared, shared_by_front_ends
from chatd.daemon.stores import Stores, open_stores
from chatd.daemon.web_and_irc import web_and_irc
from chatd.domain.chat import Chat
from chatd.frontend.collector import Collector
from chatd.frontend.ports import FrontEnd
from chatd.frontend.sinks import Keep
from chatd.frontend.transfers import Transfers
from chatd.irc.pieces import privmsgs
from chatd.line.console import Console
from chatd.line.frontend import line_front_end
from chatd.storage.memory import MemoryHistory
from chatd.storage.new_files import NewFiles
from chatd.storage.retention import Retention
from chatd.storage.spool import Spool
from chatd.storage.sqlite import SQLiteHistory
from chatd.tls_reload import ReloadOnHangup


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
    stores = _stores(config, reactor, spool)
    # Storage and bus are made here, handed to the chat, and put first, so
    # they start before and stop after the front ends.
    bus = MemoryBus()
    chat = _chat(config, reactor, stores, bus)
    shared = shared_by_front_ends(config, reactor)
    # One for the whole daemon: the line and web front ends' connections carry files through it.
    # With --db FILE the transfers still open are kept in it, so a restart goes on with them.
    files, file_services = transfers_with_expiry(config.files, chat, reactor, spool, bus, stores.transfers)
    front_ends = _front_ends(config, chat, reactor, shared, stores, files)
    console, leaving = _host(config, chat, reactor, stores.keep, terminal)
    return compose(
        [
            *_backing_services(config, reactor, stores.history, bus, chat, shared),
            *spool_services,
            *file_services,
            *backing,
            # A renewed certificate is taken on SIGHUP (chatd.tls_reload); without one, SIGHUP keeps its default.
            *([] if config.certificate is None else [ReloadOnHangup(config.certificate, reactor)]),
        ],
        front_ends,
        console,
        leaving,
    )


def _server_rooms(config: Config) -> tuple[str, ...]:
    """The default room and the --room ones: they belong to the server, and nobody owns them by joining first."""
    return (config.default_room, *config.rooms)


def _stores(config: Config, reactor: Any, spool: Spool) -> Stores:
    """The stores ``--db`` names (``open_stores``); a refusal of them lets go of the files folder claimed before."""
    try:
        return open_stores(config.db, reactor, _server_rooms(config))
    except BaseException:
        spool.release()
        raise


def _chat(config: Config, reactor: Any, stores: Stores, bus: MemoryBus) -> Chat:
    """The chat over ``stores`` and ``bus``, with what was kept from before already in force."""
    chat = Chat(
        reactor,
        stores.history,
        bus,
        limits=config.chat,
        stop=reactor.stop,
        server_rooms=_server_rooms(config),
        accounts=stores.accounts,
        mailbox=stores.mailbox,
        rooms=stores.rooms,
        keys=stores.keys,
        # Counted as IRC cuts the line whatever this daemon serves: the tombstone outlives the choice.
        parts=privmsgs,
    )
    # Before anything else happens: the bans kept from before are in force from the first connection.
    chat.restore(stores.restored)
    return chat


def _front_ends(
    config: Config, chat: Chat, reactor: Any, shared: Shared, stores: Stores, files: Transfers
) -> list[FrontEnd]:
    """Every front end ``config`` asks for: the line one always, then the browser and IRC ones (``web_and_irc``)."""
    wiring = shared.wiring(config, chat, reactor, stores.keep, files)
    line = line_front_end(config, wiring, shared.tokens)
    if isinstance(stores.history, SQLiteHistory):
        # One call at the end of a pass, not two: the line front end's send keeps the store's events first,
        # with nothing to send too. Every daemon has it; a pass that writes to another front end's outbox still
        # makes that one's call as well.
        stores.history.keep_with(line.factory.outbox.send_soon)
    return [line, *web_and_irc(config, wiring, shared.tokens, stores.links)]


def _host(
    config: Config,
    chat: Chat,
    reactor: Any,
    keep: Keep | None,
    terminal: Callable[[IProtocol], object] | None,
) -> tuple[list[IService], list[IService]]:
    """The host's console on the terminal, and its leaving among the goodbyes; neither without ``--console``."""
    if config.console is None:
        return [], []
    host = Console(chat, config.console.nick, config.default_room, config.line.limits.max_line, keep)
    connect = terminal or (lambda protocol: StandardIO(protocol, reactor=reactor))
    # The host leaves among the goodbyes, not when the reactor closes the terminal after every service has
    # stopped: its quit then reached a closed --db file. Last of them, so users already told the server
    # is going are not told the host left.
    return [Terminal(host, connect)], [Goodbye(host.shutdown)]


def _backing_services(
    config: Config,
    reactor: Any,
    history: MemoryHistory | SQLiteHistory,
    bus: MemoryBus,
    chat: Chat,
    shared: Shared,
) -> list[IService]:
    """The chat's own backing services, in the order they start: memory, storage, bus, logs, timers, threads."""
    # Started after the store, so its first round (at start) finds the store's threads running.
    forgetting = [] if config.retain_days is None else [Retention(history.prune, config.retain_days, reactor)]
    return [
        # First: it freezes what building the daemon made (nearly all start-up leaves), and thaws last.
        Collector(),
        history,
        *forgetting,
        bus,
        shared.bounded,
        AuditLog(bus, shared.bounded),
        Goodbye(chat.stop),
        Threads(shared.passwords),
    ]


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
