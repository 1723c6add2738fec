"""``/emsg`` on the line front end (issue 17): sealed private messages relayed, kept and shown, never as text."""

import base64
import json

from nacl.public import Box, PrivateKey

from chatd.domain.offline import MAILBOX_BYTES
from tests.test_line_accounts import PASSWORD, AccountTestCase

ALICE = PrivateKey(b"\x01" * 32)
BOB = PrivateKey(b"\x02" * 32)
SECRET = "the eagle lands at noon"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def envelope(sender: PrivateKey, *to: PrivateKey, text: str = SECRET) -> str:
    """What a client sends: a box of ``text`` for each key of ``to``, from ``sender``'s key."""
    boxes = {}
    for key in to:
        sealed = Box(sender, key.public_key).encrypt(text.encode())
        boxes[b64(bytes(key.public_key))] = b64(sealed.nonce) + ":" + b64(sealed.ciphertext)
    data = {"v": 1, "from": b64(bytes(sender.public_key)), "to": boxes}
    return b64(json.dumps(data).encode())


READ = "read it with the bundled client (python -m chatd.client) or the web page"


class EmsgTests(AccountTestCase):
    """alice and bob are identified, each with a published key; alice reads JSON, bob text."""

    def setUp(self) -> None:
        super().setUp()
        self.bob, self.bob_wire = self.connect(b"bob", host="10.0.0.2")
        self.bob.dataReceived(b"/register " + PASSWORD + b"\n")
        self.bob.dataReceived(f"/key publish {b64(bytes(BOB.public_key))}\n".encode())
        self.alice.dataReceived(f"/format json\n/key publish {b64(bytes(ALICE.public_key))}\n".encode())
        self.lines(self.alice_wire)
        self.lines(self.bob_wire)

    def test_both_sides_get_the_envelope_and_a_text_session_a_line_saying_how_to_read_it(self) -> None:
        """alice's JSON session gets the encrypted object; bob on nc reads who sent what to whom, no ciphertext."""
        sealed = envelope(ALICE, BOB, ALICE)
        self.clock.advance(60)
        self.alice.dataReceived(f"/emsg bob {sealed}\n".encode())
        [echo] = [json.loads(row) for row in self.lines(self.alice_wire)]
        self.assertEqual(
            {key: echo[key] for key in ("type", "nick", "to", "envelope")},
            {"type": "encrypted", "nick": "alice", "to": "bob", "envelope": sealed},
        )
        self.assertEqual(sorted(echo), ["at", "envelope", "id", "nick", "to", "type"])
        self.assertEqual(
            self.lines(self.bob_wire), [f"[00:01] * alice sent bob an encrypted message: {READ}".encode()]
        )

    def test_a_recipient_online_under_another_nickname_gets_it_at_once(self) -> None:
        """bob identified, then became bobby: /emsg bob reaches bobby now, not his mailbox."""
        self.bob.dataReceived(b"/nick bobby\n")
        self.lines(self.bob_wire)
        self.alice.dataReceived(f"/emsg bob {envelope(ALICE, BOB, ALICE)}\n".encode())
        shown = [json.loads(row) for row in self.lines(self.alice_wire)]
        self.assertEqual(
            [(row["type"], row.get("to")) for row in shown if row["type"] != "nick_changed"],
            [("encrypted", "bobby")],
        )
        self.assertEqual(
            self.lines(self.bob_wire), [f"[00:00] * alice sent bobby an encrypted message: {READ}".encode()]
        )

    def test_the_recipient_opens_the_box_for_its_key(self) -> None:
        """What bob's JSON session gets opens with his secret key and alice's public one: the server relays it as is."""
        self.bob.dataReceived(b"/format json\n")
        self.lines(self.bob_wire)
        self.alice.dataReceived(f"/emsg bob {envelope(ALICE, BOB)}\n".encode())
        [got] = [json.loads(row) for row in self.lines(self.bob_wire)]
        data = json.loads(base64.b64decode(got["envelope"]))
        nonce, sealed = data["to"][b64(bytes(BOB.public_key))].split(":")
        opened = Box(BOB, ALICE.public_key).decrypt(base64.b64decode(sealed), base64.b64decode(nonce))
        self.assertEqual(opened.decode(), SECRET)

    def test_an_envelope_from_a_key_not_the_senders_is_refused(self) -> None:
        """bob's key is not alice's: bad-envelope, and bob gets nothing."""
        self.alice.dataReceived(f"/emsg bob {envelope(BOB, BOB)}\n".encode())
        [error] = [json.loads(row) for row in self.lines(self.alice_wire)]
        self.assertEqual(error["code"], "bad-envelope")
        self.assertEqual(self.lines(self.bob_wire), [])

    def test_envelopes_not_of_the_agreed_shape_are_refused(self) -> None:
        """Not base64, not JSON, no boxes, a short nonce, a version that is ``true`` (which Python's ``== 1`` took
        and the page's ``=== 1`` refuses, so the recipient could never open it): each one error line."""
        me = b64(bytes(ALICE.public_key))
        box = b64(b"n" * 24) + ":" + b64(b"x" * 16)
        shapes = [
            "%%%",
            b64(b"not json"),
            b64(json.dumps({"v": 1, "from": me, "to": {}}).encode()),
            b64(json.dumps({"v": 1, "from": me, "to": {me: b64(b"n") + ":" + b64(b"x" * 16)}}).encode()),
            b64(json.dumps({"v": True, "from": me, "to": {me: box}}).encode()),
        ]
        for shape in shapes:
            self.clock.advance(1)
            self.alice.dataReceived(f"/emsg bob {shape}\n".encode())
            [error] = [json.loads(row) for row in self.lines(self.alice_wire)]
            self.assertEqual(error["code"], "bad-envelope", shape)

    def test_an_envelope_nested_past_pythons_recursion_is_refused_in_one_line(self) -> None:
        """12,000 ``[`` (16,000 bytes of base64, within an /emsg line) is bad-envelope like any other shape.

        json.loads raised RecursionError, which is no ValueError: the sender
        read ERR internal and each such line logged a critical traceback.
        """
        self.alice.dataReceived(f"/emsg bob {b64(b'[' * 12000)}\n".encode())
        [error] = [json.loads(row) for row in self.lines(self.alice_wire)]
        self.assertEqual(error["code"], "bad-envelope")
        self.assertIn("not base64 of JSON", error["text"])
        self.assertEqual(self.lines(self.bob_wire), [])

    def test_both_sides_must_be_accounts(self) -> None:
        """To carol (no account): no-such-account; from carol (not identified): not-identified."""
        carol, wire = self.connect(b"carol", host="10.0.0.3")
        self.alice.dataReceived(f"/emsg carol {envelope(ALICE, BOB)}\n".encode())
        [error] = [json.loads(row) for row in self.lines(self.alice_wire)]
        self.assertEqual(error["code"], "no-such-account")
        carol.dataReceived(f"/emsg bob {envelope(ALICE, BOB)}\n".encode())
        self.assertTrue(self.lines(wire)[0].startswith(b"ERR not-identified "))

    def test_an_envelope_may_be_longer_than_other_lines_but_not_without_bound(self) -> None:
        """A 4,000-character message's envelope passes the 512-byte line limit; past 16,384 bytes it is refused."""
        long = envelope(ALICE, BOB, ALICE, text="x" * 4000)
        self.assertGreater(len(long), 512)
        self.alice.dataReceived(f"/emsg bob {long}\n".encode())
        self.assertEqual(json.loads(self.lines(self.alice_wire)[0])["type"], "encrypted")
        self.clock.advance(30)
        self.alice.dataReceived(f"/emsg bob {'A' * 16400}\n".encode())
        self.clock.advance(10)  # its bytes are over the flood budget's burst: it waits its turn
        self.assertIn("line-too-long", self.codes())
        self.clock.advance(30)
        self.alice.dataReceived(b"/msg bob " + b"y" * 600 + b"\n")
        self.assertIn("line-too-long", self.codes())

    def test_an_envelope_too_long_is_told_the_limit_of_envelopes(self) -> None:
        """An /emsg past 16,384 bytes is told that limit, the one it broke, not the 512 bytes of other lines.

        A program told 512 would cut its envelopes to a size far below what
        the server takes.
        """
        self.alice.dataReceived(f"/emsg bob {'A' * 16400}\n".encode())
        self.clock.advance(10)  # its bytes are over the flood budget's burst: it waits its turn
        [error] = [row for row in map(json.loads, self.lines(self.alice_wire)) if row["type"] == "error"]
        self.assertEqual(error["code"], "line-too-long")
        self.assertEqual(
            error["text"],
            "lines are at most 16384 bytes (an accented letter takes 2, a Chinese or Japanese character 3); "
            "that one had 16410 bytes and was not sent",
        )

    def codes(self) -> list[object]:
        """The codes of the errors alice was sent since last asked (a flood notice may come with them)."""
        return [row.get("code") for row in map(json.loads, self.lines(self.alice_wire))]

    def test_an_offline_mailbox_holds_a_bounded_number_of_bytes(self) -> None:
        """Large envelopes fill bob's mailbox by their size long before its count: past MAILBOX_BYTES the next is
        refused with mailbox-full and nothing is kept; what was kept all reaches bob when he identifies."""
        self.leave(self.bob)
        large = envelope(ALICE, BOB, ALICE, text="x" * 3500)
        fits = MAILBOX_BYTES // (len(large) + 200)
        kept = 0
        for _ in range(fits + 2):
            self.clock.advance(30)
            self.alice.dataReceived(f"/emsg bob {large}\n".encode())
            answers = [json.loads(row) for row in self.lines(self.alice_wire)]
            if any(row.get("code") == "mailbox-full" for row in answers):
                break
            kept += 1
        [refusal] = [row for row in answers if row["type"] == "error"]
        self.assertEqual(
            refusal["text"],
            f"bob is offline and their mailbox is full ({kept} messages, 64 KiB at most); try later",
        )
        self.assertLess(kept, 100)
        bob, wire = self.connect(None, host="10.0.0.2")
        bob.dataReceived(b"/format json\nbob " + PASSWORD + b"\n")
        shown = [json.loads(row) for row in self.lines(wire)]
        self.assertEqual(len([row for row in shown if row.get("type") == "encrypted"]), kept)

    def test_to_an_offline_account_it_is_kept_as_ciphertext_and_shown_when_they_identify(self) -> None:
        """bob gone, alice is told it is kept; bob identifying gets the envelope, dated, and private history holds it."""
        self.leave(self.bob)
        sealed = envelope(ALICE, BOB)
        self.alice.dataReceived(f"/emsg bob {sealed}\n".encode())
        echo, kept = [json.loads(row) for row in self.lines(self.alice_wire)]
        self.assertEqual((echo["type"], kept), ("encrypted", {"type": "kept", "nick": "bob", "waiting": 1}))
        bob, wire = self.connect(None, host="10.0.0.2")
        bob.dataReceived(b"/format json\nbob " + PASSWORD + b"\n")
        shown = [json.loads(row) for row in self.lines(wire)]
        [waited] = [row for row in shown if row.get("type") == "encrypted"]
        self.assertEqual((waited["envelope"], waited["history"]), (sealed, True))
        bob.dataReceived(b"/history alice\n")
        rows = [json.loads(row) for row in self.lines(wire)]
        self.assertEqual([row.get("envelope") for row in rows], [sealed, None])
