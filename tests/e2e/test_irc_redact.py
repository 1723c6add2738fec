"""REDACT (``draft/message-redaction``) on a real twistd over loopback, with its SQLite --db: an IRC client deletes
its line; another IRC client that took the capability reads REDACT, WeeChat (which did not) the NOTICE in words,
an nc user the /delete line, and CHATHISTORY gives the line no more."""

import re
import signal

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import Daemon
from tests.e2e.ircclient import Heard, IRCClient, irc_port
from tests.e2e.lobby import LOOPBACK, Lobby
from tests.e2e.test_delete import next_of
from tests.e2e.test_files_restart import enter
from tests.e2e.test_irc import start
from tests.e2e.weechat import WeeChat
from tests.helpers import new_database

REDACTING = "message-tags echo-message draft/message-redaction"
"""What a client that deletes its lines takes: msgids, its own lines back with them, and REDACT."""


class RedactTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.daemon = start(self, new_database(self))
        self.port = irc_port(self.daemon)

    def in_lobby(self, nick: str, caps: str = REDACTING) -> IRCClient:
        """An IRC client registered as ``nick``, with ``caps``, in #lobby."""
        client = IRCClient(self.daemon, self.port, nick)
        client.registered()
        client.send(f"CAP REQ :{caps}")
        client.next("cap")
        client.join("#lobby")
        return client

    def test_a_line_redacted_goes_for_every_client_as_it_can_read_it(self) -> None:
        """alice REDACTs her line by the msgid her echo carried: bob's client reads REDACT from her, WeeChat a NOTICE
        from the server in #lobby naming the line's id, dave on nc the /delete line; CHATHISTORY then gives the line
        after it alone."""
        dave = Lobby(self.daemon).enter("dave")
        weechat = WeeChat(self.daemon, self.port, "wee")
        weechat.joined("#lobby")
        bob = self.in_lobby("bob", f"{REDACTING} batch draft/chathistory")
        alice = self.in_lobby("alice")
        alice.say("#lobby", "my password is hunter2")
        alice.next("pubmsg", where=lambda event: event.nick == "alice")
        echoed = [line for line in alice.received if line.endswith("PRIVMSG #lobby :my password is hunter2")]
        found = re.match(r"@(?:\S*;)?msgid=(\w+)[; ]", echoed[-1])
        assert found is not None, echoed
        line = found[1]
        alice.say("#lobby", "please ignore that")
        bob.next("pubmsg", where=lambda event: event.arguments == ("please ignore that",))
        alice.send(f"REDACT #lobby {line} :pasted a password")
        told = Heard("redact", "alice", "#lobby", (line, "pasted a password"))
        self.assertEqual(alice.next("redact"), told)
        self.assertEqual(bob.next("redact"), told)
        notice = weechat.next_shown(
            lambda shown: shown.buffer == weechat.buffer("#lobby") and "irc_notice" in shown.tags, "NOTICE"
        )
        self.assertRegex(
            notice.message, rf"alice deleted a line sent \d+s ago \(id {line}\): pasted a password$"
        )
        while b" deleted " not in (shown := dave.read_line()):
            pass  # the joins and lines before it
        self.assertTrue(
            shown.endswith(f"] #lobby -- alice deleted the line {line} (pasted a password)\r\n".encode()),
            shown,
        )
        bob.send("CHATHISTORY LATEST #lobby * 10")
        bob.next("batch")
        replayed = []
        while (heard := bob.next("pubmsg", "batch")).kind == "pubmsg":
            replayed.append(heard.arguments)
        self.assertEqual(replayed, [("please ignore that",)])

    def test_a_line_sent_in_two_privmsgs_is_redacted_as_two(self) -> None:
        """alice's line comes back to her as two PRIVMSGs, ID and ID.1 (her source makes it past 512 bytes): her
        REDACT of ID.1 deletes it, and bob's client reads a REDACT of each, so it takes the whole line away."""
        bob = self.in_lobby("bob")
        alice = self.in_lobby("alice")
        alice.say("#lobby", "x" * 490)
        for _ in range(2):
            bob.next("pubmsg", where=lambda event: event.nick == "alice")
        alice.next("pubmsg", where=lambda event: event.nick == "alice")
        alice.next("pubmsg", where=lambda event: event.nick == "alice")
        msgids = [
            found[1]
            for each in alice.received
            if " PRIVMSG #lobby :x" in each and (found := re.match(r"@(?:\S*;)?msgid=([\w.]+)[; ]", each))
        ]
        line = msgids[0]
        self.assertEqual(msgids, [line, f"{line}.1"])
        alice.send(f"REDACT #lobby {line}.1")
        for client in (alice, bob):
            self.assertEqual([client.next("redact").arguments for _ in range(2)], [(line,), (f"{line}.1",)])


class RedactAfterAStartWithoutIRCTests(SynchronousTestCase):
    """A line deleted while the daemon served nc alone, read back by an IRC client once it serves IRC too."""

    def test_a_long_line_deleted_without_irc_is_redacted_whole_once_irc_is_served(self) -> None:
        """alice on nc says a line IRC sends as two PRIVMSGs and deletes it; the daemon, which served no IRC,
        stops and starts again on the same --db with an IRC port. bob's CHATHISTORY LATEST from that line, as a
        client that was shown it would ask, reads a REDACT of each piece, ``ID`` and ``ID.1``: the tombstone
        counted the pieces as IRC cuts them, though no IRC client was there to be sent them."""
        db = new_database(self)
        daemon = Daemon.start(self, [*LOOPBACK, "--db", db])
        alice = enter(daemon, "alice")
        alice.say("x" * 490)
        line = next_of(alice, "said")["id"]
        alice.say(f"/delete {line}")
        next_of(alice, "deleted")
        self.assertEqual(daemon.signal(signal.SIGTERM), -signal.SIGTERM)
        daemon = start(self, db)
        bob = IRCClient(daemon, irc_port(daemon), "bob")
        bob.registered()
        bob.send(f"CAP REQ :{REDACTING} batch draft/chathistory")
        bob.next("cap")
        bob.join("#lobby")
        bob.send(f"CHATHISTORY LATEST #lobby msgid={line} 10")
        self.assertEqual([bob.next("redact").arguments for _ in range(2)], [(line,), (f"{line}.1",)])
