"""Which addresses count as one host's (chatd.domain.networks)."""

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.networks import counted_as


class CountedAsTests(SynchronousTestCase):
    def test_ipv6_by_its_64_ipv4_and_the_rest_as_they_are(self) -> None:
        """An IPv6 address counts as its /64; IPv4, mapped or not, as itself; what is no IP address unchanged."""
        self.assertEqual(counted_as("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64")
        self.assertEqual(counted_as("2001:DB8:1:2::1"), "2001:db8:1:2::/64")
        self.assertEqual(counted_as("::1"), "::/64")
        self.assertEqual(counted_as("::ffff:10.0.0.1"), "10.0.0.1")
        self.assertEqual(counted_as("10.0.0.1"), "10.0.0.1")
        self.assertEqual(counted_as(""), "")
        self.assertEqual(counted_as("not:an:address"), "not:an:address")
