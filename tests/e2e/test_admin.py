"""``python -m chatd.admin`` run for real, on real SQLite files, beside a real daemon that has the file open."""

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import closing
from dataclasses import replace

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.encoding import decode_event
from chatd.domain.events import (
    Actor,
    BanAdded,
    BanLifted,
    Deleted,
    Encrypted,
    Event,
    Kicked,
    Muted,
    Quit,
    Unmuted,
    Whispered,
)
from chatd.domain.people import waiting_key
from chatd.storage.claim import Claim
from chatd.storage.pass_log import log_path
from chatd.storage.sqlite import SQLiteHistory
from chatd.storage.sqlite_open import _RESTORE
from tests.e2e.daemon import DEADLINE_SECONDS, Daemon, LineClient, opers_file, refused_start, run_admin
from tests.e2e.lobby import LOOPBACK, PROMPT, WELCOME
from tests.events import joined, kicked, parted, said, topic_changed
from tests.helpers import ThreadedReactor, new_folder, quick_hash

ADMIN = "python -m chatd.admin: "

OPER_PASSWORD = "correct horse"


def fill(path: str, events: Sequence[Event]) -> None:
    """Make the chatd database ``path`` hold ``events``, written by the store as the daemon writes them."""
    reactor = ThreadedReactor()
    store = SQLiteHistory.open(path, reactor)
    store.startService()
    for event in events:
        store.append(event)
    reactor.advance(0)
    reactor.run_until(store.stopService())


class AdminTestCase(SynchronousTestCase):
    """A directory to work in, with a chatd database at ``db``."""

    def setUp(self) -> None:
        self.directory = new_folder(self)
        self.db = os.path.join(self.directory, "chatd.sqlite")

    def admin(self, *arguments: str) -> tuple[int, str, str]:
        """Run ``python -m chatd.admin *arguments`` in the directory: its exit status, output and errors."""
        return run_admin(self.directory, *arguments)


class ExportTests(AdminTestCase):
    """export writes the kept events, whole, oldest first, one JSON object a line."""

    def setUp(self) -> None:
        super().setUp()
        alice = Actor("alice", "10.0.0.1")
        self.events: list[Event] = [
            replace(joined(1, "#lobby", "alice", 1), id="e1", actor=alice),
            replace(said(2, "#Dev", "alice", "in dev", 1), id="e2", actor=alice),
            replace(said(3, "#lobby", "alice", "hello ✓", 2), id="e3", actor=alice),
            replace(topic_changed(4, "#lobby", "alice", "news", 3), id="e4", actor=alice),
        ]
        fill(self.db, self.events)

    def test_every_kept_event_comes_out_whole(self) -> None:
        """Each line decodes to the event the daemon kept, address and all."""
        status, out, err = self.admin("export")
        self.assertEqual((status, err), (0, ""))
        self.assertEqual([decode_event(line) for line in out.splitlines()], self.events)

    def test_one_rooms_events(self) -> None:
        """--room gives one room's events, named as in /join (any case, # optional)."""
        status, out, _ = self.admin("export", "--room", "LOBBY", "--db", self.db)
        self.assertEqual(status, 0)
        self.assertEqual([json.loads(line)["id"] for line in out.splitlines()], ["e1", "e3", "e4"])

    def test_a_rooms_lines_as_people_saw_them(self) -> None:
        """--text writes the room's lines as a join shows them from history, dated, with no address: a transcript."""
        status, out, err = self.admin("export", "--room", "#lobby", "--text")
        self.assertEqual((status, err), (0, ""))
        self.assertEqual(
            out,
            "[1970-01-01 00:00] #lobby -- alice joined\n"
            "[1970-01-01 00:00] #lobby <alice> hello ✓\n"
            "[1970-01-01 00:00] #lobby -- alice set the topic: news\n",
        )


