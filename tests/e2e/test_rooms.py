"""Rooms on the real daemon over loopback: the default room is the server's, and /rooms comes in pages (issue 12)."""

import re

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import TAC, Daemon, LineClient
from tests.e2e.ircclient import IRCClient, irc_port
from tests.e2e.lobby import LOOPBACK, NAME, PROMPT, WELCOME, Lobby, start_chatd

BUILDERS = 15
"""Connections that make the rooms, 20 each: 300 rooms, and #lobby."""


class ServerRoomTests(SynchronousTestCase):
    def test_first_to_connect_does_not_own_the_lobby(self) -> None:
        """The first user after a start can neither kick anyone from #lobby nor lock its topic."""
        lobby = Lobby(start_chatd(self))
        first = lobby.enter("first")
        lobby.enter("bob")
        first.say("/kick bob")
        first.say("/lock")
        first.say("/topic still mine?")
        first.expect(
            "ERR not-operator only server operators may do that",
            "ERR not-operator only server operators may do that",
        )
        lobby.hear("#lobby -- first set the topic: still mine?")

    def test_rooms_named_in_the_environment_belong_to_the_server(self) -> None:
        """Under chatd.tac, CHATD_ROOM names more server rooms: their first member cannot kick from them."""
        env = {
            "CHATD_PORT": "0",
            "CHATD_INTERFACE": "127.0.0.1",
            "CHATD_NAME": NAME,
            "CHATD_ROOM": "#help #news",
        }
        lobby = Lobby(Daemon.start(self, ["-y", TAC], env=env))
        first = lobby.enter("first")
        bob = lobby.enter("bob")
        first.say("/join #news")
        first.expect_stamped("#news -- first joined")
        first.expect("*** In #news (1): first")
        bob.say("/join #news")
        first.expect_stamped("#news -- bob joined")
        first.say("/kick bob")
        first.expect("ERR not-operator only server operators may do that")


class RoomListingTests(SynchronousTestCase):
    def setUp(self) -> None:
        # Each builder joins 20 rooms besides #lobby, at once.
        self.daemon = start_chatd(self, "--flood-burst", "30", "--max-rooms", "21")

    def enter(self, nick: str) -> LineClient:
        client = self.daemon.connect()
        client.expect(WELCOME, PROMPT)
        client.say(nick)
        client.expect(f"*** You are {nick}.")
        return client

    def test_rooms_of_a_big_chat_come_in_charged_pages(self) -> None:
        """With 301 rooms /rooms is a page of 50 and a line saying how to see more; /rooms 2 is the next;
        asking again and again is slowed like a flood."""
        for b in range(BUILDERS):
            builder = self.enter(f"b{b:02}")
            builder.send(b"".join(f"/join #r{b:02}{r:02}\n".encode() for r in range(20)))
            while builder.read_line() != f"*** In #r{b:02}19 (1): @b{b:02}\r\n".encode():
                pass
        asker = self.enter("asker")
        asker.expect_stamped("#lobby -- asker joined")
        asker.read_line()  # the members of #lobby
        asker.say("/rooms")
        page = [asker.read_line() for _ in range(52)]
        self.assertEqual(page[:2], [b"*** Rooms (301), page 1 of 7:\r\n", b"***   #lobby (16)\r\n"])
        self.assertEqual(page[-1], b"*** 251 more: /rooms 2 for the next page.\r\n")
        asker.say("/rooms 2")
        asker.expect("*** Rooms (301), page 2 of 7:", "***   #r0209 (1)")
        for _ in range(50):
            asker.read_line()
        # Each page costs 6 lines of a burst of 30, of which 13 are spent: the third page is over budget.
        asker.send(b"/rooms 3\n" * 4)
        answers = [asker.read_line() for _ in range(4 * 52 + 1)]
        self.assertEqual(
            answers[3 * 52],
            b"*** You are sending faster than the server allows; your lines now wait their turn.\r\n",
        )
        self.assertEqual(
            [answers[n * 52 + (n > 2)] for n in range(4)], [b"*** Rooms (301), page 3 of 7:\r\n"] * 4
        )


KICKED = re.compile(rb"ERR kicked you were kicked from #class; you may join it again in (1m|[1-5]?\ds)\r\n")
"""The line refusing a join during the kick's wait, with the time left (a minute, rounded)."""


class KickWaitTests(SynchronousTestCase):
    def test_the_kicked_coming_back_on_a_new_connection_or_on_irc_still_wait(self) -> None:
        """zed is kicked from #class; he drops his connection and comes back as zed on a new one, and then on
        IRC: each /join or JOIN is refused with the wait left, where the wait used to end with the connection
        (the class trial's F7: a page reload was back in at once)."""
        daemon = Daemon.start(self, [*LOOPBACK, "--irc-port", "0"])
        lobby = Lobby(daemon)
        teacher = lobby.enter("teacher")
        zed = lobby.enter("zed")
        teacher.say("/join #class")
        teacher.expect_stamped("#class -- teacher joined")
        teacher.expect("*** In #class (1): @teacher")
        zed.say("/join #class")
        zed.expect_stamped("#class -- zed joined")
        zed.expect("*** In #class (2): @teacher zed")
        teacher.say("/kick zed #class stop it")
        zed.expect_stamped("#class -- zed was kicked by teacher (stop it)")
        zed.close()
        again = daemon.connect()
        again.expect(WELCOME, PROMPT)
        again.say("zed")
        again.expect("*** You are zed.")
        again.say("/join #class")
        refused = again.read_line()
        while refused.startswith((b"[", b"*** In #lobby")):
            refused = again.read_line()
        self.assertIsNotNone(KICKED.fullmatch(refused), refused)
        again.say("/quit")
        again.read_to_end()
        on_irc = IRCClient(daemon, irc_port(daemon), "zed")
        on_irc.registered()
        on_irc.send("JOIN #class")
        refusal = on_irc.next("bannedfromchan")
        self.assertEqual(refusal.arguments[0], "#class")
        self.assertRegex(refusal.arguments[1], r"^Cannot join channel: kicked, try again in (1m|[1-5]?\ds)$")
        self.assertEqual(on_irc.names("#class"), ["@teacher"])
