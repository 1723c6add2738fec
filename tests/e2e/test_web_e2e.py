"""End-to-end encrypted private messages in chatd's page, in a real headless Chromium (issue 17).

The page's crypto is libsodium's crypto_box, shipped in chatd/web/static/vendor/
and run under the page's own Content-Security-Policy. It builds the same
fingerprints and the same boxes as the terminal client's PyNaCl, and opens
the envelopes PyNaCl sealed: tests/vectors/e2e.json is the fixed ground
both are held to. Every wait polls a condition until the deadline.
"""

import base64
import contextlib
import hashlib
import json
import os
import signal
import socket
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from selenium.webdriver.common.keys import Keys
from twisted.trial.unittest import SynchronousTestCase

from chatd.client.crypto import Identity, fingerprint, open_envelope, seal
from tests.e2e.browser import Page, quiet, start_web, web_url
from tests.e2e.daemon import DEADLINE_SECONDS, Daemon, LineClient
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_accounts import PASSWORD as PASSWORD_OF_ACCOUNTS
from tests.e2e.test_client_e2e import SealedTestCase
from tests.e2e.test_web_files import json_user, next_of, private_with
from tests.e2e.test_web_reading import SLOWED
from tests.helpers import new_folder

LOG_WARNING = "the server's key log does not match what it showed before: it may be lying about keys"

VECTORS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "vectors", "e2e.json")

INTEROP = """
const [vectors, done] = arguments;
(async () => {
  const e2e = await import("/e2e.js");
  const S = await e2e.sodium();
  const keys = vectors.keys;
  const secret = (name) => S.from_base64(keys[name].secret, S.base64_variants.ORIGINAL);
  const pair = (name) => ({ publicKey: keys[name].public, secretKey: secret(name) });
  const result = { publics: {}, fingerprints: {}, opened: [], sealed: [], tampered: [] };
  for (const name of Object.keys(keys)) {
    result.publics[name] = e2e.publicOf(S, secret(name));
    result.fingerprints[name] = await e2e.fingerprint(S, keys[name].public);
  }
  for (const vector of vectors.envelopes) {
    for (const name of vector.to) result.opened.push(e2e.open(S, vector.envelope, pair(name)));
    const byKey = Object.fromEntries(Object.keys(vector.nonces).map((name) => [keys[name].public, vector.nonces[name]]));
    const nonce = (key) => S.from_base64(byKey[key], S.base64_variants.ORIGINAL);
    result.sealed.push(e2e.seal(S, vector.text, secret(vector.from), vector.to.map((name) => keys[name].public), nonce));
  }
  for (const vector of vectors.tampered) {
    try {
      result.tampered.push(["opened", e2e.open(S, vector.envelope, pair(vector.open_as)).text]);
    } catch (error) {
      result.tampered.push([error instanceof e2e.EnvelopeError ? "refused" : "crashed", String(error.message)]);
    }
  }
  return result;
})().then(done, (error) => done({ error: String(error && error.stack || error) }));
"""
"""Run in the page: derive, fingerprint, open and seal every vector with the page's own module; the results."""


def vectors() -> dict[str, Any]:
    with open(VECTORS, encoding="utf-8") as file:
        loaded: dict[str, Any] = json.load(file)
    return loaded


class InteropTests(SynchronousTestCase):
    """The page's libsodium and the terminal client's PyNaCl agree byte for byte."""

    def test_the_page_opens_builds_and_refuses_the_shared_vectors(self) -> None:
        """In Chromium, under the page's CSP: each vector key's public half and fingerprint are the file's; every
        envelope opens to its text for each of its recipients; sealing the same text with the same nonces gives the
        same envelope, byte for byte; each tampered envelope is refused, none opens."""
        shared = vectors()
        _, url = start_web(self)
        page = Page(self, url)
        page.driver.set_script_timeout(30)
        result = page.driver.execute_async_script(INTEROP, shared)
        self.assertNotIn("error", result)
        keys = shared["keys"]
        self.assertEqual(result["publics"], {name: key["public"] for name, key in keys.items()})
        self.assertEqual(result["fingerprints"], {name: key["fingerprint"] for name, key in keys.items()})
        self.assertEqual(
            result["opened"],
            [
                {"sender": keys[vector["from"]]["public"], "text": vector["text"]}
                for vector in shared["envelopes"]
                for _ in vector["to"]
            ],
        )
        self.assertEqual(result["sealed"], [vector["envelope"] for vector in shared["envelopes"]])
        self.assertEqual(
            [outcome for outcome, _ in result["tampered"]], ["refused"] * len(shared["tampered"])
        )
        quiet(self, page)


KEY_LOG = """
const [vectors, strange, done] = arguments;
(async () => {
  const { KeyLog, entryHash } = await import("/keylog.js");
  const { fold } = await import("/dom.js");
  const entries = vectors.key_log.map((item) => item.entry);
  const head = vectors.key_log_head;
  const result = { hashes: [], strange: [] };
  for (const entry of entries) result.hashes.push(await entryHash(entry));
  for (const entry of strange) result.strange.push(await entryHash(entry));
  const whole = new KeyLog(fold);
  result.whole = [await whole.extend(entries, head.seq, head.head, false), whole.kept()];
  const paged = new KeyLog(fold);
  result.paged = [
    await paged.extend(entries.slice(0, 2), head.seq, head.head, true),
    await paged.extend(entries.slice(2), head.seq, head.head, false),
    paged.kept(),
    paged.logged("ALICE"),
  ];
  const kept = new KeyLog(fold, paged.kept());
  result.caught_up = await kept.extend([], head.seq, head.head, false);
  const rewritten = entries.map((entry) => ({ ...entry }));
  rewritten[1].at += 1;
  const fooled = new KeyLog(fold);
  result.rewritten = [await fooled.extend(rewritten, head.seq, head.head, false), fooled.kept()];
  const lastTwo = new KeyLog(fold, { seq: 2, head: vectors.key_log[0].hash, keys: {} });
  result.forked = await lastTwo.extend(entries.slice(2), head.seq, head.head, false);
  const behind = new KeyLog(fold, paged.kept());
  result.behind = await behind.extend([], 3, vectors.key_log[2].hash, false);
  return result;
})().then(done, (error) => done({ error: String(error && error.stack || error) }));
"""
"""Run in the page: hash and check the shared key log vectors, whole, in pages, rewritten, forked and rolled back."""