class PrivateExportTests(AdminTestCase):
    """export --text is a transcript to hand out: the rooms' lines, private messages only with --private."""

    def setUp(self) -> None:
        super().setUp()
        alice, bob = Actor("alice", "10.0.0.1", "alice"), Actor("bob", "10.0.0.2", "bob")
        fill(
            self.db,
            [
                replace(said(1, "#lobby", "alice", "hi all", 1), id="e1", actor=alice),
                Whispered(id="e2", at=2, actor=bob, to="alice", text="my secret", to_account="alice"),
            ],
        )

    def test_a_transcript_leaves_private_messages_out(self) -> None:
        """--text alone writes the room's line and not the private one."""
        status, out, err = self.admin("export", "--text")
        self.assertEqual((status, err), (0, ""))
        self.assertEqual(out, "[1970-01-01 00:00] #lobby <alice> hi all\n")

    def test_private_asks_for_them_too(self) -> None:
        """--text --private writes both, as they were shown."""
        status, out, err = self.admin("export", "--text", "--private")
        self.assertEqual((status, err), (0, ""))
        self.assertEqual(len(out.splitlines()), 2)
        self.assertIn("my secret", out.splitlines()[1])

    def test_private_without_a_transcript_is_one_sentence(self) -> None:
        """--private with JSON or with --room means nothing: one sentence, exit status 2, nothing written."""
        for arguments in (("--private",), ("--text", "--private", "--room", "#lobby")):
            status, out, err = self.admin("export", *arguments)
            self.assertEqual((status, out), (2, ""))
            self.assertEqual(len(err.splitlines()), 1, err)
            self.assertIn("--private goes with --text", err)


class PrivateForgetTests(AdminTestCase):
    """forget --private reaches the private messages sent under a nickname, every one kept, a former owner's too:
    once counted, and deleted only with --confirm."""

    def setUp(self) -> None:
        super().setUp()
        alice, bob = Actor("alice", "10.0.0.1", "alice"), Actor("bob", "10.0.0.2", "bob")
        former = Actor("Alice", "10.0.0.9", "alice")  # the account that had the nickname before, given up
        fill(
            self.db,
            [
                replace(said(1, "#lobby", "alice", "hi all", 1), id="e1", actor=alice),
                Whispered(id="e2", at=2, actor=former, to="bob", text="my old secret", to_account="bob"),
                Whispered(id="e3", at=3, actor=bob, to="alice", text="bob to alice", to_account="alice"),
                Encrypted(id="e4", at=4, actor=alice, to="bob", envelope="c2VhbGVk", to_account="bob"),
                Whispered(id="e5", at=5, actor=alice, to="bob", text="alice's new secret", to_account="bob"),
            ],
        )

    def kept(self) -> list[str]:
        """The ids of the events the file holds, oldest first."""
        with closing(sqlite3.connect(self.db)) as connection:
            return [event_id for (event_id,) in connection.execute("SELECT id FROM events ORDER BY position")]

    def test_private_says_how_many_and_deletes_nothing(self) -> None:
        """--private alone counts what was sent under the nickname, the former owner's message and the sealed one
        included, and says how to delete them; the file holds every event still."""
        self.assertEqual(
            self.admin("forget", "--private", "ALICE"),
            (
                0,
                "ALICE sent 3 private messages and 1 line in rooms, whoever had the nickname; "
                "forget --private --confirm ALICE deletes them, for good. Nothing was deleted.\n",
                "",
            ),
        )
        self.assertEqual(self.kept(), ["e1", "e2", "e3", "e4", "e5"])

    def test_private_confirm_deletes_them_and_the_lines(self) -> None:
        """--private --confirm deletes the room line and the three private messages sent under alice; bob's to her
        stays."""
        self.assertEqual(
            self.admin("forget", "--private", "--confirm", "alice"),
            (0, "Forgot 1 line and 3 private messages alice sent.\n", ""),
        )
        self.assertEqual(self.kept(), ["e3"])

    def test_without_private_they_stay(self) -> None:
        """forget NICK deletes room lines only, as it always did."""
        self.assertEqual(self.admin("forget", "alice"), (0, "Forgot 1 line alice sent.\n", ""))
        self.assertEqual(self.kept(), ["e2", "e3", "e4", "e5"])

    def test_confirm_without_private_is_refused_and_deletes_nothing(self) -> None:
        """--confirm asks for a deletion --private names: alone it is one sentence, and nothing goes."""
        self.assertEqual(
            self.admin("forget", "--confirm", "alice"),
            (
                2,
                "",
                ADMIN + "forget: --confirm goes with --private, for private messages; "
                "forget NICK alone deletes room lines without it.\n",
            ),
        )
        self.assertEqual(self.kept(), ["e1", "e2", "e3", "e4", "e5"])


