"""chatd.client.crypto: the identity key file, fingerprints, and envelopes built and opened byte for byte.

tests/vectors/e2e.json holds fixed keys, nonces, texts and the envelopes
they make; the page's Chromium test opens the same envelopes with
libsodium, which is how the two implementations are held to one another.
"""

import hashlib
import json
import os
import stat
from typing import Any

from nacl.public import PrivateKey
from twisted.trial.unittest import SynchronousTestCase

from chatd.client.crypto import (
    EnvelopeError,
    Identity,
    IdentityError,
    NotSealedForMeError,
    b64,
    envelope_sender,
    fingerprint,
    fingerprints,
    open_envelope,
    same_fingerprint,
    seal,
    unb64,
)
from tests.helpers import new_folder

VECTORS_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors", "e2e.json")


def vectors() -> dict[str, Any]:
    with open(VECTORS_PATH, encoding="utf-8") as file:
        loaded: dict[str, Any] = json.load(file)
    return loaded


def identity(name: str) -> Identity:
    """The vectors' key pair called ``name``."""
    return Identity(PrivateKey(unb64(vectors()["keys"][name]["secret"], 32)))


class VectorTests(SynchronousTestCase):
    """The fixed vectors: what PyNaCl makes of them is what the file says, both ways."""

    def test_public_keys_and_fingerprints_follow_from_the_secret_keys(self) -> None:
        """Each public key is its secret's; each fingerprint is SHA-256's first 16 bytes in groups of 4."""
        for name, key in vectors()["keys"].items():
            self.assertEqual(identity(name).public, key["public"], name)
            digest = hashlib.sha256(unb64(key["public"])).hexdigest()[:32]
            self.assertEqual(key["fingerprint"].replace(" ", ""), digest)
            self.assertEqual(fingerprint(key["public"]), key["fingerprint"])
            self.assertRegex(key["fingerprint"], r"^([0-9a-f]{4} ){7}[0-9a-f]{4}$")

    def test_sealing_with_the_vectors_nonces_gives_the_vectors_envelopes(self) -> None:
        """Same keys, nonces and text: the same envelope, box for box (nonces taken in sorted key order)."""
        data = vectors()
        keys = data["keys"]
        for case in data["envelopes"]:
            recipients = {keys[name]["public"]: name for name in case["to"]}
            order = iter(unb64(case["nonces"][recipients[key]]) for key in sorted(recipients))
            built = seal(case["text"], identity(case["from"]).secret, recipients, nonce=order.__next__)
            self.assertEqual(built, case["envelope"])
            body = json.loads(unb64(built))
            self.assertEqual(body["from"], keys[case["from"]]["public"])
            self.assertEqual(body["v"], 1)
            for name in case["to"]:
                self.assertEqual(body["to"][keys[name]["public"]], case["boxes"][name])

    def test_every_recipient_opens_the_vectors_envelopes(self) -> None:
        """Each key named in ``to`` reads the text and the sender's key."""
        data = vectors()
        for case in data["envelopes"]:
            for name in case["to"]:
                opened = open_envelope(case["envelope"], identity(name))
                self.assertEqual(opened.text, case["text"])
                self.assertEqual(opened.sender, data["keys"][case["from"]]["public"])
                self.assertEqual(envelope_sender(case["envelope"]), opened.sender)

    def test_tampered_envelopes_do_not_open(self) -> None:
        """A flipped bit, a lying ``from``, a missing box: each refused, never read as text."""
        for case in vectors()["tampered"]:
            with self.assertRaises(EnvelopeError, msg=case["why"]):
                open_envelope(case["envelope"], identity(case["open_as"]))

    def test_the_key_log_entries_hash_to_the_chain(self) -> None:
        """Each entry's hash is SHA-256 of its canonical JSON; each ``prev`` is the hash before."""
        data = vectors()
        prev = ""
        for row in data["key_log"]:
            self.assertEqual(row["entry"]["prev"], prev)
            canonical = json.dumps(row["entry"], sort_keys=True, separators=(",", ":"))
            self.assertEqual(hashlib.sha256(canonical.encode()).hexdigest(), row["hash"])
            prev = row["hash"]
        self.assertEqual(data["key_log_head"]["head"], prev)


