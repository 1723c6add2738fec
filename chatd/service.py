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
"""

import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from twisted.application.internet import StreamServerEndpointService, TimerService
from twisted.application.service import IService, IServiceCollection, MultiService, Service
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.defer import Deferred, DeferredList, maybeDeferred, succeed
from twisted.internet.interfaces import (
    IListeningPort,
    IProtocol,
    IProtocolFactory,
    IStreamServerEndpoint,
)
from twisted.internet.stdio import StandardIO
from twisted.internet.threads import deferToThreadPool
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool
from typing_extensions import override
from zope.interface import implementer

from chatd.audit import AuditLog
from chatd.bus.memory import MemoryBus
from chatd.config import Config, FilesConfig
from chatd.domain.chat import Chat
from chatd.domain.deletion import sent_whole
from chatd.domain.events import Event, RoomEvent
from chatd.domain.ports import Accounts, Bus, KeyStore, Mailbox, RoomStore
from chatd.frontend.accounts import AccountLogin, on_threads
from chatd.frontend.admission import Admission
from chatd.frontend.collector import Collector
from chatd.frontend.endpoints import speaks_tls
from chatd.frontend.logs import BoundedLog
from chatd.frontend.oper import OperatorLogin, in_thread_pool, password_pool
from chatd.frontend.output import Keep
from chatd.frontend.ports import FrontEnd
from chatd.frontend.transfer_parts import TransferStore
from chatd.frontend.transfers import Transfers
from chatd.line.console import Console
from chatd.line.frontend import line_front_end
from chatd.line.takeover import SessionTokens
from chatd.storage.keys import MemoryKeys, SQLiteKeys
from chatd.storage.memory import MemoryAccounts, MemoryHistory, MemoryMailbox, MemoryRooms
from chatd.storage.new_files import NewFiles
from chatd.storage.retention import Retention
from chatd.storage.schema import DatabaseFileError
from chatd.storage.spool import Spool, SpoolInUseError, SpoolNotMadeError
from chatd.storage.sqlite import SQLiteHistory
from chatd.storage.sqlite_accounts import SQLiteAccounts
from chatd.storage.sqlite_mailbox import SQLiteMailbox
from chatd.storage.sqlite_open import refuse_if_folder, refuse_if_held, unopened
from chatd.storage.sqlite_rooms import SQLiteRooms
from chatd.storage.sqlite_transfers import SQLiteTransfers
from chatd.text import fold
from chatd.tls_reload import ReloadOnHangup
from chatd.turns import Turns

log = Logger()

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
    spool, spool_services = _spool_before_store(config, reactor)
    # Storage and bus are made here, handed to the chat, and put first, so
    # they start before and stop after the front ends.
    # The default room and the --room ones belong to the server: nobody owns them by joining first.
    server_rooms = (config.default_room, *config.rooms)
    try:
        stores = _stores(config.db, reactor, server_rooms)
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
        parts=_parts(config),
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
    files, file_services = _files(config.files, chat, reactor, spool, bus, stores.transfers)
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
        *_web_and_irc(
            config, chat, reactor, admission, login, keep, accounts_login, files, search_turns, tokens
        ),
    ]
    console: list[IService] = []
    leaving: list[IService] = []
    if config.console is not None:
        host = Console(chat, config.console.nick, config.default_room, config.line.limits.max_line, keep)
        console.append(_Terminal(host, terminal or (lambda protocol: StandardIO(protocol, reactor=reactor))))
        # The host leaves among the goodbyes, not when the reactor closes the terminal after every service has
        # stopped: its quit then reached a closed --db file. Last of them, so users already told the server
        # is going are not told the host left.
        leaving.append(_Goodbye(host.shutdown))
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
            _Timers(chat),
            _Threads(passwords),
            *spool_services,
            *file_services,
            *backing,
            *reloading,
        ],
        front_ends,
        console,
        leaving,
    )


def _parts(config: Config) -> Callable[[RoomEvent], int]:
    """How the chat counts the messages a line it deletes went out as (``Deleted.parts``): as IRC's PRIVMSGs where
    IRC is served (its port, or the web port's IRC sockets), whose clients are sent a REDACT for each; else one.
    IRC's rendering is imported only then, as ``_web_and_irc`` imports its front end."""
    if not (config.web.wanted or config.irc.wanted):
        return sent_whole
    from chatd.irc.render import privmsgs

    return privmsgs


def _web_and_irc(
    config: Config,
    chat: Chat,
    reactor: Any,
    admission: Admission,
    login: OperatorLogin,
    keep: Keep | None,
    accounts_login: AccountLogin,
    files: Transfers,
    search_turns: Turns,
    tokens: SessionTokens,
) -> list[FrontEnd]:
    """The browser and IRC front ends ``config`` asks for, in that order: none without a port or --listen of theirs.

    Imported here, only when one is asked for: they and what only they use
    (twisted.web, wsproto and h11, the IRC modules) were a sixth of every
    start's work (``twistd chatd --help``: 3.43 to 2.85 billion instructions
    under valgrind, 0.76 to 0.63 s of CPU at best), which a daemon serving
    nc and the terminal client alone paid for nothing. IRC over the web
    port's sockets (chatd.irc.socket, and twisted.web, wsproto and h11
    under it) comes with a web port alone: an IRC port without one took
    0.44 s of CPU to listen with them, 0.40 s without.
    """
    if not (config.web.wanted or config.irc.wanted):
        return []
    from chatd.irc.frontend import irc_front_end

    front_ends: list[FrontEnd] = []
    takeovers = None
    if config.web.wanted:
        from chatd.frontend.websocket import Takeovers
        from chatd.line.render import text_line
        from chatd.line.web_frontend import web_front_end
        from chatd.web.files import FileLinks
        from chatd.web.site import PAGE_REQUESTS, page_site

        # Other front ends a web port's socket may ask for by subprotocol (IRC's).
        takeovers = Takeovers()
        # Files offered may be fetched over HTTP with single-use links under the web port's URL.
        links = FileLinks(files, reactor, text_line)
        files.links = links.make
        page = page_site(config.web.origins, reactor, links, idle=config.line.limits.http_timeout)
        front_ends.append(
            web_front_end(
                config,
                chat,
                reactor,
                admission,
                login,
                keep,
                accounts_login,
                site=page,
                takeovers=takeovers,
                files=files,
                heard=links.heard,
                search_turns=search_turns,
                tokens=tokens,
                page_requests=PAGE_REQUESTS,
            )
        )
    # With a web port only, IRC is spoken over its sockets alone: the front end has no endpoint.
    irc = irc_front_end(config, chat, reactor, admission, login, keep, accounts_login, files, search_turns)
    if takeovers is not None:
        # IRC over the web port's sockets, and twisted.web with it, only with a web port.
        from chatd.irc.socket import SUBPROTOCOLS, socket_maker

        takeovers.add(SUBPROTOCOLS, socket_maker(irc.factory))
    front_ends.append(irc)
    return front_ends


@dataclass(frozen=True)
class _Stores:
    """What ``--db`` keeps the chat in: one file, or memory; what output waits for; the events kept to restore."""

    history: MemoryHistory | SQLiteHistory
    accounts: Accounts
    mailbox: Mailbox
    rooms: RoomStore
    keys: KeyStore
    """Accounts' device keys and their log (issue 17)."""
    transfers: TransferStore | None
    """The files' transfers still open (issue 16); None: they end with the daemon."""
    keep: Keep | None = None
    restored: Sequence[Event] = ()


def _stores(db: str | None, reactor: Any, server_rooms: Sequence[str]) -> _Stores:
    """The stores ``--db`` names. In memory, output waits for nothing and nothing is restored. The file's store holds
    the last seq of ``server_rooms`` in memory: every user joins the default room as they connect.

    Raises ``DatabaseFileError`` for a file that cannot be used.
    """
    if db is None:
        return _Stores(MemoryHistory(), MemoryAccounts(), MemoryMailbox(), MemoryRooms(), MemoryKeys(), None)
    store = SQLiteHistory.open(db, reactor, [fold(room) for room in server_rooms])
    return _Stores(
        store,
        SQLiteAccounts(store),
        SQLiteMailbox(store),
        SQLiteRooms(store),
        SQLiteKeys(store),
        SQLiteTransfers(store),
        store.keep,
        store.restored,
    )


EXPIRY_SECONDS = 3600.0
"""How often the spool is swept of bytes no transfer names, and days' counts pruned (and once at start); each transfer goes as its own time comes (``Transfers.start``)."""


def _spool(directory: str | None, reactor: Any) -> tuple[Spool, list[IService]]:
    """The spool in ``directory`` (a temporary folder if None), claimed, and the services that run its thread,
    remove a temporary folder and let the folder go once stopped.

    Its file I/O runs on a thread of its own, so a slow disk holds up no
    chat line. Raises ``SpoolFolderError`` for a folder that cannot be used.
    """
    pool = ThreadPool(1, 1, "chatd-files")
    folder = tempfile.mkdtemp(prefix="chatd-files-") if directory is None else directory
    spool = Spool(folder, run=lambda work: deferToThreadPool(reactor, pool, work))
    # Listed first, so stopped last: the folder goes once the thread writing to it has stopped, and is let go for
    # another daemon after that.
    removed = [] if directory is not None else [_Removed(folder)]
    return spool, [_Released(spool), *removed, _Threads(pool)]


def _spool_before_store(config: Config, reactor: Any) -> tuple[Spool, list[IService]]:
    """``_spool`` of ``config``'s files folder, made before the ``--db`` file is opened; a refusal of it that the
    ``--db`` is to blame for names ``--db``.

    A second daemon on the same ``--db`` meets the folder beside it first
    (``SpoolInUseError``); the default folder beside ``--db`` cannot be made
    where ``--db``'s own folder cannot be written, is a file or is missing
    (it is not made: a mistyped folder would hold a new, empty chat), and
    its host gave no ``--files``. A ``--db`` naming a folder is refused
    before the default folder is made in it.
    """
    if config.db is not None:
        refuse_if_folder(config.db)
    try:
        return _spool(config.files.directory, reactor)
    except SpoolInUseError:
        if config.db is not None:
            refuse_if_held(config.db)
        raise
    except SpoolNotMadeError as error:
        if config.db is not None and config.files.beside_db:
            raise DatabaseFileError(unopened(config.db, error.reason)) from None
        raise


def _files(
    config: FilesConfig,
    chat: Chat,
    reactor: Any,
    spool: Spool,
    bus: Bus,
    kept: TransferStore | None = None,
) -> tuple[Transfers, list[IService]]:
    """The transfer engine over ``spool``, and its service: what waited too long goes as its time comes, and the
    rest is swept every ``EXPIRY_SECONDS``.

    ``bus`` carries the chat's renames to it; ``kept`` keeps the open transfers across a restart (``--db FILE``).
    """
    transfers = Transfers(chat, spool, reactor, config.limits, store=kept, bus=bus)
    expiry = _Expiry(transfers)
    expiry.clock = reactor
    return transfers, [expiry]


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
    goodbyes = [*leaving, *(_Goodbye(front_end.shutdown) for front_end in front_ends)]
    listeners = [
        _listener(endpoint, front_end.factory) for front_end in front_ends for endpoint in front_end.endpoints
    ]
    return _Layers([backing, goodbyes, listeners, last])


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
    for service in _services(daemon):
        if isinstance(service, SQLiteHistory):
            service.let_go()
        elif isinstance(service, _Removed):
            service.remove()
        elif isinstance(service, _Released):
            service.release()


class EndpointError(Exception):
    """A listener's endpoint that Twisted parsed but cannot listen on, for a reason other than an address or port
    taken or forbidden (those are ``CannotListenError``): a port past 65535 or below 0, the missing certificate
    of an ``ssl:`` endpoint, the missing folder of a ``unix:`` one. Its text is one sentence for the host."""


def bind(daemon: IService) -> None:
    """Open every listener of ``daemon`` (made by ``build`` or ``compose``) now, before it starts.

    Raises ``CannotListenError`` for the first endpoint that cannot be
    bound, ``EndpointError`` for one that cannot be used at all (Twisted's
    parser takes ``tcp:99999``, and binding it raised a bare OverflowError,
    a traceback at start). Nothing is accepted before the reactor runs, by
    which time the daemon has started; starting it later does not listen
    again.
    """
    for service in _services(daemon):
        if isinstance(service, _Listener):
            try:
                service.privilegedStartService()
            except (OSError, OverflowError) as error:
                raise EndpointError(
                    f"a --listen endpoint cannot be used ({error}); change that --listen."
                ) from None


def _services(service: IService) -> Iterator[IService]:
    """``service`` and every service under it."""
    yield service
    if IServiceCollection.providedBy(service):
        for child in service:
            yield from _services(child)


def _listener(endpoint: IStreamServerEndpoint, factory: IProtocolFactory) -> IService:
    """A service listening on ``endpoint`` with ``factory`` once started, announcing where it listens."""
    listener = _Listener(_Announced(endpoint), factory)
    # As twisted.application.strports.service does: a port that cannot
    # be bound fails startup instead of leaving a deaf daemon running.
    listener._raiseSynchronously = True
    return listener


class _Listener(StreamServerEndpointService):
    """Listens on its endpoint once, whether ``bind`` or the daemon's start gets there first."""

    @override
    def privilegedStartService(self) -> None:
        if self._waitingForPort is None:
            super().privilegedStartService()


class _Layers(MultiService):
    """Starts layers of services in order; stops them in reverse, each once the one after it has stopped."""

    def __init__(self, layers: Sequence[Sequence[IService]]) -> None:
        super().__init__()
        for services in layers:
            layer = _Layer()
            for service in services:
                service.setServiceParent(layer)
            layer.setServiceParent(self)

    @override
    def stopService(self) -> "Deferred[None]":
        Service.stopService(self)
        stopped: Deferred[None] = succeed(None)
        for layer in reversed(list(self)):
            stopped.addCallback(_stop(layer))
        return stopped.addCallback(lambda _: None)


class _Layer(MultiService):
    """Services that start in order and stop together; its stop fires once every one has stopped.

    Together, so one slow goodbye does not hold back another front end's. A
    service whose stop fails is logged, and holds back nothing.
    """

    @override
    def stopService(self) -> "Deferred[None]":
        Service.stopService(self)
        stops = [maybeDeferred(service.stopService) for service in reversed(list(self))]
        return DeferredList(stops, consumeErrors=True).addCallback(_log_failures)


def _stop(service: IService) -> Callable[[object], "Deferred[object] | None"]:
    """A callback that stops ``service``, so a chain of them stops one service after another."""
    return lambda _: service.stopService()


def _log_failures(results: list[tuple[bool, object]]) -> None:
    """Log each failure among a ``DeferredList``'s results, which it consumed."""
    for _, result in results:
        if isinstance(result, Failure):
            log.failure("A service failed to stop", failure=result)


@implementer(IStreamServerEndpoint)
class _Announced:
    """An endpoint that logs the address it ends up listening on (port 0 included)."""

    def __init__(self, endpoint: IStreamServerEndpoint) -> None:
        self._endpoint = endpoint
        self._tls = " (TLS)" if speaks_tls(endpoint) else ""
        """What the line adds for a port whose clients speak TLS: it read like the plain port's."""

    def listen(self, factory: IProtocolFactory) -> "Deferred[IListeningPort]":
        listening = self._endpoint.listen(factory)
        listening.addCallback(self._announce)
        return listening

    def _announce(self, port: IListeningPort) -> IListeningPort:
        address = port.getHost()
        if isinstance(address, IPv6Address):
            log.info(
                "chatd listening on [{host}]:{port}" + self._tls,
                host=address.host,
                port=address.port,
            )
        elif isinstance(address, IPv4Address):
            log.info("chatd listening on {host}:{port}" + self._tls, host=address.host, port=address.port)
        else:
            log.info("chatd listening on {address}" + self._tls, address=address)
        return port


class _Goodbye(Service):
    """On stop, says one goodbye: a front end's ``shutdown`` (it tells every connection the server is going, and
    fires once they have closed), or the host's leaving the chat (``Console.shutdown``, done when it returns)."""

    def __init__(self, goodbye: Callable[[], "Deferred[None] | None"]) -> None:
        self._goodbye = goodbye

    @override
    def stopService(self) -> "Deferred[None] | None":
        super().stopService()
        return self._goodbye()


class _Threads(Service):
    """Starts a thread pool with the daemon and stops it (waiting for its threads) with the daemon."""

    def __init__(self, pool: ThreadPool) -> None:
        self._pool = pool

    @override
    def startService(self) -> None:
        super().startService()
        self._pool.start()

    @override
    def stopService(self) -> None:
        super().stopService()
        self._pool.stop()


class _Removed(Service):
    """Removes a temporary folder, and everything in it, once the daemon stops."""

    def __init__(self, directory: str) -> None:
        self._directory = directory

    @override
    def stopService(self) -> None:
        super().stopService()
        self.remove()

    def remove(self) -> None:
        """Remove the folder now (a daemon that never started has no thread writing to it)."""
        shutil.rmtree(self._directory, ignore_errors=True)


class _Expiry(TimerService):
    """Starts the transfer engine's looks with the daemon (each transfer let go as its time comes, and a sweep every
    ``EXPIRY_SECONDS``), and stops them with it."""

    def __init__(self, transfers: Transfers) -> None:
        super().__init__(EXPIRY_SECONDS, transfers.expire)
        self._transfers = transfers

    @override
    def startService(self) -> None:
        self._transfers.start()
        super().startService()

    @override
    def stopService(self) -> "Deferred[None]":
        self._transfers.stop()
        stopped: Deferred[None] = super().stopService()
        return stopped


class _Released(Service):
    """Lets the files folder go once the daemon stops, so another daemon may use it (chatd.storage.claim)."""

    def __init__(self, spool: Spool) -> None:
        self._spool = spool

    @override
    def stopService(self) -> None:
        super().stopService()
        self.release()

    def release(self) -> None:
        """Let the folder go now (a daemon that never started)."""
        self._spool.release()


class _Timers(Service):
    """Cancels the chat's timers (mutes and bans running out) once the daemon stops."""

    def __init__(self, chat: Chat) -> None:
        self._chat = chat

    @override
    def stopService(self) -> None:
        super().stopService()
        self._chat.stop()


class _Terminal(Service):
    """Connects the host's console to the terminal when the daemon starts, not when it is built."""

    def __init__(self, console: Console, connect: Callable[[IProtocol], object]) -> None:
        self._console = console
        self._connect = connect

    @override
    def startService(self) -> None:
        super().startService()
        self._connect(self._console)