class PresenceForgetTests(AdminTestCase):
    """forget NICK deletes NICK's joins, parts, quits and whatever else of theirs the chat needs no more, each with
    the address they came from; what a start reads back to restore the chat stays, and the output says both."""

    def setUp(self) -> None:
        super().setUp()
        now = time.time()
        dave, erin = Actor("dave", "10.0.0.4"), Actor("erin", "10.0.0.5")
        self.events: list[Event] = [
            replace(joined(1, "#lobby", "dave", 1), id="e1", actor=dave),
            replace(said(2, "#lobby", "dave", "hi", 2), id="e2", actor=dave),
            replace(topic_changed(3, "#lobby", "dave", "dave's topic", 3), id="e3", actor=dave),
            replace(joined(4, "#lobby", "erin", 4), id="e4", actor=erin),
            replace(topic_changed(5, "#lobby", "erin", "erin's topic", 5), id="e5", actor=erin),
            replace(kicked(6, "#lobby", "erin", "dave", "a kick long over", 6), id="e6", actor=dave),
            replace(parted(7, "#lobby", "Dave", "bye", 7), id="e7", actor=Actor("Dave", "10.0.0.4")),
            replace(joined(8, "#dev", "dave", 1), id="e8", actor=dave),
            replace(topic_changed(9, "#dev", "dave", "the room's last topic", 2), id="e9", actor=dave),
            Muted(id="e10", at=10, actor=dave, nick="mallory", until=None),
            Muted(id="e11", at=11, actor=erin, nick="trudy", until=None),
            Unmuted(id="e12", at=12, actor=dave, nick="trudy"),
            replace(kicked(now, "#dev", "erin", "dave", "a kick whose wait runs", 3), id="e13", actor=dave),
            BanAdded(id="e14", at=14, actor=erin, target="spammer", address=False, until=15),
            BanLifted(id="e15", at=14.5, actor=dave, target="spammer", address=False),
            Quit(id="e16", at=16, actor=dave, reason="gone"),
            Whispered(
                id="e17",
                at=17,
                actor=Actor("dave", "10.0.0.4", "dave"),
                to="erin",
                text="psst",
                to_account="erin",
            ),
        ]
        fill(self.db, self.events)

    def kept(self) -> list[str]:
        """The ids of the events the file holds, oldest first."""
        with closing(sqlite3.connect(self.db)) as connection:
            return [event_id for (event_id,) in connection.execute("SELECT id FROM events ORDER BY position")]

    def restored(self) -> list[str]:
        """The events a start reads back to restore the chat (its bans, mutes, topics and kicks), as written."""
        with closing(sqlite3.connect(self.db)) as connection:
            return [body for (_, body) in connection.execute(_RESTORE, (time.time(),))]

    def test_presence_goes_and_what_the_chat_needs_back_stays(self) -> None:
        """dave's joins, part, quit, superseded topic, a kick long over and a lift of a ban that has run out go; his
        room's last topic, his mute in force, his unmute of erin's mute (in force without it) and his running kick
        stay, so a start restores the same chat; his private message stays without --private."""
        before = self.restored()
        self.assertEqual(
            self.admin("forget", "DAVE"),
            (
                0,
                "Forgot 1 line DAVE sent, and 7 other events of theirs (joins, parts, quits and the like), addresses "
                "and all; kept 4 other events the chat needs to come back the same (a room's last topic or topic "
                "lock, a ban, mute or kick still in force).\n",
                "",
            ),
        )
        self.assertEqual(self.kept(), ["e4", "e5", "e9", "e10", "e11", "e12", "e13", "e14", "e17"])
        self.assertEqual(
            self.restored(), [body for body in before if '"e3"' not in body and '"e15"' not in body]
        )

    def test_a_ban_or_mute_someone_else_ended_goes(self) -> None:
        """erin's mute of trudy and ban of spammer, each ended since by dave, go with her join: the last event on
        each target, dave's, stays and says the same; her topic, the room's last, stays."""
        self.assertEqual(
            self.admin("forget", "erin"),
            (
                0,
                "Forgot 0 lines erin sent, and 3 other events of theirs (joins, parts, quits and the like), addresses "
                "and all; kept 1 other event the chat needs to come back the same (a room's last topic or topic "
                "lock, a ban, mute or kick still in force).\n",
                "",
            ),
        )
        self.assertEqual(
            self.kept(),
            ["e1", "e2", "e3", "e5", "e6", "e7", "e8", "e9", "e10", "e12", "e13", "e15", "e16", "e17"],
        )


