"""The servers under test, each installed and started on loopback by the bench itself.

- chatd: this repository's ``twistd -n chatd`` from ``.venv`` (its line protocol);
- chatd-irc: the same daemon with ``--irc-port 0``, its clients speaking IRC
  to that port as they do to the three IRC servers (issue 15);
- ngIRCd: Debian's ``ngircd``, installed with apt-get if missing, run in the
  foreground with a config file of its own in a temporary directory;
- miniircd: from PyPI, in the bench's own venv (``tools_venv()``);
- twisted.words: Twisted's IRC server, from ``bench/twisted_words.tac``
  run by the project venv's ``twistd``.

Each runs pinned to one CPU (the generator gets the others) and listens on
127.0.0.1 only. The process handling reuses ``soak.Daemon``: a temporary
directory, a log file, RSS and CPU from /proc, SIGTERM then SIGKILL.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from soak import LISTENING, ROOT, START_SECONDS, Daemon, SoakError

T = TypeVar("T")

TOOLS_PACKAGES = ("miniircd==2.3", "matplotlib==3.11.2", "py-spy==0.4.3")
"""What the bench's own venv holds: a peer server, the plotter and the profiler."""

TWISTED_LISTENING = re.compile(rb"IRCFactory starting on (\d+)")
"""Twisted's own log line when a factory's port is bound (the tac listens on port 0)."""

NGIRCD_CONFIG = """\
# ngIRCd for the chatd bench: loopback only, no DNS, ident or PAM lookups
# (they would leave the machine or stall), and no connection limits, since
# every client comes from 127.0.0.x. Everything else keeps its default,
# flood penalties included.
[Global]
Name = bench.ngircd.invalid
Info = chatd bench peer
AdminInfo1 = chatd bench
AdminInfo2 = loopback only
AdminEMail = nobody@bench.invalid
Listen = 127.0.0.1
Ports = {port}
MotdPhrase = bench
[Limits]
MaxConnections = 0
MaxConnectionsIP = 0
MaxJoins = 0
[Options]
DNS = no
Ident = no
PAM = no
"""


class BenchError(Exception):
    """The bench cannot go on: a server did not start, a generator died."""


def cache_dir() -> Path:
    """Where the bench keeps what it installs: $XDG_CACHE_HOME/chatd-bench (~/.cache by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "chatd-bench"


def tools_venv() -> Path:
    """The bench's own venv (miniircd, matplotlib, py-spy), created on first use."""
    venv = cache_dir() / "venv"
    marker = venv / "installed.txt"
    if marker.exists() and marker.read_text() == "\n".join(TOOLS_PACKAGES):
        return venv
    print(f"bench: installing {', '.join(TOOLS_PACKAGES)} into {venv}", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", *TOOLS_PACKAGES],
        check=True,
    )
    marker.write_text("\n".join(TOOLS_PACKAGES))
    return venv


def ngircd_binary() -> str:
    """The ngircd program, installed from Debian's package if missing.

    A temporary policy-rc.d stops the package from starting the system's
    own ngIRCd service (which would listen on every interface).
    """
    found = shutil.which("ngircd") or ("/usr/sbin/ngircd" if os.path.exists("/usr/sbin/ngircd") else None)
    if found:
        return found
    if os.geteuid() != 0:
        raise BenchError("ngircd is not installed; run as root or 'apt-get install ngircd' first")
    policy = Path("/usr/sbin/policy-rc.d")
    made_policy = not policy.exists()
    if made_policy:
        policy.write_text("#!/bin/sh\n# chatd bench: install ngircd without starting it\nexit 101\n")
        policy.chmod(0o755)
    try:
        apt_get_install("ngircd")
    finally:
        if made_policy:
            policy.unlink()
    return shutil.which("ngircd") or "/usr/sbin/ngircd"


def perf_binary() -> str:
    """Linux's perf, installed from Debian's ``linux-perf`` if missing (``bench/load.py profile --perf``)."""
    found = shutil.which("perf")
    if found:
        return found
    if os.geteuid() != 0:
        raise BenchError("perf is not installed; run as root or 'apt-get install linux-perf' first")
    apt_get_install("linux-perf")
    return shutil.which("perf") or "/usr/bin/perf"


