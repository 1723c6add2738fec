"""The client's encrypted private messages against a fake server speaking docs/PROTOCOL.md's key lines.

alice's link runs on test_client_connection's fake endpoint and clock;
``KeyServer`` answers what the client sends as the contract says (``/key
publish``, ``/key get``, ``/key log``, ``/emsg``, ``/msg``) and keeps a
real hash-chained key log, which a test may rewrite to play a lying server.
bob is another key pair the test holds, sealing and opening as his client
would. Pins and the identity live in a temporary folder.
"""

import base64
import json
import os
from datetime import UTC
from functools import partial

from nacl.public import PrivateKey
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from chatd.client.connection import Link
from chatd.client.crypto import Identity, fingerprint, open_envelope, seal
from chatd.client.e2e import EndToEnd
from chatd.client.keyring import Keyring
from chatd.client.presence import Presence
from chatd.client.reach import Server
from chatd.keylog import entry_hash
from tests.helpers import new_folder
from tests.test_client_connection import START, FakeEndpoint, Peer, RecordingScreen

SERVER = "chat.example:5000"


class KeyServer:
    """The server's side of keys and sealed messages, as a fake: a log, accounts, and what was relayed."""

    def __init__(self, peer: Peer) -> None:
        self.peer = peer
        self.log: list[dict[str, object]] = []
        self.relayed: list[tuple[str, str]] = []
        """Every ``/emsg`` (nick, envelope) the client sent."""
        self.clear: list[str] = []
        """Every ``/msg`` line the client sent."""
        self.unknown: set[str] = set()
        """Nicknames that are no account."""
        self.lie: dict[str, list[str]] = {}
        """Keys to serve for an account instead of the log's."""
        self.published_meanwhile: list[tuple[str, str]] = []
        """Keys someone publishes just before the next ``/key log`` is answered: the log grows under the client."""

    def add(self, account: str, key: str, action: str = "add") -> None:
        entry = {
            "seq": len(self.log) + 1,
            "at": START,
            "account": account,
            "action": action,
            "key": key,
            "prev": entry_hash(self.log[-1]) if self.log else "",
        }
        self.log.append(entry)

    def keys(self, account: str) -> list[str]:
        held: list[str] = []
        for entry in self.log:
            if entry["account"] == account:
                key = str(entry["key"])
                held = [*held, key] if entry["action"] == "add" else [k for k in held if k != key]
        return self.lie.get(account, held)

    def head(self) -> tuple[int, str]:
        return len(self.log), entry_hash(self.log[-1]) if self.log else ""

    def serve(self) -> list[str]:
        """Answer every line the client sent, until it sends nothing more; the lines it sent."""
        every: list[str] = []
        while lines := self.peer.sent():
            every += lines
            for line in lines:
                self.answer(line)
        return every

    def answer(self, line: str) -> None:
        seq, head = self.head()
        words = line.split(" ")
        if line.startswith("/key publish "):
            if words[2] not in self.keys("alice"):
                self.add("alice", words[2])
            seq, head = self.head()
            self.peer.send(
                {"type": "key_published", "account": "alice", "key": words[2], "seq": seq, "head": head}
            )
        elif line.startswith("/key get "):
            nick = words[2]
            if nick in self.unknown:
                self.peer.send(
                    {
                        "type": "error",
                        "code": "no-such-account",
                        "nick": nick,
                        "text": f"{nick} is no account.",
                    }
                )
                return
            self.peer.send(
                {
                    "type": "keys",
                    "nick": nick,
                    "account": nick,
                    "keys": self.keys(nick),
                    "seq": seq,
                    "head": head,
                }
            )
        elif line.startswith("/key log "):
            for account, key in self.published_meanwhile:
                self.add(account, key)
            self.published_meanwhile.clear()
            seq, head = self.head()
            start = int(words[2])
            self.peer.send({"type": "key_log", "entries": self.log[start - 1 :], "seq": seq, "head": head})
        elif line.startswith("/emsg "):
            self.relayed.append((words[1], words[2]))
            self.peer.send(encrypted("alice", words[1], words[2]))
        elif line.startswith("/msg "):
            self.clear.append(line)