STRANGE_ENTRIES = [
    {"seq": 1, "at": 1767225601, "account": name, "action": "add", "key": "A" * 43 + "=", "prev": ""}
    for name in ("Jürgen", "日本語", "rain\U0001f327", 'q"\\\x7f\x01é')
]
"""Entries whose accounts Python escapes: Latin and CJK letters, a character past U+FFFF, quotes, DEL, a control."""


class KeyLogTests(SynchronousTestCase):
    """The page checks the server's key log as the terminal client does, byte for byte as Python hashes it."""

    def test_the_page_hashes_and_checks_the_shared_key_log_and_catches_a_rewritten_one(self) -> None:
        """In Chromium: each entry of tests/vectors/e2e.json's log hashes to the file's hash, and so does each entry
        with a non-ASCII account to what Python's json.dumps and SHA-256 give; the whole log, or the log in two pages,
        reaches the file's head with its accounts' keys; a log with one entry rewritten, one that does not go on
        from the head seen, and one that went back are each refused and nothing of them is taken."""
        shared = vectors()
        _, url = start_web(self)
        page = Page(self, url)
        page.driver.set_script_timeout(30)
        result = page.driver.execute_async_script(KEY_LOG, shared, STRANGE_ENTRIES)
        self.assertNotIn("error", result)
        self.assertEqual(result["hashes"], [item["hash"] for item in shared["key_log"]])
        self.assertEqual(
            result["strange"],
            [
                hashlib.sha256(json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
                for entry in STRANGE_ENTRIES
            ],
        )
        head = shared["key_log_head"]
        self.assertEqual(result["whole"], [None, head])
        self.assertEqual(result["paged"], [None, None, head, head["keys"]["alice"]])
        self.assertIsNone(result["caught_up"])
        problem, kept = result["rewritten"]
        self.assertTrue(problem.startswith("entry 3 does not follow the head this page saw ("), problem)
        self.assertEqual(kept, {"seq": 0, "head": "", "keys": {}})
        self.assertEqual(
            result["forked"],
            f"entry 3 does not follow the head this page saw ({shared['key_log'][0]['hash']})",
        )
        self.assertEqual(
            result["behind"],
            f"the log's entries end at 4 ({head['head']}), but the server says 3 ({shared['key_log'][2]['hash']})",
        )
        quiet(self, page)


IDENTITY = """
const [account, done] = arguments;
(async () => {
  const e2e = await import("/e2e.js");
  const { KeyStore } = await import("/keystore.js");
  const S = await e2e.sodium();
  const made = [];
  const make = () => {
    const pair = e2e.newKeyPair(S);
    made.push(e2e.toBase64(S, pair.publicKey));
    return { publicKey: e2e.toBase64(S, pair.publicKey), secretKey: pair.secretKey };
  };
  const pair = await new KeyStore(account).identity(make);
  return { publicKey: pair.publicKey, derived: e2e.publicOf(S, pair.secretKey), made, usable: e2e.usable() };
})().then(done, (error) => done({ error: String(error && error.stack || error) }));
"""
"""Run in the page: this browser's key pair for ``account``, from IndexedDB or made there; and the keys made."""


class IdentityTests(SynchronousTestCase):
    """The page's key pair is made on first use and kept in the browser."""

    def test_a_key_made_on_first_use_is_the_same_after_a_reload_and_per_account(self) -> None:
        """The first ask makes a key pair and keeps it in IndexedDB; after a reload the same one is read, nothing
        made; another account on the same browser gets a key of its own."""
        _, url = start_web(self)
        page = Page(self, url)
        page.driver.set_script_timeout(30)
        first = page.driver.execute_async_script(IDENTITY, "alice")
        self.assertNotIn("error", first)
        self.assertEqual(first["made"], [first["publicKey"]])
        self.assertEqual(first["derived"], first["publicKey"])
        self.assertTrue(first["usable"])
        page.driver.refresh()
        again = page.driver.execute_async_script(IDENTITY, "alice")
        self.assertEqual((again["publicKey"], again["made"]), (first["publicKey"], []))
        other = page.driver.execute_async_script(IDENTITY, "bob")
        self.assertEqual(other["made"], [other["publicKey"]])
        self.assertNotEqual(other["publicKey"], first["publicKey"])
        quiet(self, page)


PASSWORD = "secret-pass-1"


def registered(daemon: Daemon, nick: str) -> LineClient:
    """A program on the line port speaking JSON, named ``nick`` and registered to it, in #lobby."""
    client = json_user(daemon, nick)
    client.say(f"/register {PASSWORD}")
    next_of(client, "notice", kind="account")
    return client


def device(case: SynchronousTestCase) -> Identity:
    """A terminal client's key pair (PyNaCl), in a folder removed at cleanup."""
    folder = new_folder(case)
    return Identity.load_or_make(os.path.join(folder, "identity.key"))


def publish(client: LineClient, identity: Identity) -> None:
    """``client`` publishes ``identity``'s public key to its account."""
    client.say(f"/key publish {identity.public}")
    next_of(client, "key_published")


def keys_of(client: LineClient, nick: str) -> list[str]:
    """The keys the server serves for ``nick``'s account, once it has any (the page publishes on identifying)."""
    while True:
        client.say(f"/key get {nick}")
        served = next_of(client, "keys")
        if served["keys"]:
            return list(served["keys"])


def register_in_page(page: Page) -> None:
    """The page's user registers the nickname it holds, and the page has its key ready."""
    page.say(f"/register {PASSWORD}")
    page.wait(lambda: page.script("return window.chatd.encryption.active") or None, "the page's key")


def bob_with_a_key(case: SynchronousTestCase, daemon: Daemon) -> tuple[LineClient, Identity]:
    """bob, registered on the line port, with a device key of his published: one whom messages are sealed for."""
    bob = registered(daemon, "bob")
    key = device(case)
    publish(bob, key)
    return bob, key


def alice_writing_to_bob(case: SynchronousTestCase, url: str) -> Page:
    """alice's page, registered, showing her conversation with bob, its panel saying it is encrypted."""
    alice = Page(case, url)
    alice.login("alice")
    register_in_page(alice)
    private_with(alice, "bob")
    alice.wait(lambda: alice.texts("#keys-summary") == ["Encrypted · not verified"] or None, "the panel")
    return alice


def encrypted_lines(page: Page) -> list[str]:
    """The text of every opened encrypted line in the log shown, in order."""
    return page.texts("#log-box .log .line.encrypted .text")


def envelope_to(case: SynchronousTestCase, client: LineClient, sender: Identity, nick: str, text: str) -> str:
    """What ``client`` (holding ``sender``) sends ``nick``: ``text`` sealed for their keys and its own account's."""
    recipients = [*keys_of(client, nick), sender.public]
    envelope = seal(text, sender.secret, recipients)
    case.assertEqual(json.loads(base64.b64decode(envelope))["from"], sender.public)
    return envelope


class ExchangeTests(SynchronousTestCase):
    """The page and a terminal client's crypto exchange encrypted private messages through a real daemon."""

    def test_the_page_and_a_json_client_exchange_encrypted_messages_and_the_database_holds_no_plaintext(
        self,
    ) -> None:
        """alice in Chromium and bob on the line port, both registered with keys published: alice's message reaches
        bob as an envelope PyNaCl opens, bob's reaches alice's page opened and marked; each side shows its own sent
        message opened too; the SQLite file and the daemon's log hold neither text."""
        folder = new_folder(self)
        daemon, url = start_web(self, "--db", os.path.join(folder, "chatd.sqlite"))
        bob, bob_key = bob_with_a_key(self, daemon)
        alice = alice_writing_to_bob(self, url)

        to_bob = "lunch at noon? the usual place"
        alice.say(to_bob)
        received = next_of(bob, "encrypted", nick="alice")
        self.assertEqual(received["to"], "bob")
        opened = open_envelope(received["envelope"], bob_key)
        self.assertEqual(opened.text, to_bob)
        self.assertEqual(opened.sender, keys_of(bob, "alice")[0])
        alice.wait(lambda: encrypted_lines(alice) == [to_bob] or None, "alice's own message, opened")

        to_alice = "Grüße: yes, at noon 🌧"
        bob.say(f"/emsg alice {envelope_to(self, bob, bob_key, 'alice', to_alice)}")
        alice.wait(lambda: encrypted_lines(alice) == [to_bob, to_alice] or None, "bob's message, opened")
        self.assertEqual(alice.texts("#log-box .log .line.encrypted .sealed"), ["[encrypted]"] * 2)
        self.assertEqual(alice.texts("#log-box .log .line .key-warning"), [])
        self.assertEqual(
            open_envelope(next_of(bob, "encrypted", nick="bob")["envelope"], bob_key).text, to_alice
        )
        quiet(self, alice)

        self.assertEqual(daemon.signal(signal.SIGTERM), -signal.SIGTERM)
        names = [os.path.join(where, name) for where, _, names in os.walk(folder) for name in names]
        self.assertIn(os.path.join(folder, "chatd.sqlite"), names)
        kept = b""
        for name in names:
            with open(name, "rb") as file:
                stored = file.read()
            kept += stored
            for text in (to_bob, to_alice):
                self.assertNotIn(text.encode("utf-8"), stored, name)
        self.assertIn(received["envelope"].encode("ascii"), kept)  # what was kept is the envelope
        logged = b"\n".join(daemon.log)
        for text in (to_bob, to_alice):
            self.assertNotIn(text.encode("utf-8"), logged)

    def test_a_msg_typed_in_a_room_is_sealed_as_one_typed_in_the_conversation(self) -> None:
        """alice, registered, types /msg in #lobby: to bob, who has a key, it goes sealed (bob gets an envelope
        that opens to the text, her page shows it opened in their conversation), as the bundled client's /msg
        does, and `/msg --plain bob` goes in the clear, as there; to carol, who has none, it goes in the clear
        and #lobby, where it was typed, says so."""
        daemon, url = start_web(self)
        bob, bob_key = bob_with_a_key(self, daemon)
        carol = json_user(daemon, "carol")
        alice = Page(self, url)
        alice.login("alice")
        register_in_page(alice)

        alice.say("/msg bob  the door code is 4711")
        received = next_of(bob, "encrypted", nick="alice")
        self.assertEqual(open_envelope(received["envelope"], bob_key).text, "the door code is 4711")
        alice.wait(lambda: alice.texts("#privates .name") == ["bob"] or None, "the conversation with bob")
        self.assertEqual(alice.title(), "#lobby")
        alice.open("bob")
        alice.wait(lambda: encrypted_lines(alice) == ["the door code is 4711"] or None, "the message, opened")

        alice.say("/msg --plain bob in the clear, as asked")
        self.assertEqual(next_of(bob, "whispered", nick="alice")["text"], "in the clear, as asked")

        alice.open("#lobby")
        alice.say("/msg carol see you at seven")
        self.assertEqual(next_of(carol, "whispered", nick="alice")["text"], "see you at seven")
        alice.wait(
            lambda: (
                "Not encrypted: carol has no key published (no account, or never on the page or the bundled "
                "client), so that went in the clear."
                in alice.texts("#log-box .log .line.notice .text")
                or None
            ),
            "the page saying it went in the clear",
        )
        quiet(self, alice)

    def test_bursts_of_sealed_messages_cost_the_page_a_key_look_up_a_sender_and_a_changed_key_is_still_caught(
        self,
    ) -> None:
        """bob and carol, each with a key alice's page has never seen, send her four sealed messages each at once,
        while she reads #lobby: all eight open unwarned, and the page asks the server for each sender's keys once,
        not once a message (eight look-ups beside the page's own had it told "The server is slowing this page
        down"). carol then seals with a new device's key, one message and three more after it: each is warned, a
        Confirm is asked for once, her keys are asked for once, and the page is not slowed."""
        daemon, url = start_web(self)
        senders = {"bob": bob_with_a_key(self, daemon), "carol": (registered(daemon, "carol"), device(self))}
        publish(*senders["carol"])
        alice = Page(self, url)
        alice.login("alice")
        register_in_page(alice)
        alice_keys = keys_of(senders["bob"][0], "alice")
        alice.script(SENT_LINES)
        texts = {nick: [f"{nick}'s note {n}" for n in range(4)] for nick in senders}
        for nick, (client, key) in senders.items():
            sealed = [seal(text, key.secret, [*alice_keys, key.public]) for text in texts[nick]]
            client.send(b"".join(f"/emsg alice {envelope}\n".encode() for envelope in sealed))
        for nick in senders:
            wait_for_private(alice, nick, ".line.encrypted .text", texts[nick])
            self.assertEqual(private_texts(alice, nick, ".line .key-warning"), [])
        self.assertNotIn(SLOWED, alice.texts("#log-box .log .line .text"))
        self.assertEqual(sorted(sent_lines(alice, "/key")), ["/key get bob", "/key get carol"])

        carol, old = senders["carol"]
        new = device(self)
        publish(carol, new)
        changed = [f"carol's new device {n}" for n in range(4)]
        warned = (
            "carol's keys changed: this was sealed with a key you have not accepted for carol. Compare fingerprints "
            "before trusting it."
        )
        for burst in (changed[:1], changed[1:]):
            sealed = [seal(text, new.secret, [*alice_keys, old.public, new.public]) for text in burst]
            carol.send(b"".join(f"/emsg alice {envelope}\n".encode() for envelope in sealed))
            wait_for_private(alice, "carol", ".line .key-warning", [warned] * (changed.index(burst[-1]) + 1))
        self.assertEqual(private_texts(alice, "carol"), texts["carol"] + changed)
        self.assertEqual(len(private_texts(alice, "carol", ".line.key-changed .key-confirm")), 1)
        self.assertEqual(sent_lines(alice, "/key get carol"), ["/key get carol"] * 2)
        self.assertNotIn(SLOWED, alice.texts("#log-box .log .line .text"))
        quiet(self, alice)


def private_texts(page: Page, nick: str, css: str = ".line.encrypted .text") -> list[str]:
    """The text of every ``css`` in the page's private conversation with ``nick``, shown or not."""
    found = page.script(
        "return Array.from(window.chatd.privateWith(arguments[0]).log.querySelectorAll(arguments[1]),"
        " (node) => node.textContent);",
        nick,
        css,
    )
    return [str(text) for text in found]


def wait_for_private(page: Page, nick: str, css: str, wanted: list[str]) -> None:
    """Wait until the texts of ``css`` in the page's private conversation with ``nick`` are ``wanted``."""
    page.wait(lambda: private_texts(page, nick, css) == wanted or None, f"{wanted!r} with {nick}")


def sent_lines(page: Page, start: str) -> list[str]:
    """The lines starting with ``start`` that the page sent on its WebSocket since ``SENT_LINES`` ran."""
    return [line for line in page.script("return window.sentLines") if line.startswith(start)]


SENT_LINES = """
window.sentLines = [];
const send = WebSocket.prototype.send;
WebSocket.prototype.send = function (data) {
  window.sentLines.push(String(data));
  return send.call(this, data);
};
"""
"""Keep every line the page sends on its WebSocket from now on, in order, in ``window.sentLines``."""

UNREADABLE = "a message from bob could not be decrypted: it was altered on the way"

NOT_FOR_THIS_BROWSER = (
    "a message from bob cannot be read on this device: it was sealed before this device had its key"
)


def tampered(envelope: str, key: str) -> str:
    """``envelope`` with one character of the box for ``key`` changed: it still parses, but does not open."""
    body = json.loads(base64.b64decode(envelope))
    nonce, box = body["to"][key].split(":")
    body["to"][key] = f"{nonce}:{('B' if box[0] == 'A' else 'A')}{box[1:]}"
    return base64.b64encode(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).decode()


HOSTILE_OPENED = {
    "invoice \u202efdp.exe": "invoice \ufffdfdp.exe",
    "a\x1b[31mred\x00 \u2066isolated\u2069 \u2028": "a\ufffd[31mred\ufffd \ufffdisolated\ufffd \ufffd",
    "tower a" + "\u0301" * 40 + " end": "tower a" + "\u0301" * 4 + " end",
    "a paste\nof two lines": "a paste\nof two lines",
}
"""What a sender's own program may seal (the server never reads it), and what the page shows of each."""


class TrustTests(SynchronousTestCase):
    """Fingerprints, verifying, a key change that blocks sending until confirmed, and altered envelopes."""

    def test_a_changed_key_set_is_warned_and_blocks_sending_until_confirmed(self) -> None:
        """alice's page pins bob's first key and shows both fingerprints; Verify marks them verified. bob adds a
        second device: alice's next message is not sent, a line warns with both fingerprints and a Confirm button;
        after Confirm her message is sealed for both of bob's keys, and the first one never reached him."""
        daemon, url = start_web(self)
        bob = registered(daemon, "bob")
        first, second = device(self), device(self)
        publish(bob, first)
        alice = Page(self, url)
        alice.login("alice")
        register_in_page(alice)
        private_with(alice, "bob")
        alice.wait(
            lambda: alice.texts("#keys-theirs code") == [fingerprint(first.public)] or None, "bob's print"
        )
        mine = alice.texts("#keys-mine")[0]
        self.assertEqual(mine, fingerprint(keys_of(bob, "alice")[0]))
        alice.find("#keys-summary").click()
        alice.find("#keys-verify").click()
        alice.wait(lambda: alice.texts("#keys-summary") == ["Encrypted · verified"] or None, "verified")

        publish(bob, second)
        alice.say("sent before confirming")
        changed = "#log-box .log .line.key-changed"
        alice.wait(
            lambda: alice.driver.find_elements("css selector", f"{changed} .key-confirm") or None, "Confirm"
        )
        warning = alice.texts(f"{changed} .text")[0]
        self.assertIn("bob's keys changed", warning)
        self.assertIn(fingerprint(second.public), warning)
        self.assertIn(
            "Not sent: bob's keys changed.", " ".join(alice.texts("#log-box .log .line.error .text"))
        )
        alice.find(f"{changed} .key-confirm").click()
        alice.wait(
            lambda: alice.driver.find_elements("css selector", f"{changed} .key-confirm") == [] or None, "ok"
        )

        alice.say("sent after confirming")
        received = next_of(bob, "encrypted", nick="alice")
        self.assertEqual(open_envelope(received["envelope"], second).text, "sent after confirming")
        self.assertEqual(open_envelope(received["envelope"], first).text, "sent after confirming")
        alice.wait(
            lambda: alice.texts("#keys-summary") == ["Encrypted · not verified"] or None, "not verified"
        )

    def test_an_altered_envelope_is_one_clear_line(self) -> None:
        """An envelope whose box for alice's key was altered in transit shows as one line saying so, never as text;
        one with no box for her browser's key (sealed before it had one) says that instead, not "altered" (both
        said "altered or not meant for this device"); the next good one opens. One that opens to text the server
        refuses in a /msg, which it cannot read in an envelope, is shown as the terminal client shows it: a bidi
        override (which made "invoice U+202E fdp.exe" read "invoice exe.pdf") or a control character becomes
        U+FFFD, a tower of marks (which was drawn over the lines above) keeps four, a paste keeps its lines."""
        daemon, url = start_web(self)
        bob, bob_key = bob_with_a_key(self, daemon)
        alice = Page(self, url)
        alice.login("alice")
        register_in_page(alice)
        alice_key = keys_of(bob, "alice")[0]
        bob.say(
            f"/emsg alice {tampered(envelope_to(self, bob, bob_key, 'alice', 'altered text'), alice_key)}"
        )
        bob.say(
            f"/emsg alice {seal('before her key', bob_key.secret, [device(self).public, bob_key.public])}"
        )
        bob.say(f"/emsg alice {envelope_to(self, bob, bob_key, 'alice', 'good text')}")
        for hostile in HOSTILE_OPENED:
            bob.say(f"/emsg alice {envelope_to(self, bob, bob_key, 'alice', hostile)}")
        alice.wait(lambda: alice.texts("#privates .name") == ["bob"] or None, "a conversation with bob")
        alice.open("bob")
        alice.wait(
            lambda: encrypted_lines(alice) == ["good text", *HOSTILE_OPENED.values()] or None,
            "the hostile ones, made safe",
        )
        self.assertEqual(
            alice.texts("#log-box .log .line.unreadable .text"), [UNREADABLE, NOT_FOR_THIS_BROWSER]
        )
        self.assertNotIn("altered text", alice.shown())
        self.assertNotIn("before her key", alice.shown())


PINS = """
const [added, done] = [arguments[0], arguments[arguments.length - 1]];
const opening = indexedDB.open("chatd-e2e", 2);
opening.onupgradeneeded = () => {
  for (const [store, keyPath] of [["identities", "account"], ["pins", "id"], ["logs", "server"]]) {
    opening.result.createObjectStore(store, { keyPath });
  }
};
opening.onerror = () => done(String(opening.error));
opening.onsuccess = () => {
  const db = opening.result;
  const transaction = db.transaction("pins", "readwrite");
  for (const pin of added) transaction.objectStore("pins").put(pin);
  const ids = transaction.objectStore("pins").getAllKeys();
  transaction.oncomplete = () => { db.close(); done(ids.result); };
};
"""
"""Put the pins given (as a page keeps them) in the page's IndexedDB, and answer the ids of every pin kept."""


def other_device(case: SynchronousTestCase, daemon: Daemon, account: str) -> tuple[LineClient, Identity]:
    """Another device of ``account``'s, online beside the page: a program identified to it, its key published."""
    client = json_user(daemon, f"{account}-phone")
    client.say(f"/identify {account} {PASSWORD}")
    next_of(client, "notice", kind="account")
    key = device(case)
    publish(client, key)
    return client, key


class OwnDevicesTests(SynchronousTestCase):
    """The user's own account is never pinned: each of its keys is a device of theirs, and gets a box."""

    def test_a_device_of_the_user_s_that_came_online_later_gets_a_box_in_the_next_message(self) -> None:
        """alice's page sends bob a message; then her phone identifies to her account and publishes its key. Her
        next message is sealed for the phone as well, not refused as "your own account's keys changed", and no
        Confirm is asked for."""
        daemon, url = start_web(self)
        bob, bob_key = bob_with_a_key(self, daemon)
        alice = alice_writing_to_bob(self, url)
        alice.say("before the phone")
        self.assertEqual(
            open_envelope(next_of(bob, "encrypted", nick="alice")["envelope"], bob_key).text,
            "before the phone",
        )

        _, phone = other_device(self, daemon, "alice")
        alice.say("after the phone")
        envelope = next_of(bob, "encrypted", nick="alice")["envelope"]
        self.assertEqual(open_envelope(envelope, phone).text, "after the phone")
        self.assertEqual(open_envelope(envelope, bob_key).text, "after the phone")
        self.assertEqual(alice.texts("#log-box .log .line.key-changed"), [])
        self.assertEqual(alice.texts("#log-box .log .line.error .text"), [])
        quiet(self, alice)

    def test_a_pin_of_the_user_s_own_keys_an_older_page_made_is_dropped_and_none_is_made_again(self) -> None:
        """An older page pinned alice's own keys beside bob's in IndexedDB, and carol's own beside bob's for carol,
        who never identifies on this browser again: once alice identifies, both own pins are gone and the pins
        of bob kept. In her conversation with herself the panel lists her own devices with no Verify, which
        pinned them again."""
        daemon, url = start_web(self)
        _, bob_key = bob_with_a_key(self, daemon)
        alice = Page(self, url)
        alice.driver.set_script_timeout(30)
        alice.login("alice")
        old = {"keys": [bob_key.public], "verified": False}
        planted = [
            {"id": f"{account}\n{contact}", **old}
            for account, contact in [
                ("alice", "alice"),
                ("alice", "bob"),
                ("carol", "carol"),
                ("carol", "bob"),
            ]
        ]
        alice.driver.execute_async_script(PINS, planted)
        register_in_page(alice)
        contacts = ["alice\nbob", "carol\nbob"]
        alice.wait(
            lambda: alice.driver.execute_async_script(PINS, []) == contacts or None, "the own pins gone"
        )
        private_with(alice, "alice")
        alice.wait(
            lambda: alice.texts("#keys-summary") == ["Encrypted · your own devices"] or None, "the panel"
        )
        self.assertEqual(
            alice.texts("#keys-state"),
            ["These are your own devices, one for each page or client you identified on: nothing to verify."],
        )
        self.assertIsNotNone(alice.find("#keys-verify").get_attribute("hidden"))
        self.assertEqual(alice.driver.execute_async_script(PINS, []), contacts)
        quiet(self, alice)

    def test_a_message_from_another_device_of_the_user_s_shows_unwarned_and_the_device_is_said_once(
        self,
    ) -> None:
        """alice's page sends bob a message, then her phone comes online and sends him two: the page shows all three
        opened in her conversation with bob, the phone's with no warning, and says once that her account has a new
        device key, naming its fingerprint, as the terminal client says it."""
        daemon, url = start_web(self)
        bob, bob_key = bob_with_a_key(self, daemon)
        alice = alice_writing_to_bob(self, url)

        alice.say("sent from the page")
        next_of(bob, "encrypted", nick="alice")
        phone_client, phone = other_device(self, daemon, "alice")
        texts = ["sent from the page", "sent from the phone", "and again"]
        for text in texts[1:]:
            recipients = [bob_key.public, *keys_of(bob, "alice")]
            phone_client.say(f"/emsg bob {seal(text, phone.secret, recipients)}")
            next_of(phone_client, "encrypted", nick="alice")
        alice.wait(lambda: encrypted_lines(alice) == texts or None, "the phone's messages, opened")
        self.assertEqual(alice.texts("#log-box .log .line .key-warning"), [])
        said = (
            f"Your account alice has a new device key: fingerprint {fingerprint(phone.public)}. What you send is "
            "sealed for it too; if it is no device of yours, someone else has your password."
        )
        self.assertEqual(
            [text for text in alice.texts("#log-box .log .line .text") if "new device" in text], [said]
        )
        quiet(self, alice)


class WebRelay:
    """A lying server's stand-in: a TCP relay to the daemon's web port that rewrites what the page's WebSocket gets.

    Any number of connections (the page, its files, its socket). One whose
    first request is the WebSocket upgrade has the server's frames after the
    101 answer read one by one: each whole text frame (the server sends
    each JSON object as one, unmasked) goes on rewritten by ``rewrite``;
    every other byte, both ways, goes on as it came. Host and Origin are the
    relay's own, so the daemon takes the page as its own.
    """

    def __init__(
        self, case: SynchronousTestCase, upstream: tuple[str, int], rewrite: Callable[[dict[str, Any]], None]
    ) -> None:
        self.rewrite = rewrite
        self.upstream = upstream
        self.rewritten = 0
        """How many objects ``rewrite`` changed."""
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/"
        self.sockets: list[socket.socket] = [self.listener]
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()
        case.addCleanup(self._close)

    def _accept(self) -> None:
        while True:
            try:
                page, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream, timeout=DEADLINE_SECONDS)
            page.settimeout(None)
            server.settimeout(None)
            self.sockets += [page, server]
            upgraded = threading.Event()
            decided = threading.Event()
            for target, arguments in (
                (self._up, (page, server, upgraded, decided)),
                (self._down, (server, page, upgraded, decided)),
            ):
                thread = threading.Thread(target=target, args=arguments, daemon=True)
                self.threads.append(thread)
                thread.start()

    def _up(
        self, source: socket.socket, sink: socket.socket, upgraded: threading.Event, decided: threading.Event
    ) -> None:
        head = b""
        try:
            while not decided.is_set():
                data = source.recv(65536)
                if not data:
                    break
                head += data
                if b"\r\n\r\n" in head:
                    if b"\r\nupgrade: websocket" in head.lower():
                        upgraded.set()
                    decided.set()
                sink.sendall(data)
            decided.set()
            while data := source.recv(65536):
                sink.sendall(data)
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            decided.set()

    def _down(
        self, source: socket.socket, sink: socket.socket, upgraded: threading.Event, decided: threading.Event
    ) -> None:
        decided.wait(DEADLINE_SECONDS)
        buffer = b""
        try:
            if upgraded.is_set():
                while b"\r\n\r\n" not in buffer:
                    data = source.recv(65536)
                    if not data:
                        return
                    buffer += data
                answer, _, buffer = buffer.partition(b"\r\n\r\n")
                sink.sendall(answer + b"\r\n\r\n")
                while True:
                    buffer = self._frames(buffer, sink)
                    data = source.recv(65536)
                    if not data:
                        break
                    buffer += data
            else:
                while data := source.recv(65536):
                    sink.sendall(data)
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            return

    def _frames(self, buffer: bytes, sink: socket.socket) -> bytes:
        """Send on every whole frame of ``buffer`` (text ones rewritten); what is left of it."""
        while len(buffer) >= 2:
            size, start = buffer[1] & 0x7F, 2
            if size == 126:
                size, start = int.from_bytes(buffer[2:4], "big"), 4
            elif size == 127:
                size, start = int.from_bytes(buffer[2:10], "big"), 10
            if buffer[1] & 0x80 or len(buffer) < start + size:
                if buffer[1] & 0x80:
                    raise OSError("the server masked a frame")
                return buffer
            frame, payload, buffer = (
                buffer[: start + size],
                buffer[start : start + size],
                buffer[start + size :],
            )
            if frame[0] == 0x81:  # FIN and text: a whole text message
                frame = text_frame(self._rewritten(payload))
            sink.sendall(frame)
        return buffer

    def _rewritten(self, payload: bytes) -> bytes:
        try:
            message = json.loads(payload)
        except ValueError:
            return payload
        if not isinstance(message, dict):
            return payload
        before = json.dumps(message)
        self.rewrite(message)
        if json.dumps(message) == before:
            return payload
        self.rewritten += 1
        return json.dumps(message).encode("utf-8")

    def _close(self) -> None:
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in self.threads:
            thread.join(DEADLINE_SECONDS)


