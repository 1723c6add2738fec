"""The client keeps the password the server confirmed, in memory, and identifies with it after every reconnection.

The bundled client is a real ``Link``; the server the line front end of
``LineTestCase``, pumped in one process (tests/linked.py). A connection
dropped and made again is what a daemon's restart is to the client; the
accounts are the front end's, so they outlive the drop as a ``--db`` file's
outlive a restart.
"""

from twisted.trial.unittest import SynchronousTestCase

from chatd.client.account import Keeper, Proof
from chatd.client.presence import Presence
from tests.helpers import LineTestCase
from tests.linked import LinkedClient, Pumping

PASSWORD = "classroom42"
NEW_PASSWORD = "classroom43"
REFUSED = "The server refused the password the client had for mrsk, so it will not send it again"


class Client(LinkedClient):
    """One terminal client."""

    def back(self) -> list[str]:
        """The connection drops (the daemon restarted); the client reconnects. What it sends then, its first lines."""
        self.drop()
        self.case.clock.advance(1.0)
        self.connect()
        self.sent.clear()
        self.screen.take()
        self.screen.take_notes()
        assert isinstance(self.case, AccountTestCase)
        self.case.settle()
        return self.sent


class AccountTestCase(Pumping, LineTestCase):
    """Clients on the line front end, pumped until what the test waits for."""

    settle_waiting = 1.0  # password checks wait on time

    def setUp(self) -> None:
        super().setUp()
        self.clients: list[Client] = []

    def client(self, nick: str, password: str | None = None) -> Client:
        """A client started with ``--nick nick`` (and ``--identify`` with ``password``), in its first room."""
        client = Client(self, Presence(nick, password))
        self.clients.append(client)
        self.until(lambda: client.presence.current is not None)
        return client

    def registered(self) -> Client:
        """mrsk, started with --nick mrsk, registered her nickname by typing /register, and joined #class."""
        mrsk = self.client("mrsk")
        mrsk.type(f"/register {PASSWORD}")
        self.until(lambda: mrsk.showing("registered to you"))
        mrsk.type("/join #class")
        self.until(lambda: mrsk.presence.current == "#class")
        return mrsk