def encrypted(nick: str, to: str, envelope: str, at: float = START) -> dict[str, object]:
    return {"type": "encrypted", "id": "e1", "at": at, "nick": nick, "to": to, "envelope": envelope}


class EndToEndTestCase(SynchronousTestCase):
    """alice's client, identified to her account; bob has one published key."""

    def setUp(self) -> None:
        self.top = new_folder(self)
        self.bob = Identity(PrivateKey.generate())
        self.server: KeyServer | None = None
        self.start_client()

    def start_client(self) -> None:
        """A client process, as it were: a new link over the same identity and known_keys.json."""
        self.clock = Clock()
        self.clock.advance(START)
        self.endpoint = FakeEndpoint()
        self.link = Link(self.endpoint, self.clock, Presence("alice"), Server("chat.example", 5000), zone=UTC)
        self.link.e2e = EndToEnd(
            self.link,
            self.clock,
            partial(Identity.load_or_make, os.path.join(self.top, "identity.key")),
            Keyring.load(os.path.join(self.top, "known_keys.json"), SERVER),
        )
        self.screen = RecordingScreen()
        self.link.start(self.screen)
        peer = self.endpoint.accept()
        peer.register()
        if self.server is None:
            self.server = KeyServer(peer)
            self.server.add("bob", self.bob.public)
        self.server.peer = peer
        peer.sent()
        peer.send(
            {"type": "notice", "kind": "account", "account": "alice", "nick": "alice", "change": "identified"}
        )
        self.sent = self.server.serve()
        self.screen.take()

    @property
    def keys(self) -> KeyServer:
        assert self.server is not None
        return self.server

    @property
    def me(self) -> Identity:
        assert self.link.e2e is not None
        return self.link.e2e.identity

    def lines(self) -> list[str]:
        """Everything drawn since the last call, server lines and the client's own, without the time."""
        return [line[6:] for line in [*self.screen.take(), *self.screen.take_notes()]]

    def type(self, text: str) -> list[str]:
        """Type ``text``, let the fake server answer; what the client sent."""
        self.link.send(text)
        return self.keys.serve()


class PublishTests(EndToEndTestCase):
    """On identifying, this device's key goes to the account and the account's keys are fetched."""

    def test_identifying_publishes_the_key_and_fetches_the_account_s_keys(self) -> None:
        """``/key publish`` this device's key, ``/key get alice``, then the log from its start."""
        self.assertEqual(self.sent, [f"/key publish {self.me.public}", "/key get alice", "/key log 1"])
        self.assertIn(
            f"~ This device's key is published to your account alice: fingerprint {fingerprint(self.me.public)}.",
            self.lines(),
        )
        self.assertEqual(self.keys.keys("alice"), [self.me.public])

    def test_the_identity_is_the_same_on_the_next_run(self) -> None:
        """The key file made on first use is the key of every later run: publishing again changes nothing."""
        first = self.me.public
        self.start_client()
        self.assertEqual(self.me.public, first)
        self.assertEqual(len(self.keys.log), 2)

    def test_fingerprint_alone_shows_this_device_s(self) -> None:
        """``/fingerprint`` names this device's key; nothing reaches the server."""
        self.lines()
        self.assertEqual(self.type("/fingerprint"), [])
        self.assertEqual(self.lines(), [f"~ Your key on this device: {fingerprint(self.me.public)}."])


