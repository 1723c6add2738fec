"""The rooms' last seqs the SQLite store holds in memory (chatd.storage.last_seqs): bounded, and read from the file
for a room it does not hold, before the chat makes that room again; a real file, its real threads."""

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.events import Event, Joined, RoomEvent, Said
from chatd.domain.storage_ports import History
from chatd.storage.last_seqs import LastSeqs
from chatd.storage.sqlite import SQLiteHistory
from tests.events import joined, parted, said
from tests.helpers import LineTestCase, ThreadedReactor, committed, new_database
from tests.irc import IRCTestCase
from tests.test_history import read_seq


def opened(case: SynchronousTestCase, path: str, reactor: ThreadedReactor, rooms_held: int) -> SQLiteHistory:
    """A started store in ``path`` holding #lobby (the server's room) and ``rooms_held`` others; stopped at cleanup."""
    store = SQLiteHistory.open(path, reactor, ["#lobby"], rooms_held)
    store.startService()

    def stop() -> None:
        if store.running:
            reactor.run_until(store.stopService())

    case.addCleanup(stop)
    return store


def used(store: SQLiteHistory, room: str, first: int, at: float = 1.0) -> None:
    """alice joins ``room``, says a line and parts: its seqs ``first`` to ``first`` + 2."""
    store.append(joined(at, room, "alice", first))
    store.append(said(at, room, "alice", "hi", first + 1))
    store.append(parted(at, room, "alice", "", first + 2))


class LastSeqsTests(SynchronousTestCase):
    """What is held, in memory alone."""

    def test_rooms_past_the_bound_are_forgotten_least_recently_used_first(self) -> None:
        """A million rooms used and committed leave ``most`` held, with the server's: the last ones used."""
        seqs = LastSeqs({"#lobby": 7}, ["#lobby"], most=100)
        for n in range(1_000_000):
            seqs.appended(f"#r{n}", 3)
            seqs.committed([(f"#r{n}", 3)])
        self.assertEqual(len(seqs), 101)
        self.assertEqual((seqs.get("#lobby"), seqs.get("#r999999"), seqs.get("#r999899")), (7, 3, None))

    def test_a_room_not_committed_is_held_past_the_bound(self) -> None:
        """A room whose last event is not committed is held whatever else is used; a failed commit keeps it."""
        seqs = LastSeqs({}, most=1)
        seqs.appended("#kept", 4)
        for n in range(3):
            seqs.appended(f"#r{n}", 1)
            seqs.committed([(f"#r{n}", 1)])
        self.assertEqual(seqs.get("#kept"), 4)
        seqs.committed([("#kept", 4)])
        seqs.appended("#other", 1)
        seqs.committed([("#other", 1)])
        self.assertIsNone(seqs.get("#kept"))

    def test_a_registered_room_is_held_until_unregistered(self) -> None:
        """A registered room is held whatever else is used; unregistered, it is used as any other."""
        seqs = LastSeqs({}, most=1)
        seqs.appended("#ours", 5)
        seqs.registered("#ours", True)
        seqs.committed([("#ours", 5)])
        for n in range(3):
            seqs.appended(f"#r{n}", 1)
            seqs.committed([(f"#r{n}", 1)])
        self.assertEqual(seqs.get("#ours"), 5)
        seqs.appended("#ours", 6)
        seqs.registered("#ours", False)
        seqs.committed([("#ours", 6)])
        seqs.appended("#r9", 1)
        seqs.committed([("#r9", 1)])
        self.assertIsNone(seqs.get("#ours"))


class StoreTests(SynchronousTestCase):
    """The store holds few rooms' last seq, and reads another's row on its reader thread."""

    def setUp(self) -> None:
        self.path = new_database(self)
        self.reactor = ThreadedReactor()

    def test_a_room_not_held_is_read_from_the_file_and_after_a_restart(self) -> None:
        """Past the bound, a room's last seq is not held; asked, it is read from the file, as it is after a restart."""
        store = opened(self, self.path, self.reactor, 2)
        used(store, "#old", 1)
        for n in range(3):
            used(store, f"#r{n}", 1)
        committed(self.reactor, store)
        self.assertIsNotNone(store.read_last_seq("#old"))
        self.assertEqual(read_seq(self.reactor, store, "#old"), 3)
        self.reactor.run_until(store.stopService())
        again = opened(self, self.path, self.reactor, 2)
        self.assertIsNotNone(again.read_last_seq("#old"))
        self.assertEqual(read_seq(self.reactor, again, "#old"), 3)
        self.assertEqual(again.last_seq("#lobby"), 0)


