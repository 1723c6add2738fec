"""``python -m chatd.client [HOST] [PORT] [--nick NAME] [--identify] [--no-color]``: options, wiring, the reactor.

The only module of the client that touches the global reactor or the
process's terminal: it picks the interactive mode when stdin and stdout
are both terminals and the plain mode otherwise, routes Twisted's log to
where the user can see it without garbling the screen, and returns the
exit status the link ends with.
"""

import getopt
import os
import signal
import sys
import termios
import tty
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from functools import partial
from typing import Any, ClassVar, NoReturn

from twisted.conch.insults.insults import ServerProtocol
from twisted.internet.defer import Deferred
from twisted.internet.error import ReactorNotRunning
from twisted.internet.stdio import StandardIO
from twisted.logger import (
    FilteringLogObserver,
    ILogObserver,
    LogLevel,
    LogLevelFilterPredicate,
    formatEvent,
    globalLogBeginner,
    textFileLogObserver,
)
from twisted.python import usage
from typing_extensions import override
from zope.interface import provider

from chatd import __version__
from chatd.client import settings
from chatd.client.connection import Link
from chatd.client.crypto import Identity
from chatd.client.e2e import EndToEnd
from chatd.client.files import Transfers
from chatd.client.keyring import Keyring
from chatd.client.plain import PlainIO
from chatd.client.presence import Presence
from chatd.client.reach import connect_to, wrong_host
from chatd.client.ui import ChatTerminal
from chatd.client.worker import ThreadWorker
from chatd.text import whole_number

DEFAULT_DOWNLOADS = os.path.join("~", "Downloads", "chatd")
"""Where received files are saved unless --downloads (or downloads in the config file) says."""

CONFIG_HOST_AND_PORT = 'host = "{name}" and port = {port}'
"""How a config file gives a host and its port apart, for ``wrong_host``: TOML's words, not the command line's."""

DEFAULT_SIZE = (80, 24)
"""Columns and rows assumed when the terminal will not say."""

EXIT_USAGE = 2
"""A mistake in how the client was started (options, PORT, --config, the password file), told before it connects:
2, as getopt and argparse programs and python -m chatd.admin exit, apart from 1 for a server lost or refusing."""

IDENTITY_FILE = "identity.key"
"""This device's secret key, beside client.toml: made on first use, mode 0600."""

KNOWN_KEYS_FILE = "known_keys.json"
"""The contacts' pinned keys and the key log as last checked, beside client.toml."""


