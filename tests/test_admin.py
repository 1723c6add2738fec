"""``chatd.admin`` beside a store running in this process: it waits for what the store showed to be committed.

The store holds the file's claim, as a running daemon does, so the tool
may not apply the pass log itself; what it may do is wait for the store's
writer. Here the writer commits only when the test lets it, so the test
sees the tool waiting, then finishing with every line.
"""

import io
import json
import os
import sqlite3
import threading
from contextlib import closing
from dataclasses import replace

from twisted.trial.unittest import SynchronousTestCase

from chatd.admin import AdminError
from chatd.admin.backup import backup
from chatd.admin.command import main
from chatd.admin.export import export
from chatd.admin.forget import forget, private_count
from chatd.domain.events import Actor, Event, Whispered
from tests.e2e.daemon import DEADLINE_SECONDS
from tests.events import banned, joined, kicked, killed, nick_changed, parted, quit, said
from tests.helpers import ThreadedReactor, committed, new_database, new_folder
from tests.test_history import open_store

WAITING_SECONDS = 0.3
"""How long the tool is given to show it waits rather than answering without the uncommitted lines."""


class BesideARunningStoreTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.path = new_database(self)
        self.reactor = ThreadedReactor()

    def test_export_waits_for_the_lines_in_the_pass_log(self) -> None:
        """Lines in the log and not committed: the export waits for the writer, then holds them."""
        store = open_store(self, self.path, self.reactor)
        committed(self.reactor, store)
        store.commit_every = 3600.0
        store.append(said(1, "#lobby", "alice", "shown, not yet committed", 1))
        self.reactor.advance(0)  # the pass ends: its line is logged, the writer's commit an hour away
        tool, statuses, out = self.export_waiting()
        committed(self.reactor, store)
        tool.join(DEADLINE_SECONDS)
        self.assertEqual(statuses, [0])
        texts = [json.loads(line)["text"] for line in out.getvalue().splitlines()]
        self.assertEqual(texts, ["shown, not yet committed"])

    def test_export_stops_waiting_for_lines_whose_commit_failed(self) -> None:
        """The writer's commit fails (a full disk): the log says those lines are not kept, and the export
        goes on at once without them rather than waiting out its limit."""
        store = open_store(self, self.path, self.reactor)
        store.append(said(1, "#lobby", "alice", "kept", 1))
        committed(self.reactor, store)
        store.commit_every = 3600.0
        store.append(said(2, "#lobby", "alice", "shown, then lost to a full disk", 2))
        self.reactor.advance(0)
        with closing(sqlite3.connect(self.path)) as other, other:
            other.execute(
                "CREATE TRIGGER full BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'full'); END"
            )
        tool, statuses, out = self.export_waiting()
        committed(self.reactor, store)
        self.flushLoggedErrors(sqlite3.IntegrityError)
        tool.join(DEADLINE_SECONDS)
        self.assertEqual(statuses, [0])
        self.assertEqual([json.loads(line)["text"] for line in out.getvalue().splitlines()], ["kept"])

    def export_waiting(self) -> tuple[threading.Thread, list[int], io.StringIO]:
        """``export`` started on a thread of its own, and seen waiting: the thread, where its exit status goes,
        and its output."""
        out = io.StringIO()
        statuses: list[int] = []
        tool = threading.Thread(target=lambda: statuses.append(main(["--db", self.path, "export"], out)))
        tool.start()
        tool.join(WAITING_SECONDS)
        self.assertTrue(tool.is_alive(), f"the export did not wait: {out.getvalue()!r}")
        return tool, statuses, out


class BackupModeTests(SynchronousTestCase):
    def test_a_backup_is_readable_by_its_owner_only(self) -> None:
        """A backup holds the same hashes and addresses as the --db file: it is made 0600 whatever the umask."""
        directory = new_folder(self)
        self.addCleanup(os.umask, os.umask(0o022))
        dest = os.path.join(directory, "copy.sqlite")
        with closing(sqlite3.connect(":memory:")) as connection:
            backup(connection, ":memory:", dest, io.StringIO())
        self.assertEqual(oct(os.stat(dest).st_mode & 0o777), "0o600")