class KeptTests(AccountTestCase):
    def test_registered_the_client_identifies_after_a_reconnection_and_is_back_in_its_rooms(self) -> None:
        """The classroom trial: after /register, the reconnection identifies (once the server has spoken) instead of
        asking for the registered nickname, and mrsk is back in #lobby and #class, talking in #class, no typing."""
        mrsk = self.registered()
        self.assertEqual(
            mrsk.back(), ["/format json", "/resume #lobby", "/resume #class", f"/identify mrsk {PASSWORD}"]
        )
        self.assertEqual(
            (mrsk.presence.nick, mrsk.presence.rooms, mrsk.presence.current),
            ("mrsk", ["#lobby", "#class"], "#class"),
        )
        self.assertTrue(mrsk.showing("You are identified as mrsk."))
        self.assertFalse(mrsk.showing("nick-registered"))
        mrsk.type("hello again")
        self.until(lambda: mrsk.showing("#class <mrsk> hello again"))

    def test_every_reconnection_identifies_again(self) -> None:
        """Not only the first: a second drop is met the same way."""
        mrsk = self.registered()
        mrsk.back()
        self.assertIn(f"/identify mrsk {PASSWORD}", mrsk.back())
        self.assertEqual(mrsk.presence.current, "#class")

    def test_an_identify_typed_is_kept_once_confirmed(self) -> None:
        """A student connected as a guest types /identify NICK PASSWORD: the account, as the server spells it, is
        what the next connection proves."""
        self.registered().type("/quit")
        student = self.client("guest")
        student.type(f"/identify MrsK {PASSWORD}")
        self.until(lambda: student.showing("You are identified as MrsK."))
        self.assertIn(f"/identify mrsk {PASSWORD}", student.back())
        self.assertEqual(student.presence.nick, "mrsk")

    def test_nick_password_before_a_nickname_is_kept_once_confirmed(self) -> None:
        """At the nickname prompt, NICK PASSWORD identifies as /identify does, and is kept the same."""
        self.registered().type("/quit")
        student = Client(self, Presence())
        self.clients.append(student)
        self.settle()
        student.type(f"mrsk {PASSWORD}")
        self.until(lambda: student.showing("You are identified as mrsk."))
        self.assertIn(f"/identify mrsk {PASSWORD}", student.back())

    def test_a_password_changed_here_is_the_one_kept(self) -> None:
        """/password OLD NEW confirmed: the next connection proves NEW."""
        mrsk = self.registered()
        mrsk.type(f"/password {PASSWORD} {NEW_PASSWORD}")
        self.until(lambda: mrsk.showing("Your password is changed."))
        self.assertIn(f"/identify mrsk {NEW_PASSWORD}", mrsk.back())
        self.assertEqual(mrsk.presence.nick, "mrsk")

    def test_a_password_change_with_quoted_words_keeps_the_new_words(self) -> None:
        """OLD in double quotes, NEW of several words: NEW whole is kept, as the server reads it."""
        mrsk = self.client("mrsk")
        mrsk.type("/register correct horse")
        self.until(lambda: mrsk.showing("registered to you"))
        mrsk.type('/password "correct horse" battery staple')
        self.until(lambda: mrsk.showing("Your password is changed."))
        self.assertIn("/identify mrsk battery staple", mrsk.back())
        self.assertEqual(mrsk.presence.nick, "mrsk")

    def test_identifying_as_someone_else_replaces_the_account_kept(self) -> None:
        """Registered as mrsk, then identified as bob: the next connection is bob."""
        bob = self.client("bob")
        bob.type("/register bobs-password")
        self.until(lambda: bob.showing("registered to you"))
        bob.type("/quit")
        mrsk = self.registered()
        mrsk.type("/identify bob bobs-password")
        self.until(lambda: mrsk.showing("You are identified as bob."))
        sent = mrsk.back()
        self.assertIn("/identify bob bobs-password", sent)
        self.assertFalse(any(line.startswith("/identify mrsk") for line in sent))
        self.assertEqual(mrsk.presence.nick, "bob")

    def test_started_with_identify_a_password_changed_here_replaces_the_one_given(self) -> None:
        """--identify's password is the account kept as any other: /password replaces it."""
        self.registered().type("/quit")
        mrsk = self.client("mrsk", PASSWORD)
        mrsk.type(f"/password {PASSWORD} {NEW_PASSWORD}")
        self.until(lambda: mrsk.showing("Your password is changed."))
        self.assertIn(f"/identify mrsk {NEW_PASSWORD}", mrsk.back())
        self.assertEqual(mrsk.presence.nick, "mrsk")


class NotKeptTests(AccountTestCase):
    def test_a_refused_identify_is_not_kept(self) -> None:
        """A wrong password typed is never sent again: the next connection asks for the nickname it had."""
        self.registered().type("/quit")
        student = self.client("guest")
        student.type("/identify mrsk wrong-password")
        self.settle()
        self.assertTrue(student.showing("identify-failed"))
        sent = student.back()
        self.assertIn("/nick guest", sent)
        self.assertFalse(any(line.startswith("/identify") for line in sent))

    def test_a_refused_register_is_not_kept(self) -> None:
        """A password too short to register is not sent on the next connection."""
        mrsk = self.client("mrsk")
        mrsk.type("/register short")
        self.settle()
        self.assertTrue(mrsk.showing("password-too-short"))
        self.assertIn("/nick mrsk", mrsk.back())

    def test_a_refused_password_change_keeps_the_old_password(self) -> None:
        """/password with a wrong OLD: the password kept is still the one that works."""
        mrsk = self.registered()
        mrsk.type(f"/password wrong-password {NEW_PASSWORD}")
        self.settle()
        self.assertTrue(mrsk.showing("wrong-password"))
        self.assertIn(f"/identify mrsk {PASSWORD}", mrsk.back())

    def test_a_wrong_password_typed_after_a_right_one_is_not_kept(self) -> None:
        """Two /identify typed before either is answered, the right one first: the server takes the first, refuses
        the second, and the first is kept."""
        self.registered().type("/quit")
        student = self.client("guest")
        student.type(f"/identify mrsk {PASSWORD}")
        student.type("/identify mrsk wrong-password")
        self.settle()
        self.assertTrue(student.showing("You are identified as mrsk."))
        self.assertIn(f"/identify mrsk {PASSWORD}", student.back())

    def test_unregistered_the_client_identifies_no_more(self) -> None:
        """/unregister confirmed: the account is gone, and so is its password; the nickname is asked for."""
        mrsk = self.registered()
        mrsk.type(f"/unregister {PASSWORD}")
        self.until(lambda: mrsk.showing("no longer registered"))
        sent = mrsk.back()
        self.assertIn("/nick mrsk", sent)
        self.assertFalse(any(line.startswith("/identify") for line in sent))
        self.assertEqual(mrsk.presence.current, "#class")

    def test_unregistered_on_another_connection_the_client_identifies_no_more(self) -> None:
        """Each of the account's connections is told it was given up, and each forgets the password."""
        mrsk = self.registered()
        other = self.client("mrsk", PASSWORD)
        other.type(f"/unregister {PASSWORD}")
        self.until(lambda: mrsk.showing("no longer registered"))
        self.assertFalse(any(line.startswith("/identify") for line in mrsk.back()))