class SendTests(EndToEndTestCase):
    """``/msg NICK text``: sealed to NICK's keys and the sender's own, marked on both ends."""

    def test_a_message_to_a_contact_with_a_key_goes_sealed_and_both_ends_read_it(self) -> None:
        """bob's key pinned on first use; the line is ``/emsg``; bob's box and alice's own open to the text."""
        self.lines()
        sent = self.type("/msg bob lunch at noon?")
        self.assertEqual(sent[0], "/key get bob")
        self.assertEqual(self.keys.clear, [])
        [(nick, envelope)] = self.keys.relayed
        self.assertEqual(nick, "bob")
        self.assertEqual(open_envelope(envelope, self.bob).text, "lunch at noon?")
        self.assertEqual(open_envelope(envelope, self.me).text, "lunch at noon?")
        self.assertNotIn("lunch", json.dumps(sent))
        self.assertEqual(
            self.lines(),
            [
                "@ <alice -> bob> [encrypted] lunch at noon?",
                f"~ Pinned bob's key on first use: {fingerprint(self.bob.public)}. "
                "Compare with bob (/fingerprint) and /verify bob FINGERPRINT.",
            ],
        )
        with open(os.path.join(self.top, "known_keys.json")) as file:
            kept = json.load(file)["servers"][SERVER]
        self.assertEqual(kept["contacts"]["bob"]["keys"], [self.bob.public])

    def test_a_sealed_message_from_bob_is_shown_marked(self) -> None:
        """bob's envelope opens with alice's key: one private line marked [encrypted], with the bell."""
        self.type("/fingerprint bob")
        self.lines()
        self.keys.peer.send(encrypted("bob", "alice", seal("hi alice", self.bob.secret, [self.me.public])))
        self.assertEqual(self.lines(), ["@ <bob -> alice> [encrypted] hi alice"])
        self.assertEqual(self.screen.bells, 1)

    def test_a_first_message_from_a_new_contact_waits_for_their_keys_to_be_pinned(self) -> None:
        """carol never seen: her keys are fetched and pinned, then her line shows, with no warning."""
        carol = Identity(PrivateKey.generate())
        self.keys.add("carol", carol.public)
        self.lines()
        self.keys.peer.send(encrypted("carol", "alice", seal("hello", carol.secret, [self.me.public])))
        self.assertEqual(self.lines(), [])
        self.assertEqual(self.keys.serve(), ["/key get carol", "/key log 3"])
        self.assertEqual(
            self.lines(),
            [
                "@ <carol -> alice> [encrypted] hello",
                f"~ Pinned carol's key on first use: {fingerprint(carol.public)}. "
                "Compare with carol (/fingerprint) and /verify carol FINGERPRINT.",
            ],
        )

    def test_a_tampered_message_is_one_clear_line(self) -> None:
        """A box altered on the way is never shown as text: one line says it could not be decrypted."""
        envelope = json.loads(base64.b64decode(seal("hi", self.bob.secret, [self.me.public])))
        nonce, box = envelope["to"][self.me.public].split(":")
        envelope["to"][self.me.public] = f"{nonce}:{'A' * 4}{box[4:]}"
        altered = base64.b64encode(json.dumps(envelope).encode()).decode()
        self.lines()
        self.keys.peer.send(encrypted("bob", "alice", altered))
        self.assertEqual(
            self.lines(),
            ["! a message from bob could not be decrypted: it was altered on the way"],
        )

    def test_an_envelope_nested_past_pythons_stack_is_one_clear_line(self) -> None:
        """An envelope of arrays nested 100,000 deep, which only a hostile server could send (the server refuses
        it from a client), is an envelope that does not open: one line, as for an altered one. Its RecursionError
        went up through the client's reading of the line."""
        nested = base64.b64encode(b"[" * 100_000 + b"]" * 100_000).decode()
        self.lines()
        self.keys.peer.send(encrypted("bob", "alice", nested))
        self.assertEqual(
            self.lines(),
            ["! a message from bob could not be decrypted: it was altered on the way"],
        )

    def test_a_message_sealed_before_this_device_had_its_key_is_not_called_altered(self) -> None:
        """An envelope with no box for this device's key (the user's own, or a contact's, sealed before this
        install made its key) says so, in the page's words; it said "altered or not meant for this device"."""
        phone = Identity(PrivateKey.generate())
        self.lines()
        self.keys.peer.send(encrypted("bob", "alice", seal("hi", self.bob.secret, [phone.public])))
        self.assertEqual(
            self.lines(),
            [
                "! a message from bob cannot be read on this device: it was sealed before this device had its key"
            ],
        )

    def test_plain_sends_in_the_clear(self) -> None:
        """``/msg --plain bob text`` is the server's ``/msg``, no key asked for."""
        self.assertEqual(self.type("/msg --plain bob hi there"), ["/msg bob hi there"])

    def test_a_recipient_with_no_account_gets_it_in_the_clear_and_the_sender_is_told(self) -> None:
        """``no-such-account``: the text goes as ``/msg``, and one line says it was NOT encrypted."""
        self.keys.unknown.add("carol")
        self.lines()
        self.assertEqual(self.type("/msg carol hello"), ["/key get carol", "/msg carol hello"])
        self.assertEqual(self.lines(), ["! Sent to carol NOT encrypted: carol has no account."])

    def test_an_error_for_another_command_never_sends_a_message_in_the_clear(self) -> None:
        """Errors for other commands come while a /msg waits for bob's keys (a typo's, carol's keys'): neither is
        taken for bob's answer; once his keys come the message goes sealed, never as /msg."""
        self.lines()
        self.link.send("/msg bob secret plans")
        asked = self.keys.peer.sent()
        self.assertEqual(asked, ["/key get bob"])
        self.keys.peer.send(
            {"type": "error", "code": "unknown-command", "command": "typo", "text": "No /typo."}
        )
        self.keys.peer.send(
            {"type": "error", "code": "no-such-account", "nick": "carol", "text": "No carol."}
        )
        self.keys.answer(asked[0])
        sent = self.keys.serve()
        self.assertEqual(self.keys.clear, [])
        self.assertEqual([nick for nick, _ in self.keys.relayed], ["bob"])
        self.assertNotIn("/msg bob secret plans", sent)

    def test_a_room_or_an_unidentified_sender_goes_to_the_server_as_typed(self) -> None:
        """No account, no key: ``/msg`` is the server's; a room's ``/msg`` is too."""
        self.assertEqual(self.type("/msg #lobby hi"), ["/msg #lobby hi"])
        assert self.link.e2e is not None
        self.link.e2e.account = None
        self.assertEqual(self.type("/msg bob hi"), ["/msg bob hi"])

    def test_a_device_of_the_account_that_came_online_later_gets_a_box_too(self) -> None:
        """alice's phone publishes its key after this client identified: her next message to bob is sealed for
        bob, this device and the phone, learnt from the key log bob's keys answer brought up to date, with no
        /key get of her own account on the way."""
        phone = Identity(PrivateKey.generate())
        self.keys.add("alice", phone.public)
        self.lines()
        sent = self.type("/msg bob lunch at noon?")
        self.assertEqual(sent[:2], ["/key get bob", "/key log 3"])
        self.assertNotIn("/key get alice", sent)
        [(_, envelope)] = self.keys.relayed
        self.assertEqual(
            sorted(json.loads(base64.b64decode(envelope))["to"]),
            sorted([self.bob.public, self.me.public, phone.public]),
        )
        self.assertEqual(open_envelope(envelope, phone).text, "lunch at noon?")

    def test_a_note_to_self_is_sealed_for_the_account_s_devices(self) -> None:
        """``/msg alice`` from alice: her own account is never pinned, so it is not refused as changed keys; it goes
        sealed for each of her devices and reads back here."""
        phone = Identity(PrivateKey.generate())
        self.keys.add("alice", phone.public)
        self.lines()
        self.type("/msg alice buy milk")
        [(nick, envelope)] = self.keys.relayed
        self.assertEqual(nick, "alice")
        self.assertEqual(open_envelope(envelope, phone).text, "buy milk")
        self.assertEqual(self.lines()[0], "@ <alice -> alice> [encrypted] buy milk")

    def test_a_message_from_another_device_of_the_account_is_shown_without_a_warning(self) -> None:
        """alice's page publishes its key after this client identified, then sends bob a message: its copy here waits
        for the account's keys, the log's new entry is said once as a new device of hers, and the message shows with
        no warning; her next one from the page asks nothing and says nothing more."""
        page = Identity(PrivateKey.generate())
        self.keys.add("alice", page.public)
        self.lines()
        sealed = seal("from the page", page.secret, [self.bob.public, self.me.public, page.public])
        self.keys.peer.send(encrypted("alice", "bob", sealed))
        self.assertEqual(self.lines(), [])
        self.assertEqual(self.keys.serve(), ["/key get alice", "/key log 3"])
        self.assertEqual(
            self.lines(),
            [
                "@ <alice -> bob> [encrypted] from the page",
                f"~ Your account alice has a new device key: fingerprint {fingerprint(page.public)}. What you send "
                "is sealed for it too; if it is no device of yours, someone else has your password.",
            ],
        )
        again = seal("and again", page.secret, [self.bob.public, self.me.public, page.public])
        self.keys.peer.send(encrypted("alice", "bob", again))
        self.assertEqual(self.keys.serve(), [])
        self.assertEqual(self.lines(), ["@ <alice -> bob> [encrypted] and again"])

    def test_a_device_of_the_account_is_said_once_when_a_send_brings_it_in(self) -> None:
        """The phone's key comes in with the log that bob's keys answer fetched: said once, and not again."""
        phone = Identity(PrivateKey.generate())
        self.keys.add("alice", phone.public)
        self.lines()
        self.type("/msg bob one")
        self.type("/msg bob two")
        self.assertEqual(
            [line for line in self.lines() if "new device" in line],
            [
                f"~ Your account alice has a new device key: fingerprint {fingerprint(phone.public)}. What you send "
                "is sealed for it too; if it is no device of yours, someone else has your password."
            ],
        )

    def test_a_message_from_the_user_s_nickname_by_a_key_not_the_account_s_is_warned(self) -> None:
        """A key the account's log does not hold, even once fetched again: shown, then the warning that names it."""
        stranger = Identity(PrivateKey.generate())
        self.lines()
        self.keys.peer.send(encrypted("alice", "bob", seal("it is me", stranger.secret, [self.me.public])))
        self.assertEqual(self.keys.serve(), ["/key get alice"])
        self.assertEqual(
            self.lines(),
            [
                "@ <alice -> bob> [encrypted] it is me",
                f"! WARNING: that message was sealed by a key that is not one of your account's (fingerprint "
                f"{fingerprint(stranger.public)}): compare fingerprints (/fingerprint alice).",
            ],
        )

    def test_a_message_sealed_by_an_unpinned_key_is_shown_with_the_warning(self) -> None:
        """A key bob never published: the text, then a warning naming its fingerprint."""
        self.type("/fingerprint bob")
        self.lines()
        stranger = Identity(PrivateKey.generate())
        self.keys.peer.send(encrypted("bob", "alice", seal("it is me", stranger.secret, [self.me.public])))
        self.assertEqual(
            self.lines(),
            [
                "@ <bob -> alice> [encrypted] it is me",
                f"! WARNING: that message was sealed by a key not pinned for bob (fingerprint "
                f"{fingerprint(stranger.public)}): compare fingerprints (/fingerprint bob).",
            ],
        )


