"""Ban targets (nickname or address) and the bans in force, on a fake clock."""

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.bans import Bans, BanTarget, address_key, ban_target
from chatd.domain.errors import BadAddressError, InvalidNicknameError
from chatd.domain.replies import Ban
from chatd.line.wording import word


class BanTargetTests(SynchronousTestCase):
    def test_nickname_is_kept_by_its_key(self) -> None:
        """A nickname target compares as nicknames do, and shows as typed."""
        self.assertEqual(ban_target("Bob", 24), BanTarget(False, "bob", "Bob"))

    def test_addresses_are_canonical(self) -> None:
        """IPv4, IPv4 reached over IPv6, and IPv6 in any spelling each have one form."""
        self.assertEqual(ban_target("10.0.0.1", 24), BanTarget(True, "10.0.0.1", "10.0.0.1"))
        self.assertEqual(ban_target("::ffff:10.0.0.1", 24).key, "10.0.0.1")
        self.assertEqual(ban_target("2001:DB8:0:0::1", 24).key, "2001:db8::1")

    def test_what_looks_like_an_address_must_be_one(self) -> None:
        """A target with a dot, a colon or a leading digit is an address, or bad-address."""
        for text in ("10.0.0", "1bob", "host.example", "::g"):
            error = self.assertRaises(BadAddressError, ban_target, text, 24)
            self.assertEqual(word(error), f"{text!r} is not an IPv4 or IPv6 address")

    def test_other_targets_follow_the_nickname_rules(self) -> None:
        """A target that is no address must be a valid nickname."""
        self.assertRaises(InvalidNicknameError, ban_target, "bo*b", 24)

    def test_user_addresses_compare_in_the_same_form(self) -> None:
        """An address a front end gives is put in the form bans use; anything else is left as it is."""
        self.assertEqual(address_key("::FFFF:10.0.0.1"), "10.0.0.1")
        self.assertEqual(address_key(""), "")
        self.assertEqual(address_key("/tmp/chat.sock"), "/tmp/chat.sock")


class BansTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.clock = Clock()
        self.bans = Bans(self.clock.seconds)
        self.bob = ban_target("bob", 24)

    def test_ban_runs_out_by_the_clock(self) -> None:
        """A ban is found until its time and not from then on; the list drops it too."""
        self.bans.add(self.bob, Ban("bob", 60.0, "alice"))
        self.clock.advance(59)
        self.assertEqual(self.bans.find(False, "bob"), Ban("bob", 60.0, "alice"))
        self.clock.advance(1)
        self.assertIsNone(self.bans.find(False, "bob"))
        self.assertEqual(self.bans.in_force(), ())

    def test_ban_without_end_lasts(self) -> None:
        """A ban with no end is in force however much time passes."""
        self.bans.add(self.bob, Ban("bob", None, "alice"))
        self.clock.advance(10**9)
        self.assertEqual(self.bans.in_force(), (Ban("bob", None, "alice"),))

    def test_nickname_and_address_bans_are_apart(self) -> None:
        """A nickname ban is not an address ban on the same text."""
        self.bans.add(self.bob, Ban("bob", None, "alice"))
        self.assertIsNone(self.bans.find(True, "bob"))

    def test_new_ban_replaces_the_old_and_lists_last(self) -> None:
        """Banning a target again keeps only the newer ban, listed as the newest."""
        address = ban_target("10.0.0.1", 24)
        self.bans.add(self.bob, Ban("bob", 60.0, "alice"))
        self.bans.add(address, Ban("10.0.0.1", None, "alice"))
        self.bans.add(self.bob, Ban("bob", None, "carol"))
        self.assertEqual(self.bans.in_force(), (Ban("10.0.0.1", None, "alice"), Ban("bob", None, "carol")))

    def test_remove_lifts_only_a_ban_in_force(self) -> None:
        """Lifting returns the ban; lifting one that ran out, or none, returns None."""
        self.bans.add(self.bob, Ban("bob", 60.0, "alice"))
        self.assertEqual(self.bans.remove(self.bob), Ban("bob", 60.0, "alice"))
        self.assertIsNone(self.bans.remove(self.bob))
        self.bans.add(self.bob, Ban("bob", 60.0, "alice"))
        self.clock.advance(60)
        self.assertIsNone(self.bans.remove(self.bob))