def apt_get_install(package: str) -> None:
    """Install Debian's ``package`` (as root), reading the package lists again only if it is not found."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"bench: apt-get install {package}", file=sys.stderr)
    if subprocess.run(["apt-get", "install", "-y", "-q", package], env=env).returncode:
        subprocess.run(["apt-get", "update", "-q"], env=env, check=True)
        subprocess.run(["apt-get", "install", "-y", "-q", package], env=env, check=True)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for servers that cannot report the one they bind)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def listening(port: int) -> bool:
    """Something listens on 127.0.0.1:``port`` (from /proc/net/tcp, without connecting)."""
    with open("/proc/net/tcp") as table:
        for row in list(table)[1:]:
            fields = row.split()
            address, port_hex = fields[1].split(":")
            if fields[3] == "0A" and int(port_hex, 16) == port and address in ("0100007F", "00000000"):
                return True
    return False


class Server(Daemon):
    """A server process under test: the soak's ``Daemon`` with a way to find its port."""

    def __init__(
        self, command: list[str], cpu: int | None, port: int = 0, announce: re.Pattern[bytes] = LISTENING
    ) -> None:
        self.fixed_port = port
        self.announce = announce
        self.config_dir: str | None = None
        super().__init__(command, cpu)

    def remove(self, keep_log: str | None = None) -> None:
        super().remove(keep_log)
        if self.config_dir is not None:
            shutil.rmtree(self.config_dir, ignore_errors=True)

    def wait_for_port(self) -> int:
        if not self.fixed_port:
            return super().wait_for_port()
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if listening(self.fixed_port):
                self.port = self.fixed_port
                return self.port
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise SoakError(f"{self.command[0]} did not listen on {self.fixed_port} within {START_SECONDS:g} s")

    def wait_announced(self) -> int:
        """The port named by the server's own log line (``announce``)."""
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            with open(self.log_path, "rb") as log:
                found = self.announce.search(log.read())
            if found is not None:
                self.port = int(found.group(1))
                return self.port
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise SoakError(f"{self.command[0]} did not announce its port within {START_SECONDS:g} s")


IRC_ANNOUNCED = re.compile(rb"chatd IRC at irc://127\.0\.0\.1:(\d+)/")
"""chatd's log line once its IRC port (``--irc-port``) listens; its line port is announced too, so
``chatd listening on`` cannot tell the two apart."""

IRC_SINCE = "f73bf33"
"""The commit that gave chatd its IRC listener (``--irc-port``): chatd-irc runs at no commit before it."""

WEB_PAGE = re.compile(rb"chatd web page at http://127\.0\.0\.1:(\d+)/")
"""chatd's log line once its web port (``--web-port``) listens."""


def chatd_web_port(server: Server) -> tuple[int, int]:
    """(line port, web port) of a chatd started with ``--web-port 0``, from its own log lines.

    Both ports are announced ``chatd listening on``; the web port's line
    comes after its page's address, which tells the two apart.
    """
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        with open(server.log_path, "rb") as log:
            text = log.read()
        page = WEB_PAGE.search(text)
        ports = [int(port) for port in LISTENING.findall(text)]
        if page is not None and int(page.group(1)) in ports and len(ports) >= 2:
            web = int(page.group(1))
            return next(port for port in ports if port != web), web
        if server.process.poll() is not None:
            break
        time.sleep(0.05)
    raise BenchError(f"chatd did not announce its web port within {START_SECONDS:g} s")


def export_named(commit: str) -> str:
    """``export_commit`` of ``commit`` as a person names it (a hash, a branch, HEAD); ``BenchError`` if there is none."""
    short = short_commit(commit)
    if short is None:
        raise BenchError(f"no commit {commit!r} in this repository")
    return export_commit(short)


def in_turns(
    commits: Sequence[str], rounds: int, measure: Callable[[str, str], T], say: Callable[[T], str]
) -> dict[str, list[T]]:
    r"""Each of ``commits`` (as a person names it) exported, then ``measure(commit, source)`` of each, ``rounds``
    times, in the other order each round, so that a slow spell of the machine falls on each alike; each result
    ``say``\ d on stderr as it comes. The exports go at the end."""
    sources: dict[str, str] = {}
    results: dict[str, list[T]] = {}
    try:
        for commit in commits:
            sources[commit] = export_named(commit)
        for number in range(1, rounds + 1):
            for commit in commits if number % 2 else commits[::-1]:
                result = measure(commit, sources[commit])
                print(f"round {number}, {commit}: {say(result)}", file=sys.stderr, flush=True)
                results.setdefault(commit, []).append(result)
    finally:
        for source in sources.values():
            shutil.rmtree(source, ignore_errors=True)
    return results


def export_commit(commit: str) -> str:
    """A temporary copy of chatd at ``commit`` (``git archive``; the work tree is left alone).

    Others may be changing chatd/ while the bench runs: a run that names a
    commit measures exactly that commit.
    """
    directory = tempfile.mkdtemp(prefix="chatd-bench-src-")
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", commit], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", directory], input=archive.stdout, check=True)
    return directory


def has_irc_listener(commit: str) -> bool:
    """chatd at ``commit`` takes ``--irc-port`` (its tap names the option), so chatd-irc can run there.

    The tap was one file, chatd/tap.py, until it became the package chatd/tap/: either names it.
    """
    found = subprocess.run(
        [
            "git",
            "-C",
            str(ROOT),
            "grep",
            "--quiet",
            "--fixed-strings",
            '"irc-port"',
            commit,
            "--",
            "chatd/tap.py",
            "chatd/tap/",
        ],
        capture_output=True,
    )
    return found.returncode == 0