class OrderTests(EndToEndTestCase):
    """Lines typed while a sealed ``/msg`` waits for keys go after it, in the order typed (#17)."""

    def sent_words(self) -> list[str]:
        """The first word of each line the client sent while the fake server answered."""
        return [line.split(" ", 1)[0] for line in self.keys.serve()]

    def test_lines_typed_after_a_sealed_message_go_after_it(self) -> None:
        """A /msg in the clear, a room line and a second sealed /msg all wait for the first sealed line."""
        for text in ("/msg bob one", "/msg --plain bob two", "three", "/msg bob four"):
            self.link.send(text)
        self.assertEqual(self.sent_words(), ["/key", "/emsg", "/msg", "three", "/key", "/emsg"])
        self.assertEqual(self.keys.clear, ["/msg bob two"])

    def test_a_quit_typed_after_a_sealed_message_waits_for_it(self) -> None:
        """Leaving right after a /msg sends the sealed line, then the quit."""
        self.link.send("/msg bob see you")
        self.link.leave("/quit bye")
        self.assertEqual(self.sent_words(), ["/key", "/emsg", "/quit"])

    def test_lines_held_when_the_connection_drops_are_said_not_sent(self) -> None:
        """The connection drops before bob's keys come: the message and the lines after it are not sent, nor shown."""
        self.link.send("/msg bob one")
        self.link.send("two")
        self.link.send("/identify alice hunter22")
        self.lines()
        self.keys.peer.close()
        self.assertEqual(self.keys.peer.sent(), ["/key get bob"])
        self.assertEqual(
            self.lines()[:2],  # then the loss, and the reconnection's pause, which has jitter
            [
                "! Not sent to bob: the connection dropped first.",
                "~ Not sent either, as the connection dropped: the 2 lines typed after that message.",
            ],
        )


