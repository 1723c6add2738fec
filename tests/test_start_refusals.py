"""Starts of twistd chatd that are refused, run through twistd's own entry point in this process
(tests.refusals): each ends with status 1 and one sentence naming the option, never a traceback.

A refused start as a process cost some 0.6 s of CPU in imports to print
that sentence. Each road a refusal takes through twistd is still tried once
as a process, in tests/e2e/test_start.py and tests/e2e/test_store.py; the
refusals of a port are run this way there too (``PortTests``), where a test
that opens a socket belongs.
"""

import os
import sqlite3
from contextlib import closing

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.events import Actor, BanAdded
from tests.e2e.daemon import TAC
from tests.e2e.lobby import LOOPBACK, NAME
from tests.e2e.test_admin import fill
from tests.helpers import new_database
from tests.refusals import LOCAL, RefusedStartCase, twistd_refused


class BadOptionTests(RefusedStartCase):
    """A value chatd cannot take, or a file named that it cannot use, stops twistd chatd and chatd.tac in one
    sentence naming the option."""

    def test_a_listen_endpoint_that_cannot_be_used_is_one_sentence(self) -> None:
        """A --listen port that is not a number or past 65535, an IPv6 interface with its colons unescaped, an ssl:
        endpoint without its certificate or with one that is not PEM: each is one sentence naming the --listen as
        given and what in it is wrong, of any front end. They were Python's words (``invalid literal for int()``,
        ``_parseTCP() got multiple values``), a traceback, or "a --listen endpoint" naming none."""
        notes = os.path.join(self.directory, "notes.txt")
        with open(notes, "w", encoding="utf-8") as file:
            file.write("not a certificate\n")
        pem = os.path.join(self.directory, "server.pem")  # there is none
        for listen, sentence in (
            ("irc:tcp:abc", "--listen 'irc:tcp:abc': the port must be a number, not 'abc'."),
            (
                "tcp:5000:interface=::1",
                "--listen 'tcp:5000:interface=::1': write each colon inside a value as \\:, "
                "e.g. tcp:5000:interface=\\:\\:1.",
            ),
            ("tcp:70000", "--listen 'tcp:70000': the port must be 0 to 65535, not 70000."),
            (
                "web:tcp:-1:interface=127.0.0.1",
                "--listen 'web:tcp:-1:interface=127.0.0.1': the port must be 0 to 65535, not -1.",
            ),
            (
                f"ssl:0:certKey={pem}",
                f"--listen 'ssl:0:certKey={pem}': cannot read {pem} (No such file or directory); "
                "name its files, e.g. ssl:6697:certKey=cert.pem:privateKey=key.pem.",
            ),
            (
                f"ssl:0:certKey={notes}:privateKey={notes}",
                f"--listen 'ssl:0:certKey={notes}:privateKey={notes}': its certKey and privateKey "
                "must be a PEM certificate and its key.",
            ),
        ):
            self.assert_refused(["chatd", "--name", NAME, "--db", ":memory:", "--listen", listen], sentence)

    def test_db_in_a_folder_that_cannot_be_written_is_named(self) -> None:
        """Without --files, a --db whose folder cannot hold files is what the sentence names, not the default
        files folder beside it that the start met first."""
        db = os.path.join(self.notes(), "chatd.sqlite")
        self.assert_refused(
            self.chatd(*LOCAL, "--db", db),
            f"--db {db} cannot be opened (Not a directory); give a file in a directory the daemon may write.",
        )

    def test_db_in_a_folder_that_does_not_exist_is_named(self) -> None:
        """A --db whose folder does not exist is refused the same way with --files elsewhere or without, and no folder
        is made: the default files folder beside it made the whole path, and the start gave an empty new chat."""
        db = os.path.join(self.directory, "nonexist", "dir", "x.sqlite")
        sentence = f"--db {db} cannot be opened (No such file or directory); give a file in a directory the daemon may write."
        before = sorted(os.listdir(self.directory))
        self.assert_refused(self.chatd(*LOCAL, "--db", db), sentence)
        self.assertEqual(sorted(os.listdir(self.directory)), before)
        self.assert_refused(
            self.chatd(*LOCAL, "--db", db, "--files", os.path.join(self.directory, "spool")), sentence
        )
        self.assertEqual(sorted(os.listdir(self.directory)), before)

    def test_files_given_in_a_folder_that_cannot_be_written_is_named(self) -> None:
        """A --files given, that cannot be made, is what the sentence names; the --db beside it is not made."""
        files = os.path.join(self.notes(), "spool")
        before = sorted(os.listdir(self.directory))
        self.assert_refused(
            self.chatd(*LOCAL, "--db", os.path.join(self.directory, "new.sqlite"), "--files", files),
            f"--files {files} cannot be used (Not a directory); give a folder the daemon may write.",
        )
        self.assertEqual(sorted(os.listdir(self.directory)), before)

    def test_files_given_under_a_missing_folder_is_named_and_nothing_is_made(self) -> None:
        """A --files whose parent is missing is refused naming the parent, as mkdir without -p: the start made the
        whole path, so a typo in it brought folders into being."""
        files = os.path.join(self.directory, "missing", "a", "b")
        before = sorted(os.listdir(self.directory))
        self.assert_refused(
            self.chatd(*LOCAL, "--db", os.path.join(self.directory, "new.sqlite"), "--files", files),
            f"--files {files} cannot be made: {os.path.dirname(files)} does not exist; "
            "make that folder first, or give one that exists.",
        )
        self.assertEqual(sorted(os.listdir(self.directory)), before)

    def test_db_naming_a_folder_is_named(self) -> None:
        """A --db that is a folder, or ends in a /, is refused as a folder, and no files folder is made in it."""
        for db in (self.directory, os.path.join(self.directory, "")):
            before = sorted(os.listdir(self.directory))
            self.assert_refused(
                self.chatd(*LOCAL, "--db", db),
                f"--db {db} names a folder; give a file's path, made if missing.",
            )
            self.assertEqual(sorted(os.listdir(self.directory)), before)

    def test_limit_not_a_number(self) -> None:
        """A limit that is not a number is refused by name."""
        self.assert_refused(self.chatd("--flood-rate", "fast"), "--flood-rate must be a number, not 'fast'.")

    def test_whole_number_too_long_to_count(self) -> None:
        """--flood-burst 1 and 400 zeros is refused by name: it started, and the first line anyone sent was an
        OverflowError in the reactor (a float holds no number of 309 digits)."""
        self.assert_refused(
            self.chatd(*LOCAL, "--flood-burst", "1" + "0" * 400),
            "--flood-burst must be a whole number of at most 15 digits, not one of 401.",
        )

    def test_a_wait_past_its_most(self) -> None:
        """--register-timeout 1e300 is refused by name with its most: it started, and a connection that never chose
        a nickname was never closed."""
        self.assert_refused(
            self.chatd(*LOCAL, "--register-timeout", "1e300"),
            "--register-timeout must be at most 86400 (a day), not 1e+300.",
        )

    def test_a_rate_below_its_least(self) -> None:
        """--flood-rate 1e-320 is refused by name with its least: it started, and a connection past its burst
        waited forever (a line's wait, 1/1e-320, is infinite), never read again nor cut off."""
        self.assert_refused(
            self.chatd(*LOCAL, "--flood-rate", "1e-320"),
            "--flood-rate must be at least 1/86400 (a line a day), not 1e-320.",
        )

    def test_a_wait_below_its_least(self) -> None:
        """--register-timeout 1e-320 is refused by name with its least: it started, and closed every connection,
        a nickname in its first bytes or not, "within 9.99989e-321 s"."""
        self.assert_refused(
            self.chatd(*LOCAL, "--register-timeout", "1e-320"),
            "--register-timeout must be at least 0.001 (a millisecond), not 1e-320.",
        )

    def test_a_size_past_its_most(self) -> None:
        """--file-max-size 1e296T is refused by name with the most of every size: it started, and the welcome gave
        the largest file as a number of 309 digits."""
        self.assert_refused(
            self.chatd(*LOCAL, "--file-max-size", "1e296T"),
            "--file-max-size must be at most 512T (512 TiB), not '1e296T'.",
        )

    def test_server_room_longer_than_max_room_name(self) -> None:
        """A --default-room or --room no join could make under --max-room-name is named, with the fix."""
        self.assert_refused(
            self.chatd(*LOCAL, "--default-room", "lobby2", "--max-room-name", "6"),
            "--default-room: '#lobby2' is not a valid room name: a room name is at most 6 characters; "
            "give a shorter name or a larger --max-room-name.",
        )
        self.assert_refused(
            self.chatd(*LOCAL, "--room", "#toolongname", "--max-room-name", "6"),
            "--room: '#toolongname' is not a valid room name: a room name is at most 6 characters; "
            "give a shorter name or a larger --max-room-name.",
        )

    def test_a_limit_of_one_reads_in_the_singular(self) -> None:
        """A --max-room-name of 1 refuses the default room saying "1 character", not "1 characters"."""
        self.assert_refused(
            self.chatd(*LOCAL, "--max-room-name", "1"),
            "--default-room: '#lobby' is not a valid room name: a room name is at most 1 character; "
            "give a shorter name or a larger --max-room-name.",
        )

    def test_server_name_that_is_no_host_name(self) -> None:
        """A --server-name with a space, which no IRC line can carry as its source, stops the start naming the option;
        it started, and every IRC connection failed in registration with a traceback in the log."""
        self.assert_refused(
            ["chatd", *LOCAL, "--irc-port", "0", "--server-name", "Class 7B"],
            "--server-name 'Class 7B' is not a host name, as IRC and the page's links need: give --server-name as "
            "parts separated by '.', each of letters, digits, '-' and '_' and beginning and ending with a letter or "
            "digit, at most 63 characters in all, e.g. chat.example.org.",
        )

    def test_twistds_nodaemon_after_chatd(self) -> None:
        """twistd -n chatd -n --console, README's -n given again after chatd, stops saying the -n is twistd's; it
        started with the server named --console and no console."""
        self.assert_refused(
            ["chatd", "-n", "--console", *LOCAL],
            "option -n (--nodaemon) is twistd's, not chatd's, and goes before the word chatd; "
            "twistd chatd --help lists chatd's options.",
        )

    def test_unquoted_words_of_an_option(self) -> None:
        """A value of several words without quotes names the first word left over and the option before it; it said
        "Wrong number of arguments.", naming nothing."""
        self.assert_refused(
            self.chatd(*LOCAL, "--motd", "Welcome", "to", "class", "7B"),
            "the word 'to' after --motd was not taken: chatd takes only options, so give an option's words in quotes.",
        )

    def test_unknown_option(self) -> None:
        """An option chatd does not have points to --help instead of printing it."""
        self.assert_refused(
            self.chatd("--prot", "5000"),
            "option --prot not recognized; twistd chatd --help lists the options.",
        )

    def test_missing_certificate(self) -> None:
        """A --tls-cert that cannot be read is named."""
        missing = os.path.join(self.directory, "missing.pem")
        self.assert_refused(
            self.chatd("--tls-port", "0", "--tls-cert", missing, "--tls-key", self.key),
            f"--tls-cert: cannot read the certificate {missing}: No such file or directory; "
            "give a readable PEM certificate.",
        )

    def test_certificate_given_as_key(self) -> None:
        """A --tls-key that holds no key is named."""
        self.assert_refused(
            self.chatd("--tls-port", "0", "--tls-cert", self.certificate, "--tls-key", self.certificate),
            f"--tls-key: {self.certificate} holds no PEM private key; give a readable PEM private key.",
        )

    def test_tac_bad_values(self) -> None:
        """chatd.tac refuses a bad value or flag in one sentence."""
        self.assert_refused(["-y", TAC], "--port must be a whole number, not 'abc'.", {"CHATD_PORT": "abc"})
        self.assert_refused(
            ["-y", TAC], "CHATD_CONSOLE must be 1 (--console) or 0, not 'yes'.", {"CHATD_CONSOLE": "yes"}
        )
        self.assert_refused(
            ["-y", TAC],
            f"--tls-key: {self.certificate} holds no PEM private key; give a readable PEM private key.",
            {"CHATD_TLS_PORT": "0", "CHATD_TLS_CERT": self.certificate, "CHATD_TLS_KEY": self.certificate},
        )

    def test_tac_misspelt_variable(self) -> None:
        """chatd.tac stops on a CHATD_ name that is no option's, naming the nearest; CHATD_PROT was ignored and the
        daemon started on the default port, on every interface (here loopback, so the old start stayed local)."""
        self.assert_refused(
            ["-y", TAC],
            "CHATD_PROT names no option (the nearest is CHATD_PORT); each option of twistd chatd --help but --help "
            "and --version has one, CHATD_ and its name in capitals with - as _.",
            {"CHATD_PROT": "5139", "CHATD_PORT": "0", "CHATD_INTERFACE": "127.0.0.1"},
        )