class DeletionForgetTests(AdminTestCase):
    """forget NICK deletes the record of each line NICK deleted (``/delete``: their address and reason), as one of
    their other events; others' deletions stay, for clients that resume to be told."""

    def test_the_deletions_nick_made_go_and_others_stay(self) -> None:
        dave, erin = Actor("dave", "10.0.0.4"), Actor("erin", "10.0.0.5")
        lines = [replace(said(n, "#lobby", "erin", f"line {n}", n), id=f"{n:016x}") for n in (1, 2)]
        deletions = [
            Deleted(id=f"{10 + n:016x}", at=10 + n, actor=who, room="#lobby", line=f"{n:016x}", line_seq=n)
            for n, who in ((1, dave), (2, erin))
        ]
        fill(self.db, [*lines, *deletions])
        self.assertEqual(
            self.admin("forget", "DAVE"),
            (
                0,
                "Forgot 0 lines DAVE sent, and 1 other event of theirs (joins, parts, quits and the like), addresses "
                "and all.\n",
                "",
            ),
        )
        with closing(sqlite3.connect(self.db)) as connection:
            self.assertEqual(
                connection.execute("SELECT id, nick FROM deletions").fetchall(), [(f"{12:016x}", "erin")]
            )


class KickedForgetTests(AdminTestCase):
    """forget NICK takes NICK's address out of the kicks others gave them while they were not identified (the kick
    keeps it to hold them out of the room, by their nickname's look from their address), once the wait is over; a
    kick whose wait runs keeps it, so that a start holds them out still."""

    def setUp(self) -> None:
        super().setUp()
        now = time.time()
        erin, dave = Actor("erin", "10.0.0.5"), Actor("dave", "10.0.0.4")

        def kick(event_id: str, at: float, seq: int, whom: Actor, until: float) -> Kicked:
            """erin's kick of ``whom`` from #lobby, as the chat makes it: the person its wait holds is theirs."""
            return Kicked(
                id=event_id,
                at=at,
                actor=erin,
                room="#lobby",
                seq=seq,
                nick=whom.nick,
                reason="out",
                until=until,
                person=waiting_key(whom),
            )

        self.events: list[Kicked] = [
            kick("k1", 1, 1, dave, 61),
            kick("k2", 2, 2, replace(dave, nick="DAVE"), 62),
            kick("k3", 3, 3, replace(dave, account="dave"), 63),
            kick("k4", now, 4, dave, now + 3600),
            kick("k5", 5, 5, Actor("frank", "10.0.0.6"), 65),
        ]
        fill(self.db, self.events)

    def kept(self) -> list[Event]:
        """The events the file holds, oldest first."""
        with closing(sqlite3.connect(self.db)) as connection:
            return [
                decode_event(body)
                for (body,) in connection.execute("SELECT body FROM events ORDER BY position")
            ]

    def test_a_kick_over_loses_the_address_and_one_whose_wait_runs_keeps_it(self) -> None:
        """erin's two kicks of dave, in any case, that are over lose his address (the kick and its time stay); one of
        him identified never had it; the kick whose wait runs keeps it, and a start still holds him out; frank's
        stays as it was. The output says both."""
        self.assertEqual(
            [getattr(event, "person", None) for event in self.kept()][:3],
            ["look:dave@10.0.0.4", "look:dave@10.0.0.4", "account:dave"],
        )
        self.assertEqual(
            self.admin("forget", "Dave"),
            (
                0,
                "Forgot 0 lines Dave sent; took their address out of 2 kicks others gave them; kept 1 other event "
                "the chat needs to come back the same (a room's last topic or topic lock, a ban, mute or kick still "
                "in force).\n",
                "",
            ),
        )
        self.assertEqual(
            self.kept(),
            [replace(event, person="") if event.id in ("k1", "k2") else event for event in self.events],
        )
        with closing(sqlite3.connect(self.db)) as connection:
            restored = [decode_event(body).id for _, body in connection.execute(_RESTORE, (time.time(),))]
        self.assertEqual(restored, ["k4"])

    def test_forget_again_finds_nothing_more_to_take_out(self) -> None:
        """A kick whose address is gone is not counted again: the second forget says nothing of kicks over."""
        self.admin("forget", "dave")
        self.assertEqual(
            self.admin("forget", "dave")[1],
            "Forgot 0 lines dave sent; kept 1 other event the chat needs to come back the same (a room's last topic "
            "or topic lock, a ban, mute or kick still in force).\n",
        )


