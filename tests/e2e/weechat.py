"""WeeChat as an end-to-end test's IRC client: Debian's ``weechat-headless``, driven as a person's client would be.

``WeeChat`` starts ``weechat-headless`` in a fresh home (``--dir``) with
a list of startup commands (``-r``): a server entry for the daemon's IRC
port with ``#lobby`` to autojoin and a one-second autoreconnect, and a
trigger that copies every line any buffer shows to WeeChat's standard
output (``/print -stdout``), one tab-separated ``Shown`` line each. The
test types into a buffer through WeeChat's fifo plugin and reads what the
buffers show from that output with ``select``: nothing polls or sleeps,
and every wait ends at the daemon's deadline. ``tests/system-packages``
installs the program.
"""

import os
import select
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from tests.e2e.daemon import DEADLINE_SECONDS, Daemon
from tests.helpers import new_folder

WEECHAT = "weechat-headless"

SERVER = "chatd"
"""The name of WeeChat's server entry for the daemon; buffers are ``irc.chatd.#room``."""

MARK = b"E2E"
"""The first field of each line the trigger prints, setting them apart from WeeChat's own output."""

TRIGGER = (
    '/trigger add e2e print "" "" "" '
    # -r evaluates its commands: ${raw:} keeps the trigger's own ${...} for
    # when a line is shown. /print -stdout turns \t and \n into characters.
    '"${raw:/print -stdout E2E\\t${buffer.full_name}\\t${tg_tags}\\t${tg_prefix_nocolor}\\t${tg_message_nocolor}\\n}"'
)
"""A trigger on every line printed in any buffer: buffer, tags, prefix and message go to standard output."""

TIME_TAG = "irc_tag_time_"
"""How WeeChat's tags for a line carry its IRCv3 ``time`` tag."""


@dataclass(frozen=True)
class Shown:
    """One line a WeeChat buffer shows: where, WeeChat's tags for it, and its prefix and text without colours.

    In a channel buffer a message's ``prefix`` is its sender's nickname
    and its tags include ``irc_privmsg`` and ``nick_SENDER``; WeeChat's
    own echo of what its user typed carries ``self_msg``.
    """

    buffer: str
    tags: frozenset[str]
    prefix: str
    message: str

    @property
    def server_time(self) -> str | None:
        """The server-time tag WeeChat kept for the line (``2026-12-04T15:51:53.966Z``), if it had one."""
        for tag in self.tags:
            if tag.startswith(TIME_TAG):
                return tag.removeprefix(TIME_TAG)
        return None

    @classmethod
    def parse(cls, line: bytes) -> "Shown | None":
        """The shown line ``line`` carries, or None for any other output of WeeChat's."""
        fields = line.split(b"\t")
        if len(fields) != 5 or not fields[0].endswith(MARK):
            return None
        buffer, tags, prefix, message = (field.decode("utf-8", "replace") for field in fields[1:])
        return cls(buffer, frozenset(tag for tag in tags.split(",") if tag), prefix, message)