class OldRoomTestCase(LineTestCase):
    """A chat on a file #old was used in before this start (seqs 1 to 3), holding one room besides #lobby."""

    def make_clock(self) -> ThreadedReactor:
        self.reactor = ThreadedReactor()
        return self.reactor

    def make_history(self) -> History:
        """A file #old was used in before this start, opened again holding one room besides #lobby."""
        path = new_database(self)
        before = opened(self, path, self.reactor, 1)
        used(before, "#old", 1)
        self.reactor.run_until(before.stopService())
        self.store = opened(self, path, self.reactor, 1)
        return self.store

    def setUp(self) -> None:
        super().setUp()
        self.published: list[Event] = []
        self.bus.subscribe(self.published.append)

    def seqs(self, room: str) -> list[tuple[str, str, int]]:
        """The kind, nick and seq of each event published in ``room``."""
        return [
            (type(event).__name__, event.actor.nick, event.seq)
            for event in self.published
            if isinstance(event, RoomEvent) and event.room == room
        ]

    def read(self) -> None:
        """Let the store's threads answer until the join waiting is made, then its replay's read."""
        while not any(isinstance(event, Joined) and event.room == "#old" for event in self.published):
            self.reactor.run_from_thread()
        self.drain()

    def drain(self) -> None:
        """Let every read asked so far answer (the joins' replays): one more asked now answers after them."""
        self.reactor.run_until(self.store.count("#lobby", 0, 1))
        self.end_pass()


class RejoinTests(OldRoomTestCase):
    """A join of a room whose last seq the store does not hold waits for its read, and numbers on from it."""

    def test_a_room_not_held_since_a_restart_numbers_on_from_its_row(self) -> None:
        """After a restart, #old is not held: the join waits for its row, then numbers on from seq 3."""
        alice, _ = self.connect(b"alice")
        self.drain()
        alice.dataReceived(b"/join #old\n")
        self.assertEqual(self.seqs("#old"), [])
        self.read()
        alice.dataReceived(b"back\n")
        self.assertEqual(self.seqs("#old"), [("Joined", "alice", 4), ("Said", "alice", 5)])

    def test_a_room_forgotten_meanwhile_numbers_on_after_a_rejoin(self) -> None:
        """A room used, left and pushed out by another is read again at its next join, and numbered on."""
        alice, _ = self.connect(b"alice")
        self.drain()
        alice.dataReceived(b"/join #old\n")
        self.read()
        alice.dataReceived(b"/part #old\n/join #new\n")
        self.drain()
        alice.dataReceived(b"elsewhere\n/part #new\n")
        committed(self.reactor, self.store)
        self.assertIsNotNone(self.store.read_last_seq("#old"))
        self.published.clear()
        alice.dataReceived(b"/join #old\n")
        self.read()
        self.assertEqual(self.seqs("#old"), [("Joined", "alice", 6)])

    def test_those_who_join_while_the_row_is_read_come_in_in_order_and_talk_after(self) -> None:
        """Two joins of #old while its row is read both wait for it: numbered in the order asked, and the second's
        line, sent meanwhile, is said after both joins and reaches the first joiner."""
        alice, alice_wire = self.connect(b"alice")
        bob, _ = self.connect(b"bob")
        self.drain()
        alice.dataReceived(b"/join #old\n")
        bob.dataReceived(b"/join #old\nhello\n")
        self.assertEqual(self.seqs("#old"), [])
        self.read()
        self.drain()
        self.assertEqual(
            self.seqs("#old"), [("Joined", "alice", 4), ("Joined", "bob", 5), ("Said", "bob", 6)]
        )
        self.assertIn(b"#old <bob> hello", self.lines(alice_wire)[-1])
        self.assertEqual([event.text for event in self.published if isinstance(event, Said)], ["hello"])


class IRCRejoinTests(OldRoomTestCase, IRCTestCase):
    """An IRC JOIN of several rooms waits at each whose last seq the store reads, the rest and later lines after it."""

    def test_a_join_of_rooms_not_held_makes_them_in_order_then_talks(self) -> None:
        """JOIN #old,#fresh waits for #old's row and then #fresh's (none: 1); the PRIVMSG after it comes last."""
        alice, wire = self.irc_user("alice")
        self.send(alice, "JOIN #old,#fresh", "PRIVMSG #old :back")
        self.assertEqual(self.seqs("#old"), [])
        while not any(isinstance(event, Said) for event in self.published):
            self.reactor.run_from_thread()
        self.drain()
        self.assertEqual(self.seqs("#old"), [("Joined", "alice", 4), ("Said", "alice", 5)])
        self.assertEqual(self.seqs("#fresh"), [("Joined", "alice", 1)])
        self.assertIn(b"JOIN #fresh", wire.value())
