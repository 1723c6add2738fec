"""Files offered to an IRC user on a real twistd, read by a real IRC client's parser (issues 15 and 16).

IRC carries no file bytes: an IRC user is told of an offer, and of its end
(withdrawn by the sender, or expired), each by a NOTICE from the server.
The sender is a program on the line port speaking JSON; the IRC user is
jaraco's ``irc`` library (``tests/e2e/ircclient.py``).
"""

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import Daemon
from tests.e2e.ircclient import Heard, IRCClient, irc_port
from tests.e2e.test_daemon import LOOPBACK, NAME
from tests.e2e.test_web_files import content, json_user, upload


class EndedOfferTests(SynchronousTestCase):
    def test_an_irc_user_reads_that_an_offer_to_them_was_withdrawn(self) -> None:
        """alice on the line port offers dave on IRC a file, then withdraws it: dave reads a NOTICE of the offer,
        then one saying it can no longer be fetched."""
        daemon = Daemon.start(self, [*LOOPBACK, "--irc-port", "0"])
        dave = IRCClient(daemon, irc_port(daemon), "dave")
        dave.registered()
        alice = json_user(daemon, "alice")
        file_id = upload(alice, "dave", "notes.txt", content(20_000), "text/plain")
        offer = dave.next("privnotice", where=lambda heard: heard.nick == NAME)
        self.assertTrue(offer.arguments[0].startswith('alice offers dave "notes.txt" (20000 bytes'), offer)

        alice.say(f"/file cancel {file_id}")
        self.assertEqual(
            dave.next("privnotice"),
            Heard(
                "privnotice",
                NAME,
                "dave",
                ('alice withdrew the offer of "notes.txt" to dave: it can no longer be fetched',),
            ),
        )
