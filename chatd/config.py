"""The daemon's typed configuration: what ``chatd.tap.Options`` produces and ``chatd.service.build`` reads.

Every value is checked and loaded by the time a ``Config`` exists (files
read, names in normal form, the TLS certificate and key loaded, each
endpoint description known to parse), so building the daemon from one cannot fail on
configuration. The twistd plugin and chatd.tac produce it through the same
``Options``, so both run the same daemon.

Settings every front end reads (the server's name, the MOTD, the default
room, the interface, the connection limits) sit on ``Config`` itself; each front end's own
settings are one field (``line``, ``web``, ``irc``), so a new front end adds one field and
touches no other. The defaults are the options' defaults.
"""

from dataclasses import dataclass, field

from chatd.domain.files import FileLimits
from chatd.domain.limits import DEFAULT_LIMITS, Limits
from chatd.frontend.admission import CONNECT_BURST, CONNECT_RATE, MAX_CONNECTIONS, MAX_PER_IP
from chatd.irc.limits import IRCLimits
from chatd.line.limits import LineLimits
from chatd.opers import Opers
from chatd.tls_reload import ReloadableCertificate

DEFAULT_PORT = 5000
"""The line front end's TCP port when neither --port nor --listen is given."""

DEFAULT_DB = "chatd.sqlite"
"""The --db file, in the daemon's working directory."""

DEFAULT_FILES = "chatd-files"
"""The --files folder, beside the --db file."""

MEMORY = ":memory:"
"""The --db value that keeps nothing on disk (SQLite's own name for a database in memory)."""


@dataclass(frozen=True, slots=True)
class TLSPort:
    """A TLS listener beside the plain port, on the same interface (``--tls-port``)."""

    port: int
    """0 to 65535; 0 lets the system choose."""
    certificate: ReloadableCertificate
    """The certificate and key of ``--tls-cert`` and ``--tls-key``, loaded and checked to match, read again on SIGHUP;
    one for every TLS port."""


@dataclass(frozen=True, slots=True)
class LineConfig:
    """Where the line front end (nc, telnet, ``python -m chatd.client``) listens, and its limits."""

    port: int | None = DEFAULT_PORT
    """Plain TCP port on ``Config.interface``, 0 to 65535; None when only ``listen`` is wanted."""
    tls: TLSPort | None = None
    listen: tuple[str, ...] = ()
    """Twisted server endpoint descriptions (``--listen``), each known to parse."""
    limits: LineLimits = field(default_factory=LineLimits)


@dataclass(frozen=True, slots=True)
class WebConfig:
    """Where the browser front end (the page and its WebSocket, chatd/web) listens, and whom it lets in.

    Its connections have the line front end's limits (``LineConfig.limits``):
    the browser speaks the same protocol, in JSON, a WebSocket message a line.
    """

    port: int | None = None
    """Plain HTTP port on ``Config.interface`` (``--web-port``), 0 to 65535; None for none."""
    tls: TLSPort | None = None
    """HTTPS beside it (``--web-tls-port``), with the certificate of ``--tls-cert`` and ``--tls-key``."""
    listen: tuple[str, ...] = ()
    """Twisted server endpoint descriptions (``--listen web:...``, the ``web:`` taken off), each known to parse."""
    origins: tuple[str, ...] = ()
    """Origins a page may open the WebSocket from besides its own (``--web-origin``), as ``scheme://host[:port]``."""
    proxies: tuple[str, ...] = ()
    """Reverse proxies whose sockets are the users' their ``X-Forwarded-For`` names (``--web-proxy``): addresses and
    networks, as chatd.frontend.proxies's ``proxy_network`` gives them."""

    @property
    def wanted(self) -> bool:
        """Whether the daemon serves the page at all: on none of these, the browser front end is off."""
        return self.port is not None or self.tls is not None or bool(self.listen)


