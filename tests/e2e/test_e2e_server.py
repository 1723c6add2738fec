"""Encrypted private messages through a real daemon: relayed and kept only as ciphertext (issue 17).

Two JSON clients identified to accounts publish device keys made with
PyNaCl, box a message for each other as the contract says, and open what
the daemon relays; the message's text is then looked for, byte for byte,
in the SQLite file (and its WAL), the search index and the daemon's log,
and is in none of them. A tampered envelope still relays (the daemon
cannot tell) but does not open.
"""

import base64
import json
import os
import signal
from typing import Any

from nacl.exceptions import CryptoError
from nacl.public import Box, PrivateKey, PublicKey
from nacl.utils import random
from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import Daemon, LineClient
from tests.e2e.lobby import LOOPBACK, PROMPT, WELCOME
from tests.helpers import new_folder

PASSWORD = "correct horse battery"
SECRET = "the vault code is 7-3-1-9, tell nobody"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def registered(daemon: Daemon, nick: str, source: str) -> LineClient:
    """``nick`` in JSON, its nickname registered (and so identified) with ``PASSWORD``."""
    client = daemon.connect(source=source)
    client.expect(WELCOME, PROMPT)
    client.say(nick)
    client.say("/format json")
    while not client.read_line().startswith(b"{"):
        pass  # the text lines before the answer to /format, the first JSON line
    client.say(f"/register {PASSWORD}")
    until(client, "notice", {"kind": "account"})
    return client


def until(client: LineClient, kind: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    """The next JSON object of type ``kind`` (and ``fields``), skipping the others; fails on an error."""
    fields = fields or {}
    while True:
        item = client.expect_json()
        if item["type"] == "error":
            client.daemon.fail(f"refused: {item}")
        if item["type"] == kind and all(item.get(key) == value for key, value in fields.items()):
            return item


def seal(sender: PrivateKey, keys: list[str], text: str) -> str:
    """The contract's envelope of ``text`` from ``sender`` for each of ``keys`` (base64 public keys)."""
    boxes = {}
    for key in keys:
        nonce = random(Box.NONCE_SIZE)
        sealed = Box(sender, PublicKey(base64.b64decode(key))).encrypt(text.encode(), nonce)
        boxes[key] = f"{b64(nonce)}:{b64(sealed.ciphertext)}"
    envelope = {"v": 1, "from": b64(bytes(sender.public_key)), "to": boxes}
    return b64(json.dumps(envelope).encode())


def open_envelope(mine: PrivateKey, envelope: str) -> str:
    """The text of the box in ``envelope`` addressed to ``mine``; raises CryptoError if it does not open."""
    opened = json.loads(base64.b64decode(envelope))
    nonce, ciphertext = opened["to"][b64(bytes(mine.public_key))].split(":")
    box = Box(mine, PublicKey(base64.b64decode(opened["from"])))
    return box.decrypt(base64.b64decode(ciphertext), base64.b64decode(nonce)).decode()


class EncryptedMessageTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.directory = new_folder(self)
        self.db = os.path.join(self.directory, "chatd.sqlite")
        self.daemon = Daemon.start(self, [*LOOPBACK, "--db", self.db])

    def two_with_keys(self) -> tuple[LineClient, PrivateKey, LineClient, PrivateKey]:
        """alice and bob, each registered and with a device key published."""
        alice_key, bob_key = PrivateKey.generate(), PrivateKey.generate()
        alice = registered(self.daemon, "alice", "127.0.0.2")
        bob = registered(self.daemon, "bob", "127.0.0.3")
        for client, key in ((alice, alice_key), (bob, bob_key)):
            client.say(f"/key publish {b64(bytes(key.public_key))}")
            until(client, "key_published")
        return alice, alice_key, bob, bob_key

    def test_a_message_is_relayed_and_kept_only_as_ciphertext(self) -> None:
        """alice's sealed message opens at bob's and at her own; the file, index and log never hold its text."""
        alice, alice_key, bob, bob_key = self.two_with_keys()
        alice.say("/key get bob")
        keys = until(alice, "keys")
        self.assertEqual(keys["keys"], [b64(bytes(bob_key.public_key))])
        envelope = seal(alice_key, [*keys["keys"], b64(bytes(alice_key.public_key))], SECRET)
        alice.say(f"/emsg bob {envelope}")
        got = until(bob, "encrypted")
        self.assertEqual((got["nick"], got["to"], got["envelope"]), ("alice", "bob", envelope))
        self.assertEqual(open_envelope(bob_key, got["envelope"]), SECRET)
        echo = until(alice, "encrypted")
        self.assertEqual(open_envelope(alice_key, echo["envelope"]), SECRET)
        # bob's private history with alice holds the same envelope, still sealed.
        bob.say("/history alice")
        kept = until(bob, "encrypted")
        self.assertEqual((kept["envelope"], kept.get("history")), (envelope, True))

        # A message in the clear, kept as it is: the look below would find a text that was kept.
        alice.say("/msg bob said in the clear for the control")
        until(bob, "whispered")

        self.daemon.signal(signal.SIGTERM)
        files = b""
        for folder, _, names in os.walk(self.directory):
            for name in names:
                with open(os.path.join(folder, name), "rb") as file:
                    files += file.read()
        self.assertIn(b"said in the clear for the control", files)
        self.assertNotIn(SECRET.encode(), files)
        self.assertNotIn(SECRET.encode(), b"".join(self.daemon.logged_so_far()))

    def test_a_tampered_envelope_relays_but_does_not_open(self) -> None:
        """One byte of the ciphertext flipped on the way: the daemon relays it, bob's box refuses it."""
        alice, alice_key, bob, bob_key = self.two_with_keys()
        bob_public = b64(bytes(bob_key.public_key))
        opened = json.loads(base64.b64decode(seal(alice_key, [bob_public], SECRET)))
        nonce, ciphertext = opened["to"][bob_public].split(":")
        flipped = bytearray(base64.b64decode(ciphertext))
        flipped[-1] ^= 1
        opened["to"][bob_public] = f"{nonce}:{b64(bytes(flipped))}"
        tampered = b64(json.dumps(opened).encode())
        alice.say(f"/emsg bob {tampered}")
        got = until(bob, "encrypted")
        self.assertEqual(got["envelope"], tampered)
        self.assertRaises(CryptoError, open_envelope, bob_key, got["envelope"])