class Options(usage.Options):
    """The command line; ``--help`` is the reference."""

    synopsis = "Usage: python -m chatd.client [options] [HOST [PORT]]"
    longdesc = (
        "Talk on a chatd server (default: localhost, port 5000). On a terminal: type a "
        "line and press Enter to send it to the current room (shown in the prompt); "
        "/help lists the client's commands and the server's. Up and Down recall earlier lines, Ctrl-A/E, "
        "Ctrl-U/K/W edit as in a shell. exit or /quit asks before leaving; Ctrl-C, or "
        "Ctrl-D on an empty line, leaves at once. If the server goes away the client "
        "retries with growing pauses (up to a minute, afresh only after a session that "
        "kept its nickname 10 s) and comes back under the same nickname in the same "
        "rooms, showing in each only the lines missed meanwhile and then a rule saying how many. Lines marked > are yours, @ private, - comings and goings, * from the "
        "server, ~ from the client, ! errors; a private message or your nickname rings "
        "the bell. When stdin or stdout is not a terminal (a pipe, a script), each input "
        "line is sent as typed and in order, each server line is printed without colour, the client's "
        "own notices go to stderr, and at the end of input the client quits and exits 0 "
        "(1 if the server cannot be reached, goes away or refuses the nickname; 2, before connecting, for a "
        "mistake in how it was started: an option, PORT, the config file, the password file). SIGINT or "
        "SIGTERM leaves as /quit does and exits 0; a second one stops at once. The line "
        "that names you (or --nick) is answered before the next is read, so a taken "
        "nickname ends the script instead of turning its next line into one. --identify proves "
        "a registered nickname on every connection and reconnection: the password is the first "
        "line of --password-file, else asked on the terminal, never taken from the command line. Without it, "
        "a /register, /identify or /password the server confirms does the same for the rest of the run, the "
        "password held in memory only; a password the server refuses is said once and not sent again. "
        "A config file (default ~/.config/chatd/client.toml, or under $XDG_CONFIG_HOME) may set "
        "host, port, nick, identify (true or false), password_file and downloads; the command line wins. "
        "Files: /send NICK|#room PATH offers a file (checked by SHA-256, resumed after a drop); "
        "/accept [N], /decline [N] (or * for every offer), /cancel [N] and /files list and steer transfers; received files land "
        "in --downloads under a safe name that never overwrites. A bar shows each transfer's progress; "
        "piped, a line on stderr every 10%. "
        "Identified, the client publishes this device's key (~/.config/chatd/identity.key) and /msg NICK text "
        "is sealed end to end to NICK's keys when they have any (/msg --plain sends in the clear); lines "
        "typed while it waits for the keys wait behind it. "
        "/fingerprint [NICK], /verify NICK FINGERPRINT, /trust NICK and /keylog check whose keys they are."
    )
    optParameters: ClassVar[list[list[Any]]] = [
        ["nick", "n", None, "Nickname to ask for on connecting and reconnecting (else you are asked)."],
        ["password-file", None, None, "With --identify: read the password from the first line of this file."],
        ["config", None, None, "Read settings from this TOML file (default: ~/.config/chatd/client.toml)."],
        [
            "downloads",
            None,
            None,
            "Save received files in this folder, made if missing (default: downloads in the config file, else ~/Downloads/chatd).",
        ],
        [
            "cafile",
            None,
            None,
            "With --tls: trust the CA (or self-signed) certificate in this PEM file instead of the system's.",
        ],
    ]
    optFlags: ClassVar[list[list[Any]]] = [
        ["no-color", None, "No colours (also when the NO_COLOR environment variable is set)."],
        ["identify", None, "Identify as --nick, a registered nickname, on connecting and reconnecting."],
        ["tls", None, "Connect over TLS, checking the server's certificate and name (a chatd --tls-port)."],
        [
            "insecure",
            None,
            "With --tls: do NOT check the certificate or name. Anyone in between can read and change the chat.",
        ],
    ]

    def opt_version(self) -> NoReturn:
        """Display chatd's version and exit."""
        sys.stdout.write(f"chatd.client {__version__}\n")
        sys.exit(0)

    @override
    def parseOptions(self, options: Sequence[str] | None = None) -> None:
        """Parse, taking options wherever they stand: ``HOST PORT --nick NAME`` is how people write it.

        usage.Options uses getopt, which stops at the first argument; GNU
        getopt takes options after arguments too.
        """
        given = sys.argv[1:] if options is None else list(options)
        try:
            pairs, arguments = getopt.gnu_getopt(given, self.shortOpt, self.longOpt)
        except getopt.GetoptError as error:
            raise usage.UsageError(str(error)) from None
        valued = {f"--{name[:-1]}" for name in self.longOpt if name.endswith("=")}
        valued |= {f"-{self.shortOpt[at - 1]}" for at, char in enumerate(self.shortOpt) if char == ":"}
        flat: list[str] = []
        for option, value in pairs:
            flat += [option, value] if option in valued else [option]
        super().parseOptions([*flat, "--", *arguments])

    @override
    def postOptions(self) -> None:
        if (self["cafile"] or self["insecure"]) and not self["tls"]:
            raise usage.UsageError("--cafile and --insecure only go with --tls.")
        if self["cafile"] and self["insecure"]:
            raise usage.UsageError("--cafile checks the certificate and --insecure does not: choose one.")

    def parseArgs(self, host: str | None = None, port: str | None = None) -> None:  # noqa: N802 - usage.Options calls it
        """``HOST`` and ``PORT``, both optional (the config file's, else localhost 5000)."""
        number = None if port is None else whole_number(port)
        if port is not None and (number is None or not 1 <= number <= 65535):
            raise usage.UsageError(f"PORT is a number from 1 to 65535, not {port!r}.")
        wrong = None if host is None else wrong_host(host)
        if wrong is not None:
            # Taken as a host name it could never be reached, and a client on a terminal retried it for ever.
            raise usage.UsageError(wrong)
        self["host"], self["port"] = host, number

    def settle(self, environment: Mapping[str, str]) -> None:
        """Fill what the command line left out from the config file, then the defaults; raises UsageError."""
        path = self["config"] or settings.default_path(environment)
        try:
            found = settings.load(path, required=self["config"] is not None)
        except settings.SettingsError as error:
            raise usage.UsageError(str(error)) from None
        for key, option in (
            ("host", "host"),
            ("port", "port"),
            ("nick", "nick"),
            ("password_file", "password-file"),
        ):
            if self[option] is None:
                self[option] = found.get(key)
        self["identify"] = bool(self["identify"] or found.get("identify", False))
        self["downloads"] = os.path.expanduser(
            self["downloads"] or found.get("downloads") or DEFAULT_DOWNLOADS
        )
        wrong = (
            None
            if "host" not in found
            else wrong_host(found["host"], f"host in {path}", CONFIG_HOST_AND_PORT)
        )
        if wrong is not None:
            # As HOST:PORT on the command line: a host name never reached, retried for ever on a terminal.
            raise usage.UsageError(wrong)
        self["host"] = self["host"] or "localhost"
        self["port"] = self["port"] or 5000
        if not 1 <= self["port"] <= 65535:
            raise usage.UsageError(f"port in {path} is a number from 1 to 65535, not {self['port']}.")
        if self["nick"] and len(self["nick"].split()) != 1:
            # The server would read "/nick bad name" as a command used wrongly, and say only its usage.
            raise usage.UsageError(f"--nick is one word, without spaces, not {self['nick']!r}.")
        if self["identify"] and not self["nick"]:
            raise usage.UsageError(
                "--identify needs --nick (or nick in the config file): the nickname to prove."
            )


