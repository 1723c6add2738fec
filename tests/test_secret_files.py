"""A start's warning of a file of secrets that users other than its owner may open."""

import os

from twisted.internet.testing import EventLoggingObserver
from twisted.logger import LogLevel, formatEvent, globalLogPublisher
from twisted.trial.unittest import SynchronousTestCase

from chatd.secret_files import endpoint_key, given, warn_if_open
from tests.helpers import new_folder


class WarnIfOpenTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.directory = new_folder(self)
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
        warn_if_open([given("opers", path)])
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
                given("opers", self.file("opers.txt", 0o600)),
                given("tls-key", self.file("key.pem", 0o400)),
                given("opers", os.path.join(self.directory, "gone.txt")),
            ]
        )
        self.assertEqual(list(self.logged), [])

    def test_a_listen_endpoints_key_others_may_read_is_warned_of_naming_the_endpoint(self) -> None:
        """The key of an ssl: endpoint given to --listen (here the web front end's) is the TLS private key too: one
        others may read is one warning naming the file, the --listen value as typed and the chmod."""
        key = self.file("web.key", 0o644)
        endpoint = f"ssl:0:privateKey={key}:certKey=web.crt"
        secret = endpoint_key(f"web:{endpoint}", endpoint)
        assert secret is not None, "an ssl: endpoint reads a key"
        warn_if_open([secret])
        self.assertEqual(
            [formatEvent(event) for event in self.logged],
            [
                f"{key} is the TLS private key of --listen web:{endpoint}, and users other than its owner may read "
                f"or change it (mode 0644); run chmod 600 {key}"
            ],
        )

    def test_a_key_named_twice_is_warned_of_once(self) -> None:
        """One key given to --tls-key and, by another path to it, to a --listen endpoint: one warning, as first
        named."""
        key = self.file("server.key", 0o640)
        endpoint = f"ssl:0:privateKey={self.directory}/./server.key"
        secret = endpoint_key(endpoint, endpoint)
        assert secret is not None, "an ssl: endpoint reads a key"
        warn_if_open([given("tls-key", key), secret])
        self.assertEqual(
            [formatEvent(event) for event in self.logged],
            [
                f"--tls-key {key} is the TLS private key, and users other than its owner may read or change it "
                f"(mode 0640); run chmod 600 {key}"
            ],
        )


class EndpointKeyTests(SynchronousTestCase):
    """Which file an ssl: endpoint reads its private key from, as Twisted's parser finds it."""

    def key(self, endpoint: str) -> str | None:
        found = endpoint_key(endpoint, endpoint)
        return None if found is None else found.path

    def test_the_key_is_named_by_privatekey_or_its_place_else_server_pem(self) -> None:
        """privateKey= (with a colon escaped in its path), the word after the port, else server.pem, which
        certKey alone does not change."""
        self.assertEqual(self.key("ssl:6697:privateKey=/etc/chat/k.pem:certKey=c.pem"), "/etc/chat/k.pem")
        self.assertEqual(self.key("ssl:6697:certKey=c.pem:privateKey=/etc/a\\:b.pem"), "/etc/a:b.pem")
        self.assertEqual(self.key("ssl:6697:k.pem:c.pem"), "k.pem")
        self.assertEqual(self.key("ssl:6697:certKey=c.pem"), "server.pem")
        self.assertEqual(self.key("ssl:6697"), "server.pem")

    def test_an_endpoint_without_tls_reads_no_key(self) -> None:
        """tcp:, tcp6: and unix: endpoints name no key, whatever their words."""
        for endpoint in (
            "tcp:5000:interface=127.0.0.1",
            "tcp6:5000",
            "unix:/run/chat.sock",
            "tcp:5000:privateKey=x",
        ):
            self.assertIsNone(endpoint_key(endpoint, endpoint), endpoint)
