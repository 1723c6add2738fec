"""``twistd chatd``'s ``Options``: its rows (chatd.tap.parameters) parsed, each value checked, the files they
name read.

A mistake is one sentence naming the option, a ``usage.UsageError``;
under twistd, a ``StartError`` (chatd.start), so the start stops with that
sentence rather than twistd's page of usage.
"""

import socket
import sys
from typing import Any, ClassVar, NoReturn, TextIO

from twisted.copyright import version as twisted_version
from twisted.python import usage
from typing_extensions import override

from chatd import __version__
from chatd.config import DEFAULT_PORT, Config
from chatd.domain.errors import InvalidNicknameError, NicknameRule
from chatd.domain.names import check_nickname
from chatd.frontend.endpoints import IRC_PREFIX, WEB_PREFIX
from chatd.opers import Opers, OpersFileError, load_opers
from chatd.start import StartError, server_name
from chatd.tap.bounds import PORT_OPTIONS
from chatd.tap.checks import (
    TLS_FIXES,
    check_origin,
    check_proxy,
    name_refused,
    read_motd,
    server_room,
    twistds,
)
from chatd.tap.limits import SIZE_OPTIONS, check_least, check_most, check_positive
from chatd.tap.listen import check_endpoint
from chatd.tap.parameters import FLAGS, PARAMETERS
from chatd.tap.typed import config_of
from chatd.tls import TLSConfigError, load_tls
from chatd.tls_reload import ReloadableCertificate