KILLED_WHILE_LOGGING = """
import json, os, signal, sys
from chatd.storage.sqlite import SQLiteHistory
from chatd.storage.sqlite_open import _RESTORE
from tests.events import said
from tests.helpers import ThreadedReactor

store = SQLiteHistory.open(sys.argv[1], ThreadedReactor())
for seq, (nick, text) in enumerate(json.loads(sys.argv[2]), 1):
    store.append(said(seq, "#lobby", nick, text, seq))
store.keep()  # in the pass log, as a pass's lines are before anyone is shown them; the writer never runs
os.kill(os.getpid(), signal.SIGKILL)
"""


class KilledDaemonTests(AdminTestCase):
    """On a file whose daemon was killed with lines in its pass log, each command sees those lines, and they
    stay as the command left them when the daemon starts again."""

    LINES = (("alice", "hello"), ("bob", "hi alice"), ("alice", "my address is 1 Elm St"))

    def setUp(self) -> None:
        super().setUp()
        fill(self.db, [])
        killed = subprocess.run(
            [sys.executable, "-c", KILLED_WHILE_LOGGING, self.db, json.dumps(self.LINES)],
            capture_output=True,
            timeout=DEADLINE_SECONDS,
            check=False,
        )
        self.assertEqual((killed.returncode, killed.stderr), (-9, b""))
        # What the test is about: the lines are in the log, and not (yet) in the database.
        self.assertGreater(os.path.getsize(log_path(self.db)), 0)
        self.assertEqual(self.kept_texts(), [])

    def kept_texts(self) -> list[str]:
        """The texts of the lines the database itself holds, oldest first."""
        with closing(sqlite3.connect(self.db)) as connection:
            query = "SELECT body ->> '$.text' FROM events WHERE kind = 'said' ORDER BY position"
            return [text for (text,) in connection.execute(query)]

    def unclean(self) -> str:
        """What the tool says on standard error as it commits the killed daemon's log (its --db as given: the default,
        in the folder it runs in), as a start would log it."""
        return f"{ADMIN}a daemon that did not stop cleanly left 1 record in --db {os.path.basename(self.db)}'s pass log, committed now.\n"

    def test_export_and_backup_hold_the_lines_of_the_log(self) -> None:
        """The log is committed first, so both hold every line, said once on standard error; the log is then empty,
        and the backup's export says nothing of it."""
        status, out, err = self.admin("export", "--room", "lobby")
        self.assertEqual((status, err), (0, self.unclean()))
        self.assertEqual([json.loads(line)["text"] for line in out.splitlines()], [t for _, t in self.LINES])
        self.assertEqual(os.path.getsize(log_path(self.db)), 0)
        self.assertEqual(self.admin("backup", "copy.sqlite")[0], 0)
        status, out, err = self.admin("--db", "copy.sqlite", "export")
        self.assertEqual((len(out.splitlines()), err), (3, ""))

    def test_forgotten_lines_do_not_come_back_when_the_daemon_starts(self) -> None:
        """forget takes alice's two lines out; the daemon started afterwards replays bob's alone."""
        self.assertEqual(self.admin("forget", "alice"), (0, "Forgot 2 lines alice sent.\n", self.unclean()))
        daemon = Daemon.start(self, [*LOOPBACK, "--db", self.db])
        carol = daemon.connect()
        carol.expect(WELCOME, PROMPT)
        carol.say("carol")
        shown = b""
        while b"End of history" not in (line := carol.read_line()):
            shown += line
        self.assertIn(b"hi alice", shown)
        self.assertNotIn(b"hello", shown)
        self.assertNotIn(b"Elm St", shown)
        self.assertEqual(self.kept_texts(), ["hi alice"])

    def test_a_daemon_cannot_start_while_the_tool_has_the_file(self) -> None:
        """The claim is the tool's while it works: a start then is one sentence, and the file is left alone."""
        claim = Claim.take(self.db)  # as the tool holds it for its command
        assert claim is not None
        self.addCleanup(claim.release)
        status, out, err = refused_start(self, [*LOOPBACK, "--db", self.db])
        self.assertEqual(
            (status, out, err),
            (
                1,
                "",
                f"chatd: --db {self.db} is in use by another chatd or by python -m chatd.admin; stop it, "
                "or give another file.\n",
            ),
        )
        self.assertGreater(os.path.getsize(log_path(self.db)), 0)


