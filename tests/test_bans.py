"""Ban targets (nickname or address) and the bans in force, on a fake clock."""

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.bans import Bans, BanTarget, address_key, ban_target, covered_by
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

    def test_networks_are_canonical_and_one_address_wide_is_the_address(self) -> None:
        """A network keeps its prefix, bits past it dropped; a network of one address is that address."""
        self.assertEqual(
            ban_target("2001:DB8:1:2::5/64", 24), BanTarget(True, "2001:db8:1:2::/64", "2001:db8:1:2::/64")
        )
        self.assertEqual(ban_target("10.0.0.7/24", 24).key, "10.0.0.0/24")
        self.assertEqual(ban_target("10.0.0.1/32", 24).key, "10.0.0.1")
        for text in ("10.0.0.0/33", "10.0.0.0/x", "2001:db8::/129"):
            self.assertRaises(BadAddressError, ban_target, text, 24)

    def test_what_looks_like_an_address_must_be_one(self) -> None:
        """A target with a dot, a colon or a leading digit is an address, or bad-address."""
        for text in ("10.0.0", "1bob", "host.example", "::g"):
            error = self.assertRaises(BadAddressError, ban_target, text, 24)
            self.assertEqual(word(error), f"{text!r} is not an IPv4 or IPv6 address or network")

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
        self.bans = Bans()
        self.bob = ban_target("bob", 24)

    def test_ban_is_in_force_until_its_time_and_a_look_up_drops_nothing(self) -> None:
        """A ban is found until its time and not from then on, nor listed; looking removes nothing."""
        self.bans.add(self.bob, Ban("bob", 60.0, "alice"))
        self.assertEqual(self.bans.find(False, "bob", 59), Ban("bob", 60.0, "alice"))
        self.assertIsNone(self.bans.find(False, "bob", 60))
        self.assertEqual(self.bans.in_force(60), ())
        self.assertEqual(self.bans.get(False, "bob"), Ban("bob", 60.0, "alice"))

    def test_ban_without_end_lasts(self) -> None:
        """A ban with no end is in force however much time passes."""
        self.bans.add(self.bob, Ban("bob", None, "alice"))
        self.assertEqual(self.bans.in_force(10**9), (Ban("bob", None, "alice"),))

    def test_a_network_ban_covers_its_addresses_while_in_force(self) -> None:
        """An address in a banned network is covered, one outside it and a non-address are not; lifted, or run
        out, it covers nothing."""
        network = ban_target("2001:db8:1:2::/64", 24)
        self.bans.add(network, Ban("2001:db8:1:2::/64", 60.0, "alice"))
        self.assertEqual(
            self.bans.covering("2001:db8:1:2:ffff::1", 0), Ban("2001:db8:1:2::/64", 60.0, "alice")
        )
        self.assertIsNone(self.bans.covering("2001:db8:1:3::1", 0))
        self.assertIsNone(self.bans.covering("10.0.0.1", 0))
        self.assertIsNone(self.bans.covering("", 0))
        self.assertIsNone(self.bans.covering("2001:db8:1:2::1", 60))
        covers = covered_by(network)
        self.assertEqual(
            [covers(a) for a in ("2001:db8:1:2::9", "2001:db8:1:3::9", "")], [True, False, False]
        )
        self.assertEqual(covered_by(ban_target("10.0.0.1", 24))("10.0.0.1"), True)
        self.bans.remove(True, network.key)
        self.assertIsNone(self.bans.covering("2001:db8:1:2::1", 0))

    def test_nickname_and_address_bans_are_apart(self) -> None:
        """A nickname ban is not an address ban on the same text."""
        self.bans.add(self.bob, Ban("bob", None, "alice"))
        self.assertIsNone(self.bans.find(True, "bob", 0))

    def test_new_ban_replaces_the_old_and_lists_last(self) -> None:
        """Banning a target again keeps only the newer ban, listed as the newest."""
        address = ban_target("10.0.0.1", 24)
        self.bans.add(self.bob, Ban("bob", 60.0, "alice"))
        self.bans.add(address, Ban("10.0.0.1", None, "alice"))
        self.bans.add(self.bob, Ban("bob", None, "carol"))
        self.assertEqual(self.bans.in_force(0), (Ban("10.0.0.1", None, "alice"), Ban("bob", None, "carol")))

    def test_remove_drops_the_ban_on_that_target_only(self) -> None:
        """Removing a nickname ban leaves an address ban alone; removing again changes nothing."""
        address = ban_target("10.0.0.1", 24)
        self.bans.add(self.bob, Ban("bob", 60.0, "alice"))
        self.bans.add(address, Ban("10.0.0.1", None, "alice"))
        self.bans.remove(False, "bob")
        self.bans.remove(False, "bob")
        self.assertIsNone(self.bans.get(False, "bob"))
        self.assertEqual(self.bans.in_force(0), (Ban("10.0.0.1", None, "alice"),))
