"""Proxies: the reverse proxies --web-proxy trusts, and the user a WebSocket they pass on is for."""

from twisted.trial.unittest import SynchronousTestCase

from chatd.frontend.proxies import Proxies, proxy_network


class ProxyNetworkTests(SynchronousTestCase):
    def test_addresses_and_networks_are_read_in_one_form(self) -> None:
        """An address is itself, a network has its host bits dropped, a mapped IPv4 one is IPv4; a word is None."""
        self.assertEqual(proxy_network("127.0.0.1"), "127.0.0.1")
        self.assertEqual(proxy_network("10.1.2.3/8"), "10.0.0.0/8")
        self.assertEqual(proxy_network("2001:DB8::1/128"), "2001:db8::1")
        self.assertEqual(proxy_network("::ffff:10.0.0.0/104"), "10.0.0.0/8")
        self.assertEqual(proxy_network("::ffff:127.0.0.1"), "127.0.0.1")
        for bad in ("localhost", "10.0.0.0/33", "", "1.2.3.4:80"):
            self.assertIsNone(proxy_network(bad), bad)


class ClientTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.proxies = Proxies(["127.0.0.1", "10.0.0.0/8"])

    def test_peers_are_trusted_by_address_or_network_and_version(self) -> None:
        """A peer in a trusted network is trusted, mapped or not; others, and words, are not."""
        self.assertTrue(self.proxies.trusts("127.0.0.1"))
        self.assertTrue(self.proxies.trusts("10.20.30.40"))
        self.assertTrue(self.proxies.trusts("::ffff:10.20.30.40"))
        self.assertFalse(self.proxies.trusts("127.0.0.2"))
        self.assertFalse(self.proxies.trusts("::1"))
        self.assertFalse(self.proxies.trusts("/tmp/socket"))

    def test_the_user_is_the_rightmost_address_no_proxy_has(self) -> None:
        """What the user sent left of their own address is not believed; the proxies' own hops are skipped."""
        self.assertEqual(self.proxies.client([b"203.0.113.5"]), "203.0.113.5")
        self.assertEqual(self.proxies.client([b"198.51.100.1, 203.0.113.5, 10.0.0.2"]), "203.0.113.5")
        self.assertEqual(self.proxies.client([b"garbage, 203.0.113.5"]), "203.0.113.5")
        self.assertEqual(self.proxies.client([b"2001:DB8::5"]), "2001:db8::5")
        self.assertEqual(self.proxies.client([b"::ffff:203.0.113.5"]), "203.0.113.5")

    def test_header_lines_are_one_list_in_order(self) -> None:
        """Two X-Forwarded-For lines read as one list: the last line's last address is nearest."""
        self.assertEqual(self.proxies.client([b"198.51.100.1", b"203.0.113.5"]), "203.0.113.5")

    def test_a_header_naming_nobody_but_proxies_names_nobody(self) -> None:
        """No header, an empty one, a word where the user should be, or only proxies: no user."""
        for values in ([], [b""], [b"unknown"], [b"203.0.113.5:4000"], [b"127.0.0.1, 10.0.0.2"]):
            self.assertIsNone(self.proxies.client(values), values)