class ExportTests(SynchronousTestCase):
    def kept(self, room: str, text: str) -> str:
        """A database file in a new directory holding ``text`` said in ``room``; its path."""
        path = new_database(self)
        reactor = ThreadedReactor()
        store = open_store(self, path, reactor)
        store.append(said(1, room, "alice", text, 1))
        committed(reactor, store)
        return path

    def test_a_room_with_nothing_kept_is_one_sentence(self) -> None:
        """A mistyped room exports nothing: the host is told so, exit status 2, not an empty export and 0."""
        path = self.kept("#dev", "kept")
        out = io.StringIO()
        with closing(sqlite3.connect(path)) as connection, self.assertRaises(AdminError) as refused:
            export(connection, "#dve", out)
        self.assertEqual(
            str(refused.exception),
            "--room #dve: no event of that room is kept; check its name (export alone lists all).",
        )
        self.assertEqual(out.getvalue(), "")

    def test_a_room_named_longer_than_the_default_limit_is_exported(self) -> None:
        """The tool cannot know the --max-room-name the daemon ran with: a room of 40 characters, kept under a
        larger one, is exported, not refused as too long."""
        room = "#" + "a" * 39
        path = self.kept(room, "in a long-named room")
        out = io.StringIO()
        with closing(sqlite3.connect(path)) as connection:
            export(connection, room.upper(), out)
        self.assertEqual(
            [json.loads(line)["text"] for line in out.getvalue().splitlines()], ["in a long-named room"]
        )

    def test_a_rooms_export_shows_the_quits_and_bans_of_its_members_then(self) -> None:
        """A quit, or a ban that put someone out, is the chat's, kept with no room: a room's export shows it where
        its one was in that room then, as its members were shown it live (tom twice, by whatever case, and cid), and
        not for someone elsewhere (bob), nor for someone who had left it (tom again) or been kicked from it (ann)."""
        path = new_database(self)
        reactor = ThreadedReactor()
        store = open_store(self, path, reactor)
        events: list[Event] = [
            joined(1, "#team", "tom", 1),
            joined(2, "#Team", "ann", 2),
            quit(3, "Tom", "bye"),
            joined(4, "#lobby", "bob", 1),
            quit(5, "bob", ""),
            joined(6, "#team", "TOM", 3),
            quit(7, "tom", ""),
            joined(8, "#team", "tom", 4),
            parted(9, "#team", "tom", "", 5),
            quit(10, "tom", ""),
            kicked(11, "#team", "ann", "op", "", 6),
            quit(12, "ann", ""),
            joined(13, "#team", "cid", 7),
            banned(14, "CID", "op", None),
            banned(15, "bob", "op", None),
        ]
        for number, event in enumerate(events, 1):
            store.append(replace(event, id=f"{number:016x}"))
        committed(reactor, store)
        text, objects = io.StringIO(), io.StringIO()
        with closing(sqlite3.connect(path)) as connection:
            export(connection, "#team", text, text=True)
            export(connection, "#team", objects)
        self.assertEqual(
            [line.split("] ", 1)[1] for line in text.getvalue().splitlines()],
            [
                "#team -- tom joined",
                "#Team -- ann joined",
                "-- Tom quit (bye)",
                "#team -- TOM joined",
                "-- tom quit",
                "#team -- tom joined",
                "#team -- tom left",
                "#team -- ann was kicked by op",
                "#team -- cid joined",
                "-- CID was banned by op",
            ],
        )
        self.assertEqual(
            [json.loads(line)["type"] for line in objects.getvalue().splitlines()],
            ["joined", "joined", "quit", "joined", "quit", "joined", "parted", "kicked", "joined", "banned"],
        )

    def test_a_rooms_export_follows_its_members_new_nicknames_to_their_quits_and_kills(self) -> None:
        """A member's new nickname is in the room's export, and so is their quit or kill under it, as the room was shown
        them live; a non-member's are not (bob, renamed and killed in #lobby), nor a quit under a member's old
        nickname, which is nobody of the room's any more. The export of the whole file holds every one."""
        path = new_database(self)
        reactor = ThreadedReactor()
        store = open_store(self, path, reactor)
        events: list[Event] = [
            joined(1, "#team", "alice", 1),
            joined(2, "#team", "cid", 2),
            joined(3, "#lobby", "bob", 1),
            nick_changed(4, "alice", "Alicia"),
            nick_changed(5, "bob", "robert"),
            killed(6, "robert", "boss", "spam"),
            said(7, "#team", "Alicia", "hi", 3),
            nick_changed(8, "CID", "cyd"),
            killed(9, "CYD", "boss", "flooding"),
            quit(10, "alice", ""),
            quit(11, "alicia", "bye"),
        ]
        for number, event in enumerate(events, 1):
            store.append(replace(event, id=f"{number:016x}"))
        committed(reactor, store)
        text, objects, everything = io.StringIO(), io.StringIO(), io.StringIO()
        with closing(sqlite3.connect(path)) as connection:
            export(connection, "#team", text, text=True)
            export(connection, "#team", objects)
            export(connection, None, everything)
        self.assertEqual(
            [line.split("] ", 1)[1] for line in text.getvalue().splitlines()],
            [
                "#team -- alice joined",
                "#team -- cid joined",
                "-- alice is now known as Alicia",
                "#team <Alicia> hi",
                "-- CID is now known as cyd",
                "-- CYD was killed by boss (flooding)",
                "-- alicia quit (bye)",
            ],
        )
        self.assertEqual(
            [json.loads(line) for line in objects.getvalue().splitlines()][4:6],
            [
                {
                    "type": "nick_changed",
                    "id": f"{8:016x}",
                    "at": 8,
                    "actor": ["CID", "", None],
                    "new": "cyd",
                },
                {
                    "type": "killed",
                    "id": f"{9:016x}",
                    "at": 9,
                    "actor": ["boss", "", None],
                    "nick": "CYD",
                    "reason": "flooding",
                    "apart": False,
                },
            ],
        )
        self.assertEqual(len(everything.getvalue().splitlines()), len(events))


