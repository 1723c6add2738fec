"""A room's offer reaches whoever joins the room while it is open, on a real daemon over TCP (issue 16)."""

import os
import signal

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import Daemon
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_web_files import content, fetch, json_user, next_of, upload
from tests.helpers import new_folder


class LateJoinerTests(SynchronousTestCase):
    def test_a_program_joining_after_a_room_offer_is_offered_it_and_fetches_it(self) -> None:
        """alice offers #lobby a file with bob there; carol comes in after and reads the same offer, fetches it
        byte for byte, and alice hears that bob is still left to fetch it."""
        directory = new_folder(self)
        daemon = Daemon.start(self, [*LOOPBACK, "--files", os.path.join(directory, "files")])
        alice = json_user(daemon, "alice")
        bob = json_user(daemon, "bob")
        data = content(40_000)
        file_id = upload(alice, "#lobby", "worksheet.pdf", data, "application/pdf")
        offered = next_of(bob, "file_offered", file=file_id)
        carol = json_user(daemon, "carol")
        late = next_of(carol, "file_offered", file=file_id)
        self.assertEqual(
            {key: value for key, value in late.items() if key not in ("id", "at")},
            {key: value for key, value in offered.items() if key not in ("id", "at")},
        )
        self.assertEqual(fetch(carol, file_id), data)
        self.assertEqual(
            next_of(alice, "file_fetched", file=file_id),
            {"type": "file_fetched", "file": file_id, "nick": "carol", "left": 1},
        )

    def test_a_room_offer_made_before_the_class_outlives_its_fetchers_its_sender_and_a_restart(self) -> None:
        """alice, alone in #maths, offers it a worksheet; bob comes, fetches it (nobody offered it is left), alice
        quits and the daemon restarts on the same --db and --files: carol joining #maths after all that is offered
        it and fetches it byte for byte. dave, who joined late and was still to fetch it when the daemon stopped, is
        not in its kept record: joining again, he is offered it again."""
        directory = new_folder(self)
        arguments = [
            *LOOPBACK,
            "--db",
            os.path.join(directory, "chatd.sqlite"),
            "--files",
            os.path.join(directory, "files"),
        ]
        daemon = Daemon.start(self, arguments)
        alice = json_user(daemon, "alice")
        alice.say("/join #maths")
        data = content(40_000, seed=5)
        file_id = upload(alice, "#maths", "worksheet.pdf", data, "application/pdf")
        bob = json_user(daemon, "bob")
        bob.say("/join #maths")
        next_of(bob, "file_offered", file=file_id)
        self.assertEqual(fetch(bob, file_id), data)
        self.assertEqual(
            next_of(alice, "file_fetched", file=file_id),
            {"type": "file_fetched", "file": file_id, "nick": "bob", "left": 0},
        )
        dave = json_user(daemon, "dave")
        dave.say("/join #maths")
        next_of(dave, "file_offered", file=file_id)
        alice.say("/quit")
        daemon.signal(signal.SIGTERM)
        daemon = Daemon.start(self, arguments)
        dave = json_user(daemon, "dave")
        dave.say("/join #maths")
        next_of(dave, "file_offered", file=file_id)
        carol = json_user(daemon, "carol")
        carol.say("/join #maths")
        offered = next_of(carol, "file_offered", file=file_id)
        self.assertEqual(
            (offered["nick"], offered["to"], offered["name"]), ("alice", "#maths", "worksheet.pdf")
        )
        self.assertEqual(fetch(carol, file_id), data)