class MistakeTests(AdminTestCase):
    """Every mistake is one sentence on standard error and status 2; no file is made or changed."""

    def assert_refused(self, arguments: Sequence[str], sentence: str) -> None:
        self.assertEqual(self.admin(*arguments), (2, "", ADMIN + sentence + "\n"))

    def test_a_missing_file_is_named_and_not_made(self) -> None:
        """A --db that does not exist is refused, and still does not exist."""
        self.assert_refused(
            ["export"], "--db chatd.sqlite does not exist; give the file the daemon's --db names."
        )
        self.assertEqual(os.listdir(self.directory), [])

    def test_a_folder_is_named_as_a_folder(self) -> None:
        """A --db that is a folder (the one the file is in, say) is refused as a folder: it was said not to exist."""
        fill(self.db, [])
        for db in (".", "./"):
            self.assert_refused(
                ["--db", db, "export"],
                f"--db {db} is a folder; give the file in it that the daemon's --db names.",
            )

    def test_forget_of_what_no_nickname_can_be_is_refused_before_the_file_is_opened(self) -> None:
        """An empty NICK, or one holding a space, is refused in the nickname rule's words and nothing is touched: it
        answered "Forgot 0 lines  sent."."""
        fill(self.db, [])
        before = sorted(os.listdir(self.directory))
        self.assert_refused(["forget", ""], "forget: '' is not a valid nickname: a nickname cannot be empty.")
        self.assert_refused(
            ["forget", "bob smith"],
            "forget: 'bob smith' is not a valid nickname: a nickname holds only letters, digits, '-', '_', '[', ']', "
            "'{', '}', '\\', '|', '^' and '`'.",
        )
        self.assertEqual(sorted(os.listdir(self.directory)), before)

    def test_a_file_that_is_not_chatds_is_refused_untouched(self) -> None:
        """Another program's database, and a text file, are refused as the daemon refuses them, but for the advice:
        the tool makes no file, so a new file's name would only be refused again, as one that does not exist."""
        with closing(sqlite3.connect(self.db)) as connection:
            connection.execute("CREATE TABLE notes (text)")
        self.assert_refused(
            ["forget", "bob"],
            "--db chatd.sqlite is not a chatd database; give the file the daemon's --db names.",
        )
        with open(os.path.join(self.directory, "notes.txt"), "w", encoding="utf-8") as notes:
            notes.write("my notes\n" * 100)
        self.assert_refused(
            ["--db", "notes.txt", "backup", "copy.sqlite"],
            "--db notes.txt cannot be used (file is not a database); restore it from a backup, "
            "or move it away to start with an empty one.",
        )
        self.assertFalse(os.path.exists(os.path.join(self.directory, "copy.sqlite")))

    def test_a_pass_log_the_tool_cannot_read_is_one_sentence(self) -> None:
        """A pass log it cannot open (here a directory; a file of another user's, as often) is named."""
        fill(self.db, [])
        os.mkdir(log_path(self.db))
        self.assert_refused(
            ["export"],
            f"--db chatd.sqlite's pass log {log_path('chatd.sqlite')} cannot be read or emptied (Is a directory); "
            "run this as the user who owns it, or move it away to start without the lines it holds.",
        )

    def test_a_pass_log_record_of_another_shape_is_one_sentence(self) -> None:
        """A record whose number is past 64 bits, or whose change is no list, is the daemon's sentence for a damaged
        log, status 2 and nothing exported: each was a traceback (OverflowError, TypeError)."""
        fill(self.db, [])
        for record, why in (
            (
                "[99999999999999999999,[],[]]",
                "a record's number is not a whole number from 1 to 9223372036854775807",
            ),
            ("[1,[],[5]]", "record 1 holds a change that is not a list of statements"),
        ):
            with open(log_path(self.db), "w", encoding="utf-8") as log:
                log.write(record + "\n")
            self.assert_refused(
                ["export"],
                f"--db chatd.sqlite's pass log {log_path('chatd.sqlite')} is damaged ({why}); move it away to start "
                "without the lines it holds.",
            )

    def test_bad_arguments_are_one_sentence(self) -> None:
        """An existing backup file, a bad room name and an unknown command are each one sentence."""
        fill(self.db, [])
        self.assert_refused(
            ["backup", "chatd.sqlite"],
            "chatd.sqlite exists already; give the name of a new file for the backup.",
        )
        status, out, err = self.admin("export", "--room", "#a b")
        self.assertEqual((status, out), (2, ""))
        self.assertRegex(err, r"^python -m chatd\.admin: --room: [^\n]+\.\n$")
        status, _, err = self.admin("restore")
        self.assertEqual(status, 2)
        self.assertRegex(err, r"^python -m chatd\.admin: [^\n]+; --help lists what it takes\.\n$")

    def test_a_bad_room_name_lists_the_characters_a_room_name_holds_quoted(self) -> None:
        """The room name's rule ends the sentence without a run of dots: each character it allows is quoted."""
        fill(self.db, [])
        self.assert_refused(
            ["export", "--room", "bad room"],
            "--room: '#bad room' is not a valid room name: a room name holds only letters, digits, '-', '_' and '.'.",
        )


