"""A start's warning of a file of secrets that users other than its owner may open."""

import os
import shutil
import tempfile

from twisted.internet.testing import EventLoggingObserver
from twisted.logger import LogLevel, formatEvent, globalLogPublisher
from twisted.trial.unittest import SynchronousTestCase

from chatd.secret_files import warn_if_open


class WarnIfOpenTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.directory)
        # Typed for a trial TestCase; a SynchronousTestCase has the addCleanup it uses.
        self.logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]

    def file(self, name: str, mode: int) -> str:
        path = os.path.join(self.directory, name)
        with open(path, "w", encoding="utf-8") as made:
            made.write("secret\n")
        os.chmod(path, mode)
        return path

    def test_a_name_with_a_space_is_quoted_in_the_chmod(self) -> None:
        """The chmod to run is one a shell takes as it is, whatever the file's name: here one with a space."""
        path = self.file("my opers.txt", 0o604)
        warn_if_open([("opers", path)])
        self.assertEqual(
            [(event["log_level"], formatEvent(event)) for event in self.logged],
            [
                (
                    LogLevel.warn,
                    f"--opers {path} holds the operators' password hashes, and users other than its owner may read "
                    f"or change it (mode 0604); run chmod 600 '{path}'",
                )
            ],
        )

    def test_owner_only_missing_and_not_given_are_not_warned_of(self) -> None:
        """0600 and 0400 files, one gone since the start read it, and an option not given: no warning."""
        warn_if_open(
            [
                ("opers", self.file("opers.txt", 0o600)),
                ("tls-key", self.file("key.pem", 0o400)),
                ("opers", os.path.join(self.directory, "gone.txt")),
                ("tls-key", None),
            ]
        )
        self.assertEqual(list(self.logged), [])