def main(argv: list[str] | None = None) -> int:
    """Run the client until the user leaves; return the exit status."""
    options = Options()
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    try:
        options.parseOptions(argv)
        options.settle(os.environ)
    except usage.UsageError as error:
        # The sentence alone, as the daemon says its own: the options' list buried it under fifty lines.
        sentence = str(error).rstrip(".")
        sys.stderr.write(f"chatd.client: {sentence}; python -m chatd.client --help lists the options.\n")
        return EXIT_USAGE
    password = None
    if options["identify"]:
        try:
            password = settings.password(options["password-file"], interactive, options["nick"])
        except settings.SettingsError as error:
            sys.stderr.write(f"chatd.client: {error}\n")
            return EXIT_USAGE
    from twisted.internet import reactor

    colour = wants_colour(interactive, bool(options["no-color"]), os.environ)
    try:
        endpoint, server = connect_to(
            reactor,
            options["host"],
            options["port"],
            tls=bool(options["tls"]),
            cafile=options["cafile"],
            insecure=bool(options["insecure"]),
        )
    except OSError as error:
        sys.stderr.write(f"chatd.client: cannot read --cafile {options['cafile']}: {error.strerror}.\n")
        return EXIT_USAGE
    if options["insecure"]:
        sys.stderr.write(INSECURE_WARNING)
    link = Link(
        endpoint,
        reactor,
        Presence(options["nick"], password),
        server,
        colour=colour,
        retry=interactive,
    )
    link.files = Transfers(link, reactor, ThreadWorker(reactor), options["downloads"])
    folder = os.path.dirname(settings.default_path(os.environ))
    link.e2e = EndToEnd(
        link,
        reactor,
        partial(Identity.load_or_make, os.path.join(folder, IDENTITY_FILE)),
        Keyring.load(os.path.join(folder, KNOWN_KEYS_FILE), f"{options['host']}:{options['port']}"),
    )
    return _interactive(reactor, link, colour) if interactive else _plain(reactor, link)