def text_frame(payload: bytes) -> bytes:
    """One whole, unmasked WebSocket text frame of ``payload``, as a server sends it."""
    size = len(payload)
    if size < 126:
        return bytes([0x81, size]) + payload
    if size < 1 << 16:
        return bytes([0x81, 126]) + size.to_bytes(2, "big") + payload
    return bytes([0x81, 127]) + size.to_bytes(8, "big") + payload


def objects_until(client: LineClient, wanted: str) -> list[dict[str, Any]]:
    """Every JSON object ``client`` reads up to and including the first of type ``wanted``."""
    seen = []
    while True:
        line = client.read_line()
        if line.startswith(b"{"):
            seen.append(json.loads(line))
            if seen[-1]["type"] == wanted:
                return seen


class LyingServerTests(SynchronousTestCase):
    """A server that serves the page other keys than its key log holds is caught, and nothing is sealed to them."""

    def test_a_relay_serving_the_page_another_key_for_bob_is_caught_by_the_key_log(self) -> None:
        """Through a relay that swaps bob's key for mallory's in every keys answer the page gets: the page says
        inline that the server's key log does not match, refuses to send to bob (the text stays in the box), its
        panel says so and shows the log's real seq and head; bob gets nothing from alice."""
        daemon, url = start_web(self)
        bob, _ = bob_with_a_key(self, daemon)
        mallory = device(self).public

        def swap(message: dict[str, Any]) -> None:
            if message.get("type") == "keys" and message.get("nick") == "bob":
                message["keys"] = [mallory]

        relay = WebRelay(self, ("127.0.0.1", int(urlsplit(url).port or 0)), swap)
        alice = Page(self, relay.url)
        alice.login("alice")
        register_in_page(alice)
        private_with(alice, "bob")
        mismatch = "#log-box .log .line.key-log-mismatch .text"
        alice.wait(lambda: alice.texts(mismatch) or None, "the key log warning")
        self.assertEqual(
            alice.texts(mismatch),
            [
                f"WARNING: {LOG_WARNING} (it serves keys for bob that its log does not hold). Nothing is sent encrypted to bob while it does not."
            ],
        )
        self.assertGreater(relay.rewritten, 0)

        box = alice.find("#composer-text")
        box.send_keys("meet me at the usual place", Keys.ENTER)
        alice.wait(
            lambda: (
                f"Not sent: bob's keys cannot be trusted: {LOG_WARNING}."
                in alice.texts("#log-box .log .line.error .text")
                or None
            ),
            "the refusal",
        )
        self.assertEqual(box.get_attribute("value"), "meet me at the usual place")
        self.assertEqual(alice.texts("#keys-summary"), ["Not encrypted · the key log does not match"])
        bob.say("/key log")
        answer = objects_until(bob, "key_log")
        self.assertEqual([seen["type"] for seen in answer if seen["type"] == "encrypted"], [])
        self.assertEqual(alice.texts("#keys-log"), [f"seq {answer[-1]['seq']}, head {answer[-1]['head']}"])
        self.assertEqual(answer[-1]["seq"], 2)

    def test_a_relay_rewriting_the_key_log_is_caught_and_nothing_is_sealed(self) -> None:
        """Through a relay that changes the time of the last entry of every key log the page gets: the chain no
        longer reaches the server's head, the page says so loudly, keeps no part of that log, and seals nothing to
        bob."""
        daemon, url = start_web(self)
        bob = registered(daemon, "bob")
        publish(bob, device(self))

        def rewrite(message: dict[str, Any]) -> None:
            if message.get("type") == "key_log" and message.get("entries"):
                message["entries"][-1]["at"] += 1

        relay = WebRelay(self, ("127.0.0.1", int(urlsplit(url).port or 0)), rewrite)
        alice = Page(self, relay.url)
        alice.login("alice")
        register_in_page(alice)
        bob.say("/key log")
        real = objects_until(bob, "key_log")[-1]
        warning = f"WARNING: {LOG_WARNING}: the log's entries end at 2 ("
        alice.wait(
            lambda: (
                [text for text in alice.texts("#log-box .log .line.error .text") if text.startswith(warning)]
                or None
            ),
            "the key log warning",
        )
        self.assertIn(
            f"but the server says 2 ({real['head']}).",
            " ".join(alice.texts("#log-box .log .line.error .text")),
        )
        private_with(alice, "bob")
        box = alice.find("#composer-text")
        box.send_keys("meet me at the usual place", Keys.ENTER)
        alice.wait(
            lambda: (
                f"Not sent: bob's keys cannot be trusted: {LOG_WARNING}."
                in alice.texts("#log-box .log .line.error .text")
                or None
            ),
            "the refusal",
        )
        self.assertEqual(alice.texts("#keys-log"), ["empty"])
        self.assertGreater(relay.rewritten, 0)
        bob.say("/key log")
        self.assertEqual(
            [seen["type"] for seen in objects_until(bob, "key_log") if seen["type"] == "encrypted"], []
        )