class ForgetTests(SynchronousTestCase):
    def test_forget_private_reads_the_events_once_for_both_kinds(self) -> None:
        """forget --private, counting or deleting, finds alice's room lines and private messages in one read of
        the events, not a read for each kind (the kicks others gave her are a read of their own, of kicks alone, and
        the lines she deleted one of the deletions alone); both kinds go, bob's line stays."""
        path = new_database(self)
        reactor = ThreadedReactor()
        store = open_store(self, path, reactor)
        store.append(said(1, "#lobby", "ALICE", "in the room", 1))
        store.append(said(2, "#lobby", "bob", "hi", 2))
        store.append(
            Whispered(
                id="w1", at=3, actor=Actor("alice", account="alice"), to="bob", text="psst", to_account="bob"
            )
        )
        committed(reactor, store)
        reactor.run_until(store.stopService())
        with closing(sqlite3.connect(path, isolation_level=None)) as connection:
            reads: list[str] = []
            connection.set_trace_callback(
                lambda statement: reads.append(statement) if statement.startswith("SELECT") else None
            )
            counted, forgot = io.StringIO(), io.StringIO()
            private_count(connection, "alice", counted)
            forget(connection, path, "alice", forgot, private=True)
            connection.set_trace_callback(None)
            kept = connection.execute("SELECT nick FROM events").fetchall()
        of_events = [read for read in reads if "kind = 'kicked'" not in read and "FROM deletions" not in read]
        self.assertEqual(len(of_events), 2)
        self.assertTrue(counted.getvalue().startswith("alice sent 1 private message and 1 line in rooms"))
        self.assertEqual(forgot.getvalue(), "Forgot 1 line and 1 private message alice sent.\n")
        self.assertEqual(kept, [("bob",)])