class LiveDaemonTests(AdminTestCase):
    """backup and forget work on the file of a daemon that runs, and the daemon goes on working."""

    def enter(self, daemon: Daemon, nick: str) -> LineClient:
        """``nick`` in #lobby, reading JSON lines from now on."""
        client = daemon.connect()
        client.expect(WELCOME, PROMPT)
        client.say(nick)
        client.say("/format json")
        while not client.read_line().startswith(b"{"):
            pass
        return client

    def committed(self, text: str, field: str = "text") -> None:
        """Wait (up to the e2e deadline) until an event whose ``field`` is ``text`` (a line of ``text``, by default)
        is committed to the --db file: the daemon commits what it was shown a moment later, in order."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        query = f"SELECT count(*) FROM events WHERE body ->> '$.{field}' = ?"
        while True:
            with closing(sqlite3.connect(self.db)) as connection:
                if connection.execute(query, (text,)).fetchone()[0]:
                    return
            self.assertLess(time.monotonic(), deadline, f"{field} {text!r} was never committed")
            time.sleep(0.01)

    def said(self, client: LineClient) -> dict[str, object]:
        """The next line said that ``client`` is shown, skipping everything else."""
        while (line := client.expect_json())["type"] != "said":
            pass
        return line

    def test_backup_and_forget_while_the_daemon_runs(self) -> None:
        """A backup holds what was said; forget removes one user's lines from what a newcomer is replayed."""
        daemon = Daemon.start(self, [*LOOPBACK, "--db", self.db])
        alice = self.enter(daemon, "alice")
        bob = self.enter(daemon, "bob")
        for n, speaker in enumerate([alice, bob, alice, bob]):
            speaker.say(f"line {n}")
            self.said(alice)
            self.said(bob)

        status, out, err = self.admin("backup", "--db", self.db, "copy.sqlite")
        self.assertEqual((status, out, err), (0, f"Backed up {self.db} to copy.sqlite.\n", ""))
        status, out, _ = self.admin("--db", "copy.sqlite", "export", "--room", "#lobby")
        texts = [json.loads(line).get("text") for line in out.splitlines()]
        self.assertEqual([text for text in texts if text], ["line 0", "line 1", "line 2", "line 3"])

        self.assertEqual(
            self.admin("--db", self.db, "forget", "ALICE"),
            (
                0,
                "Forgot 2 lines ALICE sent, and 1 other event of theirs (joins, parts, quits and the like), "
                "addresses and all.\n",
                "",
            ),
        )
        alice.say("after the forgetting")
        self.assertEqual(self.said(bob)["text"], "after the forgetting")
        # Shown once in the pass log; the daemon sees the forgetting when that line is committed, soon after.
        self.committed("after the forgetting")
        carol = self.enter(daemon, "carol")
        carol.say("/history 10")
        replayed = []
        while (line := carol.expect_json()).get("kind") != "history_end":
            if line["type"] == "said":
                replayed.append((line["nick"], line["text"]))
        self.assertEqual(replayed, [("bob", "line 1"), ("bob", "line 3"), ("alice", "after the forgetting")])

    def test_the_next_to_join_is_not_replayed_what_forget_took_out(self) -> None:
        """Right after forget, nothing committed since, whoever joins is not replayed the lines it took out: the
        daemon reads each room's last lines from the file again, not from memory. Before, the first to join (whose
        join was then the daemon's next commit) was shown them."""
        daemon = Daemon.start(self, [*LOOPBACK, "--db", self.db])
        alice = self.enter(daemon, "alice")
        bob = self.enter(daemon, "bob")
        alice.say("a secret")
        self.assertEqual(self.said(bob)["text"], "a secret")
        bob.say("kept")
        self.assertEqual(self.said(alice)["text"], "a secret")
        self.assertEqual(self.said(alice)["text"], "kept")
        self.committed("kept")
        self.assertEqual(
            self.admin("--db", self.db, "forget", "alice"),
            (
                0,
                "Forgot 1 line alice sent, and 1 other event of theirs (joins, parts, quits and the like), "
                "addresses and all.\n",
                "",
            ),
        )
        carol = daemon.connect()
        carol.expect(WELCOME, PROMPT)
        carol.say("carol")
        shown = []
        while not (line := carol.read_line().decode().rstrip("\r\n")).startswith("*** End of history"):
            shown.append(line)
        self.assertEqual([line.split("] ", 1)[1] for line in shown if "<" in line], ["#lobby <bob> kept"])

    def test_a_rooms_export_follows_a_member_renamed_to_the_kill_under_the_new_nickname(self) -> None:
        """alice joins #class, takes the nickname alicia and is killed by an operator; carol, in #lobby alone, is
        renamed and killed too. #class's transcript, exported beside the daemon, names alice's new nickname and her
        kill, as #class was shown them, and nothing of carol's; the whole file's export holds both of each."""
        opers = opers_file(self, quick_hash(OPER_PASSWORD))
        daemon = Daemon.start(self, [*LOOPBACK, "--db", self.db, "--opers", opers])
        boss = self.enter(daemon, "boss")
        boss.say(f"/oper boss {OPER_PASSWORD}")
        alice = self.enter(daemon, "alice")
        carol = self.enter(daemon, "carol")
        alice.say("/join #class")
        alice.say("/nick alicia")
        carol.say("/nick caroline")
        # Both renames, on two connections, in either order: a kill of alicia before hers is no-such-nick.
        renamed: set[str] = set()
        while renamed != {"alicia", "caroline"}:
            if (line := boss.expect_json())["type"] == "nick_changed":
                renamed.add(str(line["new"]))
        boss.say("/kill alicia spam")
        boss.say("/kill caroline")
        while (line := boss.expect_json())["type"] != "killed" or line["nick"] != "caroline":
            pass
        self.committed("caroline", field="nick")  # the last event: every one before it is committed too

        status, out, err = self.admin("export", "--room", "#class", "--text")
        self.assertEqual((status, err), (0, ""))
        self.assertEqual(
            [line.split("] ", 1)[1] for line in out.splitlines()],
            [
                "#class -- alice joined",
                "-- alice is now known as alicia",
                "-- alicia was killed by boss (spam)",
            ],
        )
        status, out, err = self.admin("export")
        kinds = [json.loads(line)["type"] for line in out.splitlines()]
        self.assertEqual((kinds.count("nick_changed"), kinds.count("killed")), (2, 2))
