"""Files offered to an IRC user on a real twistd, read by a real IRC client's parser (issues 15 and 16).

IRC carries no file bytes: an IRC user is told of an offer, and of its end
(withdrawn by the sender, or expired), each by a NOTICE from the server,
and FILES lists the offers still open to them; an
IRC connection of the sender's account, of each recipient who fetches,
declines or stops it. The sender is a program on the line port speaking
JSON; the IRC user is jaraco's ``irc`` library (``tests/e2e/ircclient.py``).
"""

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import Daemon
from tests.e2e.ircclient import Heard, IRCClient, irc_port
from tests.e2e.lobby import LOOPBACK, NAME
from tests.e2e.test_web_e2e import PASSWORD, registered
from tests.e2e.test_web_files import content, fetch, json_user, upload


class EndedOfferTests(SynchronousTestCase):
    def test_an_irc_user_reads_that_an_offer_to_them_was_withdrawn(self) -> None:
        """alice on the line port offers dave on IRC a file, then withdraws it: dave reads a NOTICE of the offer,
        saying FILES lists it again, as FILES does, then one saying it can no longer be fetched, after which FILES
        lists nothing."""
        daemon = Daemon.start(self, [*LOOPBACK, "--irc-port", "0"])
        dave = IRCClient(daemon, irc_port(daemon), "dave")
        dave.registered()
        alice = json_user(daemon, "alice")
        file_id = upload(alice, "dave", "notes.txt", content(20_000), "text/plain")
        offer = dave.next("privnotice", where=lambda heard: heard.nick == NAME)
        self.assertTrue(offer.arguments[0].startswith('alice offers dave "notes.txt" (20000 bytes'), offer)
        self.assertTrue(offer.arguments[0].endswith("; send FILES to list it again"), offer)
        dave.send("FILES")
        self.assertEqual(
            dave.next("privnotice"),
            Heard(
                "privnotice",
                NAME,
                "dave",
                (offer.arguments[0].removesuffix("; send FILES to list it again"),),
            ),
        )
        self.assertEqual(
            dave.next("privnotice"), Heard("privnotice", NAME, "dave", ("End of file offers: 1 open to you",))
        )

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
        dave.send("FILES")
        self.assertEqual(
            dave.next("privnotice"), Heard("privnotice", NAME, "dave", ("No file is offered to you",))
        )

    def test_the_senders_irc_connection_reads_that_a_recipient_fetched_the_file(self) -> None:
        """alice, registered, offers bob a file from the line port while online over IRC too: her IRC connection
        reads the offer's NOTICE, then, once bob fetches it, one saying he has."""
        daemon = Daemon.start(self, [*LOOPBACK, "--irc-port", "0"])
        alice = registered(daemon, "alice")
        on_irc = IRCClient(daemon, irc_port(daemon), "alice", password=PASSWORD)
        on_irc.registered()
        bob = json_user(daemon, "bob")
        data = content(20_000, seed=5)
        file_id = upload(alice, "bob", "notes.txt", data, "text/plain")
        offer = on_irc.next("privnotice", where=lambda heard: heard.nick == NAME)
        self.assertTrue(offer.arguments[0].startswith('alice offers bob "notes.txt" (20000 bytes'), offer)

        self.assertEqual(fetch(bob, file_id), data)
        self.assertEqual(
            on_irc.next("privnotice"),
            Heard("privnotice", NAME, "bob", ('bob has fetched your offer of "notes.txt" to bob',)),
        )