class TrustTests(EndToEndTestCase):
    """Pins, fingerprints, ``/verify`` and ``/trust``."""

    def setUp(self) -> None:
        super().setUp()
        self.type("/msg bob first")
        self.keys.relayed.clear()
        self.lines()

    def test_fingerprint_of_a_contact_and_verify(self) -> None:
        """The pinned fingerprint, not verified; a wrong one refused; the right one typed anyhow verifies."""
        bob = fingerprint(self.bob.public)
        self.type("/fingerprint bob")
        self.assertEqual(
            self.lines(),
            [f"~ bob's keys (account bob): {bob}; not verified (compare, then /verify bob FINGERPRINT)."],
        )
        self.type("/verify bob 0000 1111")
        self.assertEqual(
            self.lines(), ["! That is not bob's fingerprint: bob is NOT verified. /fingerprint bob shows it."]
        )
        self.type(f"/verify bob {bob.replace(' ', '').upper()}")
        self.assertEqual(self.lines(), [f"~ bob is verified: {bob}."])
        self.type("/fingerprint bob")
        self.assertEqual(self.lines(), [f"~ bob's keys (account bob): {bob}; verified."])

    def test_a_changed_key_is_warned_and_blocks_sending_until_trusted(self) -> None:
        """bob's new device key: a loud warning, nothing sealed; after ``/trust bob`` it goes to both keys."""
        phone = Identity(PrivateKey.generate())
        self.keys.add("bob", phone.public)
        self.type("/msg bob are you there?")
        self.assertEqual(self.keys.relayed, [])
        both = ", ".join(sorted([fingerprint(self.bob.public), fingerprint(phone.public)]))
        self.assertEqual(
            self.lines(),
            [
                f"! WARNING: bob's keys changed: now {both}. Compare fingerprints before trusting "
                "(/fingerprint bob), then /trust bob.",
                "! Not sent: bob's keys changed. Compare fingerprints (/fingerprint bob), then /trust bob and send again.",
            ],
        )
        self.type("/trust bob")
        self.assertEqual(
            self.lines(),
            [
                f"~ Trusting bob's new keys: {both} (not verified: compare them, then /verify bob FINGERPRINT)."
            ],
        )
        self.type("/msg bob are you there?")
        [(_, envelope)] = self.keys.relayed
        self.assertEqual(open_envelope(envelope, phone).text, "are you there?")
        self.assertEqual(open_envelope(envelope, self.bob).text, "are you there?")

    def test_messages_from_a_changed_key_ask_for_the_keys_once_each_warned(self) -> None:
        """bob's new phone seals three messages, each after the last was answered: one ``/key get bob`` (every line
        costs flood budget), and each shown with its warning; once alice asks for bob's keys again (a ``/msg``), the
        next message from the phone asks again."""
        phone = Identity(PrivateKey.generate())
        self.keys.add("bob", phone.public)
        warning = (
            f"! WARNING: that message was sealed by a key not pinned for bob (fingerprint {fingerprint(phone.public)}):"
            " compare fingerprints (/fingerprint bob)."
        )
        asked: list[str] = []
        shown: list[str] = []
        for number in range(3):
            sealed = seal(f"phone {number}", phone.secret, [self.me.public])
            self.keys.peer.send(encrypted("bob", "alice", sealed))
            asked += [line for line in self.keys.serve() if line.startswith("/key get")]
            shown += self.lines()
        self.assertEqual(asked, ["/key get bob"])
        both = ", ".join(sorted([fingerprint(self.bob.public), fingerprint(phone.public)]))
        changed = (
            f"! WARNING: bob's keys changed: now {both}. Compare fingerprints before trusting (/fingerprint bob), then"
            " /trust bob."
        )
        self.assertEqual(
            shown,
            [
                "@ <bob -> alice> [encrypted] phone 0",
                warning,
                changed,
                "@ <bob -> alice> [encrypted] phone 1",
                warning,
                "@ <bob -> alice> [encrypted] phone 2",
                warning,
            ],
        )
        self.type("/msg bob are you there?")
        self.lines()
        self.keys.peer.send(encrypted("bob", "alice", seal("phone 3", phone.secret, [self.me.public])))
        self.assertEqual(self.keys.serve(), ["/key get bob"])
        self.assertEqual(self.lines(), ["@ <bob -> alice> [encrypted] phone 3", warning, changed])

    def test_a_change_is_caught_on_the_next_run_too(self) -> None:
        """The pin is on disk: a new client process, bob's key replaced, still warns and blocks."""
        self.keys.add("bob", self.bob.public, "drop")
        self.keys.add("bob", Identity(PrivateKey.generate()).public)
        self.start_client()
        self.type("/msg bob hi")
        self.assertEqual(self.keys.relayed, [])
        self.assertIn("! WARNING: bob's keys changed", "\n".join(self.lines()))

    def test_trust_with_nothing_changed_says_so(self) -> None:
        self.type("/trust bob")
        self.assertEqual(self.lines(), ["~ bob's keys have not changed: nothing to trust."])


