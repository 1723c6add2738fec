"""``/key`` on the line front end (issue 17): publish and drop one's device keys, fetch anyone's, read the log."""

import hashlib
import json

from nacl.public import PrivateKey

from chatd.domain.keylog import ADD, KEYS_MOST, LOG_PAGE, KeyEntry
from chatd.domain.keys import KEY_CHANGES_PER_DAY, KEY_PUBLISHES_PER_ADDRESS_DAY
from chatd.domain.storage_ports import KeyStore
from chatd.line.limits import LineLimits
from chatd.storage.keys import MemoryKeys
from tests.helpers import LineTestCase
from tests.test_line_accounts import PASSWORD, AccountTestCase


def public(seed: int) -> str:
    """A real X25519 public key, as base64, the same for the same seed."""
    import base64

    return base64.b64encode(bytes(PrivateKey(bytes([seed]) * 32).public_key)).decode()


def canonical_hash(entry: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class KeyCommandTests(AccountTestCase):
    """alice is registered and identified, in JSON; bob registers too."""

    def setUp(self) -> None:
        super().setUp()
        self.alice.dataReceived(b"/format json\n")
        self.bob, self.bob_wire = self.connect(b"bob", host="10.0.0.2")
        self.bob.dataReceived(b"/register " + PASSWORD + b"\n/format json\n")
        self.lines(self.alice_wire)
        self.lines(self.bob_wire)

    def said(self, line: str) -> list[dict[str, object]]:
        """What alice is answered for ``line``, as JSON objects."""
        self.alice.dataReceived(line.encode() + b"\n")
        return [json.loads(row) for row in self.lines(self.alice_wire)]

    def test_publishing_answers_the_key_and_the_logs_new_head(self) -> None:
        """The first key is entry 1, whose head is the hash of its canonical JSON with prev empty."""
        self.clock.advance(100.7)
        [answer] = self.said(f"/key publish {public(1)}")
        entry = {"seq": 1, "at": 100, "account": "alice", "action": "add", "key": public(1), "prev": ""}
        self.assertEqual(
            answer,
            {
                "type": "key_published",
                "account": "alice",
                "key": public(1),
                "seq": 1,
                "head": canonical_hash(entry),
            },
        )

    def test_key_changes_are_bounded_a_day(self) -> None:
        """Publishing and dropping in a loop: the day's changes, then ERR key-throttled and the log no longer grows;
        a change comes back as the budget refills."""
        for _ in range(KEY_CHANGES_PER_DAY // 2):
            self.said(f"/key publish {public(1)}")
            self.said(f"/key drop {public(1)}")
            self.clock.advance(1)  # within her flood budget
        [refused] = self.said(f"/key publish {public(1)}")
        self.assertEqual((refused["type"], refused["code"]), ("error", "key-throttled"))
        [log] = self.said("/key log")
        self.assertEqual(log["seq"], KEY_CHANGES_PER_DAY)
        self.clock.advance(86400 / KEY_CHANGES_PER_DAY)
        [taken] = self.said(f"/key publish {public(1)}")
        self.assertEqual(taken["type"], "key_published")

    def test_keys_published_from_one_address_are_bounded_a_day_whatever_the_accounts(self) -> None:
        """New accounts of one address publishing 8 keys each: the day's publishes, then ERR key-address-throttled
        and the log no longer grows; another address publishes still, and this one again as the budget refills.

        Each account's 20 changes a day held nobody who made new accounts
        (50 an hour an address): 20,000 to 30,000 entries a day, for good.
        """
        published = 0
        for n in range(KEY_PUBLISHES_PER_ADDRESS_DAY // KEYS_MOST + 1):
            churn, wire = self.connect(f"churn{n}".encode(), host="10.0.0.1")
            churn.dataReceived(b"/register " + PASSWORD + b"\n/format json\n")
            self.clock.advance(10)
            self.lines(wire)
            for seed in range(1, KEYS_MOST + 1):
                churn.dataReceived(f"/key publish {public(seed)}\n".encode())
                [answer] = [json.loads(row) for row in self.lines(wire)]
                if published < KEY_PUBLISHES_PER_ADDRESS_DAY:
                    self.assertEqual(answer["type"], "key_published")
                    published += 1
                else:
                    self.assertEqual((answer["type"], answer["code"]), ("error", "key-address-throttled"))
            self.clock.advance(10)
        [log] = self.said("/key log")
        self.assertEqual(log["seq"], KEY_PUBLISHES_PER_ADDRESS_DAY)
        self.bob.dataReceived(f"/key publish {public(1)}\n".encode())
        [bobs] = [json.loads(row) for row in self.lines(self.bob_wire)]
        self.assertEqual(bobs["type"], "key_published")
        self.clock.advance(86400 / KEY_PUBLISHES_PER_ADDRESS_DAY)
        [taken] = self.said(f"/key publish {public(1)}")
        self.assertEqual(taken["type"], "key_published")

    def test_publishing_the_same_key_again_logs_nothing(self) -> None:
        """The answer is the same; the log stays at one entry."""
        [first] = self.said(f"/key publish {public(1)}")
        [again] = self.said(f"/key publish {public(1)}")
        self.assertEqual(again, first)

    def test_anyone_gets_an_accounts_keys_by_its_nickname_online_or_not(self) -> None:
        """bob reads alice's two keys, oldest first, with the log's seq and head; still once she has left."""
        self.said(f"/key publish {public(1)}")
        [second] = self.said(f"/key publish {public(2)}")
        self.leave(self.alice)
        self.bob.dataReceived(b"/key get ALICE\n")
        [keys] = [json.loads(row) for row in self.lines(self.bob_wire)]
        self.assertEqual(
            keys,
            {
                "type": "keys",
                "nick": "alice",
                "account": "alice",
                "keys": [public(1), public(2)],
                "seq": 2,
                "head": second["head"],
            },
        )

    def test_a_nickname_that_is_no_account_has_no_keys(self) -> None:
        """carol is online but not registered: no-such-account."""
        self.connect(b"carol", host="10.0.0.3")
        [error] = self.said("/key get carol")
        self.assertEqual(error["code"], "no-such-account")

    def test_dropping_a_key_is_logged_and_leaves_the_others(self) -> None:
        """The drop is entry 3; alice has her second key only; a key not hers is refused."""
        self.said(f"/key publish {public(1)}")
        self.said(f"/key publish {public(2)}")
        [dropped] = self.said(f"/key drop {public(1)}")
        self.assertEqual((dropped["type"], dropped["seq"]), ("key_dropped", 3))
        [keys] = self.said("/key get alice")
        self.assertEqual(keys["keys"], [public(2)])
        [error] = self.said(f"/key drop {public(3)}")
        self.assertEqual(error["code"], "no-such-key")

    def test_the_log_is_read_from_a_seq_and_its_chain_recomputes_to_the_head(self) -> None:
        """bob reads alice's and his own entries; each prev is the hash of the one before, the last's the head."""
        self.said(f"/key publish {public(1)}")
        self.bob.dataReceived(f"/key publish {public(5)}\n/key log\n/key log 2\n".encode())
        _, log, later = [json.loads(row) for row in self.lines(self.bob_wire)]
        self.assertEqual(log["type"], "key_log")
        self.assertEqual([e["account"] for e in log["entries"]], ["alice", "bob"])
        previous = ""
        for entry in log["entries"]:
            self.assertEqual(entry["prev"], previous)
            previous = canonical_hash(entry)
        self.assertEqual((log["seq"], log["head"], log["more"]), (2, previous, False))
        self.assertEqual(later["entries"], log["entries"][1:])

    def test_keys_need_an_account_and_are_checked(self) -> None:
        """Someone unidentified cannot publish; a key that is not base64 of 32 bytes is refused; 8 at most."""
        carol, wire = self.connect(b"carol", host="10.0.0.3")
        carol.dataReceived(f"/key publish {public(1)}\n".encode())
        self.assertEqual(self.lines(wire)[0][:19], b"ERR not-identified ")
        [bad] = self.said("/key publish AAAA")
        self.assertEqual(bad["code"], "bad-key")
        for seed in range(1, KEYS_MOST + 1):
            self.clock.advance(1)  # within the flood budget
            self.said(f"/key publish {public(seed)}")
        self.clock.advance(1)
        [full] = self.said(f"/key publish {public(99)}")
        self.assertEqual(full["code"], "too-many-keys")

    def test_unregistering_withdraws_the_accounts_keys_in_the_log(self) -> None:
        """A later owner of the nickname starts with none, and the log says why."""
        self.said(f"/key publish {public(1)}")
        self.said("/unregister " + PASSWORD.decode())
        self.bob.dataReceived(b"/key log\n")
        [log] = [json.loads(row) for row in self.lines(self.bob_wire)]
        self.assertEqual(
            [(e["action"], e["key"]) for e in log["entries"]], [("add", public(1)), ("drop", public(1))]
        )

    def test_text_sessions_read_keys_in_words(self) -> None:
        """A person on nc sees the keys and the log's head as lines."""
        [published] = self.said(f"/key publish {public(1)}")
        self.bob.dataReceived(b"/format text\n")
        self.lines(self.bob_wire)
        self.bob.dataReceived(b"/key get alice\n")
        self.assertEqual(
            self.lines(self.bob_wire),
            [
                f"*** Keys of alice (account alice, key log 1, head {published['head']}): 1".encode(),
                f"***   {public(1)}".encode(),
            ],
        )


class LongSeqTests(LineTestCase):
    """A host's --max-line of 20,000 bytes: a seq to read the key log from may be thousands of digits long."""

    limits = LineLimits(max_line=20_000)

    def test_a_seq_of_5000_digits_gets_the_usage(self) -> None:
        """/key log with 5000 digits (past what int() reads), or 19 (past what SQLite keeps, which raised in the
        store's reader): the usage, not ERR internal; 0...01 reads from 1."""
        carol, wire = self.connect(b"carol")
        for first in ("9" * 5000, "9" * 19):
            carol.dataReceived(f"/key log {first}\n".encode())
            self.assertEqual(
                self.lines(wire), [b"ERR usage usage: /key publish KEY|drop KEY|get NICK|log [FROM]"]
            )
            self.clock.advance(10)  # her byte budget, spent on the long line, comes back
        carol.dataReceived(f"/key log {'0' * 5000}1\n".encode())
        self.assertEqual(self.lines(wire), [b"*** Key log (key log 0, head none):"])


class LeftOverKeysTests(LineTestCase):
    """A key store holding a key of the account carol, which nobody has: her unregistering was kept, and a
    kill -9 came before the withdrawal logged after it was."""

    def make_keys(self) -> KeyStore:
        keys = MemoryKeys()
        keys.append(KeyEntry(1, 0, "carol", ADD, public(1), ""))
        return keys

    def test_a_new_owner_of_the_nickname_starts_with_no_keys(self) -> None:
        """Someone registers carol: /key get carol answers no key, and the log says the old one was withdrawn."""
        carol, wire = self.connect(b"carol")
        carol.dataReceived(b"/format json\n/register " + PASSWORD + b"\n")
        self.lines(wire)
        carol.dataReceived(b"/key get carol\n/key log\n")
        keys, log = [json.loads(row) for row in self.lines(wire)]
        self.assertEqual((keys["keys"], keys["seq"]), ([], 2))
        self.assertEqual(
            [(e["action"], e["key"]) for e in log["entries"]], [("add", public(1)), ("drop", public(1))]
        )


def long_log(count: int) -> MemoryKeys:
    """A key log of ``count`` entries: an account's key published each, ``count`` accounts."""
    keys = MemoryKeys()
    published = [public(n + 1) for n in range(200)]
    for n in range(count):
        seq, head = keys.head()
        keys.append(KeyEntry(seq + 1, 0, f"account{n}", ADD, published[n % 200], head))
    return keys


class KeyLogCostTests(AccountTestCase):
    """A page of the key log is paid for by its size, as a resume's lines are."""

    def make_keys(self) -> KeyStore:
        """A log of a full page: an account's key published each, 500 accounts."""
        return long_log(LOG_PAGE)

    def test_a_page_costs_a_line_for_every_100_entries_and_holds_what_the_budget_pays_for(self) -> None:
        """A page of 500 entries costs 6 lines, within a burst of 10; a second at once holds what the 3 lines left
        after its command's pay for, 399 entries, and is not told it floods: a page never takes its reader over.

        It cost one line, so a loop of /key log 1 moved some 100 KB a line
        of budget, 50 times what the same loop of /history was let move.
        """
        self.alice.dataReceived(b"/format json\n")
        self.clock.advance(10)
        self.lines(self.alice_wire)
        self.alice.dataReceived(b"/key log\n")
        [page] = [json.loads(row) for row in self.lines(self.alice_wire)]
        self.assertEqual((page["type"], len(page["entries"]), page["more"]), ("key_log", LOG_PAGE, False))
        self.alice.dataReceived(b"/key log\n")
        [page] = [json.loads(row) for row in self.lines(self.alice_wire)]
        self.assertEqual((page["type"], len(page["entries"]), page["more"]), ("key_log", 399, True))

    def test_a_loop_of_log_pages_is_slowed_like_any_flood(self) -> None:
        """A loop of /key log 1 gets no more than 100 entries a line of budget (10 at once, 2 a second after), and
        its lines, past the burst, are told they flood and wait their turn."""
        self.alice.dataReceived(b"/format json\n")
        self.clock.advance(10)
        self.lines(self.alice_wire)
        self.alice.dataReceived(b"/key log 1\n" * 200)
        read, kinds = 0, []
        for _ in range(30):
            for row in self.lines(self.alice_wire):
                answer = json.loads(row)
                kinds.append(answer.get("kind", answer["type"]))
                read += len(answer.get("entries", ()))
            self.clock.advance(1)
        self.assertIn("flood", kinds)
        self.assertLessEqual(read, (10 + 2 * 30) * 100)
        self.assertGreater(read, (10 + 2 * 29) * 90)


LONG_LOG = 7500
"""Entries of a log that a reader asking for each page at once is cut off for flooding before it has read."""


class KeyLogPacingTests(AccountTestCase):
    """A long key log: each page says how long to wait before the next, and a reader that waits never floods."""

    def make_keys(self) -> KeyStore:
        return long_log(LONG_LOG)

    def page(self, first: int) -> dict[str, object]:
        """alice's ``/key log FIRST``, and nothing else she is sent meanwhile."""
        self.alice.dataReceived(f"/key log {first}\n".encode())
        [page] = [json.loads(row) for row in self.lines(self.alice_wire)]
        self.assertEqual(page["type"], "key_log")
        return dict(page)

    def test_a_reader_waiting_as_each_page_says_reads_the_whole_log_and_is_never_told_it_floods(self) -> None:
        """At the defaults (2 lines a second, a burst of 10), a page of 500 costs 6 lines of a full budget, so it
        says to wait 3 s, till the budget is full again; the last, with no page after it, 0. Waiting so, all 7,500
        entries come in 15 pages, none answered by a flood notice, and the connection stays open.

        A reader asking at once was over budget from the second page and cut
        off after 30 s of it, some 6,500 entries in.
        """
        self.alice.dataReceived(b"/format json\n")
        self.clock.advance(10)
        self.lines(self.alice_wire)
        seq, waits = 0, []
        while True:
            page = self.page(seq + 1)
            entries, wait = page["entries"], page["wait"]
            assert isinstance(entries, list) and isinstance(wait, float)
            seq += len(entries)
            waits.append(wait)
            if page["more"] is not True:
                break
            self.clock.advance(wait)
        self.assertEqual(seq, LONG_LOG)
        self.assertEqual(waits, [*[3] * 14, 0])
        self.assertFalse(self.alice_wire.disconnecting)

    def test_a_first_page_holds_what_the_budget_left_after_connecting_pays_for(self) -> None:
        """A client just identified has spent some of its burst (alice 6 lines: her nickname, /join, /register,
        /format, her key, her account's keys): its first page holds what the 3 lines left after its command's pay
        for, 399 entries, and says to wait 5 s, till her budget is full again. A full page took her over and told her
        she floods."""
        self.alice.dataReceived(b"/format json\n/key publish " + public(201).encode() + b"\n/key get alice\n")
        self.lines(self.alice_wire)
        page = self.page(1)
        self.assertEqual((len(page["entries"]), page["more"], page["wait"]), (399, True, 5))  # type: ignore[arg-type]
        self.assertFalse(self.alice_wire.disconnecting)