class Options(usage.Options):
    """Options of ``twistd chatd``; chatd.tac builds the same from CHATD_* variables."""

    synopsis = "[options]"
    longdesc = (
        "Runs chatd, a chat server people reach with nc, telnet or "
        "'python -m chatd.client'. Users pick a nickname, land in the default "
        "room and talk; /help lists the commands. See docs/PROTOCOL.md."
    )
    optParameters: ClassVar[list[list[Any]]] = PARAMETERS
    optFlags: ClassVar[list[list[Any]]] = FLAGS

    stdin: TextIO = sys.stdin
    """Where --console reads from; it must be a terminal."""

    def __init__(self) -> None:
        super().__init__()
        # --help shows an opt_ method's docstring as written: its second line's indent would show as a gap.
        self.docs = {name: " ".join(doc.split()) if doc else doc for name, doc in self.docs.items()}
        # A size's help says its default in binary units (default 1 GiB); Twisted's "[default: 1073741824]", which
        # it adds for any default it knows of, said it again in bytes. The value itself stays as the default.
        for name in SIZE_OPTIONS:
            self.defaults[name] = None
        self["listen"] = []
        self["web-listen"] = []
        self["irc-listen"] = []
        self["web-origins"] = []
        self["web-proxies"] = []
        self["proxies"] = []
        self["rooms"] = []
        self._arguments: list[str] = []
        """What ``parseOptions`` was given, for ``parseArgs`` to find the option before a word left over."""

    def opt_listen(self, description: str) -> None:
        """Also listen on a Twisted server endpoint, e.g. tcp:6000:interface=127.0.0.1; web:tcp:8080 serves the
        browser page there, irc:tcp:6667 speaks IRC there (repeatable; backlog 1024 as --port's, unless it sets
        backlog=)."""
        if description.startswith(WEB_PREFIX):
            self["web-listen"].append(description.removeprefix(WEB_PREFIX))
        elif description.startswith(IRC_PREFIX):
            self["irc-listen"].append(description.removeprefix(IRC_PREFIX))
        else:
            self["listen"].append(description)

    def opt_web_origin(self, origin: str) -> None:
        """Let pages from this origin too open the chat's WebSocket, e.g. https://chat.example.org
        (repeatable; a page's own origin always may)."""
        self["web-origins"].append(check_origin(origin))

    def opt_web_proxy(self, network: str) -> None:
        """Trust the reverse proxy at this address, or in this network (10.0.0.0/8), to name the user of each
        WebSocket it passes to the web port in X-Forwarded-For (repeatable; from any other peer the header is
        ignored)."""
        self["web-proxies"].append(check_proxy(network, "web-proxy"))

    def opt_proxy(self, network: str) -> None:
        """Trust the load balancer at this address, or in this network (10.0.0.0/8), to start each connection to
        the line and IRC ports with a PROXY header (v1 or v2, before TLS) naming the user (repeatable; its
        connections must, and from any other peer a header is not read)."""
        self["proxies"].append(check_proxy(network, "proxy"))

    def opt_name(self, name: str) -> None:
        """Another name for --server-name (its older one, still taken)."""
        self["server-name"] = server_name(name, socket.gethostname(), "--name")

    def opt_room(self, name: str) -> None:
        """Another room that belongs to the server, like the default room: only operators moderate it (repeatable)."""
        self["rooms"].append(name)

    @override
    def opt_version(self) -> NoReturn:
        """Show chatd's version and Twisted's, and exit."""
        print(f"chatd {__version__}")
        print(f"Twisted {twisted_version}")
        sys.exit(0)

    @override
    def parseOptions(self, options: list[str] | None = None) -> None:
        """Parse and check ``options``; under twistd, a mistake is a ``StartError``.

        Anywhere else (chatd.tac, the tests) it stays a ``UsageError``.
        """
        self._arguments = sys.argv[1:] if options is None else list(options)
        try:
            super().parseOptions(self._arguments)
        except usage.UsageError as error:
            if self.parent is None:
                raise
            raise StartError.from_usage(twistds(error, self.parent, self) or error) from None

    @override
    def parseArgs(self, *words: str) -> None:
        """Refuse the words left over once the options and their values are read, naming the first.

        chatd takes no words of its own, so these are most often an option's
        value of several words given without quotes: ``--motd Welcome to
        class 7B`` left "to class 7B", which usage told as "Wrong number of
        arguments.", naming nothing. getopt stops at the first such word, so
        ``words`` end the arguments; the option before them is the one just
        before (a flag, or a value joined by ``=``) or the one before the
        value just before.
        """
        if not words:
            return
        before = self._arguments[: len(self._arguments) - len(words)]
        option = next((word for word in reversed(before[-2:]) if word.startswith("-") and word != "--"), None)
        # As typed, less a value joined to it: --motd=Welcome is --motd, -mWelcome is -m.
        shown = "" if option is None else option.partition("=")[0] if option.startswith("--") else option[:2]
        after = f" after {shown}" if shown else ""
        raise usage.UsageError(
            f"the word {words[0]!r}{after} was not taken: chatd takes only options, so give an option's words in quotes."
        )

    @override
    def postOptions(self) -> None:
        """Check every value and read the files the options name, in this order: the first mistake is the one
        told."""
        if self["port"] is None and not self["listen"]:
            self["port"] = DEFAULT_PORT
        self._check_endpoints()
        check_least(self)
        check_positive(self)
        if not self["db"]:
            raise usage.UsageError("--db needs a file's path, or :memory: to keep nothing.")
        check_most(self)
        self._check_ports_differ()
        self["tls"] = self._tls()
        self["default-room"] = server_room("default-room", self["default-room"], self["max-room-name"])
        self["rooms"] = [server_room("room", name, self["max-room-name"]) for name in self["rooms"]]
        self["motd"] = read_motd(self["motd"])
        self["server-name"] = server_name(self["server-name"], socket.gethostname())
        self["operators"] = self._operators()
        self._check_console()

    def config(self) -> Config:
        """The typed configuration these options describe; call it after ``parseOptions``."""
        return config_of(self)

    def _check_endpoints(self) -> None:
        """Refuse a --listen value, of any front end, that is not a Twisted server endpoint."""
        for description in self["listen"]:
            check_endpoint(description)
        for description in self["web-listen"]:
            check_endpoint(WEB_PREFIX + description, description)
        for description in self["irc-listen"]:
            check_endpoint(IRC_PREFIX + description, description)

    def _operators(self) -> Opers:
        """The --opers file, read now so a bad one stops the start; no file, no operators by password."""
        if self["opers"] is None:
            return Opers({})
        try:
            return load_opers(self["opers"])
        except OpersFileError as error:
            raise usage.UsageError(f"--opers: {error}.") from None

    def _check_console(self) -> None:
        """--console reads a terminal, so it needs twistd -n and a terminal on standard input.

        Its nickname is checked as a user's under the same --max-nick, and
        only with --console, the one use of it: a longer one started, and the
        host's console never got its nickname; checked always, --max-nick 3
        would refuse the default "host" of a daemon with no console.
        """
        if not self["console"]:
            return
        try:
            self["console-nick"] = check_nickname(self["console-nick"], self["max-nick"])
        except InvalidNicknameError as error:
            raise name_refused(
                "console-nick", error, error.rule is NicknameRule.TOO_LONG, "max-nick"
            ) from None
        # chatd.tac cannot see twistd's options (parent is None there); its
        # console needs -n too, as README says.
        if self.parent is not None and not self.parent.get("nodaemon"):
            raise usage.UsageError("--console needs twistd -n: a daemon in the background has no terminal.")
        if not self.stdin.isatty():
            raise usage.UsageError("--console needs a terminal on standard input.")

    def _check_ports_differ(self) -> None:
        """Two options may not name the same port (0 excepted: the system chooses each)."""
        seen: dict[int, str] = {}
        for name in PORT_OPTIONS:
            port = self[name]
            if port is None or port == 0:
                continue
            if port in seen:
                raise usage.UsageError(f"--{name} must differ from --{seen[port]}; both are {port}.")
            seen[port] = name

    def _tls(self) -> ReloadableCertificate | None:
        """The certificate the TLS ports serve (read again on SIGHUP), its files checked now so a bad one stops the
        start."""
        ports = [name for name in ("tls-port", "web-tls-port", "irc-tls-port") if self[name] is not None]
        files = [name for name in ("tls-cert", "tls-key") if self[name] is not None]
        if not ports and not files:
            return None
        if not ports or len(files) < 2:
            raise usage.UsageError(
                "--tls-cert and --tls-key go together with --tls-port, --web-tls-port or --irc-tls-port; give both files and a port."
            )
        try:
            options = load_tls(self["tls-cert"], self["tls-key"])
        except TLSConfigError as error:
            raise usage.UsageError(f"{error.option}: {error}; {TLS_FIXES[error.about]}.") from None
        return ReloadableCertificate(self["tls-cert"], self["tls-key"], options)