class BadFileTests(SynchronousTestCase):
    """A --db file chatd cannot use stops twistd with status 1 and one sentence, no traceback."""

    def setUp(self) -> None:
        self.db = new_database(self)

    def test_a_pass_log_record_of_another_shape_stops_the_start(self) -> None:
        """A pass log record holding a number past 64 bits, a change that is no list, or a row of seven fields is
        one sentence naming --db and its log, and status 1: each was a traceback (OverflowError, TypeError) or blamed
        the --db file. The log is left where it was."""
        fill(self.db, [])
        for record, why in (
            (
                '[1,[],[["UPDATE rooms SET last_seq = ?",[99999999999999999999]]]]',
                "record 1 holds a statement that is not [SQL, [values SQLite keeps]]",
            ),
            ("[1,[],[5]]", "record 1 holds a change that is not a list of statements"),
            (
                '[1,[[1,"a","said","#lobby",1,1.0,"alice"]],[]]',
                "record 1 holds a row that is not an event as chatd logs one",
            ),
        ):
            with open(f"{self.db}-passes", "w", encoding="utf-8") as log:
                log.write(record + "\n")
            status, out, err = twistd_refused(self, [*LOOPBACK, "--db", self.db])
            self.assertEqual(
                (status, err, out),
                (
                    1,
                    f"chatd: --db {self.db}'s pass log {self.db}-passes is damaged ({why}); move it away to start "
                    "without the lines it holds.\n",
                    "",
                ),
            )
            with open(f"{self.db}-passes", encoding="utf-8") as log:
                self.assertEqual(log.read(), record + "\n")

    def test_a_row_of_events_no_event_stops_the_start_naming_it(self) -> None:
        """A ban's row whose body was written over by hand is one sentence naming the --db file, the table and the
        row, and status 1: it had blamed the pass log, which did not exist."""
        fill(
            self.db,
            [BanAdded(id="b1", at=1.0, actor=Actor("boss"), target="troll", address=False, until=None)],
        )
        with closing(sqlite3.connect(self.db)) as connection, connection:
            connection.execute('UPDATE events SET body = \'{"type": "ban_added"}\'')
        status, out, err = twistd_refused(self, [*LOOPBACK, "--db", self.db])
        self.assertEqual(
            (status, err, out),
            (
                1,
                f"chatd: --db {self.db}'s table events holds the row at position 1, which chatd cannot read as an "
                "event; delete that row, or restore the file from a backup.\n",
                "",
            ),
        )

    def test_a_file_of_another_program_stops_the_start(self) -> None:
        """A file that is not a chatd database is named, and left as it was."""
        with open(self.db, "w", encoding="utf-8") as text:
            text.write("my notes\n" * 200)
        status, out, err = twistd_refused(self, [*LOOPBACK, "--db", self.db])
        self.assertEqual(
            (status, err, out),
            (
                1,
                f"chatd: --db {self.db} cannot be used (file is not a database); "
                "restore it from a backup, or move it away to start with an empty one.\n",
                "",
            ),
        )
        with open(self.db, encoding="utf-8") as text:
            self.assertEqual(text.read(), "my notes\n" * 200)
