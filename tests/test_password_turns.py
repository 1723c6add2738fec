"""Each host's password work reaches the password threads one piece at a time, whatever its kind or connection."""

from twisted.internet.defer import Deferred

from chatd.frontend.accounts import AccountLogin
from chatd.frontend.oper import OperatorLogin
from chatd.turns import Turns
from tests.helpers import LineTestCase


class PasswordTurnsTests(LineTestCase):
    """Hashes and checks answered by hand, as the service's pool of one thread would, each in the order asked.

    Nobody has an account: a missing one is checked all the same (against a decoy hash).
    """

    def setUp(self) -> None:
        super().setUp()
        self.pool: list[tuple[str, Deferred[object]]] = []
        """What has reached the pool: what it is (a hash, or the password checked), and its answer to give."""
        turns = Turns()
        self.factory.accounts = AccountLogin(
            self.hash, self.verify, self.clock, bounded=self.bounded, turns=turns
        )
        self.factory.login = OperatorLogin(self.check, self.clock, bounded=self.bounded, turns=turns)

    def held(self, what: str) -> "Deferred[object]":
        work: Deferred[object] = Deferred()
        self.pool.append((what, work))
        return work

    def hash(self, password: str) -> "Deferred[str]":
        return self.held("hash " + password)  # type: ignore[return-value]

    def verify(self, hashed: str | None, password: str) -> "Deferred[bool]":
        return self.held(password)  # type: ignore[return-value]

    def check(self, name: str, password: str) -> "Deferred[bool]":
        return self.held(password)  # type: ignore[return-value]

    def asked(self) -> list[str]:
        return [what for what, _ in self.pool]

    def test_one_hosts_checks_go_one_after_the_other_and_another_host_is_not_held_behind_them(self) -> None:
        """Two connections of 10.0.0.1 ask at once: the second's check reaches the pool only once the first's is
        answered, while 10.0.0.2's, asked after both, reaches it at once."""
        first, _ = self.connect(host="10.0.0.1")
        second, _ = self.connect(b"guest", host="10.0.0.1")
        other, _ = self.connect(host="10.0.0.2")
        first.dataReceived(b"/identify alice alice-pass\n")
        second.dataReceived(b"/oper boss correct horse\n")
        other.dataReceived(b"/identify carol carol-pass\n")
        self.assertEqual(self.asked(), ["alice-pass", "carol-pass"])
        self.pool[0][1].callback(False)
        self.assertEqual(self.asked(), ["alice-pass", "carol-pass", "correct horse"])

    def test_a_hash_waits_for_its_hosts_check(self) -> None:
        """A /register waits for the check its host has on the pool, and takes its place once it is answered."""
        checking, _ = self.connect(host="10.0.0.1")
        registering, _ = self.connect(b"dave", host="10.0.0.1")
        checking.dataReceived(b"/identify alice alice-pass\n")
        registering.dataReceived(b"/register dave-pass\n")
        self.assertEqual(self.asked(), ["alice-pass"])
        self.pool[0][1].callback(False)
        self.assertEqual(self.asked(), ["alice-pass", "hash dave-pass"])

    def test_an_ipv6_hosts_addresses_share_one_turn(self) -> None:
        """Two addresses of one /64 are one host, as --max-per-ip counts them: the second's check waits."""
        first, _ = self.connect(host="2001:db8:1:2::1")
        second, _ = self.connect(host="2001:db8:1:2::2")
        first.dataReceived(b"/identify alice alice-pass\n")
        second.dataReceived(b"/identify carol carol-pass\n")
        self.assertEqual(self.asked(), ["alice-pass"])
