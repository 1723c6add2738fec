"""End-to-end encrypted private messages in chatd's page, in a real headless Chromium (issue 17).

The page's crypto is libsodium's crypto_box, shipped in chatd/web/static/vendor/
and run under the page's own Content-Security-Policy. It builds the same
fingerprints and the same boxes as the terminal client's PyNaCl, and opens
the envelopes PyNaCl sealed: tests/vectors/e2e.json is the fixed ground
both are held to. Every wait polls a condition until the deadline.
"""

import json
import os
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, start_web

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
