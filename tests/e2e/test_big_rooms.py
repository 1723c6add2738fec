"""Big rooms on a real twistd (issue 18): nc users, WeeChat and Chromium in a lobby that is big from 3.

The daemon runs with ``--big-room 3 --big-room-tally 1``, so a lobby of a
few dozen line users (one per loopback address, as people come from
different machines) is big and its tally comes every second, not every
minute. Each test has its own daemon.
"""

import json

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, start_web
from tests.e2e.daemon import Daemon, LineClient, opers_file
from tests.e2e.ircclient import irc_port
from tests.e2e.lobby import LOOPBACK, PROMPT, WELCOME
from tests.e2e.weechat import WeeChat
from tests.helpers import quick_hash

BIG = ("--big-room", "3", "--big-room-tally", "1")
CROWD = 55
"""Line users brought in first: more than a page of names (50)."""


def crowd(daemon: Daemon, count: int = CROWD) -> list[LineClient]:
    """``count`` line users in #lobby, each from its own address, each read up to its list of names."""
    clients = []
    for number in range(count):
        client = daemon.connect(source=f"127.0.{number // 200 + 1}.{number % 200 + 1}")
        client.expect(WELCOME, PROMPT)
        client.say(f"user{number:02}")
        clients.append(client)
    for client in clients:
        while not client.read_line().startswith(b"*** In #lobby"):
            pass
    return clients


def read_until(client: LineClient, mark: bytes) -> list[bytes]:
    """Every line ``client`` reads up to and with the first that holds ``mark``."""
    lines = [client.read_line()]
    while mark not in lines[-1]:
        lines.append(client.read_line())
    return lines


class LineBigRoomTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.daemon = Daemon.start(self, [*LOOPBACK, *BIG, "--db", ":memory:"])
        self.crowd = crowd(self.daemon)

    def test_a_joiner_reads_why_and_a_page_of_names_the_crowd_reads_a_tally_not_the_join(self) -> None:
        """A JSON bot joins a lobby of 55: ``big_room``, then page 1 of 2; a second later everyone's tally counts it."""
        bot = self.daemon.connect(source="127.0.9.1")
        bot.expect(WELCOME, PROMPT)
        bot.say("/format json")
        while bot.expect_json().get("kind") != "prompt":
            pass
        bot.say("bot")
        objects = [bot.expect_json() for _ in range(3)]
        self.assertEqual([o.get("kind", o["type"]) for o in objects], ["nick", "joined", "big_room"])
        self.assertEqual(objects[2]["members"], CROWD + 1)
        names = bot.expect_json()
        self.assertEqual(
            (names["type"], names["total"], names["page"], names["pages"]), ("members", 56, 1, 2)
        )
        self.assertEqual(len(names["nicks"]), 50)
        tally = json.loads(read_until(bot, b'"crowd_tallied"')[-1])
        self.assertEqual((tally["type"], tally["room"], tally["members"]), ("crowd_tallied", "#lobby", 56))
        # Everyone in the crowd reads tallies up to the one that counts the bot, and never "bot joined".
        for client in self.crowd:
            read = read_until(client, b"; 56 here now")
            self.assertNotIn(b"bot joined", b"".join(read))
            self.assertRegex(read[-1], rb"#lobby -- \d+ joined; 56 here now\r\n$")

    def test_a_quit_in_a_big_room_is_counted_not_told(self) -> None:
        """user54 quits: the others' next tally says one left, and nobody reads "user54 quit"."""
        for client in self.crowd:
            read_until(client, b"; 55 here now")
        self.crowd[-1].say("/quit")
        for client in self.crowd[:-1]:
            read = read_until(client, b"; 54 here now")
            self.assertNotIn(b"user54 quit", b"".join(read))
            self.assertEqual(read[-1][8:], b"#lobby -- 1 left; 54 here now\r\n")


class IRCBigRoomTests(SynchronousTestCase):
    def test_weechat_in_a_big_lobby_shows_the_notice_and_the_tally_in_the_channel(self) -> None:
        """WeeChat autojoins a big #lobby: the big-room NOTICE and then a tally show in #lobby's buffer."""
        daemon = Daemon.start(self, [*LOOPBACK, *BIG, "--irc-port", "0", "--db", ":memory:"])
        port = irc_port(daemon)
        crowd(daemon)
        weechat = WeeChat(daemon, port, "wee")
        weechat.joined("#lobby")
        lobby = weechat.buffer("#lobby")
        notice = weechat.next_shown(
            lambda line: line.buffer == lobby and "is a big room (56 here)" in line.message,
            "the big-room notice",
        )
        self.assertIn("NAMES lists everyone", notice.message)
        tally = weechat.next_shown(
            lambda line: line.buffer == lobby and "Since the last count" in line.message, "a tally"
        )
        self.assertRegex(tally.message, r"\d+ joined; 56 here now")


class PageBigRoomTests(SynchronousTestCase):
    def test_the_page_lists_a_page_of_names_at_a_time_and_shows_the_tally(self) -> None:
        """Chromium in a lobby of 56: "Members (50 of 56)"; "Show 6 more" brings the rest; a tally line shows."""
        daemon, url = start_web(self, *BIG, "--db", ":memory:")
        crowd(daemon)
        page = Page(self, url)
        page.login("web")

        def heading() -> str:
            return str(page.find("#members-heading").get_attribute("textContent"))

        page.wait(lambda: heading() == "Members (50 of 56)" or None, "the first page of names")
        self.assertEqual(len(page.texts("#member-list .member")), 50)
        more = page.find("#more-members")
        self.assertEqual(more.get_attribute("textContent"), "Show 6 more")
        page.wait(lambda: "56 here now" in page.shown() or None, "a tally line in the log")
        more.click()
        page.wait(lambda: heading() == "Members (56)" or None, "the second page of names")
        self.assertIn("web", page.texts("#member-list .member"))
        self.assertTrue(more.get_attribute("hidden"))
        self.assertEqual(page.console_errors(), [])

    def test_a_kick_in_a_big_room_takes_one_from_the_pages_count(self) -> None:
        """An operator kicks user02 out of a lobby of 6, big from 3: the page lists 5 and reads "Members (5)". Its
        count came from the tallies, which count no kick, and read "Members (5 of 6)" with a "Show 1 more" that
        brought nobody."""
        daemon, url = start_web(self, *BIG, "--db", ":memory:", "--opers", opers_file(self, quick_hash("pw")))
        users = crowd(daemon, 5)
        page = Page(self, url)
        page.login("web")

        def heading() -> str:
            return str(page.find("#members-heading").get_attribute("textContent"))

        page.wait(lambda: heading() == "Members (6)" or None, "every name")
        # The tally that counts the page's own join: none comes after it while nobody comes or goes.
        page.wait(lambda: "6 here now" in page.shown() or None, "a tally line in the log")
        users[0].say("/oper boss pw")
        read_until(users[0], b"You are now an operator")
        users[0].say("/kick user02 #lobby")
        page.wait(lambda: "user02 was kicked by user00" in page.shown() or None, "the kick")
        page.wait(lambda: heading() == "Members (5)" or None, "one member fewer")
        self.assertNotIn("user02", page.texts("#member-list .member"))
        self.assertTrue(page.find("#more-members").get_attribute("hidden"))
        self.assertEqual(page.console_errors(), [])