class WeeChat:
    """One ``weechat-headless`` connected to 127.0.0.1 on ``port`` as ``nick``; ended at the test's cleanup."""

    def __init__(
        self,
        daemon: Daemon,
        port: int,
        nick: str,
        sasl: tuple[str, str] | None = None,
        command: str | None = None,
    ) -> None:
        """Start WeeChat, which connects, registers as ``nick`` and joins #lobby by itself.

        With ``sasl`` (an account and its password) it logs in with SASL
        PLAIN first; ``command`` it sends once welcomed, before joining (its
        server's ``command`` option, where users put ``/msg NickServ
        IDENTIFY``). ``daemon`` is whose log a failure shows.
        """
        self.daemon = daemon
        self.nick = nick
        self.shown: list[Shown] = []
        """Every line the buffers have shown so far, in order."""
        self._output: list[bytes] = []
        self._partial = b""
        self._read_upto = 0
        home = new_folder(daemon.case)
        commands = [
            TRIGGER,
            f"/server add {SERVER} 127.0.0.1/{port}",
            # WeeChat 3.8 (Debian 12) calls it ssl, 4.0 and later tls, on by
            # default: one of the two names is unknown, and says so harmlessly.
            f"/set irc.server.{SERVER}.ssl off",
            f"/set irc.server.{SERVER}.tls off",
            f"/set irc.server.{SERVER}.nicks {nick}",
            f"/set irc.server.{SERVER}.autojoin #lobby",
            f"/set irc.server.{SERVER}.autoreconnect on",
            # Retry every second while the daemon restarts, not 1, 2, 4, 8... s.
            f"/set irc.server.{SERVER}.autoreconnect_delay 1",
            "/set irc.network.autoreconnect_delay_growing 1",
            # No anti-flood wait of 2 s between lines typed right after the
            # join: 3.8 has two options in seconds, later versions one in ms.
            f"/set irc.server.{SERVER}.anti_flood_prio_high 0",
            f"/set irc.server.{SERVER}.anti_flood_prio_low 0",
            f"/set irc.server.{SERVER}.anti_flood 0",
        ]
        if sasl is not None:
            commands += [
                f"/set irc.server.{SERVER}.sasl_mechanism plain",
                f"/set irc.server.{SERVER}.sasl_username {sasl[0]}",
                # -r evaluates commands: ${raw:} keeps a password as typed.
                f"/set irc.server.{SERVER}.sasl_password ${{raw:{sasl[1]}}}",
            ]
        if command is not None:
            commands.append(f"/set irc.server.{SERVER}.command ${{raw:{command}}}")
        commands.append(f"/connect {SERVER}")
        arguments = [WEECHAT, "--dir", home, "--no-connect", "--no-script", "--plugins", "irc,fifo,trigger"]
        for command in commands:
            arguments += ["--run-command", command]
        self.process = subprocess.Popen(
            arguments,
            cwd=home,
            # A UTF-8 locale, whatever the test's: WeeChat reads and shows text in the locale's charset.
            env={**os.environ, "LC_ALL": "C.UTF-8"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        daemon.case.addCleanup(self._reap)
        # The fifo plugin's default path: made when the plugin loads, before
        # the startup commands run, so it is there once any line is shown.
        self.fifo = os.path.join(home, f"weechat_fifo_{self.process.pid}")

    def buffer(self, channel: str) -> str:
        """The full name of the buffer of ``channel`` on the daemon."""
        return f"irc.{SERVER}.{channel}"

    def next_shown(self, where: Callable[[Shown], bool], what: str) -> Shown:
        """The next line shown (after the last one returned) that passes ``where``; fails at the deadline."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            while self._read_upto < len(self.shown):
                line = self.shown[self._read_upto]
                self._read_upto += 1
                if where(line):
                    return line
            if not self._read(deadline - time.monotonic()):
                if self.process.poll() is not None:
                    self.fail(f"WeeChat exited ({self.process.returncode}) before showing a {what}")
                self.fail(f"WeeChat showed no {what} within {DEADLINE_SECONDS} s")

    def joined(self, channel: str) -> Shown:
        """The next line saying WeeChat's own user joined ``channel``."""
        return self.next_shown(
            lambda line: (
                line.buffer == self.buffer(channel)
                and "irc_join" in line.tags
                and f"nick_{self.nick}" in line.tags
            ),
            f"join of {channel}",
        )

    def disconnected(self) -> Shown:
        """The next line on the server buffer saying the connection to the daemon is lost."""
        return self.next_shown(
            lambda line: line.buffer == f"irc.server.{SERVER}" and "disconnected from server" in line.message,
            "disconnection",
        )

    def heard(self, channel: str) -> Shown:
        """The next message someone else said in ``channel``."""
        return self.next_shown(
            lambda line: (
                line.buffer == self.buffer(channel)
                and "irc_privmsg" in line.tags
                and "self_msg" not in line.tags
            ),
            f"message in {channel}",
        )

    def say(self, channel: str, text: str) -> None:
        """Type ``text`` into ``channel``'s buffer, as its user would, through the fifo."""
        try:
            fifo = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:
            self.fail(f"WeeChat's fifo {self.fifo} cannot be written: {error}")
        try:
            os.write(fifo, f"{self.buffer(channel)} *{text}\n".encode())
        finally:
            os.close(fifo)

    def _read(self, timeout: float) -> bool:
        """Read what WeeChat has written, waiting up to ``timeout`` s; False at the deadline or at its exit."""
        stdout = self.process.stdout
        assert stdout is not None, "started with stdout=PIPE"
        if timeout <= 0:
            return False
        ready, _, _ = select.select([stdout], [], [], timeout)
        if not ready:
            return False
        chunk = os.read(stdout.fileno(), 65536)
        if not chunk:
            return False
        *lines, self._partial = (self._partial + chunk).split(b"\n")
        self._output.extend(lines)
        for line in lines:
            shown = Shown.parse(line)
            if shown is not None:
                self.shown.append(shown)
        return True

    def fail(self, message: str) -> NoReturn:
        """Fail the test, showing what WeeChat wrote and what the daemon logged."""
        written = b"\n".join([*self._output, self._partial]).decode("utf-8", "replace")
        self.daemon.fail(f"{message}\n--- WeeChat's output ---\n{written}")

    def _reap(self) -> None:
        # SIGTERM is WeeChat's /quit; kill it if it has not gone by the
        # deadline, and drain and close the pipe either way.
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.communicate(timeout=DEADLINE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate(timeout=DEADLINE_SECONDS)