class KeyLogTests(EndToEndTestCase):
    """A server that lies about keys is caught by the key log."""

    WARNING = (
        "! WARNING: the server's key log does not match what it showed before: it may be lying about keys"
    )

    def test_keylog_shows_the_checked_seq_and_head(self) -> None:
        """``/keylog``: the log's length and head, to read out to a contact."""
        self.lines()
        self.type("/keylog")
        seq, head = self.keys.head()
        self.assertEqual(
            self.lines(),
            [
                f"~ Key log: seq {seq}, head {head}; checked: it only grew since this client last looked. "
                "Compare it with your contact's /keylog."
            ],
        )

    def test_keylog_lets_a_piped_client_finish(self) -> None:
        """A piped client quits once no key request is in flight: once /keylog is answered, it is idle again."""
        assert self.link.e2e is not None
        self.lines()
        done: list[bool] = []
        self.link.send("/keylog")
        self.link.e2e.when_idle(lambda: done.append(True))  # stdin ended while the log was asked for
        self.assertEqual(done, [])
        self.keys.serve()
        self.assertEqual(done, [True])

    def test_a_key_the_log_does_not_hold_is_caught_and_not_used(self) -> None:
        """The server serves mallory's key as bob's without logging it: warned, nothing sealed."""
        mallory = Identity(PrivateKey.generate())
        self.keys.lie["bob"] = [mallory.public]
        self.lines()
        self.type("/msg bob secret plans")
        self.assertEqual(self.keys.relayed, [])
        self.assertEqual(
            self.lines(),
            [
                f"{self.WARNING} (it serves keys for bob that its log does not hold).",
                "! Not sent to bob: the keys cannot be trusted.",
            ],
        )

    def test_a_rewritten_log_is_caught_on_the_next_run(self) -> None:
        """Between runs the server rewrites bob's entry to mallory's key, and the log's head with it."""
        self.type("/msg bob hi")
        self.keys.relayed.clear()
        mallory = Identity(PrivateKey.generate())
        self.keys.log = [entry for entry in self.keys.log if entry["account"] != "bob"]
        for seq, entry in enumerate(self.keys.log, 1):
            entry["seq"], entry["prev"] = seq, entry_hash(self.keys.log[seq - 2]) if seq > 1 else ""
        self.keys.add("bob", mallory.public)
        self.keys.add("carol", Identity(PrivateKey.generate()).public)
        self.start_client()
        self.lines()
        self.type("/msg bob hi again")
        self.assertEqual(self.keys.relayed, [])
        self.assertIn(self.WARNING, "\n".join(self.lines()))

    def test_a_log_grown_while_an_answer_waited_for_it_is_no_lie(self) -> None:
        """carol publishes before bob's keys are answered and dave before the log is: bob's answer is stale, asked again, used."""
        self.keys.add("carol", Identity(PrivateKey.generate()).public)
        self.keys.published_meanwhile.append(("dave", Identity(PrivateKey.generate()).public))
        self.lines()
        sent = self.type("/msg bob hi")
        self.assertEqual([line for line in sent if line.startswith("/key get")], ["/key get bob"] * 2)
        self.assertEqual([nick for nick, _ in self.keys.relayed], ["bob"])
        self.assertNotIn(self.WARNING, "\n".join(self.lines()))

    def test_a_log_that_shrank_is_caught(self) -> None:
        """The server forgets its last entry: the seq went back."""
        self.keys.log.pop()
        self.lines()
        self.type("/msg bob hi")
        self.assertEqual(self.keys.relayed, [])
        self.assertIn(f"{self.WARNING} (it was at 2, it says 1 now).", self.lines())