INSECURE_WARNING = (
    "WARNING: --insecure: the server's certificate and name are NOT checked. The chat is encrypted,\n"
    "but anyone between you and the server can pretend to be it, and read and change every line.\n"
)


def wants_colour(interactive: bool, no_color: bool, environment: Mapping[str, str]) -> bool:
    """Colour only on a terminal, unless --no-color or a non-empty NO_COLOR (no-color.org) says not."""
    return interactive and not no_color and not environment.get("NO_COLOR")


def _plain(reactor: Any, link: Link) -> int:
    plain = PlainIO(link, sys.stderr)
    if link.files is not None:
        link.files.bars.watch(plain)
    warnings = FilteringLogObserver(textFileLogObserver(sys.stderr), [LogLevelFilterPredicate(LogLevel.warn)])
    globalLogBeginner.beginLoggingTo([warnings], redirectStandardIO=False)
    StandardIO(plain, reactor=reactor)
    link.start(plain).addCallback(plain.close)
    return _run(reactor, plain.ended, link.leave)


def _interactive(reactor: Any, link: Link, colour: bool) -> int:
    ui = ChatTerminal(link, colour, _measure)
    if link.files is not None:
        link.files.bars.watch(ui)

    @provider(ILogObserver)
    def on_screen(event: dict[str, Any]) -> None:
        if event.get("log_level", LogLevel.info) >= LogLevel.warn:
            link.say(f"(log) {formatEvent(event)}")

    globalLogBeginner.beginLoggingTo([on_screen], redirectStandardIO=False)
    # What conch.stdio.runWithProtocol does, bar its last step: it ends with
    # a full terminal reset, which clears the screen and the conversation on it.
    stdin = sys.stdin.fileno()
    saved = termios.tcgetattr(stdin)
    tty.setraw(stdin)
    try:
        StandardIO(ServerProtocol(lambda: ui), reactor=reactor)
        signal.signal(signal.SIGWINCH, lambda number, frame: reactor.callFromThread(ui.resized))
        link.start(ui).addCallback(ui.close)
        return _run(reactor, ui.ended, link.leave)
    finally:
        termios.tcsetattr(stdin, termios.TCSANOW, saved)


def _measure() -> tuple[int, int]:
    try:
        size = os.get_terminal_size(sys.stdin.fileno())
    except OSError:
        return DEFAULT_SIZE
    return size.columns or DEFAULT_SIZE[0], size.lines or DEFAULT_SIZE[1]


def _run(reactor: Any, ended: "Deferred[int]", leave: Callable[[], None]) -> int:
    """Run the reactor until ``ended`` fires with the exit status; return it.

    SIGINT and SIGTERM ``leave`` as ``/quit`` does, so the server says
    goodbye and ``ended`` fires as for any leave; a second one stops at
    once. Twisted's own handlers stopped the reactor under the client: the
    server saw the connection drop, and the stop when ``ended`` fired raised
    ReactorNotRunning, a traceback on the user's terminal.
    """
    statuses: list[int] = []
    signals = 0

    def stop() -> None:
        # A second signal stopped it already: the connections that closes still end the link, and ``ended`` fires.
        with suppress(ReactorNotRunning):
            reactor.stop()

    def finished(status: int) -> None:
        statuses.append(status)
        stop()

    def interrupted() -> None:
        nonlocal signals
        signals += 1
        if signals == 1:
            leave()
        else:
            stop()

    ended.addCallback(finished)
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda number, frame: reactor.callFromThread(interrupted))
    reactor.run(installSignalHandlers=False)
    return statuses[0] if statuses else 1


if __name__ == "__main__":
    sys.exit(main())