class EnvelopeTests(SynchronousTestCase):
    """Sealing with random nonces, and what does not open."""

    def test_a_fresh_envelope_has_a_fresh_nonce_per_box(self) -> None:
        """Two boxes of one envelope, and two envelopes of one text, never share a nonce."""
        alice, bob, carol = (Identity(PrivateKey.generate()) for _ in range(3))
        first = seal("hi", alice.secret, [bob.public, carol.public])
        second = seal("hi", alice.secret, [bob.public, carol.public])
        nonces = [
            box.split(":")[0]
            for envelope in (first, second)
            for box in json.loads(unb64(envelope))["to"].values()
        ]
        self.assertEqual(len(set(nonces)), 4)
        self.assertEqual(open_envelope(first, carol).text, "hi")

    def test_a_key_the_envelope_has_no_box_for_cannot_open_it(self) -> None:
        """Someone not sealed for gets a NotSealedForMeError (an EnvelopeError), not text."""
        alice, bob, mallory = (Identity(PrivateKey.generate()) for _ in range(3))
        with self.assertRaises(NotSealedForMeError):
            open_envelope(seal("secret", alice.secret, [bob.public]), mallory)

    def test_junk_is_no_envelope(self) -> None:
        """Not base64, not JSON, another version, arrays nested past Python's stack (a RecursionError, which only a
        hostile server could send): each an EnvelopeError."""
        me = Identity(PrivateKey.generate())
        nested = b64(b"[" * 100_000 + b"]" * 100_000)
        for junk in ("", "!!!", b64(b"[1]"), b64(b'{"v":2,"from":"","to":{}}'), nested):
            with self.assertRaises(EnvelopeError):
                open_envelope(junk, me)
            self.assertIsNone(envelope_sender(junk))


class FingerprintTests(SynchronousTestCase):
    """What people type back in ``/verify``."""

    def test_a_contact_s_fingerprints_are_sorted_and_compared_without_spaces_or_case(self) -> None:
        """Two keys: both fingerprints in sorted order, typed any way, match; one alone does not."""
        keys = [identity("alice").public, identity("alice_phone").public]
        prints = fingerprints(keys)
        self.assertEqual(prints, sorted(prints))
        self.assertTrue(same_fingerprint(" ".join(prints).upper(), keys))
        self.assertTrue(same_fingerprint(", ".join(prints), reversed(keys)))
        self.assertFalse(same_fingerprint(prints[0], keys))
        self.assertFalse(same_fingerprint("", []))


class IdentityFileTests(SynchronousTestCase):
    """``identity.key``: made on first use, 0600, 32 raw bytes, the same key ever after."""

    def setUp(self) -> None:
        self.top = new_folder(self)
        self.path = os.path.join(self.top, "config", "chatd", "identity.key")

    def test_made_on_first_use_with_mode_0600_and_read_back(self) -> None:
        """The first load writes 32 bytes only the user can read; the next gives the same key."""
        made = Identity.load_or_make(self.path)
        self.assertEqual(stat.S_IMODE(os.stat(self.path).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.dirname(self.path)).st_mode), 0o700)
        with open(self.path, "rb") as file:
            self.assertEqual(file.read(), bytes(made.secret))
        self.assertEqual(Identity.load_or_make(self.path).public, made.public)

    def test_a_file_of_another_length_is_refused_not_replaced(self) -> None:
        """A damaged key file is an error naming it; it is left as it is."""
        os.makedirs(os.path.dirname(self.path))
        with open(self.path, "wb") as file:
            file.write(b"short")
        with self.assertRaises(IdentityError) as raised:
            Identity.load_or_make(self.path)
        self.assertIn("is not 32 bytes", str(raised.exception))
        with open(self.path, "rb") as file:
            self.assertEqual(file.read(), b"short")
