"""More files offered than ``/file list`` answers at once: the page and the terminal client follow every page (issue 16).

A real daemon on loopback, shared by the tests, each with nicknames of its
own (those on the default flood burst start their own). Seven senders,
each on an address of its own (127.0.0.2 to .8: the server counts a
guest's offers by address), offer 15 small files each to one recipient: 105, past the 100 an answer shows, within every bound on
offering (16 from one sender to one person). The page, reloaded, shows
them all again; the terminal client's ``/files`` lists them all, page
after page, and on the default burst (offered 256, by 16 senders) asks for
each once the last one's ``wait`` is over. Every wait polls a condition
until a deadline.
"""

from concurrent.futures import ThreadPoolExecutor

from twisted.internet import threads
from twisted.trial.unittest import TestCase

from tests.e2e.browser import SHARED_WEB, Page, lent_web, quiet, web_url
from tests.e2e.daemon import Daemon, LineClient, SharedDaemon
from tests.e2e.lobby import LOOPBACK, PROMPT, WELCOME
from tests.e2e.test_client_files import UNLIMITED, User, until
from tests.e2e.test_web_files import content, next_of, upload
from tests.e2e.test_web_reading import SLOWED

SENDERS = 7
OFFERS_EACH = 15

FLOODING = "You are sending faster than the server allows"
"""The start of the server's line to a connection over its flood budget, as the terminal client shows it."""


def sender(daemon: Daemon, nick: str, address: str) -> LineClient:
    """A program on the line port from ``address``, speaking JSON, named ``nick``."""
    client = daemon.connect(source=address)
    client.expect(WELCOME, PROMPT)
    client.say("/format json")
    client.say(nick)
    next_of(client, "notice", kind="nick")
    return client


def offer_many(
    daemon: Daemon, to: str, prefix: str, senders: int = SENDERS, each: int = OFFERS_EACH
) -> list[str]:
    """``senders`` senders (``prefix`` and a number) offer ``to`` ``each`` files each, uploaded: the ids.

    The senders offer at the same time, each from a thread of its own: on the
    default burst each waits out its own flood budget, and one after another
    those waits were most of a test's time (256 offers: 20 s, now 2).
    """

    def offer_each(number: int) -> list[str]:
        client = sender(daemon, f"{prefix}{number}", f"127.0.0.{number + 2}")
        files = []
        for one in range(each):
            seed = number * each + one
            files.append(upload(client, to, f"p{seed:03d}.txt", content(10, seed=seed), "text/plain"))
        return files

    with ThreadPoolExecutor(max_workers=senders) as pool:
        return [file for files in pool.map(offer_each, range(senders)) for file in files]


def reloaded_with_many(daemon: Daemon, page: Page, prefix: str) -> None:
    """ben logs in on ``page``, is offered many files (``offer_many``, by senders named ``prefix`` and a number),
    sees each, and reloads the page: it shows every one again."""
    page.login("ben")
    files = sorted(offer_many(daemon, "ben", prefix))

    def shown() -> list[str]:
        return sorted(page.script("return [...window.chatd.files.offers.keys()];"))

    page.wait(lambda: shown() == files or None, "every offer as it came")
    page.driver.refresh()
    page.wait_in("ben")
    page.wait(lambda: shown() == files or None, "every offer again after the reload")


class ListPagesTests(TestCase):
    shared = SharedDaemon((*SHARED_WEB, *UNLIMITED))

    @classmethod
    def tearDownClass(cls) -> None:
        cls.shared.stop()

    def test_a_page_offered_more_than_a_page_of_files_shows_them_all_after_a_reload(self) -> None:
        """ben's page is offered 105 files; reloaded, it asks for the list again and follows its two pages: every
        offer is shown again, none lost past the first 100."""
        daemon, url = lent_web(self.shared, self)
        page = Page(self, url)
        reloaded_with_many(daemon, page, "s")
        quiet(self, page)

    def test_a_page_reloaded_on_the_default_burst_follows_its_pages_without_being_slowed(self) -> None:
        """On the default burst of 10 lines (refilled at 20 a second, so the senders offer quickly), ben's page,
        offered 105 files and reloaded, asks for the list as it connects and the second page once the first
        one's wait is over: every offer shows again, and the page never says the server slows it."""
        daemon = Daemon.start(self, [*LOOPBACK, "--web-port", "0", "--flood-rate", "20"])
        page = Page(self, web_url(daemon))
        reloaded_with_many(daemon, page, "b")
        self.assertEqual([text for text in page.texts(".log .line .text") if SLOWED in text], [])
        quiet(self, page)

    async def test_the_terminal_client_lists_every_page_of_the_server_s_files(self) -> None:
        """cleo's client is offered 105 files; /files shows the first page of 100, asks for the next, and shows its
        5: every file once."""
        daemon = self.shared.lend(self)
        cleo = User(self, daemon.port, "cleo")
        await until(lambda: cleo.screen.showing("cleo joined #lobby"), what="cleo in")
        await threads.deferToThread(offer_many, daemon, "cleo", "t")
        await until(lambda: len(cleo.screen.matching(' offers "p')) == 105, what="every offer")
        cleo.link.send("/files")
        await until(lambda: cleo.screen.showing("Files on the server (5):"), what="the second page")
        self.assertTrue(cleo.screen.showing("Files on the server (100 here, more to come):"))
        listed = [line for line in cleo.screen.matching("] from t") if line.endswith(" offered")]
        self.assertEqual(len(listed), 105, listed)
        self.assertEqual(len({line.split('"')[1] for line in listed}), 105)

    async def test_the_terminal_client_on_the_default_burst_follows_its_pages_without_being_slowed(
        self,
    ) -> None:
        """On the default burst of 10 lines (refilled at 20 a second, so the senders offer quickly), cleo's client,
        offered 256 files (16 senders, 16 each: every place a recipient has), lists them with /files: each page of
        100 spends the whole burst, and the next is asked for once its wait is over, so every file is shown, three
        pages, and the server never says she floods."""
        daemon = Daemon.start(self, [*LOOPBACK, "--flood-rate", "20"])
        cleo = User(self, daemon.port, "cleo")
        await until(lambda: cleo.screen.showing("cleo joined #lobby"), what="cleo in")
        await threads.deferToThread(offer_many, daemon, "cleo", "d", 16, 16)
        await until(lambda: len(cleo.screen.matching(' offers "p')) == 256, what="every offer")
        cleo.link.send("/files")
        await until(lambda: cleo.screen.showing("Files on the server (56):"), what="the last page")
        self.assertEqual(len(cleo.screen.matching("Files on the server (100 here, more to come):")), 2)
        listed = [line for line in cleo.screen.matching("] from d") if line.endswith(" offered")]
        self.assertEqual(len({line.split('"')[1] for line in listed}), 256, listed)
        self.assertEqual(cleo.screen.matching(FLOODING), [])