class RefusedTests(AccountTestCase):
    def test_a_password_changed_elsewhere_is_said_once_then_the_prompt_as_before(self) -> None:
        """The password changed on another connection: the reconnection's /identify is refused; the client says so
        once, leaves the user at the nickname prompt, and the next reconnection asks for the nickname, no /identify."""
        mrsk = self.registered()
        other = self.client("mrsk", PASSWORD)
        other.type(f"/password {PASSWORD} {NEW_PASSWORD}")
        self.until(lambda: other.showing("Your password is changed."))
        other.type("/quit")
        self.settle()
        sent = mrsk.back()
        self.assertIn(f"/identify mrsk {PASSWORD}", sent)
        self.assertIsNone(mrsk.presence.nick)
        self.assertEqual(sum(REFUSED in note for note in mrsk.screen.notes), 1)
        self.assertIn(
            f"00:00 ~ {REFUSED}: type /identify mrsk PASSWORD, or choose another nickname.", mrsk.screen.notes
        )
        sent = mrsk.back()
        self.assertFalse(any(line.startswith("/identify") for line in sent))
        self.assertIn("/nick mrsk", sent)
        self.assertTrue(mrsk.showing("nick-registered"))
        self.assertFalse(any(REFUSED in note for note in mrsk.screen.notes))
        mrsk.type(f"/identify mrsk {NEW_PASSWORD}")
        self.until(lambda: mrsk.presence.current == "#class")
        self.assertIn(f"/identify mrsk {NEW_PASSWORD}", mrsk.back())

    def test_started_with_a_wrong_identify_the_password_is_sent_once(self) -> None:
        """--identify with a wrong password: refused on connecting, said once, not sent again on reconnecting."""
        self.registered().type("/quit")
        mrsk = Client(self, Presence("mrsk", "wrong-password"))
        self.clients.append(mrsk)
        self.settle()
        self.assertIn("/identify mrsk wrong-password", mrsk.sent)
        self.assertTrue(mrsk.showing(REFUSED))
        self.assertFalse(any(line.startswith("/identify") for line in mrsk.back()))


UNDONE = {
    "type": "notice",
    "kind": "account",
    "account": "alice",
    "nick": "alice",
    "change": "identified",
    "undoes": "unregistered",
}
"""The server taking back alice's giving up, which its --db file could not save (docs/PROTOCOL.md, not-saved)."""