class ClientAndPageTests(SealedTestCase):
    """The issue's "done when": one person in the terminal client, one in the page, over a real daemon and SQLite."""

    def start(self) -> Daemon:
        return Daemon.start(self, [*LOOPBACK, "--db", self.db, "--web-port", "0"])

    def test_the_terminal_client_and_the_page_exchange_encrypted_messages_and_verify_each_other(self) -> None:
        """bob runs ``python -m chatd.client`` as a process, alice the page in Chromium: each reads the other's
        message marked encrypted, neither sees a warning; alice compares bob's fingerprint from his /fingerprint with
        her panel and presses Verify, bob verifies hers with /verify; both see the same key log seq and head; the
        daemon's SQLite files and its log hold neither text."""
        url = web_url(self.daemon)
        bob = self.client("bob")
        alice = Page(self, url)
        alice.login("alice", PASSWORD_OF_ACCOUNTS)
        alice.wait(lambda: alice.script("return window.chatd.encryption.active") or None, "the page's key")
        private_with(alice, "bob")
        alice.wait(lambda: alice.texts("#keys-summary") == ["Encrypted · not verified"] or None, "the panel")

        to_bob = "the spare key is under the blue pot"
        alice.say(to_bob)
        bob.until(f"@ <alice -> bob> [encrypted] {to_bob}")
        alice.wait(lambda: encrypted_lines(alice) == [to_bob] or None, "alice's own message, opened")
        to_alice = "Danke! Ich hole ihn um acht ab 🌙"
        bob.say(f"/msg alice {to_alice}")
        bob.until(f"@ <bob -> alice> [encrypted] {to_alice}")
        alice.wait(lambda: encrypted_lines(alice) == [to_bob, to_alice] or None, "bob's message, opened")
        self.assertEqual(alice.texts("#log-box .log .line.encrypted .sealed"), ["[encrypted]"] * 2)
        self.assertEqual(alice.texts("#log-box .log .line .key-warning"), [])
        self.assertEqual(alice.texts("#log-box .log .line.key-log-mismatch"), [])

        bob.say("/fingerprint")
        bob.until("Your key on this device: ")
        bobs = bob.seen[-1].split("Your key on this device: ")[1].rstrip(".")
        self.assertEqual(bobs, fingerprint(self.key_of("bob")))
        self.assertEqual(alice.texts("#keys-theirs code"), [bobs])
        alice.find("#keys-summary").click()
        alice.find("#keys-verify").click()
        alice.wait(lambda: alice.texts("#keys-summary") == ["Encrypted · verified"] or None, "bob verified")
        alices = alice.texts("#keys-mine")[0]
        bob.say(f"/verify alice {alices}")
        bob.until(f"alice is verified: {alices}.")

        bob.say("/keylog")
        bob.until("Key log: seq 2, head ")
        head = bob.seen[-1].split("head ")[1].split(";")[0]
        self.assertEqual(alice.texts("#keys-log"), [f"seq 2, head {head}"])
        self.assertNotIn("WARNING", "\n".join(bob.seen))
        quiet(self, alice)
        bob.quit()

        self.assertEqual(self.daemon.signal(signal.SIGTERM), -signal.SIGTERM)
        stored = b""
        for name in os.listdir(self.directory):
            if name.startswith("chatd.sqlite"):
                with open(os.path.join(self.directory, name), "rb") as file:
                    stored += file.read()
        self.assertIn(self.key_of("bob").encode(), stored)
        logged = b"\n".join(self.daemon.log)
        for text in (to_bob, to_alice):
            self.assertNotIn(text.encode("utf-8"), stored)
            self.assertNotIn(text.encode("utf-8"), logged)

    def test_one_account_on_two_terminal_clients_and_the_page_reads_every_message_unwarned(self) -> None:
        """The trial of issue 17: bob online; alice starts a client, then a second one with its own device key, then
        the page. The first client's message to bob is read by bob, the second client and the page; the page's
        message is read by both clients, with no warning; the first client says once of each newer device."""
        url = web_url(self.daemon)
        bob = self.client("bob")
        first = self.client("alice")
        second = self.client("alice", home="alice-laptop")
        page = Page(self, url)
        page.login("alice", PASSWORD_OF_ACCOUNTS)
        page.wait(lambda: page.script("return window.chatd.encryption.active") or None, "the page's key")
        private_with(page, "bob")

        first.say("/msg bob from the first client")
        for client in (bob, second):
            client.until("@ <alice -> bob> [encrypted] from the first client")
        page.wait(
            lambda: encrypted_lines(page) == ["from the first client"] or None, "the first client's message"
        )
        page.say("from the page")
        for client in (bob, first, second):
            client.until("@ <alice -> bob> [encrypted] from the page")
        told = [line for line in first.seen if line.startswith("~ Your account alice has a new device key: ")]
        self.assertEqual(len(told), 2)  # the second client's and the page's, once each
        for client in (bob, first, second):
            self.assertNotIn("WARNING", "\n".join(client.seen))
            self.assertNotIn("could not be decrypted", "\n".join(client.seen))
        self.assertEqual(page.texts("#log-box .log .line.unreadable"), [])
        self.assertEqual(page.texts("#log-box .log .line .key-warning"), [])
        quiet(self, page)