@dataclass(frozen=True, slots=True)
class IRCConfig:
    """Where the IRC front end (chatd/irc) listens, and its limits (from the line front end's options)."""

    port: int | None = None
    """Plain TCP port on ``Config.interface`` (``--irc-port``), 0 to 65535; None for none."""
    tls: TLSPort | None = None
    """TLS beside it (``--irc-tls-port``), with the certificate of ``--tls-cert`` and ``--tls-key``."""
    listen: tuple[str, ...] = ()
    """Twisted server endpoint descriptions (``--listen irc:...``, the ``irc:`` taken off), each known to parse."""
    limits: IRCLimits = field(default_factory=IRCLimits)

    @property
    def wanted(self) -> bool:
        """Whether the daemon speaks IRC at all: on none of these, the IRC front end is off."""
        return self.port is not None or self.tls is not None or bool(self.listen)


@dataclass(frozen=True, slots=True)
class FilesConfig:
    """Where files wait while they are uploaded and fetched (``--files``), and the limits on them."""

    directory: str | None = None
    """The spool's folder; None for a temporary one, removed at stop (``--db :memory:``, and a ``Config`` made in code)."""
    beside_db: bool = False
    """Whether ``directory`` is the default one beside the ``--db`` file, ``--files`` not given: it is made only in a
    ``--db`` folder that exists, and one that cannot be made there is the ``--db`` folder's fault, so the start is
    refused naming ``--db``."""
    limits: FileLimits = field(default_factory=FileLimits)


@dataclass(frozen=True, slots=True)
class ConsoleConfig:
    """The host's console on the daemon's terminal (``--console``)."""

    nick: str = "host"
    """The host's nickname, in normal form."""


@dataclass(frozen=True, slots=True)
class Config:
    """Everything the daemon is built from; see the module docstring."""

    server_name: str
    """Shown in each front end's greeting."""
    motd: str = ""
    """The message of the day's text (a file named by ``--motd`` is read already)."""
    default_room: str = "#lobby"
    """Room every user enters after choosing a nickname, in normal form."""
    rooms: tuple[str, ...] = ()
    """More rooms that belong to the server, as the default room does (``--room``), in normal form."""
    interface: str = "::"
    """Address the front ends' own ports bind to: '::' is IPv6 and IPv4 on every interface."""
    chat: Limits = DEFAULT_LIMITS
    """How big the chat lets names, topics and memberships grow, and how many lines a join replays (``--replay``)."""
    max_connections: int = MAX_CONNECTIONS
    """Connections open at once across every front end."""
    max_per_ip: int = MAX_PER_IP
    """Connections open at once from one address, across every front end."""
    connect_burst: int = CONNECT_BURST
    """Connections one address may open at once, across every front end."""
    connect_rate: float = CONNECT_RATE
    """Connections a second one address may keep opening once its burst is spent."""
    proxies: tuple[str, ...] = ()
    """Load balancers whose connections to the line and IRC ports start with a PROXY header naming the user
    (``--proxy``): addresses and networks, as chatd.frontend.proxies's ``proxy_network`` gives them."""
    line: LineConfig = field(default_factory=LineConfig)
    web: WebConfig = field(default_factory=WebConfig)
    irc: IRCConfig = field(default_factory=IRCConfig)
    operators: Opers = field(default_factory=lambda: Opers({}))
    """Who may become an operator with a password; by default nobody."""
    console: ConsoleConfig | None = None
    """The host's console, or None without ``--console``."""
    db: str | None = None
    """The SQLite file history and bans are kept in (``--db``); None keeps them in memory only.

    The option's default is ``chatd.sqlite``; a ``Config`` made in code
    (the tests) keeps nothing unless it names a file.
    """
    files: FilesConfig = field(default_factory=FilesConfig)
    retain_days: float | None = None
    """Days history is kept (``--retain-days``), bar what restores the chat's state; None keeps it forever."""

    @property
    def certificate(self) -> ReloadableCertificate | None:
        """The certificate the TLS ports serve (one for all, read again on SIGHUP), or None with no TLS port."""
        ports = (self.line.tls, self.web.tls, self.irc.tls)
        return next((port.certificate for port in ports if port is not None), None)
