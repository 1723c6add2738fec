"""Encrypted private messages between two ``python -m chatd.client`` processes on the real daemon.

Each client is piped (stdin and stdout), identified with a password file,
and has its own config folder (``XDG_CONFIG_HOME``): its own device key and
known_keys.json, as two people's machines would. The daemon keeps its
``--db`` in a temporary folder, searched afterwards for the exact texts.
A lying server is played by a relay between one client and the daemon that
swaps bob's key for mallory's in every ``keys`` answer it passes on.
"""

import base64
import json
import os
import re
import select
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from typing import Any

from nacl.public import PrivateKey

from chatd.client.crypto import Identity, fingerprint
from tests.e2e.daemon import DEADLINE_SECONDS
from tests.e2e.test_accounts import PASSWORD, REGISTERED, AccountTestCase
from tests.e2e.test_client import client_command
from tests.helpers import new_folder

STAMP = re.compile(r"^\d\d:\d\d ")

LOG_WARNING = "the server's key log does not match what it showed before: it may be lying about keys"


class PipedClient:
    """One bundled client on pipes, stdout and stderr read together as lines without their times."""

    def __init__(self, case: AccountTestCase, port: int, nick: str, config: str) -> None:
        password_file = os.path.join(config, "password")
        os.makedirs(config, exist_ok=True)
        with open(password_file, "w") as file:
            file.write(PASSWORD + "\n")
        self.case = case
        self.process = subprocess.Popen(
            [*client_command(port), "--nick", nick, "--identify", "--password-file", password_file],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, "XDG_CONFIG_HOME": config},
        )
        case.addCleanup(self._reap)
        self.seen: list[str] = []
        """Every line read so far, without its time."""
        self._partial = b""

    def say(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text.encode("utf-8") + b"\n")
        self.process.stdin.flush()

    def until(self, text: str) -> None:
        """Read lines until one holds ``text``; fails at the deadline, showing what came."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            while b"\n" in self._partial:
                line, self._partial = self._partial.split(b"\n", 1)
                shown = STAMP.sub("", line.decode("utf-8"))
                self.seen.append(shown)
                if text in shown:
                    return
            left = deadline - time.monotonic()
            assert self.process.stdout is not None
            readable, _, _ = select.select([self.process.stdout], [], [], max(left, 0))
            chunk = os.read(self.process.stdout.fileno(), 65536) if readable else b""
            if not chunk:
                self.case.fail(f"no line holding {text!r}; saw:\n" + "\n".join(self.seen[-30:]))
            self._partial += chunk

    def quit(self) -> None:
        """End stdin and wait for the client to leave, with status 0."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.until("Goodbye.")
        self.case.assertEqual(self.process.wait(DEADLINE_SECONDS), 0)

    def _reap(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(DEADLINE_SECONDS)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


class LyingRelay:
    """A TCP relay to the daemon that rewrites what it passes down with ``rewrite``; one connection."""

    def __init__(
        self, case: AccountTestCase, upstream: tuple[str, int], rewrite: Callable[[dict[str, Any]], None]
    ) -> None:
        self.rewrite = rewrite
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(DEADLINE_SECONDS)
        self.port = self.listener.getsockname()[1]
        self.upstream = upstream
        self.sockets: list[socket.socket] = [self.listener]
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        case.addCleanup(self._close)

    def _run(self) -> None:
        client, _ = self.listener.accept()
        server = socket.create_connection(self.upstream, timeout=DEADLINE_SECONDS)
        self.sockets += [client, server]
        up = threading.Thread(target=self._pipe, args=(client, server, False), daemon=True)
        up.start()
        self._pipe(server, client, True)
        up.join(DEADLINE_SECONDS)

    def _pipe(self, source: socket.socket, sink: socket.socket, rewrite: bool) -> None:
        partial = b""
        try:
            while data := source.recv(65536):
                if not rewrite:
                    sink.sendall(data)
                    continue
                partial += data
                *lines, partial = partial.split(b"\r\n")
                sink.sendall(b"".join(self._rewritten(line) + b"\r\n" for line in lines))
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            return

    def _rewritten(self, line: bytes) -> bytes:
        try:
            message = json.loads(line)
        except ValueError:
            return line
        if not isinstance(message, dict):
            return line
        self.rewrite(message)
        return json.dumps(message).encode("utf-8")

    def _close(self) -> None:
        for sock in self.sockets:
            sock.close()
        self.thread.join(DEADLINE_SECONDS)


class SealedTestCase(AccountTestCase):
    """alice and bob, registered, each on the bundled client with a device key of their own."""

    def setUp(self) -> None:
        super().setUp()
        self.homes = new_folder(self)
        for source, nick in (("127.0.0.1", "alice"), ("127.0.0.4", "bob")):
            client = self.connect(source, nick)
            client.say(f"/register {PASSWORD}")
            self.until(client, REGISTERED.replace("alice", nick))
            client.say("/quit")
            self.until(client, "*** Goodbye.")

    def client(self, nick: str, home: str | None = None, port: int | None = None) -> PipedClient:
        """``nick``'s client with the config folder ``home`` (default: ``nick``'s own), key published."""
        config = os.path.join(self.homes, home or nick)
        client = PipedClient(self, port or self.daemon.port, nick, config)
        client.until(f"This device's key is published to your account {nick}")
        return client

    def key_of(self, home: str) -> str:
        with open(os.path.join(self.homes, home, "chatd", "identity.key"), "rb") as file:
            return Identity(PrivateKey(file.read())).public


class EncryptedExchangeTests(SealedTestCase):
    """Both online: messages both ways, a new device, a lying server."""

    def test_two_clients_exchange_sealed_messages_the_server_keeps_only_as_ciphertext(self) -> None:
        """Both read both texts marked [encrypted]; no file of the daemon's, nor its log, holds either."""
        alice, bob = self.client("alice"), self.client("bob")
        alice.say("/msg bob the key is under the mat")
        alice.until(f"~ Pinned bob's key on first use: {fingerprint(self.key_of('bob'))}.")
        alice.until("@ <alice -> bob> [encrypted] the key is under the mat")
        bob.until("@ <alice -> bob> [encrypted] the key is under the mat")
        bob.say("/msg alice thanks, found it")
        bob.until("@ <bob -> alice> [encrypted] thanks, found it")
        alice.until("@ <bob -> alice> [encrypted] thanks, found it")
        self.assertNotIn("WARNING", "\n".join(alice.seen + bob.seen))
        alice.quit()
        bob.quit()

        stored = b""
        for name in os.listdir(self.directory):
            if name.startswith("chatd.sqlite"):
                with open(os.path.join(self.directory, name), "rb") as file:
                    stored += file.read()
        self.assertIn(self.key_of("alice").encode(), stored)
        for text in (b"the key is under the mat", b"thanks, found it"):
            self.assertNotIn(text, stored)
            self.assertNotIn(text, b"\n".join(self.daemon.log))

    def test_a_new_device_key_is_warned_and_blocks_sending_until_trusted(self) -> None:
        """bob on a new machine publishes a second key: alice is warned, sends nothing, then /trust bob."""
        alice, bob = self.client("alice"), self.client("bob")
        alice.say("/msg bob first")
        bob.until("[encrypted] first")
        bob.quit()
        laptop = self.client("bob", home="bob-laptop")
        alice.say("/msg bob second")
        alice.until("! WARNING: bob's keys changed: now ")
        alice.until("! Not sent: bob's keys changed.")
        alice.say("/fingerprint bob")
        alice.until(
            f"bob's keys changed to: {', '.join(sorted([fingerprint(self.key_of('bob')), fingerprint(self.key_of('bob-laptop'))]))}"
        )
        alice.say("/trust bob")
        alice.until("~ Trusting bob's new keys")
        alice.say("/msg bob third")
        laptop.until("@ <alice -> bob> [encrypted] third")
        self.assertNotIn("second", "\n".join(laptop.seen))
        alice.quit()
        laptop.quit()

    def test_a_server_serving_another_key_to_one_client_is_caught_by_the_log(self) -> None:
        """Through the lying relay alice is served mallory's key for bob: the log check says so; nothing sealed."""
        bob = self.client("bob")
        mallory = Identity(PrivateKey.generate()).public

        def swap(message: dict[str, Any]) -> None:
            if message.get("type") == "keys" and message.get("nick") == "bob":
                message["keys"] = [mallory]

        relay = LyingRelay(self, self.daemon.addresses[0], swap)
        alice = self.client("alice", port=relay.port)
        alice.say("/msg bob meet me at the usual place")
        alice.until(f"! WARNING: {LOG_WARNING} (it serves keys for bob that its log does not hold).")
        alice.until("! Not sent to bob: the keys cannot be trusted.")
        alice.say("/keylog")
        alice.until("~ Key log: seq 2, head ")
        alice.quit()
        bob.quit()
        self.assertNotIn("meet me", "\n".join(bob.seen))

    def test_a_tampered_message_is_one_clear_line_never_text(self) -> None:
        """A relay flips one bit of alice's box in what reaches bob: bob sees the contract's line."""

        def flip(message: dict[str, Any]) -> None:
            if message.get("type") == "encrypted" and message.get("nick") == "alice":
                body = json.loads(base64.b64decode(message["envelope"]))
                key = self.key_of("bob")
                nonce, box = body["to"][key].split(":")
                raw = bytearray(base64.b64decode(box))
                raw[-1] ^= 1
                body["to"][key] = f"{nonce}:{base64.b64encode(bytes(raw)).decode()}"
                message["envelope"] = base64.b64encode(json.dumps(body).encode()).decode()

        self.client("bob").quit()
        relay = LyingRelay(self, self.daemon.addresses[0], flip)
        bob = self.client("bob", port=relay.port)
        alice = self.client("alice")
        alice.say("/msg bob the vault code is 4471")
        alice.until("@ <alice -> bob> [encrypted] the vault code is 4471")
        bob.until("! a message from alice could not be decrypted: it was altered on the way")
        alice.quit()
        bob.quit()
        self.assertNotIn("4471", "\n".join(bob.seen))


class OfflineSealedTests(SealedTestCase):
    """Sealed messages to someone offline: kept as ciphertext, read when they identify, and in history."""

    def test_a_sealed_message_typed_last_is_sent_kept_and_read_when_bob_identifies(self) -> None:
        """alice's last stdin line is a /msg to offline bob: it goes before she quits; bob reads it later; both read it in /history."""
        self.client("bob").quit()
        alice = self.client("alice")
        alice.say("/msg bob the parcel is at the door")
        alice.quit()
        self.assertIn("* bob is offline: kept until they identify (1 waiting)", alice.seen)
        bob = self.client("bob")
        bob.until("| <alice -> bob> [encrypted] the parcel is at the door")
        bob.say("/history alice")
        bob.until("| <alice -> bob> [encrypted] the parcel is at the door")
        bob.quit()
        alice = self.client("alice")
        alice.say("/history bob")
        alice.until("| <alice -> bob> [encrypted] the parcel is at the door")
        alice.quit()
        self.assertNotIn("could not be decrypted", "\n".join(alice.seen + bob.seen))


class OrderTests(SealedTestCase):
    """Lines piped to the client reach the server in the order they were piped, sealed or not."""

    def test_lines_after_a_sealed_message_wait_for_it(self) -> None:
        """bob reads alice's four lines as she piped them, though the sealed ones wait for keys.

        bob pins alice's key first: a first message from someone never pinned
        is shown once their keys are, after lines that came meanwhile.
        """
        alice = self.client("alice")
        bob = self.client("bob")
        bob.say("/fingerprint alice")
        bob.until("~ Pinned alice's key on first use")
        for line in (
            "/msg bob first encrypted",
            "/msg --plain bob second plain",
            "third in lobby",
            "/msg bob fourth encrypted",
        ):
            alice.say(line)
        bob.until("fourth encrypted")
        alice.quit()
        bob.quit()
        texts = ("first encrypted", "second plain", "third in lobby", "fourth encrypted")
        for seen in (bob.seen, alice.seen):
            lines = [next(i for i, line in enumerate(seen) if text in line) for text in texts]
            self.assertEqual(lines, sorted(lines), "\n".join(seen))