class ReadingTests(SynchronousTestCase):
    """What a line typed would prove, read as the server reads it."""

    def kept(self, *lines: str, change: str = "identified", named: bool = True) -> Proof | None:
        keeper = Keeper()
        for line in lines:
            keeper.sending(line, named)
        keeper.noticed(
            {"type": "notice", "kind": "account", "account": "alice", "nick": "Alice", "change": change}
        )
        return keeper.proof

    def test_lines_that_prove_no_password(self) -> None:
        """A room registered, a line said, a command of another name, a bare /identify: nothing kept."""
        self.assertIsNone(self.kept("/register #dev", change="registered"))
        self.assertIsNone(self.kept("//identify alice pw"))
        self.assertIsNone(self.kept("alice hunter22"))
        self.assertIsNone(self.kept("/identify"))
        self.assertIsNone(self.kept("/identity alice hunter22"))

    def test_lines_that_do(self) -> None:
        """The account is the notice's, spelt as the nickname; the password as the server reads it."""
        self.assertEqual(self.kept("/IDENTIFY  alice   two words "), Proof("Alice", "two words"))
        self.assertEqual(self.kept("/identify hunter22"), Proof("Alice", "hunter22"))
        # Quotes kept as typed: /identify Alice "two words" reads as the server read this, legacy accounts too.
        self.assertEqual(self.kept('/identify "two words"'), Proof("Alice", '"two words"'))
        self.assertEqual(self.kept("alice hunter22", named=False), Proof("Alice", "hunter22"))
        self.assertEqual(
            self.kept("/register  spaced words ", change="registered"), Proof("Alice", "spaced words")
        )
        self.assertEqual(
            self.kept('/password "old words" new words', change="password"), Proof("Alice", "new words")
        )

    def test_a_confirmation_of_another_kind_answers_none_of_them(self) -> None:
        """A /password waiting is not confirmed by "identified"."""
        self.assertIsNone(self.kept("/password old new-password"))

    def test_an_error_leaves_nothing_waiting(self) -> None:
        """An error answers the oldest line waiting (or one before it): none of them is trusted after it."""
        keeper = Keeper()
        keeper.sending("/identify alice wrong-password", True)
        keeper.refused()
        keeper.noticed(
            {"type": "notice", "kind": "account", "account": "alice", "nick": "alice", "change": "identified"}
        )
        self.assertIsNone(keeper.proof)

    def test_an_unregistering_taken_back_gives_the_password_back(self) -> None:
        """Given up on another connection, then taken back by the server (its file could not save it): the
        notice that undoes it answers no line sent here, and the password dropped is kept again."""
        keeper = Keeper(Proof("alice", "hunter22"))
        keeper.noticed({"type": "notice", "kind": "account", "account": None, "change": "unregistered"})
        self.assertIsNone(keeper.proof)
        keeper.noticed(UNDONE)
        self.assertEqual(keeper.proof, Proof("alice", "hunter22"))

    def test_an_identify_waiting_is_not_answered_by_the_undoing(self) -> None:
        """An /identify as bob typed while alice's giving up is taken back: the undoing gives alice's password
        back and leaves the /identify waiting, so bob's confirmation after it keeps bob's password."""
        keeper = Keeper(Proof("alice", "hunter22"))
        keeper.noticed({"type": "notice", "kind": "account", "account": None, "change": "unregistered"})
        keeper.sending("/identify bob bobs-password", True)
        keeper.noticed(UNDONE)
        self.assertEqual(keeper.proof, Proof("alice", "hunter22"))
        keeper.noticed(
            {"type": "notice", "kind": "account", "account": "bob", "nick": "bob", "change": "identified"}
        )
        self.assertEqual(keeper.proof, Proof("bob", "bobs-password"))

    def test_a_giving_up_kept_stays_forgotten(self) -> None:
        """Given up, then the connection lost (no word came back): nothing is kept, and nothing comes back."""
        keeper = Keeper(Proof("alice", "hunter22"))
        keeper.noticed({"type": "notice", "kind": "account", "account": None, "change": "unregistered"})
        keeper.lost()
        keeper.noticed(UNDONE)
        self.assertIsNone(keeper.proof)

    def test_the_password_is_never_in_a_repr(self) -> None:
        """A proof printed by mistake (a log line, a test's failure) does not show the password."""
        self.assertNotIn("hunter22", repr(Proof("alice", "hunter22")))