def short_commit(commit: str) -> str | None:
    """``commit``'s abbreviated hash, or None if this repository has no such commit."""
    found = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "--verify", "--quiet", f"{commit}^{{commit}}"],
        capture_output=True,
        text=True,
    )
    return found.stdout.strip() or None


@dataclass(frozen=True)
class Kind:
    """One server under test: its name, the protocol clients speak to it, how to start it."""

    name: str
    dialect: str

    def start(self, cpu: int | None, extra: list[str], source: str | None = None) -> Server:
        """Start it on 127.0.0.1 and return once it listens.

        ``extra`` options and ``source`` (a copy of chatd made by
        ``export_commit``, else the work tree) are for chatd only.
        """
        server = self._launch(cpu, extra, source)
        try:
            if self.name in ("twisted.words", "chatd-irc"):
                server.wait_announced()
            else:
                server.wait_for_port()
        except SoakError as error:
            server.stop()
            tail = server.log_tail()
            server.remove(None)
            raise BenchError(f"{self.name}: {error}\n--- its log ---\n{tail}") from None
        return server

    def _launch(self, cpu: int | None, extra: list[str], source: str | None) -> Server:
        twistd = str(ROOT / ".venv" / "bin" / "twistd")
        if self.name in ("chatd", "chatd-irc"):
            # The copy comes first on the path, so its chatd and its plugin win.
            first = ["env", f"PYTHONPATH={source}"] if source else []
            chatd = ["chatd", "--port", "0", "--interface", "127.0.0.1", *extra]
            if self.name == "chatd":
                return Server([*first, twistd, "-n", "--pidfile=", *chatd], cpu)
            # The line port stays open (it cannot be turned off beside --irc-port) and idle.
            chatd += ["--irc-port", "0"]
            return Server([*first, twistd, "-n", "--pidfile=", *chatd], cpu, announce=IRC_ANNOUNCED)
        if self.name == "twisted.words":
            tac = str(ROOT / "bench" / "twisted_words.tac")
            return Server([twistd, "-n", "--pidfile=", "-y", tac], cpu, announce=TWISTED_LISTENING)
        port = free_port()
        if self.name == "miniircd":
            command = [str(tools_venv() / "bin" / "miniircd"), "--listen", "127.0.0.1", "--ports", str(port)]
            if os.geteuid() == 0:
                # miniircd refuses to run as root; it needs no privilege at all.
                command += ["--setuid", "nobody"]
            return Server(command, cpu, port)
        if self.name == "ngircd":
            config_dir = tempfile.mkdtemp(prefix="chatd-bench-ngircd-")
            config = os.path.join(config_dir, "ngircd.conf")
            with open(config, "w") as file:
                file.write(NGIRCD_CONFIG.format(port=port))
            server = Server([ngircd_binary(), "--nodaemon", "--config", config], cpu, port)
            server.config_dir = config_dir
            return server
        raise BenchError(f"unknown server {self.name!r}")

    def version(self, commit: str | None = None) -> str:
        """The version string the bench reports for this server (chatd: at ``commit``, else the work tree)."""
        if self.name in ("chatd", "chatd-irc"):
            from chatd import __version__

            if commit:
                return f"chatd {__version__} at commit {short_commit(commit)}"
            described = subprocess.run(
                ["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True, text=True
            ).stdout.strip()
            return f"chatd {__version__}, work tree at {described}"
        if self.name == "twisted.words":
            import twisted

            return f"Twisted {twisted.__version__}"
        if self.name == "miniircd":
            program = str(tools_venv() / "bin" / "miniircd")
            found = subprocess.run([program, "--version"], capture_output=True, text=True).stdout.strip()
            return f"miniircd {found}"
        found = subprocess.run([ngircd_binary(), "--version"], capture_output=True, text=True).stdout
        return found.splitlines()[0] if found else "ngircd (unknown version)"


KINDS: dict[str, Kind] = {
    "chatd": Kind("chatd", "line"),
    # The same IRC client as the three IRC servers get: NICK/USER, JOIN, PRIVMSG, no CAP (so no echo).
    "chatd-irc": Kind("chatd-irc", "irc"),
    "ngircd": Kind("ngircd", "irc"),
    "miniircd": Kind("miniircd", "irc"),
    "twisted.words": Kind("twisted.words", "irc-pass"),
}


def kind_of(label: str) -> Kind:
    """The server behind a label of ``bench/load.py --servers``: ``chatd@COMMIT`` is chatd, ``ngircd (2)`` ngIRCd.

    Raises KeyError for a label of no known server.
    """
    return KINDS[re.split(r"[@ ]", label, maxsplit=1)[0]]
