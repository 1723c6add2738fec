"""End-to-end encrypted private messages in chatd's page, in a real headless Chromium (issue 17).

The page's crypto is libsodium's crypto_box, shipped in chatd/web/static/vendor/
and run under the page's own Content-Security-Policy. It builds the same
fingerprints and the same boxes as the terminal client's PyNaCl, and opens
the envelopes PyNaCl sealed: tests/vectors/e2e.json is the fixed ground
both are held to. Every wait polls a condition until the deadline.
"""

import base64
import json
import os
import shutil
import signal
import tempfile
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from chatd.client.crypto import Identity, fingerprint, open_envelope, seal
from tests.e2e.browser import Page, start_web
from tests.e2e.daemon import Daemon, LineClient
from tests.e2e.test_web_files import json_user, next_of, private_with

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


def quiet(case: SynchronousTestCase, page: Page) -> None:
    """The page logged no error: no exception, nothing the Content-Security-Policy refused (WebAssembly included)."""
    case.assertEqual(page.console_errors(), [])


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
    folder = tempfile.mkdtemp()
    case.addCleanup(shutil.rmtree, folder)
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
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        daemon, url = start_web(self, "--db", os.path.join(folder, "chatd.sqlite"))
        bob = registered(daemon, "bob")
        bob_key = device(self)
        publish(bob, bob_key)
        alice = Page(self, url)
        alice.login("alice")
        register_in_page(alice)
        private_with(alice, "bob")
        alice.wait(lambda: alice.texts("#keys-summary") == ["Encrypted · not verified"] or None, "the panel")

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


UNREADABLE = "a message from bob could not be decrypted: it was altered or not meant for this device"


def tampered(envelope: str, key: str) -> str:
    """``envelope`` with one character of the box for ``key`` changed: it still parses, but does not open."""
    body = json.loads(base64.b64decode(envelope))
    nonce, box = body["to"][key].split(":")
    body["to"][key] = f"{nonce}:{('B' if box[0] == 'A' else 'A')}{box[1:]}"
    return base64.b64encode(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).decode()


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
        the next good one opens."""
        daemon, url = start_web(self)
        bob = registered(daemon, "bob")
        bob_key = device(self)
        publish(bob, bob_key)
        alice = Page(self, url)
        alice.login("alice")
        register_in_page(alice)
        alice_key = keys_of(bob, "alice")[0]
        bob.say(
            f"/emsg alice {tampered(envelope_to(self, bob, bob_key, 'alice', 'altered text'), alice_key)}"
        )
        bob.say(f"/emsg alice {envelope_to(self, bob, bob_key, 'alice', 'good text')}")
        alice.wait(lambda: alice.texts("#privates .name") == ["bob"] or None, "a conversation with bob")
        alice.open("bob")
        alice.wait(lambda: encrypted_lines(alice) == ["good text"] or None, "the good one")
        self.assertEqual(alice.texts("#log-box .log .line.unreadable .text"), [UNREADABLE])
        self.assertNotIn("altered text", alice.shown())