class KeyringFileTests(SynchronousTestCase):
    """known_keys.json holds every server's pins: clients of two servers running at once keep each other's."""

    def setUp(self) -> None:
        self.path = os.path.join(new_folder(self), "known_keys.json")

    def test_clients_of_two_servers_saving_in_turn_keep_both_servers_pins(self) -> None:
        """Both loaded before either saved: A's pins are still there after B saves."""
        first, second = Keyring.load(self.path, "a:5000"), Keyring.load(self.path, "b:5000")
        first.offer("bob", ["KEY-A"])
        first.save()
        second.offer("carol", ["KEY-B"])
        second.save()
        self.assertEqual(Keyring.load(self.path, "a:5000").contact("bob").keys, ["KEY-A"])  # type: ignore[union-attr]
        self.assertEqual(Keyring.load(self.path, "b:5000").contact("carol").keys, ["KEY-B"])  # type: ignore[union-attr]

    def test_a_malformed_entry_gives_an_empty_keyring_not_a_crash(self) -> None:
        """A contact without its fields: the keyring for that server starts empty, as for an unreadable file."""
        with open(self.path, "w", encoding="utf-8") as file:
            json.dump({"servers": {"a:5000": {"contacts": {"bob": {}}}}}, file)
        self.assertEqual(Keyring.load(self.path, "a:5000").contacts, {})

    def test_a_file_of_another_shape_gives_an_empty_keyring_not_a_crash(self) -> None:
        """A log seq of Infinity (int() raised OverflowError), servers that are a list (AttributeError), or arrays
        nested past Python's stack (RecursionError): the keyring starts empty, and saving it mends the file."""
        for text in (
            '{"servers": {"a:5000": {"log": {"seq": Infinity}}}}',
            '{"servers": []}',
            "[" * 100_000 + "]" * 100_000,
        ):
            with open(self.path, "w", encoding="utf-8") as file:
                file.write(text)
            ring = Keyring.load(self.path, "a:5000")
            self.assertEqual((ring.contacts, ring.log.seq), ({}, 0))
            ring.offer("bob", ["KEY-A"])
            ring.save()
            self.assertEqual(Keyring.load(self.path, "a:5000").contact("bob").keys, ["KEY-A"])  # type: ignore[union-attr]
