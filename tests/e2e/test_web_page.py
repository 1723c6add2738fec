"""chatd's page in a real headless Chromium against a real daemon (issue 14).

Each test opens the page a ``twistd ... --web-port 0`` serves (its own, or
one the tests of its class share: ``SharedDaemon``, ``lent_web``) in
Debian's Chromium (tests/e2e/browser.py), beside nc-like users on
the line port: people in browsers and on nc chat in one room, history
shows on joining and further back on scrolling up, a search hit opens in
its context, a restarted daemon is rejoined with exactly the lines missed,
text from the network never becomes markup, and the page works by keyboard
alone and at phone width. A test also fails if the page logged an error
(an exception, or anything the Content-Security-Policy refused).
"""

import json
import re
import signal
from collections.abc import Callable
from typing import TypeVar

from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import SHARED_WEB, Page, lent_web, quiet, start_web, web_url
from tests.e2e.daemon import Daemon, LineClient, SharedDaemon, opers_file
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_client_resume import enter, said_by, switch
from tests.e2e.test_web_files import DROP, choose, drop_socket, on_disk
from tests.helpers import new_database, quick_hash, refuse_on_accounts

T = TypeVar("T")

FAST = ("--flood-rate", "100000", "--flood-burst", "100000", "--flood-bytes", "100000000")
"""Options that let one nc user say many lines at once without being slowed."""


def restarted(page: Page, start: Callable[[], T]) -> T:
    """``start()`` (a daemon's start) with ``page``'s timers frozen: its retries wait until the daemon listens.

    A retry while no daemon listens is refused, and Chromium logs that as an
    error, which ``quiet`` would read as the page's own; the first retry
    comes 0.5-1 s after the drop, about as long as a daemon takes to start.
    """
    page.driver.execute_cdp_cmd("Page.setWebLifecycleState", {"state": "frozen"})
    try:
        return start()
    finally:
        page.driver.execute_cdp_cmd("Page.setWebLifecycleState", {"state": "active"})


def registered_on_nc(daemon: Daemon, nick: str, password: str = "secret-pass-1") -> LineClient:
    """``nick`` on nc in #lobby, registered with ``password``: an account online elsewhere, for the page to join."""
    client = enter(daemon, nick)
    client.say(f"/register {password}")
    while b"is registered to you" not in client.read_line():
        pass
    return client


def kicked_out(
    case: SynchronousTestCase, daemon: Daemon, url: str, room: str = "#dev"
) -> tuple[LineClient, Page]:
    """carol, on nc, made ``room`` on ``daemon`` and kicked alice out of it, alice's page at ``url`` showing it as a
    room left. alice may join it again only after --kick-rejoin, on a shared daemon in the tests after too."""
    carol = enter(daemon, "carol")
    switch(carol, room)
    alice = Page(case, url)
    alice.login("alice")
    alice.join(room)
    alice.wait_for_member("carol")
    carol.say("/kick alice out")
    alice.wait(lambda: alice.texts("#rooms .conversation.away .name") == [room] or None, f"{room} left")
    return carol, alice


def heard(client: LineClient, text: str) -> None:
    """Read ``client``'s lines until one ends with ``text``; each read has the deadline."""
    while not client.read_line().rstrip().endswith(text.encode("utf-8")):
        pass


def in_no_room(case: SynchronousTestCase, url: str) -> Page:
    """alice's page, in no room (she left #lobby with its button), its message box taking commands."""
    alice = Page(case, url)
    alice.login("alice")
    leave_lobby(alice)
    alice.wait(
        lambda: alice.find("#no-room").text == "You are in no room; /join #room to talk." or None,
        "the page to say alice is in no room",
    )
    alice.wait(lambda: alice.find("#composer-text").is_enabled() or None, "the message box")
    return alice


def registered_in_page(page: Page) -> None:
    """The page's user registers the nickname they hold (password hunter22), and is told so."""
    page.say("/register hunter22")
    page.wait(lambda: "is registered to you" in page.shown() or None, "the account")


def reloaded_asking_for_the_password(page: Page, nick: str = "alice") -> None:
    """``nick``'s page, registered, reloaded: it asks for the password in its own words (it keeps none)."""
    page.driver.refresh()
    wait_for_text(
        page, "#login-error", f"{nick} is registered: enter its password, or choose another nickname."
    )


def on_a_file(case: SynchronousTestCase) -> tuple[tuple[str, str], Daemon, str, Page]:
    """A daemon on a --db file of its own, and alice's page in it: (the --db option, the daemon, its URL, alice)."""
    db = ("--db", new_database(case))
    daemon, url = start_web(case, *db)
    alice = Page(case, url)
    alice.login("alice")
    return db, daemon, url, alice


def wait_for_text(page: Page, css: str, text: str) -> None:
    """Wait until an element of ``page`` matching ``css`` holds exactly ``text``."""
    page.wait(lambda: text in page.texts(css) or None, f"{text!r} in {css}")


def register_mine(page: Page, nick: str = "alice") -> None:
    """``nick``, identified, makes #mine and registers it; waits until the page shows it registered."""
    page.join("#mine")
    page.say("/register #mine")
    wait_for_text(
        page, "#log-box .log .line.room_registered .body", f"{nick} registered the room to the account {nick}"
    )


def wait_for_privates(page: Page, *names: str) -> None:
    """Wait until the private conversations ``page`` lists are ``names``, in order."""
    page.wait(
        lambda: page.texts("#privates .name") == list(names) or None, f"the conversations {', '.join(names)}"
    )


MEMBERS = "#member-list .member"
"""Each member's button in the member list: its text is the member as ``/who`` shows them (``@alice``)."""


def carol_writes_to_alice(
    case: SynchronousTestCase, daemon: Daemon, url: str, text: str
) -> tuple[Page, LineClient]:
    """alice on ``daemon``'s page at ``url``, carol on nc: carol's /msg of ``text`` opens alice's conversation with
    her. alice's page and carol's connection."""
    alice = Page(case, url)
    alice.login("alice")
    carol = enter(daemon, "carol")
    carol.say(f"/msg alice {text}")
    alice.wait(lambda: alice.texts("#privates .name") == ["carol"] or None, "a conversation with carol")
    return alice, carol


def wait_for_members(page: Page, *shown: str) -> None:
    """Wait until the member list of the room shown reads ``shown``, marks and order included."""
    page.wait(lambda: page.texts(MEMBERS) == list(shown) or None, f"the members {', '.join(shown)}")


def spoken_members(page: Page) -> list[str]:
    """What a screen reader names each member's button, as Chromium computes it."""
    return [str(button.accessible_name) for button in page.driver.find_elements(By.CSS_SELECTOR, MEMBERS)]


RECORD = (
    "window.sent = []; window.received = [];"
    "const chat = window.chatd, send = chat.link.send.bind(chat.link), receive = chat.receive.bind(chat);"
    "chat.link.send = (line) => { window.sent.push(line); return send(line); };"
    "chat.receive = (object) => { window.received.push(object); receive(object); };"
)
"""Keep every line the page sends from now on (window.sent) and every object it is handed (window.received)."""


def record(page: Page) -> None:
    """From now on, note what ``page`` sends and receives (``sent``, ``received_after``)."""
    page.script(RECORD)


def record_afresh(page: Page) -> None:
    """As ``record``, forgetting what ``page`` sent and received before if it was recording already."""
    if page.script("return window.sent !== undefined;"):
        page.script("window.sent = []; window.received = [];")
    else:
        record(page)


def sent(page: Page) -> list[str]:
    """Every line ``page`` sent since ``record``, in order."""
    return [str(line) for line in page.script("return window.sent;")]


def asked_history(page: Page) -> list[str]:
    """Every ``/history`` ``page`` sent since ``record``, in order (an opened private conversation asks for keys too)."""
    return [line for line in sent(page) if line.startswith("/history")]


def received_after(page: Page, first: str, then: str) -> bool:
    """Whether ``page`` was handed an object of type or kind ``first`` (an error's code counts), and one of ``then`` after it."""
    return bool(
        page.script(
            "const named = (object, name) => [object.type, object.kind, object.code].includes(name);"
            "const at = window.received.findIndex((object) => named(object, arguments[0]));"
            "return at >= 0 && window.received.slice(at + 1).some((object) => named(object, arguments[1]));",
            first,
            then,
        )
    )


def nicknames_asked(page: Page) -> list[str]:
    """The lines ``page`` sent since ``record`` that ask for a nickname: ``/nick NICK`` or ``/identify NICK ...``."""
    return [line for line in sent(page) if line.startswith(("/nick ", "/identify "))]


def answers(page: Page) -> list[list[str]]:
    """The answers to typed commands in the log shown, each as its heading and then its lines."""
    found = page.script(
        "return Array.from(document.querySelectorAll('#log-box .log .line.answer .body'), (body) =>"
        "  [body.querySelector('.text').textContent,"
        "   ...Array.from(body.querySelectorAll('.answer-list li'), (item) => item.textContent)]);"
    )
    return [[str(text) for text in answer] for answer in found]


def wait_for_answer(page: Page, shown: list[str]) -> None:
    """Wait until the last answer to a typed command in the log shown reads ``shown``."""
    page.wait(lambda: answers(page)[-1:] == [shown] or None, f"the answer {shown}")


def numbered_lines(daemon: Daemon, count: int) -> tuple[LineClient, list[str]]:
    """carol, an nc user, says ``line 1`` to ``line COUNT`` in #lobby: carol, and the lines said."""
    carol = enter(daemon, "carol")
    texts = [f"line {n}" for n in range(1, count + 1)]
    for text in texts:
        said_by(carol, text)
    return carol, texts


def heard_of(client: LineClient, nick: str) -> list[bytes]:
    """The lines naming ``nick`` that ``client`` (on nc) was sent, up to its ``/whois NICK``'s rooms line, asked now.

    Whatever the server sent the client before the answer is read first:
    a join or a part of ``nick`` among them is one the client saw.
    """
    client.say(f"/whois {nick}")
    heard = []
    while True:
        line = client.read_line()
        if nick.encode() in line:
            heard.append(line)
        if line.startswith(f"*** {nick} is in".encode()):
            return heard


def shown_in_context(
    case: SynchronousTestCase, page: Page, hit: str, neighbours: list[str], said: list[str]
) -> WebElement:
    """The line of ``page``'s log marked as a search hit, once it is: it says ``hit``, ``neighbours`` are shown with
    it, and the lines shown are in the order of ``said``, each once."""
    found = page.wait(lambda: page.find("#log-box .log .line.found"), "the hit marked in the log")
    case.assertEqual(found.find_element(By.CSS_SELECTOR, ".text").get_attribute("textContent"), hit)
    shown = page.said()
    for text in neighbours:
        case.assertIn(text, shown)
    case.assertEqual(shown, [text for text in said if text in shown], "in order, each once")
    return found


def leave_lobby(page: Page, *rooms: str) -> None:
    """Leave #lobby with its button in ``page``'s list, and wait until the list holds ``rooms`` only."""
    page.find("#rooms .conversation .leave[aria-label='Leave #lobby']").click()
    page.wait(lambda: page.texts("#rooms .name") == list(rooms) or None, "#lobby left")


GONE = (
    "The server went away without warning: it may have stopped suddenly, or the network dropped. The page keeps "
    "trying to reconnect."
)
"""What the log says when the server went away without its goodbye."""


NO_ROOM = "return window.received.some((object) => object.kind === 'room' && object.room === null);"
"""Whether the page, since ``record``, was told its user is in no room (no room is current)."""


CONNECTED = re.compile(rb"Connection from 127\.0\.0\.1$")
"""chatd's log line for each connection it admits."""

ATTEMPT_NOW = """
const status = document.getElementById("status").textContent;
const attempt = Number(/\\(attempt (\\d+)\\)/.exec(status)?.[1] ?? 1);
if (attempt < arguments[0]) window.chatd.link.now();
return attempt >= arguments[0];
"""
"""Whether the status line names attempt ``arguments[0]`` (``Disconnected. Reconnecting in 1 s (attempt 3)…``) or a
later one; if not, the page tries to reconnect now rather than at the end of its pause (``Link.now``, as a login
typed while it waits does), unless an attempt is under way. Past the attempt asked for, the pause would grow."""


def attempted(page: Page, attempt: int) -> None:
    """Wait until ``page``, its server gone, has failed ``attempt`` - 1 attempts to reconnect, each tried at once:
    waited out, the pauses (0.5-1 s, growing) took 1.5-2 s for two."""
    page.wait(lambda: page.script(ATTEMPT_NOW, attempt) or None, f"{attempt - 1} attempts to reconnect")


UNASKED_RECONNECT_SECONDS = 3.0
"""How long a page that came back by itself after the deadline would take to be seen: its first pause is at most 1 s."""


class ChatTests(SynchronousTestCase):
    """Browsers and nc users in the same rooms of one daemon.

    The tests take turns on a daemon with a web port (``SharedDaemon``), each with users, accounts and rooms of its
    own; those that restart it or need options of their own start their own.
    """

    shared = SharedDaemon(SHARED_WEB)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.shared.stop()

    def test_two_browsers_and_an_nc_user_chat_in_one_room(self) -> None:
        """alice and bob in browsers and carol on nc, in #team: each sees the others' lines, in order."""
        daemon, url = lent_web(self.shared, self)
        alice, bob = Page(self, url), Page(self, url)
        alice.login("alice")
        bob.login("bob")
        carol = enter(daemon, "carol")
        switch(carol, "#team")
        for page in (alice, bob):
            page.join("#team")
            page.wait_for_member("carol")
        alice.say("hello from alice")
        bob.wait_for_said("hello from alice")
        bob.say("hi from bob")
        alice.wait_for_said("hi from bob")
        said_by(carol, "and carol on nc")
        for page in (alice, bob):
            page.wait_for_said("and carol on nc")
            self.assertEqual(page.said(), ["hello from alice", "hi from bob", "and carol on nc"])
        # carol's nc saw both browsers' lines, and an action, as a line user sees them.
        alice.say("/me waves")
        while not carol.read_line().endswith(b"* alice waves\r\n"):
            pass
        self.assertEqual(bob.wait_for_said("waves").get_attribute("class"), "line acted acted")
        for page in (alice, bob):
            # carol made #team: she is its operator.
            self.assertEqual(sorted(page.texts(MEMBERS)), ["@carol", "alice", "bob"])
            quiet(self, page)

    def test_a_right_to_left_line_shows_its_nickname_first_and_its_text_in_its_own_direction(self) -> None:
        """An Arabic nickname saying Arabic text: the nickname stays first (left, as on every line), not carried to
        the right end by the text's direction, and the text runs right to left, its last "!" at its left end."""
        daemon, url = lent_web(self.shared, self)
        page = Page(self, url)
        page.login("alice")
        said_by(enter(daemon, "نور"), "مرحبا بالجميع!")
        line = page.wait_for_said("مرحبا بالجميع!")
        nick, text, last = page.script(
            """const line = arguments[0], nick = line.querySelector(".nick"), text = line.querySelector(".text");
            const range = document.createRange();
            range.setStart(text.firstChild, text.firstChild.length - 1);
            range.setEnd(text.firstChild, text.firstChild.length);
            const box = (rect) => [rect.left, rect.right];
            return [box(nick.getBoundingClientRect()), box(text.getBoundingClientRect()), box(range.getBoundingClientRect())];""",
            line,
        )
        self.assertLessEqual(nick[1], text[0])
        self.assertLess(last[0] - text[0], 1)
        quiet(self, page)

    def test_a_right_to_left_topic_runs_in_its_own_direction_and_is_cut_at_its_end(self) -> None:
        """An Arabic topic in the header runs right to left, its last "!" at its left end; one too long for the bar
        shows its first word, at the right, and is cut at its end, at the left, as an Arabic reader reads it (in
        #majlis, so that #lobby's topic stays the shared daemon's)."""
        daemon, url = lent_web(self.shared, self)
        page = Page(self, url)
        page.login("alice")
        noor = enter(daemon, "نور")
        switch(noor, "#majlis")
        page.join("#majlis")
        short = "مرحبا بالجميع!"
        noor.say(f"/topic {short}")
        wait_for_text(page, "#topic", short)
        ends = """const topic = document.getElementById("topic"), text = topic.firstChild;
            const range = document.createRange(), box = (rect) => [rect.left, rect.right];
            range.selectNodeContents(topic);
            const whole = box(range.getBoundingClientRect());
            range.setStart(text, 0);
            range.setEnd(text, 1);
            const first = box(range.getBoundingClientRect());
            range.setStart(text, text.length - 1);
            range.setEnd(text, text.length);
            return [box(topic.getBoundingClientRect()), whole, first, box(range.getBoundingClientRect())];"""
        _, whole, _, last = page.script(ends)
        self.assertLess(last[0] - whole[0], 1)
        # Within the line port's 512 bytes, and longer than the bar of a 1280-pixel window.
        long = " ".join(["اجتماع الفصل يوم الجمعة في القاعة الكبيرة"] * 5)
        noor.say(f"/topic {long}")
        wait_for_text(page, "#topic", long)
        bar, _, first, _ = page.script(ends)
        self.assertTrue(bar[0] <= first[0] and first[1] <= bar[1] + 1, (bar, first))
        quiet(self, page)

    def test_a_tab_left_unnamed_past_the_servers_deadline_waits_then_gets_in(self) -> None:
        """The server closes a socket that chose no nickname in time: the page does not reconnect by itself,
        shows nothing alarming, and connects again when a nickname is chosen."""
        daemon, url = start_web(self, "--register-timeout", "1")
        page = Page(self, url)
        page.wait(lambda: page.find("#login-nick").is_enabled() or None, "the nickname box")
        page.wait(lambda: page.script("return !window.chatd.link.connected;") or None, "the deadline's close")
        daemon.assert_not_logged(CONNECTED, UNASKED_RECONNECT_SECONDS)
        self.assertEqual(page.status(), "Choose a nickname to connect.")
        self.assertEqual(page.find("#login-error").text, "")
        self.assertTrue(page.find("#login-submit").is_enabled())
        self.assertNotIn("no nickname chosen", page.shown())
        page.login("slowpoke")
        self.assertEqual(page.title(), "#lobby")
        self.assertNotIn("no nickname chosen", page.shown())
        quiet(self, page)

    def test_an_unnamed_page_comes_back_by_itself_after_a_restart(self) -> None:
        """A drop other than the deadline's is reconnected before a nickname is chosen too, and the nickname works."""
        daemon, url = start_web(self)
        page = Page(self, url)
        page.wait(lambda: page.find("#login-nick").is_enabled() or None, "the nickname box")
        daemon.signal(signal.SIGTERM)
        page.wait(
            lambda: page.status().startswith("Disconnected") or None, "the page to say it is disconnected"
        )
        port = url.rstrip("/").rsplit(":", 1)[1]
        daemon = restarted(page, lambda: Daemon.start(self, [*LOOPBACK, "--web-port", port]))
        self.assertEqual(web_url(daemon), url)
        daemon.wait_for_log(CONNECTED)
        page.wait(lambda: page.status() == "Connected. Choose a nickname." or None, "the page to be back")
        page.login("slowpoke")
        self.assertEqual(page.title(), "#lobby")
        quiet(self, page)

    def test_room_settings_registrations_invitations_and_claims_are_shown(self) -> None:
        """What the line protocol shows of a room's settings and registration, of an invitation and of someone
        trying amal's registered nickname, the page shows too: in the room, or where amal is."""
        daemon, url = lent_web(self.shared, self)
        amal = Page(self, url)
        amal.login("amal")
        registered_in_page(amal)
        carol = enter(daemon, "carol")
        switch(carol, "#study")
        carol.say("/mode #study +i")
        carol.say("/invite amal #study")
        wait_for_text(amal, "#log-box .log .line.invited .body", "carol invited amal to #study")
        amal.join("#study")
        carol.say("/mode #study +v amal")
        wait_for_text(amal, "#log-box .log .line.room_modes_changed .body", "carol gave amal voice")
        register_mine(amal, "amal")
        amal.say("/unregister #mine")
        wait_for_text(amal, "#log-box .log .line.room_unregistered .body", "amal unregistered the room")
        thief = daemon.connect(source="127.0.0.2")
        thief.say("amal")
        wait_for_text(
            amal,
            "#log-box .log .line.nickname_claimed .body",
            "Someone at 127.0.0.2 tried to take your nickname as amal",
        )
        quiet(self, amal)

    def test_a_private_message_opens_a_conversation_with_its_sender(self) -> None:
        """carol's /msg to alice shows under Private as carol's, counted unread, and alice's answer reaches carol."""
        alice, carol = carol_writes_to_alice(self, *lent_web(self.shared, self), "psst, alice")
        self.assertEqual(alice.texts("#privates .badge.unread.mentions"), ["1 unread, 1 mention"])
        alice.open("carol")
        alice.wait_for_said("psst, alice")
        self.assertEqual(alice.texts("#privates .badge"), [])
        alice.say("hello carol")
        while not carol.read_line().endswith(b"<alice -> carol> hello carol\r\n"):
            pass
        alice.wait_for_said("hello carol")
        quiet(self, alice)

    def test_a_private_conversation_with_dev_reads_its_history_in_the_room_dev(self) -> None:
        """ada and dev are identified, and ada is in #dev: reloaded, her page's conversation with dev shows
        what dev wrote her before, and /history typed there says it ended the private messages with dev
        (both read #dev's history, as /history dev means #dev for its members)."""
        daemon, url = lent_web(self.shared, self)
        dev = registered_on_nc(daemon, "dev")
        ada = Page(self, url)
        ada.login("ada")
        registered_in_page(ada)
        ada.join("#dev")
        dev.say("/msg ada kept between us")
        wait_for_privates(ada, "dev")
        reloaded_asking_for_the_password(ada, "ada")
        ada.login("ada", "hunter22")
        ada.open("dev")
        ada.wait_for_said("kept between us")
        ada.say("/history")
        wait_for_text(ada, "#log-box .log .line.notice .text", "End of private messages with dev.")
        quiet(self, ada)

    def test_a_private_conversation_opens_on_its_last_20_messages_and_loads_the_rest(self) -> None:
        """rob wrote pia 30 private messages, both identified; reloaded, pia's page opens the conversation with one
        /history of the last 20, shown in order; "Load older messages" asks for those before the oldest shown and
        shows all 30, in order and each once, then goes: nothing older is kept. The page asked for 50 at each
        opening, and offered no older ones."""
        daemon, url = lent_web(self.shared, self)
        pia = Page(self, url)
        pia.login("pia")
        registered_in_page(pia)
        rob = registered_on_nc(daemon, "rob")
        texts = [f"note {n}" for n in range(1, 31)]
        rob.send(b"".join(f"/msg pia {text}\n".encode() for text in texts))
        # Past his flood burst the server takes 2 a second: each echo comes within a read's deadline.
        heard(rob, "<rob -> pia> note 30")
        pia.wait(
            lambda: (
                pia.script(
                    "return window.chatd.privateWith('rob').log.querySelectorAll('.line.whispered').length;"
                )
                == 30
                or None
            ),
            "rob's 30 messages",
        )
        reloaded_asking_for_the_password(pia, "pia")
        pia.login("pia", "hunter22")
        record(pia)
        pia.open("rob")
        pia.wait(lambda: pia.said() == texts[10:] or None, "the last 20 messages")
        self.assertEqual(asked_history(pia), ["/history @rob 20"])
        older = pia.find("#older")
        pia.wait(lambda: (older.is_displayed() and older.is_enabled()) or None, "Load older messages")
        older.click()
        pia.wait(lambda: len(pia.said()) >= 30 or None, "the 10 before them")
        self.assertEqual(pia.said(), texts)
        self.assertEqual(
            asked_history(pia)[1:],
            [f"/history @rob before {pia.wait_for_said('note 11').get_attribute('data-id')} 50"],
        )
        pia.wait(lambda: not older.is_displayed() or None, "nothing older to load")
        quiet(self, pia)

    def test_a_private_conversation_follows_its_persons_new_nickname(self) -> None:
        """Alicia on nc, who wrote to alice, becomes Ally: the conversation shown is Ally's now (its item, title
        and log), her next line lands in it and alice's answer reaches her. When Ally takes the nickname Bea,
        free again since bea (who wrote earlier) left, the two conversations become Bea's, with every line in
        order and the text alice was typing still in the box."""
        daemon, url = lent_web(self.shared, self)
        bea, alicia = enter(daemon, "bea"), enter(daemon, "Alicia")
        alice = Page(self, url)
        alice.login("alice")
        bea.say("/msg alice from the first bea")
        wait_for_privates(alice, "bea")
        bea.say("/quit")
        bea.read_to_end()
        alicia.say("/msg alice hi")
        wait_for_privates(alice, "bea", "Alicia")
        alice.open("Alicia")
        alice.say("hello Alicia")
        while not alicia.read_line().endswith(b"<alice -> Alicia> hello Alicia\r\n"):
            pass
        alicia.say("/nick Ally")
        alicia.say("/msg alice again")
        alice.wait_for_said("again")
        self.assertEqual(alice.texts("#privates .name"), ["bea", "Ally"])
        self.assertEqual(alice.title(), "Ally")
        self.assertEqual(
            alice.find("#log-box .log").get_attribute("aria-label"), "Private messages with Ally"
        )
        self.assertEqual(alice.said(), ["hi", "hello Alicia", "again"])
        alice.say("still there?")
        while not alicia.read_line().endswith(b"<alice -> Ally> still there?\r\n"):
            pass
        alice.find("#composer-text").send_keys("half typed")
        alicia.say("/nick Bea")
        wait_for_privates(alice, "Bea")
        self.assertEqual(alice.title(), "Bea")
        self.assertEqual(alice.said(), ["from the first bea", "hi", "hello Alicia", "again", "still there?"])
        self.assertEqual(alice.find("#composer-text").get_attribute("value"), "half typed")
        alice.find("#composer-text").send_keys(", now sent", Keys.ENTER)
        while not alicia.read_line().endswith(b"<alice -> Bea> half typed, now sent\r\n"):
            pass
        quiet(self, alice)

    def test_a_kill_is_shown_in_the_page_of_the_one_killed_and_of_their_roommates(self) -> None:
        """An operator on nc kills bob, who is in a browser: bob's page and alice's show who did it and why, bob
        leaves alice's member list, and alice's page goes on."""
        daemon, url = start_web(self, "--opers", opers_file(self, quick_hash("correct horse")))
        alice, bob = Page(self, url), Page(self, url)
        alice.login("alice")
        bob.login("bob")
        op = enter(daemon, "op")
        op.say("/oper boss correct horse")
        op.expect("*** You are now an operator.")
        op.say("/kill bob flooding")
        for page in (alice, bob):
            wait_for_text(page, "#log-box .log .line.killed .body", "bob was killed by op (flooding)")
        # The server tells no quit besides: the kill itself takes bob out of alice's member list.
        wait_for_members(alice, "alice", "op")
        alice.say("still here")
        alice.wait_for_said("still here")
        for page in (alice, bob):
            quiet(self, page)

    def test_a_mention_is_counted_in_its_room_and_highlighted(self) -> None:
        """carol names alice in #lobby while alice reads #reading: #lobby counts it, and its line is marked."""
        daemon, url = lent_web(self.shared, self)
        alice = Page(self, url)
        alice.login("alice")
        alice.join("#reading")
        carol = enter(daemon, "carol")
        said_by(carol, "nobody in particular")
        said_by(carol, "Alice, have a look")
        alice.wait(
            lambda: alice.texts("#rooms .badge") == ["2 unread, 1 mention"] or None, "the count beside #lobby"
        )
        alice.open("#lobby")
        mention = alice.wait_for_said("Alice, have a look")
        self.assertIn("mention", str(mention.get_attribute("class")).split())
        self.assertNotIn("mention", str(alice.wait_for_said("nobody in particular").get_attribute("class")))
        self.assertEqual(alice.texts("#rooms .badge"), [])
        quiet(self, alice)

    def test_a_mention_while_the_tab_is_hidden_is_notified(self) -> None:
        """With notifications allowed, a mention said while another tab is in front is notified; other lines are not.

        The browser's Notification is replaced by a recorder once the page
        has loaded (a headless browser shows none), which keeps what it is
        asked to show in localStorage: a second tab of the same origin, in
        front meanwhile, reads it there. What is tested is the page's
        choice, by visibility, permission and mention.
        """
        daemon, url = lent_web(self.shared, self)
        alice = Page(self, url)
        alice.login("alice")
        carol = enter(daemon, "carol")
        alice.script(
            "window.Notification = class {"
            "  static permission = 'granted';"
            "  constructor(title, options) {"
            "    const shown = JSON.parse(localStorage.getItem('notified') || '[]');"
            "    shown.push([title, options.body, document.hidden]);"
            "    localStorage.setItem('notified', JSON.stringify(shown));"
            "  }"
            "  addEventListener() {}"
            "};"
        )
        said_by(carol, "alice, seen while looking")
        alice.wait_for_said("alice, seen while looking")
        alice.driver.switch_to.new_window("tab")
        alice.driver.get(url)
        said_by(carol, "a line for nobody")
        said_by(carol, "alice: are you there?")
        notified = alice.wait(
            lambda: alice.script("return localStorage.getItem('notified');"), "a notification"
        )
        self.assertEqual(json.loads(notified), [["carol in #lobby", "alice: are you there?", True]])
        quiet(self, alice)

    def test_a_registered_nickname_is_identified_with_its_password(self) -> None:
        """A wrong password is refused in the form; the right one gets the nickname, and the page says so."""
        daemon, url = lent_web(self.shared, self)
        dora = registered_on_nc(daemon, "dora")
        dora.say("/quit")
        dora.read_to_end()
        page = Page(self, url)
        page.wait(lambda: page.find("#login-nick").is_enabled() or None, "the nickname box")
        page.find("#login-nick").send_keys("dora")
        page.find("#login-password").send_keys("not-the-password", Keys.ENTER)
        page.wait(
            lambda: "wrong password" in str(page.find("#login-error").get_attribute("textContent")) or None,
            "the wrong password refused",
        )
        page.find("#login-password").clear()
        page.login("dora", "secret-pass-1")
        page.wait(
            lambda: "You are identified as dora." in page.texts(".log .line.notice .text") or None,
            "the page to say dora is identified",
        )
        quiet(self, page)

    def test_coming_back_identifies_by_the_nickname_as_its_owner_spells_it(self) -> None:
        """Aisha registers in the page; after a dropped connection the page identifies her again, and is told "You
        are identified as Aisha.": it named the account by the server's key, and read "aisha" back."""
        _, url = lent_web(self.shared, self)
        page = Page(self, url)
        page.login("Aisha")
        page.say("/register hunter22")
        page.wait(lambda: "is registered to you" in page.shown() or None, "the account")
        page.note_statuses()
        page.script("window.chatd.link.restart();")
        page.wait_for_status("Reconnected.", "the page to come back")
        notices = page.texts(".log .line.notice .text")
        self.assertIn("You are identified as Aisha.", notices)
        self.assertNotIn("You are identified as aisha.", notices)
        quiet(self, page)

    def test_identifying_to_an_account_online_elsewhere_lists_its_rooms(self) -> None:
        """dina is online on nc in #lobby and #work; her page, identified, is in both: no join of its own comes."""
        daemon, url = lent_web(self.shared, self)
        dina = registered_on_nc(daemon, "dina")
        dina.say("/join #work")
        while not dina.read_line().startswith(b"*** In #work"):
            pass
        page = Page(self, url)
        page.login("dina", "secret-pass-1")
        page.wait(
            lambda: page.texts("#rooms .name") == ["#lobby", "#work"] or None, "dina's two rooms listed"
        )
        page.open("#work")
        page.wait(lambda: page.title() == "#work" or None, "#work shown")
        page.wait_for_member("dina")
        page.find("#composer-text").send_keys("from the page", Keys.ENTER)
        while b"from the page" not in dina.read_line():
            pass
        quiet(self, page)

    def test_a_join_from_another_connection_of_the_account_leaves_the_page_talking_where_it_was(self) -> None:
        """dana's page talks in #lobby; dana joins #ops on nc: the page lists #ops, with its members; a line typed in
        #ops goes to #ops, and one typed in #lobby to #lobby. The join read as the page's own, so the page took #ops
        for where its lines went already, and a line typed there went to #lobby."""
        daemon, url = lent_web(self.shared, self)
        dana = registered_on_nc(daemon, "dana")
        page = Page(self, url)
        page.login("dana", "secret-pass-1")
        page.wait(lambda: page.title() == "#lobby" or None, "#lobby shown")
        dana.say("/join #ops")
        page.wait(lambda: page.texts("#rooms .name") == ["#lobby", "#ops"] or None, "#ops listed")
        for room, text in (("#ops", "now in ops"), ("#lobby", "back in the lobby")):
            page.open(room)

            def shown(room: str = room) -> bool | None:
                return page.title() == room or None

            page.wait(shown, f"{room} shown")
            page.find("#composer-text").send_keys(text, Keys.ENTER)
            line = dana.read_line()
            while text.encode() not in line:
                line = dana.read_line()
            self.assertIn(f"{room} <dana> {text}".encode(), line)
        page.wait_for_member("dana")
        quiet(self, page)


PROVES = """
const [lines, done] = arguments;
import("/typed.js").then(({ proves }) => done(lines.map(proves)), (error) => done(String(error)));
"""
"""Run in the page: what each line proves once the server confirms it."""

PROOFS = [
    ('/identify "my pass"', {"change": "identified", "password": '"my pass"'}),
    ('/identify  "two  words" ', {"change": "identified", "password": '"two  words"'}),
    ('/identify "one"', {"change": "identified", "password": '"one"'}),
    ('/identify alice "my pass"', {"change": "identified", "password": '"my pass"'}),
    ("/identify alice my pass", {"change": "identified", "password": "my pass"}),
    ("/IDENTIFY hunter22", {"change": "identified", "password": "hunter22"}),
    ('/identify "my pass" more', {"change": "identified", "password": 'pass" more'}),
    ('/register "my pass"', {"change": "registered", "password": '"my pass"'}),
    ("/register spaced words", {"change": "registered", "password": "spaced words"}),
    ("/register #room", None),
    ('/password "old pass" "new pass"', {"change": "password", "password": '"new pass"'}),
    ("/password old new words", {"change": "password", "password": "new words"}),
    ("/password old", None),
    ("/identify", None),
    ("hello there", None),
]
"""Lines typed, and what the page keeps once the server confirms each (None: a line that proves nothing). A
password is kept as typed, quotes and all, the way ``/identify ACCOUNT PASSWORD`` is read again: ``/identify
alice "my pass"`` proves ``my pass``, or an account whose hash kept the quotes, as the line typed did."""


class TypedTests(SynchronousTestCase):
    """Commands typed in the message box do what they say where they are typed, and their answers show.

    The tests take turns on a daemon with a web port (``SharedDaemon``), each with users and accounts of its own;
    those that need options of their own start their own.
    """

    shared = SharedDaemon(SHARED_WEB)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.shared.stop()

    def test_room_commands_typed_in_a_private_conversation_leave_the_current_room_alone(self) -> None:
        """In the conversation with carol, /me, /topic, /part and /who alone, which would act on the server's
        current room (#lobby), are refused in one line each, kept in the message box and not sent; /history
        asks for the messages with carol, and /search words searches them (the server refuses it: alice has no
        account). carol, in #lobby on nc, next reads alice's private message."""
        daemon, url = lent_web(self.shared, self)
        alice = Page(self, url)
        alice.login("alice")
        carol = enter(daemon, "carol")
        carol.say("/msg alice psst")
        while not carol.read_line().endswith(b"<carol -> alice> psst\r\n"):
            pass
        alice.wait(lambda: alice.texts("#privates .name") == ["carol"] or None, "a conversation with carol")
        alice.open("carol")
        record(alice)
        box = alice.find("#composer-text")
        for typed, refusal in (
            (
                "/me nods privately",
                "/me acts in a room, and a private message carries no action: write it as a message to carol. "
                "Nothing was sent.",
            ),
            (
                "/topic",
                "/topic acts on a room, not on carol: name the room (/topic #room) or type it in that room. "
                "Nothing was sent.",
            ),
            (
                "/part bye",
                "/part acts on a room, not on carol: name the room (/part #room) or type it in that room. "
                "Nothing was sent.",
            ),
            (
                "/who",
                "/who acts on a room, not on carol: name the room (/who #room) or type it in that room. "
                "Nothing was sent.",
            ),
        ):
            box.send_keys(typed, Keys.ENTER)
            wait_for_text(alice, "#log-box .log .line.error .text", refusal)
            self.assertEqual(box.get_attribute("value"), typed)
            box.clear()
        self.assertEqual(sent(alice), [])
        alice.say("/history")
        self.assertEqual(sent(alice), ["/history @carol"])
        # A search naming no room is of the messages with carol: alice has no account, which the server says.
        box.send_keys("/search menu", Keys.ENTER)
        wait_for_text(
            alice,
            "#log-box .log .line.error .text",
            "you are not identified; /register PASSWORD or /identify PASSWORD first",
        )
        self.assertEqual(sent(alice), ["/history @carol", "/search @carol menu"])
        alice.say("still private")
        self.assertTrue(carol.read_line().endswith(b"<alice -> carol> still private\r\n"))
        self.assertEqual(alice.title(), "carol")
        quiet(self, alice)

    def test_a_password_typed_is_kept_as_the_server_reads_it(self) -> None:
        """typed.js's ``proves`` gives, for each line that may prove a password, what the page then sends after
        ``/identify ACCOUNT`` on every reconnection: read there as the server read the line typed, so a password in
        double quotes is the words inside (chatd/line/passwords.py), as the bundled client keeps it."""
        _, url = lent_web(self.shared, self)
        page = Page(self, url)
        kept = page.driver.execute_async_script(PROVES, [line for line, _ in PROOFS])
        self.assertEqual(kept, [proof for _, proof in PROOFS])
        quiet(self, page)

    def test_an_operator_gives_an_account_a_new_password_from_the_message_box(self) -> None:
        """The teacher, an operator on the page, types /account password alice ...: the page shows the server's
        answer, and alice's page who set a new password, never the password."""
        _, url = start_web(self, "--opers", opers_file(self, quick_hash("boss-pass")))
        alice = Page(self, url)
        alice.login("alice")
        registered_in_page(alice)
        teacher = Page(self, url)
        teacher.login("teacher")
        teacher.say("/oper boss boss-pass")
        wait_for_text(teacher, "#log-box .log .line.notice .text", "You are now an operator.")
        teacher.say("/account password alice first-week-2026")
        wait_for_text(
            teacher,
            "#log-box .log .line.notice .text",
            "The account alice has a new password: its owner identifies with it, then chooses their own with "
            "/password OLD NEW.",
        )
        wait_for_text(
            alice,
            "#log-box .log .line.password_set .body",
            "The operator teacher set a new password for your account alice; /password OLD NEW chooses your own",
        )
        self.assertNotIn("first-week-2026", alice.shown())
        quiet(self, teacher)
        quiet(self, alice)

    def test_history_around_an_id_typed_in_a_private_conversation_is_refused(self) -> None:
        """In the conversation with carol, /history around ID, which the server would read in its current room
        (#lobby), is refused in one line, kept in the message box and not sent: no private message is shown
        around one. /history 5 and /history before ID 5 ask for messages with carol."""
        alice, _ = carol_writes_to_alice(self, *lent_web(self.shared, self), "psst")
        alice.open("carol")
        record(alice)
        box = alice.find("#composer-text")
        box.send_keys("/history AROUND 019a9b3c1d280000", Keys.ENTER)
        wait_for_text(
            alice,
            "#log-box .log .line.error .text",
            "/history around ID works in a room: type it in that room, or /history N here for the last N "
            "messages with carol. Nothing was sent.",
        )
        self.assertEqual(box.get_attribute("value"), "/history AROUND 019a9b3c1d280000")
        box.clear()
        self.assertEqual(sent(alice), [])
        alice.say("/history 5")
        alice.say("/history before 019a9b3c1d280000 5")
        self.assertEqual(sent(alice), ["/history @carol 5", "/history @carol before 019a9b3c1d280000 5"])
        quiet(self, alice)

    def test_history_before_an_id_typed_in_a_room_awaits_no_private_answer(self) -> None:
        """/history before ID typed in #lobby shows the lines before that one and leaves nothing awaited: /who
        #nosuch, refused next, takes its own answer with it, and joining #nosuch then shows no member list as
        an answer. The page read "before" as a nickname and awaited the end of private messages with it."""
        daemon, url = lent_web(self.shared, self)
        alice = Page(self, url)
        alice.login("alice")
        carol = enter(daemon, "carol")
        said_by(carol, "one")
        said_by(carol, "two")
        two = alice.wait_for_said("two").get_attribute("data-id")
        alice.say(f"/history before {two}")
        alice.say("/who #nosuch")
        alice.wait(lambda: alice.texts("#log-box .log .line.error .text") or None, "/who #nosuch refused")
        alice.join("#nosuch")
        alice.wait_for_member("alice")
        self.assertEqual(answers(alice), [])
        quiet(self, alice)

    def test_answers_to_typed_commands_are_shown_and_those_to_the_pages_own_are_not(self) -> None:
        """/rooms, /who, /whois, /topic, /users, /time and /mode #dev typed in #dev each show their answer as a
        block in #dev, from its JSON fields; the members and topic the server sends on joining show none."""
        daemon, url = lent_web(self.shared, self)
        carol = enter(daemon, "carol")
        switch(carol, "#dev")
        carol.say("/topic release on Friday")
        carol.say("/mode #dev +l 10")
        alice = Page(self, url)
        alice.login("alice")
        alice.join("#dev")
        alice.wait_for_member("carol")
        wait_for_text(alice, "#topic", "release on Friday")
        self.assertEqual(answers(alice), [])
        for typed, shown in (
            ("/rooms", ["Rooms (2):", "#dev (2) release on Friday", "#lobby (2)"]),
            ("/who", ["In #dev (2):", "@carol alice"]),
            ("/whois carol", ["carol is in #lobby #dev"]),
            ("/users", ["Online (2):", "alice carol"]),
            ("/mode #dev", ["Settings of #dev: limit 10"]),
        ):
            alice.say(typed)
            wait_for_answer(alice, shown)
        alice.say("/topic")
        heading, by = alice.wait(
            lambda: answers(alice)[-1] if len(answers(alice)) == 6 else None, "the topic"
        )
        self.assertEqual(heading, "Topic of #dev: release on Friday")
        self.assertRegex(by, r"^Set by carol on \d{4}-\d\d-\d\d \d\d:\d\d UTC$")
        alice.say("/time")
        [time] = alice.wait(lambda: answers(alice)[-1] if len(answers(alice)) == 7 else None, "the time")
        self.assertRegex(time, r"^Server time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$")
        # Joining asks for neither: the members and topic it brings only fill the member list and header.
        alice.join("#third")
        alice.wait_for_member("alice")
        self.assertEqual(len(answers(alice)), 0, "#third shows no answer")
        self.assertEqual(alice.find("#log-box .log").get_attribute("aria-label"), "Messages in #third")
        quiet(self, alice)

    def test_a_room_joined_by_typing_join_is_shown_as_one_clicked(self) -> None:
        """/join #third typed in #lobby shows #third, focused and listed as a room the user is in; /join #lobby
        typed there goes back to #lobby."""
        _, url = lent_web(self.shared, self)
        alice = Page(self, url)
        alice.login("alice")
        alice.say("/join #third")
        alice.wait(lambda: alice.title() == "#third" or None, "#third to be shown")
        self.assertEqual(alice.texts("#rooms .conversation:not(.away) .name"), ["#lobby", "#third"])
        self.assertEqual(alice.texts("#rooms .open[aria-current='true'] .name"), ["#third"])
        self.assertEqual(alice.script("return document.activeElement.id;"), "composer-text")
        alice.say("/join #lobby")
        alice.wait(lambda: alice.title() == "#lobby" or None, "#lobby to be shown again")
        self.assertEqual(alice.texts("#rooms .open[aria-current='true'] .name"), ["#lobby"])
        quiet(self, alice)

    def test_commands_typed_in_a_room_one_was_kicked_from_are_sent(self) -> None:
        """carol kicks alice out of #dev, which stays shown: a plain line there is refused and /who alone (which
        would act on #lobby) is refused in one line, as are /history (its members' alone) and /part, none sent;
        /rooms is sent and answered, and /join #dev takes her back in, where she talks again (--kick-rejoin 0.1:
        all but at once)."""
        carol, alice = kicked_out(self, *start_web(self, "--kick-rejoin", "0.1"))
        self.assertEqual(alice.title(), "#dev")
        record(alice)
        box = alice.find("#composer-text")
        box.send_keys("hello?", Keys.ENTER)
        alice.wait(lambda: alice.status() == "You are not in #dev." or None, "the plain line refused")
        box.clear()
        box.send_keys("/who", Keys.ENTER)
        wait_for_text(
            alice,
            "#log-box .log .line.error .text",
            "You are not in #dev, so /who would act on another room: name the room (/who #room). Nothing was sent.",
        )
        self.assertEqual(box.get_attribute("value"), "/who")
        box.clear()
        for typed, refusal in (
            ("/history", "You are not in #dev, and only its members read its history: /join #dev first."),
            ("/part", "You are not in #dev: there is nothing to leave."),
        ):
            box.send_keys(typed, Keys.ENTER)
            wait_for_text(alice, "#log-box .log .line.error .text", f"{refusal} Nothing was sent.")
            box.clear()
        self.assertEqual(sent(alice), [])
        alice.say("/rooms")
        wait_for_answer(alice, ["Rooms (2):", "#dev (1)", "#lobby (2)"])
        alice.say("/join #dev")
        alice.wait(lambda: alice.texts("#rooms .conversation.away .name") == [] or None, "#dev joined again")
        self.assertEqual(sent(alice), ["/rooms", "/join #dev"])
        alice.say("back")
        while not carol.read_line().endswith(b"#dev <alice> back\r\n"):
            pass
        quiet(self, alice)

    def test_you_are_not_in_a_room_stays_with_that_room(self) -> None:
        """carol kicks alice out of #detention: a line and then a file sent there are refused with "You are not in
        #detention." in the status line, which names alice again once #lobby is shown (it stayed on, as if of
        #lobby). A room no other test of the class joins: alice may not join it again for a minute."""
        _, alice = kicked_out(self, *lent_web(self.shared, self), "#detention")

        def left_behind(refused: str) -> None:
            alice.wait(lambda: alice.status() == "You are not in #detention." or None, f"{refused} refused")
            alice.open("#lobby")
            self.assertEqual(alice.status(), "You are alice.")
            alice.open("#detention")

        alice.find("#composer-text").send_keys("hello?", Keys.ENTER)
        left_behind("the line")
        self.assertEqual(alice.status(), "You are alice.")
        choose(alice, on_disk(self, "notes.txt", b"for #detention"))
        left_behind("the file")
        quiet(self, alice)

    def test_a_refused_search_or_join_is_said_only_where_it_was_made(self) -> None:
        """With nothing shown (alice left #lobby), a search says "Search works in a room or a private conversation:
        open one first." until she joins #dev; made in her conversation with carol while not identified, that she
        must identify, until #dev is shown again; and the join box's
        refusal of a name with a space goes once another conversation is shown. The status line then names her
        again: each refusal stayed on, as if said of every conversation."""
        daemon, url = lent_web(self.shared, self)
        carol = enter(daemon, "carol")
        alice = Page(self, url)
        alice.login("alice")
        alice.wait(lambda: alice.status() == "You are alice." or None, "the status line to name alice")
        nowhere = "Search works in a room or a private conversation: open one first."
        unidentified = "Private messages are searched once you are identified: /register or /identify first."

        def refused(box: str, typed: str, words: str) -> None:
            alice.find(box).send_keys(typed, Keys.ENTER)
            alice.wait(lambda: alice.status() == words or None, f"{typed!r} refused")
            alice.find(box).clear()

        leave_lobby(alice)
        refused("#search-words", "anything", nowhere)
        alice.join("#dev")
        self.assertEqual(alice.status(), "You are alice.")
        carol.say("/msg alice hello")
        wait_for_privates(alice, "carol")
        alice.open("carol")
        refused("#search-words", "anything", unidentified)
        alice.open("#dev")
        self.assertEqual(alice.status(), "You are alice.")
        refused("#join-room", "#a b", "A room name is one word, without spaces.")
        alice.open("carol")
        self.assertEqual(alice.status(), "You are alice.")
        quiet(self, alice)

    def test_in_no_room_the_page_says_so(self) -> None:
        """alice left #lobby for carol's #study, and carol kicks her out: #study's log says she is in no room, as the
        server does, and so does the page's empty log once she closes #study (it said nothing, then "Choose a
        nickname to start.")."""
        # A room no other test of the class joins: the wait to join it again after a kick outlives the test.
        daemon, url = lent_web(self.shared, self)
        carol = enter(daemon, "carol")
        switch(carol, "#study")
        alice = Page(self, url)
        alice.login("alice")
        alice.join("#study")
        leave_lobby(alice, "#study")
        carol.say("/kick alice out")
        nowhere = "You are in no room; /join #room to talk."
        wait_for_text(alice, "#log-box .log .line.notice .text", nowhere)
        alice.find("#rooms .conversation .leave[aria-label='Leave #study']").click()
        alice.wait(lambda: alice.texts("#rooms .name") == [] or None, "#study closed")
        self.assertEqual(alice.find("#no-room").text, nowhere)
        quiet(self, alice)

    def test_in_no_room_the_message_box_takes_the_join_the_page_asks_for(self) -> None:
        """alice leaves #lobby, her only room, with its button: the page says "/join #room to talk", and the
        message box takes it (it was disabled, so what the page said could not be done). A line of text there
        says where to go first; /join #games typed there joins #games and shows it."""
        _, url = lent_web(self.shared, self)
        alice = in_no_room(self, url)
        box = alice.find("#composer-text")
        self.assertEqual(box.get_attribute("placeholder"), "Type /join #room to join a room")
        box.send_keys("hello", Keys.ENTER)
        alice.wait(
            lambda: (
                alice.status() == "You are in no room: type /join #room first, or use “Join a room”." or None
            ),
            "the page to say where to go first",
        )
        box.clear()
        alice.say("/join #games")
        alice.wait(lambda: alice.title() == "#games" or None, "#games shown")
        alice.say("hello games")
        alice.wait_for_said("hello games")
        quiet(self, alice)

    def test_in_no_room_a_msg_typed_shows_the_conversation_it_opens(self) -> None:
        """alice, in no room, types /msg bob: the conversation with bob is shown, her message in it, and the
        message box is hers to answer in. (It was only listed under Private, the page still showing nothing.)"""
        daemon, url = lent_web(self.shared, self)
        bob = enter(daemon, "bob")
        alice = in_no_room(self, url)
        alice.say("/msg bob are you there?")
        heard(bob, "are you there?")
        alice.wait(lambda: alice.title() == "bob" or None, "the conversation with bob shown")
        alice.wait_for_said("are you there?")
        alice.say("still there?")
        heard(bob, "still there?")
        quiet(self, alice)

    def test_in_no_room_a_msg_kept_for_someone_offline_shows_its_conversation(self) -> None:
        """alice, in no room, types /msg dora, whose account is offline: the conversation with dora is shown,
        saying the message is kept for her."""
        daemon, url = lent_web(self.shared, self)
        registered_on_nc(daemon, "dora").say("/quit")
        alice = in_no_room(self, url)
        alice.say("/msg dora see you at seven")
        alice.wait(lambda: alice.title() == "dora" or None, "the conversation with dora shown")
        wait_for_text(
            alice,
            "#log-box .log .line.notice .text",
            "dora is offline: your message is kept until they identify (1 waiting).",
        )
        quiet(self, alice)

    def test_the_status_line_names_the_user_after_every_change_of_nickname(self) -> None:
        """The status line reads "You are gina." on getting in, "You are Gina2." after /nick Gina2, and "You are
        dina." once /identify makes the page one more connection of dina's account, online on nc."""
        daemon, url = lent_web(self.shared, self)
        registered_on_nc(daemon, "dina")
        gina = Page(self, url)
        gina.login("gina")
        gina.wait(lambda: gina.status() == "You are gina." or None, "the status line to name gina")
        gina.say("/nick Gina2")
        gina.wait(lambda: gina.status() == "You are Gina2." or None, "the status line to name Gina2")
        gina.say("/identify dina secret-pass-1")
        gina.wait(lambda: gina.status() == "You are dina." or None, "the status line to name dina")
        quiet(self, gina)

    def test_after_quit_the_message_box_is_disabled_and_the_page_says_why(self) -> None:
        """/quit: the page says how to come back, the message box and its buttons are disabled (no "Reconnecting…"
        that never comes), and the join and search boxes and a file dropped on the log answer with the truth (the
        drop said "Not connected")."""
        _, url = lent_web(self.shared, self)
        alice = Page(self, url)
        alice.login("alice")
        alice.join("#dev")
        alice.say("/quit")
        alice.wait(
            lambda: alice.status() == "You left the chat. Reload the page to come back." or None,
            "the goodbye",
        )
        for control in ("#composer-text", "#send", "#file-input"):
            self.assertFalse(alice.find(control).is_enabled(), control)
        self.assertEqual(
            alice.find("#composer-text").get_attribute("placeholder"),
            "You left the chat: reload the page to come back",
        )
        self.assertEqual(alice.texts("#rooms .conversation.away .name"), ["#lobby", "#dev"])
        alice.find("#join-room").send_keys("#elsewhere", Keys.ENTER)
        alice.wait(
            lambda: (
                alice.status() == "You left the chat: that was not sent. Reload the page to come back."
                or None
            ),
            "the join box's answer",
        )
        alice.find("#search-words").send_keys("anything", Keys.ENTER)
        wait_for_text(
            alice,
            "#results-heading",
            "Could not search #dev: you left the chat. Reload the page to come back.",
        )
        self.assertEqual(alice.script(DROP, "late.bin", 1000, 1), [True, True, True, False])
        alice.wait(
            lambda: (
                alice.status() == "You left the chat: the file was not sent. Reload the page to come back."
                or None
            ),
            "the drop's answer",
        )
        self.assertEqual(alice.texts("#log-box .log .line.file"), [])
        quiet(self, alice)


class PasteTests(SynchronousTestCase):
    """Text of several lines, or longer than a line may be, is sent whole; text the server refuses is kept.

    On a daemon the class's tests share (``SHARED_WEB``).
    """

    shared = SharedDaemon(SHARED_WEB)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.shared.stop()

    def paste(self, page: Page, text: str) -> None:
        """Put ``text`` in the message box as a paste does (Chromium's own text input), and press Enter."""
        box = page.find("#composer-text")
        box.click()
        page.driver.execute_cdp_cmd("Input.insertText", {"text": text})
        self.assertEqual(box.get_attribute("value"), text)
        box.send_keys(Keys.ENTER)
        page.wait(lambda: box.get_attribute("value") == "" or None, "the paste to be sent")

    def test_lines_pasted_are_one_message_and_none_of_them_a_command(self) -> None:
        """Two lines pasted, the second starting with /quit, reach carol on nc as one paste, a line each, and
        show in alice's page as one message of two lines; alice is still in. The second line starts after alice's
        name, as the first does: at the log's left edge, below the name, a line of a paste starting "bob: " or
        "*** " passed for a line of its own."""
        daemon, url = lent_web(self.shared, self)
        carol = enter(daemon, "carol")
        alice = Page(self, url)
        alice.login("alice")
        self.paste(alice, "line one\n/quit is text here")
        while not carol.read_line().endswith(b"#lobby <alice> line one\r\n"):
            pass
        self.assertTrue(carol.read_line().endswith(b"#lobby <alice> /quit is text here\r\n"))
        pasted = alice.wait_for_said("line one\n/quit is text here")
        nick_right, second_left = alice.script(
            """const line = arguments[0], text = line.querySelector(".text").firstChild;
            const second = document.createRange();
            second.setStart(text, text.length - "/quit is text here".length);
            second.setEnd(text, text.length - "/quit is text here".length + 1);
            return [line.querySelector(".nick").getBoundingClientRect().right, second.getBoundingClientRect().left];""",
            pasted,
        )
        self.assertGreater(second_left, nick_right)
        alice.say("still here")
        alice.wait_for_said("still here")
        quiet(self, alice)

    def test_a_line_longer_than_the_server_takes_is_cut_not_lost(self) -> None:
        """A line of 800 bytes, over the server's 512, reaches carol cut at a space into two lines of one
        message; alice's page shows all of its words."""
        daemon, url = lent_web(self.shared, self)
        carol = enter(daemon, "carol")
        alice = Page(self, url)
        alice.login("alice")
        text = " ".join(f"word{n:03}" for n in range(100))
        self.paste(alice, text)
        while b"#lobby <alice> word000 " not in (line := carol.read_line()):
            pass
        first = line.decode().rstrip("\r\n").split("<alice> ", 1)[1]
        second = carol.read_line().decode().rstrip("\r\n").split("<alice> ", 1)[1]
        self.assertEqual(f"{first} {second}", text)
        self.assertLessEqual(len(first.encode()), 512)
        alice.wait_for_said(f"{first}\n{second}")
        quiet(self, alice)

    def test_a_message_the_server_refuses_comes_back_to_the_message_box(self) -> None:
        """In carol's moderated #dev, alice's line is refused: the page shows why, and her text is back in the
        message box to keep or change."""
        daemon, url = lent_web(self.shared, self)
        carol = enter(daemon, "carol")
        switch(carol, "#dev")
        carol.say("/mode #dev +m")
        alice = Page(self, url)
        alice.login("alice")
        alice.join("#dev")
        box = alice.find("#composer-text")
        box.send_keys("can anyone hear me?", Keys.ENTER)
        alice.wait(lambda: alice.texts("#log-box .log .line.error .text") or None, "the refusal")
        alice.wait(lambda: box.get_attribute("value") == "can anyone hear me?" or None, "the text back")
        quiet(self, alice)

    def test_each_conversation_keeps_its_own_draft(self) -> None:
        """alice's private line to bob, gone offline, is refused and back in the box; in #art the box is empty,
        and what she types there unsent stays with #art through a visit to #lobby. Back with bob his line waits;
        carol in #art reads alice's own line there, never the one meant for bob."""
        daemon, url = lent_web(self.shared, self)
        bob = enter(daemon, "bob")
        carol = enter(daemon, "carol")
        switch(carol, "#art")
        alice = Page(self, url)
        alice.login("alice")
        alice.join("#art")
        bob.say("/msg alice are you there?")
        alice.wait(lambda: alice.texts("#privates .name") == ["bob"] or None, "a conversation with bob")
        bob.say("/quit")
        bob.read_to_end()
        alice.open("bob")
        box = alice.find("#composer-text")
        secret = "my password is hunter2"
        box.send_keys(secret, Keys.ENTER)
        wait_for_text(alice, "#log-box .log .line.error .text", "nobody called bob is online")
        alice.wait(lambda: box.get_attribute("value") == secret or None, "the refused line back in the box")
        alice.open("#art")
        self.assertEqual(box.get_attribute("value"), "")
        box.send_keys("half a thought")
        alice.open("#lobby")
        self.assertEqual(box.get_attribute("value"), "")
        alice.open("#art")
        self.assertEqual(box.get_attribute("value"), "half a thought")
        alice.open("bob")
        self.assertEqual(box.get_attribute("value"), secret)
        alice.open("#art")
        box.send_keys(", finished", Keys.ENTER)
        while b"<alice>" not in (line := carol.read_line()):
            pass
        self.assertTrue(line.endswith(b"#art <alice> half a thought, finished\r\n"), line)
        quiet(self, alice)

    def test_a_refusals_status_stays_with_its_conversation(self) -> None:
        """alice's private line to bob, gone offline, is refused: the status line says it is back in the message
        box while bob's conversation is shown, and in #lobby, whose box holds her lobby draft, it names her again,
        as it does on returning to bob."""
        daemon, url = lent_web(self.shared, self)
        bob = enter(daemon, "bob")
        alice = Page(self, url)
        alice.login("alice")
        alice.wait(lambda: alice.status() == "You are alice." or None, "the status line to name alice")
        alice.wait(lambda: alice.title() == "#lobby" or None, "#lobby shown")
        box = alice.find("#composer-text")
        box.send_keys("lobby draft")
        bob.say("/msg alice are you there?")
        alice.wait(lambda: alice.texts("#privates .name") == ["bob"] or None, "a conversation with bob")
        bob.say("/quit")
        bob.read_to_end()
        alice.open("bob")
        box.send_keys("are you still there?", Keys.ENTER)
        wait_for_text(alice, "#log-box .log .line.error .text", "nobody called bob is online")
        alice.wait(
            lambda: alice.status() == "Your message was refused: it is back in the message box." or None,
            "the refusal in the status line",
        )
        alice.open("#lobby")
        self.assertEqual(box.get_attribute("value"), "lobby draft")
        self.assertEqual(alice.status(), "You are alice.")
        alice.open("bob")
        self.assertEqual(box.get_attribute("value"), "are you still there?")
        self.assertEqual(alice.status(), "You are alice.")
        quiet(self, alice)


class LoginTests(SynchronousTestCase):
    """A nickname the server refuses is asked for once; the login then waits for the user."""

    def test_a_taken_nickname_is_asked_for_once_and_the_login_waits(self) -> None:
        """bob is on nc: the page sends /nick bob once, shows why it was refused and waits at the login, even
        as the server prompts again; another nickname then gets in."""
        daemon, url = start_web(self)
        enter(daemon, "bob")
        page = Page(self, url)
        page.wait(lambda: page.find("#login-nick").is_enabled() or None, "the nickname box")
        record(page)
        page.find("#login-nick").send_keys("bob", Keys.ENTER)
        # The server prompts again after its refusal: the page answered that prompt with bob at once.
        page.wait(lambda: received_after(page, "nick-in-use", "prompt") or None, "the refusal and the prompt")
        self.assertEqual(sent(page), ["/nick bob"])
        self.assertEqual(
            page.find("#login-error").get_attribute("textContent"),
            "bob is already taken; choose another nickname",
        )
        self.assertTrue(page.find("#login-submit").is_enabled())
        self.assertEqual(page.find("#login-nick").get_attribute("value"), "bob")
        page.login("robert")
        self.assertEqual(nicknames_asked(page), ["/nick bob", "/nick robert"])
        quiet(self, page)

    def restart_on_file(self, daemon: Daemon, url: str, db: tuple[str, str], page: Page) -> Daemon:
        """Once ``page`` has its key, ``restart_under`` it."""
        # Identified, the page loads libsodium for its key: stopping the daemon first would fail that load.
        page.wait(lambda: page.script("return window.chatd.encryption.active;") or None, "the page's key")
        return self.restart_under(daemon, url, db, page)

    def restart_under(self, daemon: Daemon, url: str, db: tuple[str, str], page: Page) -> Daemon:
        """Stop ``daemon`` (on the --db file ``db``) under ``page`` and start it again on the same port; from then
        on what ``page`` sends is noted (``record``). The new daemon."""
        daemon.signal(signal.SIGTERM)
        page.wait(
            lambda: page.status().startswith("Disconnected") or None, "the page to say it is disconnected"
        )
        record_afresh(page)
        port = url.rstrip("/").rsplit(":", 1)[1]
        return restarted(page, lambda: Daemon.start(self, [*LOOPBACK, *db, "--web-port", port]))

    def test_after_a_restart_a_password_typed_in_the_message_box_identifies_by_itself(self) -> None:
        """alice registered with /register typed in the message box: after a restart the page identifies with
        that password by itself, as with one given at the login; after /password typed there, with the new one.
        (It kept only the login's, so it asked for alice's password after every restart.)"""
        db, daemon, url, alice = on_a_file(self)
        registered_in_page(alice)
        daemon = self.restart_on_file(daemon, url, db, alice)
        alice.wait(lambda: received_after(alice, "account", "joined") or None, "alice identified and back in")
        self.assertEqual(nicknames_asked(alice), ["/identify alice hunter22"])
        self.assertIsNotNone(alice.find("#login-box").get_attribute("hidden"))
        alice.say("/password hunter22 a longer secret")
        wait_for_text(alice, "#log-box .log .line.notice .text", "Your password is changed.")
        self.restart_on_file(daemon, url, db, alice)
        alice.wait(lambda: received_after(alice, "account", "joined") or None, "alice identified and back in")
        self.assertEqual(nicknames_asked(alice), ["/identify alice a longer secret"])
        quiet(self, alice)

    def test_after_unregister_a_password_typed_in_the_message_box_is_forgotten(self) -> None:
        """gina types /identify dora PASSWORD in the message box: after a restart her page identifies as dora by
        itself; once she has typed /unregister PASSWORD, the next restart asks for the nickname dora alone."""
        db, daemon, url, gina = on_a_file(self)
        registered_on_nc(daemon, "dora").say("/quit")
        gina.say("/identify dora secret-pass-1")
        gina.wait(lambda: gina.status() == "You are dora." or None, "the status line to name dora")
        daemon = self.restart_on_file(daemon, url, db, gina)
        gina.wait(lambda: received_after(gina, "account", "joined") or None, "dora identified and back in")
        self.assertEqual(nicknames_asked(gina), ["/identify dora secret-pass-1"])
        gina.say("/unregister secret-pass-1")
        gina.wait(lambda: "is no longer registered" in gina.shown() or None, "the account given up")
        gina.note_statuses()
        self.restart_under(daemon, url, db, gina)
        gina.wait_for_status("Reconnected.", "the page to say it is back")
        self.assertEqual(nicknames_asked(gina), ["/nick dora"])
        quiet(self, gina)

    def test_an_unregistering_taken_back_is_not_taken_for_an_identify_typed_after_it(self) -> None:
        """alice types /unregister PASSWORD and, before its answer, /identify alice with a wrong password; the
        --db file refuses the giving up, and the server's notice taking it back comes before the /identify is
        read. The page keeps the password it had: after a restart it identifies with that one. (It took the
        notice for the /identify's answer and kept the wrong password, refused after every restart.)"""
        db, daemon, url, alice = on_a_file(self)
        registered_in_page(alice)
        alice.wait(lambda: alice.script("return window.chatd.encryption.active;") or None, "the page's key")
        record(alice)
        refuse_on_accounts(db[1], "DELETE")
        # Both lines leave in one turn of the page's loop, before any answer can come back.
        alice.script(
            "const box = document.getElementById('composer-text'), form = document.getElementById('composer');"
            "box.value = '/unregister hunter22'; form.requestSubmit();"
            "box.value = '/identify alice not-her-password'; form.requestSubmit();"
        )
        alice.wait(lambda: received_after(alice, "not-saved", "identify-failed") or None, "both answers")
        self.assertTrue(received_after(alice, "account", "not-saved"))
        self.restart_under(daemon, url, db, alice)
        alice.wait(lambda: received_after(alice, "account", "joined") or None, "alice identified and back in")
        self.assertEqual(nicknames_asked(alice), ["/identify alice hunter22"])
        quiet(self, alice)

    def test_after_a_restart_a_renamed_user_identifies_as_the_account(self) -> None:
        """alice logged in with her password, then took the nickname ally: after a restart the page identifies as
        alice, the account, and gets in by itself. It sent "/identify ally PASSWORD", refused (and counted as a
        failed login), and showed the login with her password left in its box, hidden."""
        db = ("--db", new_database(self))
        daemon, url = start_web(self, *db)
        alice = registered_on_nc(daemon, "alice", "hunter22")
        alice.say("/quit")
        alice.read_to_end()
        page = Page(self, url)
        page.login("alice", "hunter22")
        self.assertEqual(page.find("#login-password").get_attribute("value"), "")
        page.wait(lambda: page.script("return window.chatd.encryption.active;") or None, "the page's key")
        page.say("/nick ally")
        page.wait(lambda: page.status() == "You are ally." or None, "the status to follow /nick")
        self.restart_under(daemon, url, db, page)
        page.wait(lambda: received_after(page, "account", "joined") or None, "alice identified and back in")
        self.assertEqual(nicknames_asked(page), ["/identify alice hunter22"])
        self.assertIsNotNone(page.find("#login-box").get_attribute("hidden"))
        quiet(self, page)

    def test_reconnected_gives_way_to_who_the_user_is(self) -> None:
        """After a dropped connection the status line says "Reconnected.", and a few seconds later "You are
        alice." again, as on her first login: it said "Reconnected." for the rest of the session. Its 5 s are
        shortened to half a second, as a unit test injects a clock: waited out, they were half the test's time."""
        _, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        alice.script("window.chatd.reconnectedMs = 500;")
        alice.note_statuses()
        drop_socket(alice)
        alice.wait_for_status("Reconnected.", "the page to say it is back")
        alice.wait(lambda: alice.status() == "You are alice." or None, "the status line to name alice again")
        quiet(self, alice)

    def test_after_a_reload_the_right_password_says_who_the_user_is(self) -> None:
        """alice registered from the message box: reloaded, her page asks for her password, and once she gives it
        the status line says "You are alice.", as on her first login (it said "Reconnected.")."""
        _, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        registered_in_page(alice)
        reloaded_asking_for_the_password(alice)
        alice.login("alice", "hunter22")
        alice.wait(lambda: alice.status() == "You are alice." or None, "the status line to name alice")
        quiet(self, alice)

    def test_a_ban_that_keeps_the_page_out_says_choose_a_nickname_not_coming_back(self) -> None:
        """alice, identified with her password, is banned for a while: her page comes back, its /identify is
        refused with the ban (and no prompt follows), and the status line asks for a nickname beside the ban's
        words instead of saying it is coming back in, for good."""
        daemon, url = start_web(self, "--opers", opers_file(self, quick_hash("correct horse")))
        registered_on_nc(daemon, "alice", "hunter22").say("/quit")
        page = Page(self, url)
        page.login("alice", "hunter22")
        page.wait(lambda: page.script("return window.chatd.encryption.active;") or None, "the page's key")
        op = enter(daemon, "op")
        op.say("/oper boss correct horse")
        op.expect("*** You are now an operator.")
        op.say("/ban alice 10m")
        page.wait(
            lambda: page.find("#login-error").text.startswith("the nickname alice is banned (") or None,
            "the ban's words at the login",
        )
        page.wait(
            lambda: page.status() == "Connected. Choose a nickname." or None, "the status to ask for one"
        )
        quiet(self, page)


class StandingTests(SynchronousTestCase):
    """The member list marks a room's operators ``@`` and its voiced members ``+``, as ``/who`` does, and keeps
    the marks true as standing is given, taken, renamed and left behind, without asking the server again."""

    def test_marks_follow_modes_leaving_and_a_new_nickname(self) -> None:
        """alice made #dev: @alice. bob on nc joins unmarked; +v, +o, -v and +v make him +bob, @+bob, @bob and
        @+bob; his standing does not come back with him after he leaves; a new nickname keeps it."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        alice.join("#dev")
        wait_for_members(alice, "@alice")
        bob = enter(daemon, "bob")
        switch(bob, "#dev")
        wait_for_members(alice, "@alice", "bob")
        for change, shown in (
            ("+v bob", "+bob"),
            ("+o bob", "@+bob"),
            ("-v bob", "@bob"),
            ("+v bob", "@+bob"),
        ):
            alice.say(f"/mode #dev {change}")
            wait_for_members(alice, "@alice", shown)
        # The marks are symbols on screen, words to a screen reader.
        self.assertEqual(spoken_members(alice), ["alice, room operator", "bob, room operator, voiced"])
        bob.say("/part #dev")
        wait_for_members(alice, "@alice")
        switch(bob, "#dev")
        wait_for_members(alice, "@alice", "bob")
        self.assertEqual(spoken_members(alice), ["alice, room operator", "bob"])
        alice.say("/mode #dev +o bob")
        wait_for_members(alice, "@alice", "@bob")
        bob.say("/nick robert")
        wait_for_members(alice, "@alice", "@robert")
        quiet(self, alice)

    def test_the_one_kicked_leaves_every_member_list(self) -> None:
        """alice made #dev and kicks carol out of it: carol leaves the member list of alice's page and of bob's,
        who looks on, and carol's own page, out of #dev, lists nobody there (it listed her, and everyone as they
        were when she went, with no word of who came or went since)."""
        _, url = start_web(self)
        pages = {nick: Page(self, url) for nick in ("alice", "bob", "carol")}
        for nick, page in pages.items():
            page.login(nick)
            page.join("#dev")
        alice, bob, carol = pages.values()
        for page in pages.values():
            wait_for_members(page, "@alice", "bob", "carol")
        alice.say("/kick carol out")
        for page in (alice, bob):
            wait_for_members(page, "@alice", "bob")
        carol.wait(lambda: carol.texts("#rooms .conversation.away .name") == ["#dev"] or None, "#dev left")
        self.assertEqual(carol.title(), "#dev")
        self.assertEqual(carol.texts(MEMBERS), [])
        self.assertEqual(carol.texts("#members-heading"), ["Members"])
        carol.open("#lobby")
        wait_for_members(carol, "alice", "bob", "carol")
        for page in pages.values():
            quiet(self, page)

    def test_a_registered_rooms_operators_are_marked_as_op_deop_and_joins_say(self) -> None:
        """In alice's registered #mine, /op makes bob @bob; his account's standing comes back with him when he
        leaves and joins again; /deop takes the mark."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        registered_in_page(alice)
        register_mine(alice)
        bob = registered_on_nc(daemon, "bob", "secret-pass-2")
        switch(bob, "#mine")
        wait_for_members(alice, "@alice", "bob")
        alice.say("/op bob")
        wait_for_members(alice, "@alice", "@bob")
        bob.say("/part #mine")
        wait_for_members(alice, "@alice")
        switch(bob, "#mine")
        wait_for_members(alice, "@alice", "@bob")
        alice.say("/deop bob")
        wait_for_members(alice, "@alice", "bob")
        quiet(self, alice)

    def test_a_member_limit_of_one_reads_right(self) -> None:
        """/mode #dev +l 1 shows as the line protocol says it, "set the room's member limit to 1": no "1 members"."""
        _, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        alice.join("#dev")
        alice.say("/mode #dev +l 1")
        wait_for_text(
            alice, "#log-box .log .line.room_modes_changed .body", "alice set the room's member limit to 1"
        )
        quiet(self, alice)

    def test_an_undone_registration_moves_the_marks_and_bad_fields_change_none(self) -> None:
        """No daemon can be made to undo a registration, nor to send a malformed field, on cue: the page is handed
        such objects as its socket would (window.chatd.receive). The undo's ``given`` and ``taken`` move the @;
        fields of the wrong type, and a change from history, are passed over: the marks stay as they were, and
        nothing is in the console."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        alice.join("#dev")
        bob = enter(daemon, "bob")
        switch(bob, "#dev")
        wait_for_members(alice, "@alice", "bob")
        undone = {"type": "room_registration_not_kept", "room": "#dev", "nick": "alice", "owner": None}
        alice.script(
            "window.chatd.receive(arguments[0]);",
            {**undone, "operators": [], "given": ["bob"], "taken": ["alice"]},
        )
        wait_for_members(alice, "alice", "@bob")
        modes = {"type": "room_modes_changed", "room": "#dev", "nick": "bob"}
        for bad in (
            {**modes, "changes": "+v alice"},
            {
                **modes,
                "changes": [
                    None,
                    5,
                    {"setting": "voice", "on": "yes", "argument": "alice"},
                    {"setting": "operator", "on": True, "argument": ["alice"]},
                    {"setting": "voice", "on": True},
                    {"setting": "moderated", "on": True, "argument": "alice"},
                ],
            },
            {"type": "room_operator_added", "room": "#dev", "nick": None, "by": "bob", "account": "x"},
            {"type": "room_operator_removed", "room": ["#dev"], "nick": "bob", "by": "bob", "account": "x"},
            {**undone, "operators": None, "given": "alice", "taken": [None, 7, {"nick": "bob"}]},
            {"type": "joined", "room": "#dev", "nick": 12, "room_operator": True},
            {"type": "joined", "room": "#dev", "nick": "carol", "room_operator": "yes"},
            # History tells of the past; who holds what now came with the list of members.
            {**modes, "history": True, "changes": [{"setting": "operator", "on": True, "argument": "alice"}]},
        ):
            alice.script("window.chatd.receive(arguments[0]);", bad)
        wait_for_members(alice, "alice", "@bob", "carol")
        # A change with no nickname is the server's: identifying gives a registration's accounts their standing.
        given = [{"setting": "operator", "on": True, "argument": "alice"}]
        alice.script("window.chatd.receive(arguments[0]);", {**modes, "nick": "", "changes": given})
        wait_for_members(alice, "@alice", "@bob", "carol")
        wait_for_text(alice, "#log-box .log .line.room_modes_changed .body", "the server gave alice operator")
        quiet(self, alice)


class HistoryTests(SynchronousTestCase):
    """What a room said before the page came, on joining and further back."""

    def three_lines_then_alice(self) -> tuple[LineClient, Page]:
        """carol on nc says one, two, three in #lobby; then alice's page comes, and shows them: (carol, alice)."""
        daemon, url = start_web(self)
        carol = enter(daemon, "carol")
        for text in ("one", "two", "three"):
            said_by(carol, text)
        alice = Page(self, url)
        alice.login("alice")
        alice.wait(lambda: alice.said() == ["one", "two", "three"] or None, "the three lines from history")
        return carol, alice

    def test_history_appears_on_join(self) -> None:
        """Three lines said on nc before alice comes show in her log, marked as history, then live ones after them."""
        carol, alice = self.three_lines_then_alice()
        self.assertEqual(alice.texts(".log .line.history .text"), ["one", "two", "three"])
        said_by(carol, "four")
        alice.wait_for_said("four")
        self.assertEqual(alice.said(), ["one", "two", "three", "four"])
        quiet(self, alice)

    def test_scrolling_up_loads_older_history(self) -> None:
        """With --replay 10 the page shows lines 31-40 of 40; scrolling up the log, again as older lines come, shows
        1-40, each once, and no more to load."""
        daemon, url = start_web(self, "--replay", "10", *FAST)
        _, texts = numbered_lines(daemon, 40)
        alice = Page(self, url, height=360)
        alice.login("alice")
        alice.wait(lambda: alice.said() == texts[30:] or None, "the last 10 lines")
        log = alice.find("#log-box .log")
        self.assertTrue(alice.script("return arguments[0].scrollHeight > arguments[0].clientHeight;", log))

        def scrolled_to_the_first() -> bool | None:
            if alice.said() == texts:
                return True
            ActionChains(alice.driver).scroll_from_origin(ScrollOrigin.from_element(log), 0, -5000).perform()
            return None

        alice.wait(scrolled_to_the_first, "lines 1 to 40")
        alice.wait(lambda: not alice.find("#older").is_displayed() or None, "nothing more to load")
        self.assertEqual(alice.said(), texts)
        quiet(self, alice)

    def test_no_older_messages_to_load_when_the_replay_was_all_or_the_room_is_new(self) -> None:
        """Three lines, all replayed (the marker says nothing earlier is kept): no "Load older messages" in
        #lobby; nor in #fresh, a room alice makes, where nothing was ever said; nor in #dev, which carol made
        and said nothing in before alice joined (the page is told no line of it is kept)."""
        carol, alice = self.three_lines_then_alice()
        alice.wait(
            lambda: not alice.find("#older").is_displayed() or None, "no Load older messages in #lobby"
        )
        alice.join("#fresh")
        self.assertFalse(alice.find("#older").is_displayed())
        switch(carol, "#dev")
        alice.join("#dev")
        # Said after alice's join, so shown after what her join was told of the room's history.
        said_by(carol, "welcome")
        alice.wait_for_said("welcome")
        self.assertFalse(alice.find("#older").is_displayed())
        quiet(self, alice)

    def test_no_older_messages_to_load_when_every_line_kept_is_from_someone_ignored(self) -> None:
        """Every line #dev keeps is carol's, and alice ignores carol: joining #dev shows her none, and no "Load
        older messages", as in a room with no lines: all it would load is carol's."""
        daemon, url = start_web(self)
        carol = enter(daemon, "carol")
        switch(carol, "#dev")
        for text in ("one", "two", "three"):
            said_by(carol, text)
        alice = Page(self, url)
        alice.login("alice")
        alice.say("/ignore carol")
        wait_for_text(
            alice, ".log .line.notice .text", "You now ignore carol: you will not see their messages."
        )
        alice.join("#dev")
        # Said after alice's join, so shown after what her join was told of the room's history.
        dave = enter(daemon, "dave")
        switch(dave, "#dev")
        said_by(dave, "welcome")
        alice.wait_for_said("welcome")
        self.assertEqual(alice.said(), ["welcome"])
        self.assertFalse(alice.find("#older").is_displayed())
        quiet(self, alice)

    def test_load_older_messages_asks_once_for_the_page_before_the_oldest_shown(self) -> None:
        """With --replay 10 the page shows lines 91-100 of 100; a click sends one /history and brings 41-90; a
        typed /time between does not matter: the next click brings 1-40, the page before the oldest shown; then
        the button goes."""
        daemon, url = start_web(self, "--replay", "10", *FAST)
        _, texts = numbered_lines(daemon, 100)
        alice = Page(self, url)
        alice.login("alice")
        alice.wait(lambda: alice.said() == texts[90:] or None, "the last 10 lines")
        record(alice)
        older = alice.find("#older")

        def click(clicks: int, shown: list[str]) -> None:
            alice.wait(lambda: older.is_enabled() or None, "the button, ready")
            older.click()
            alice.wait(lambda: len(alice.said()) >= len(shown) or None, "the page before")
            self.assertEqual(alice.said(), shown)
            self.assertEqual(len([line for line in sent(alice) if line.startswith("/history")]), clicks)
            alice.say("/time")
            alice.wait(lambda: len(answers(alice)) == clicks or None, "the time")

        click(1, texts[40:])
        click(2, texts)
        alice.wait(lambda: not older.is_displayed() or None, "no more to load")
        quiet(self, alice)

    def test_a_search_hit_jumps_to_its_context(self) -> None:
        """A line older than the replay, found by the search box, opens among its neighbours, marked and in view."""
        daemon, url = start_web(self, "--replay", "5", *FAST)
        carol = enter(daemon, "carol")
        texts = [
            *(f"before {n}" for n in range(1, 6)),
            "the needle is here",
            *(f"after {n}" for n in range(1, 31)),
        ]
        for text in texts:
            said_by(carol, text)
        alice = Page(self, url, height=500)
        alice.login("alice")
        alice.wait(lambda: alice.said() == texts[-5:] or None, "the last 5 lines")
        alice.find("#search-words").send_keys("needle", Keys.ENTER)
        hit = alice.wait(lambda: alice.find("#results-list .hit"), "a search hit")
        self.assertEqual(
            hit.find_element(By.CSS_SELECTOR, ".text").get_attribute("textContent"), "the needle is here"
        )
        self.assertEqual(alice.texts("#results-heading"), ["1 found in #lobby"])
        hit.click()
        found = shown_in_context(self, alice, "the needle is here", ["before 5", "after 5"], texts)
        in_view = alice.script(
            "const [line, log] = [arguments[0].getBoundingClientRect(), arguments[1].getBoundingClientRect()];"
            "return line.top >= log.top && line.bottom <= log.bottom;",
            found,
            alice.find("#log-box .log"),
        )
        self.assertTrue(in_view)
        quiet(self, alice)


class ResumeTests(SynchronousTestCase):
    """The daemon restarts on its --db file; the page comes back to exactly what it missed."""

    def test_the_page_resumes_after_a_restart_with_no_gap(self) -> None:
        """Lines said on nc while the page was away show once each, in both of its rooms; live lines follow."""
        db, daemon, url, alice = on_a_file(self)
        alice.join("#dev")
        carol = enter(daemon, "carol")
        switch(carol, "#dev")
        said_by(carol, "seen in dev")
        alice.wait_for_said("seen in dev")
        switch(carol, "#lobby")
        said_by(carol, "seen in lobby")
        alice.open("#lobby")
        alice.wait_for_said("seen in lobby")

        daemon.signal(signal.SIGTERM)
        alice.wait(
            lambda: alice.status().startswith("Disconnected") or None, "the page to say it is disconnected"
        )
        alice.note_statuses()
        # Freeze the page's timers (a Clock, in effect) so it comes back only once carol has talked.
        alice.driver.execute_cdp_cmd("Page.setWebLifecycleState", {"state": "frozen"})
        port = url.rstrip("/").rsplit(":", 1)[1]
        daemon = Daemon.start(self, [*LOOPBACK, *db, "--web-port", port])
        self.assertEqual(web_url(daemon), url)
        carol = enter(daemon, "carol")
        switch(carol, "#dev")
        said_by(carol, "missed in dev 1")
        said_by(carol, "/me missed in dev 2", "* carol missed in dev 2")
        switch(carol, "#lobby")
        said_by(carol, "missed in lobby")
        alice.driver.execute_cdp_cmd("Page.setWebLifecycleState", {"state": "active"})

        alice.wait_for_status("Reconnected.", "the page to say it is back")
        alice.wait_for_said("missed in lobby")
        said_by(carol, "live in lobby")
        alice.wait_for_said("live in lobby")
        self.assertEqual(alice.said(), ["seen in lobby", "missed in lobby", "live in lobby"])
        alice.open("#dev")
        alice.wait_for_said("missed in dev 2")
        self.assertEqual(alice.said(), ["seen in dev", "missed in dev 1", "missed in dev 2"])
        self.assertIn("End of what you missed in #dev: 2 messages.", alice.texts(".log .line.notice .text"))

    def restart_seen_from_lobby(self, daemon: Daemon, url: str, alice: Page) -> LineClient:
        """Restart ``daemon`` (in memory) under ``alice``'s page; carol, on nc, is in #lobby before the page comes back.

        The page may try to come back while the daemon is down, before it is frozen: Chromium logs that refusal,
        so the tests that call this look for errors with ``daemon_down``."""
        daemon.signal(signal.SIGTERM)
        alice.wait(
            lambda: alice.status().startswith("Disconnected") or None, "the page to say it is disconnected"
        )
        alice.note_statuses()
        # Frozen, the page comes back only once carol is in #lobby to see it.
        alice.driver.execute_cdp_cmd("Page.setWebLifecycleState", {"state": "frozen"})
        port = url.rstrip("/").rsplit(":", 1)[1]
        carol = enter(Daemon.start(self, [*LOOPBACK, "--web-port", port]), "carol")
        alice.driver.execute_cdp_cmd("Page.setWebLifecycleState", {"state": "active"})
        alice.wait_for_status("Reconnected.", "the page to say it is back")
        return carol

    def test_a_page_out_of_the_default_room_comes_back_after_a_restart_unseen_there(self) -> None:
        """alice left #lobby for #dev, where nothing was said: after a restart her page is back in #dev alone
        and shows it, and carol, in #lobby on nc before the page came back, sees her neither join nor leave."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        alice.join("#dev")
        leave_lobby(alice, "#dev")

        carol = self.restart_seen_from_lobby(daemon, url, alice)
        alice.wait(
            lambda: alice.texts("#rooms .conversation:not(.away) .name") == ["#dev"] or None, "alice in #dev"
        )
        self.assertEqual(alice.title(), "#dev")
        self.assertEqual(heard_of(carol, "alice"), [b"*** alice is in #dev\r\n"])
        quiet(self, alice, daemon_down=True)

    def test_a_page_in_no_room_comes_back_after_a_restart_in_none(self) -> None:
        """alice, talking with carol in private, left #lobby, her only room: after a restart her page is told
        she is in no room, and carol, in #lobby on nc, sees her neither join nor leave it."""
        daemon, url = start_web(self)
        alice, carol = carol_writes_to_alice(self, daemon, url, "psst")
        leave_lobby(alice)
        record(alice)

        carol = self.restart_seen_from_lobby(daemon, url, alice)
        alice.wait(
            lambda: alice.script(NO_ROOM) or None,
            "the server to tell the page alice is in no room",
        )
        self.assertEqual(alice.title(), "carol")
        self.assertEqual(heard_of(carol, "alice"), [b"*** alice is in no room\r\n"])
        quiet(self, alice, daemon_down=True)


class DisconnectedTests(SynchronousTestCase):
    """While the connection is down the user's rooms are still theirs: nothing on the page reads them as left."""

    def test_a_room_while_disconnected_is_not_a_room_left(self) -> None:
        """The daemon gone, alice's rooms are listed as disconnected and none as left; the button that leaves
        #dev says she is not connected and keeps #dev, as a line typed there does (#dev went from the list, and
        came back with the connection)."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        alice.join("#dev")
        daemon.signal(signal.SIGKILL)
        alice.wait(
            lambda: alice.status().startswith("Disconnected") or None, "the page to say it is disconnected"
        )
        self.assertEqual(alice.texts("#rooms .conversation.disconnected .name"), ["#lobby", "#dev"])
        self.assertEqual(alice.texts("#rooms .conversation.away .name"), [])
        alice.note_statuses()
        alice.find("#rooms .conversation .leave[aria-label='Leave #dev']").click()
        alice.wait_for_status(
            "Not connected: that was not sent. Reconnecting…", "the page to say #dev was not left"
        )
        self.assertEqual(alice.texts("#rooms .name"), ["#lobby", "#dev"])
        quiet(self, alice)

    def test_a_server_gone_without_a_word_is_said_in_the_log_once_and_a_shutdown_is_not(self) -> None:
        """The daemon is killed (kill -9): alice's log says once that the server went away without warning and that
        the page keeps trying to reconnect, however many attempts fail. Back on a restarted daemon, a clean
        shutdown leaves the server's goodbye, and no such line. Only the status line said "Disconnected"."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        daemon.signal(signal.SIGKILL)
        wait_for_text(alice, "#log-box .log .line.notice .text", GONE)
        attempted(alice, 3)
        self.assertEqual(alice.texts("#log-box .log .line.notice .text").count(GONE), 1)

        port = url.rstrip("/").rsplit(":", 1)[1]
        alice.note_statuses()
        daemon = restarted(alice, lambda: Daemon.start(self, [*LOOPBACK, "--web-port", port]))
        alice.wait_for_status("Reconnected.", "the page to say it is back")
        daemon.signal(signal.SIGTERM)
        wait_for_text(alice, "#log-box .log .line.notice .text", "Server shutting down. Goodbye.")
        alice.wait(
            lambda: alice.status().startswith("Disconnected") or None, "the page to say it is disconnected"
        )
        self.assertEqual(alice.texts("#log-box .log .line.notice .text").count(GONE), 1)
        quiet(self, alice, daemon_down=True)

    def test_a_tab_that_left_every_room_comes_back_in_none(self) -> None:
        """alice, talking with carol in private, reloads in #lobby, then leaves it, her only room: reloaded again,
        her page is in no room and shows carol's conversation, and carol, in #lobby, does not see her come back
        (the second reload went back to #lobby, as the first had kept it)."""
        alice, carol = carol_writes_to_alice(self, *start_web(self), "psst")
        alice.driver.refresh()
        alice.wait_in("alice")
        alice.wait(
            lambda: alice.texts("#rooms .conversation:not(.away) .name") == ["#lobby"] or None, "#lobby"
        )
        leave_lobby(alice)
        self.assertEqual(heard_of(carol, "alice")[-1:], [b"*** alice is in no room\r\n"])
        alice.driver.refresh()
        alice.wait_in("alice")
        self.assertEqual(alice.title(), "carol")
        self.assertEqual(heard_of(carol, "alice"), [b"*** alice is in no room\r\n"])
        self.assertEqual(alice.texts("#rooms .name"), [])
        quiet(self, alice)

    def test_a_room_the_restarted_daemon_refuses_is_not_rejoined_and_the_page_gets_in(self) -> None:
        """alice is in #lobby and #a-long-room-name; the daemon comes back with room names of at most 12
        characters, so it refuses her /resume of the long one: the page says that room could not be rejoined,
        lists it as left and gets her in as alice, in #lobby (it showed the refusal on the login form as the
        nickname's)."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        alice.join("#a-long-room-name")
        alice.open("#lobby")
        daemon.signal(signal.SIGTERM)
        alice.wait(
            lambda: alice.status().startswith("Disconnected") or None, "the page to say it is disconnected"
        )
        record(alice)
        port = url.rstrip("/").rsplit(":", 1)[1]
        alice.note_statuses()
        restarted(alice, lambda: Daemon.start(self, [*LOOPBACK, "--web-port", port, "--max-room-name", "12"]))
        alice.wait_for_status("Reconnected.", "the page to say it is back")
        self.assertEqual(alice.find("#login-error").get_attribute("textContent"), "")
        self.assertEqual(nicknames_asked(alice), ["/nick alice"])
        wait_for_text(
            alice,
            "#log-box .log .line.error .text",
            "#a-long-room-name could not be rejoined: '#a-long-room-name' is not a valid room name: "
            "a room name is at most 12 characters",
        )
        alice.wait(
            lambda: alice.texts("#rooms .conversation.away .name") == ["#a-long-room-name"] or None, ""
        )
        self.assertEqual(alice.texts("#rooms .conversation:not(.away) .name"), ["#lobby"])
        quiet(self, alice)


XSS = (
    "<script>window.__xss = 1</script>",
    "<img src=x onerror=window.__xss=2>",
    "javascript:window.__xss=3",
    '"><svg onload=window.__xss=4>',
    '<a href="javascript:window.__xss=5">click me</a>',
    '<iframe src="javascript:window.__xss=6"></iframe>',
    "&lt;b&gt;not bold&lt;/b&gt; <b>nor this</b>",
)
"""Markup that would run or show something if a page inserted it as HTML."""

NICK_XSS = "<svg/onload=alert(1)>"
"""Markup short enough for the nickname box (24 characters), with no space: the server reads it as a nickname."""

ROOM_XSS = '"><svg/onload=alert(2)>'
"""Markup for the join box: no space, so the server reads it as a room name (and refuses it)."""

INJECTED = "img, svg, iframe, object, embed, a[href]:not(.skip, #room-link), b, script:not([src='/app.js'])"
"""Elements the page itself never has: any of them was made from network text. Its own links are the skip link
and the room's link (its address always the page's, the room's name escaped in its query)."""


class SafetyTests(SynchronousTestCase):
    def test_an_xss_corpus_renders_inert(self) -> None:
        """Markup in nicknames, room names, topics, messages and private messages is shown as the text it is."""
        daemon, url = start_web(self)
        carol = enter(daemon, "carol")
        mallory = Page(self, url)
        # A nickname of markup is refused: the refusal, quoting it, is shown as text.
        mallory.wait(lambda: mallory.find("#login-nick").is_enabled() or None, "the nickname box")
        mallory.find("#login-nick").send_keys(NICK_XSS, Keys.ENTER)
        error = mallory.wait(
            lambda: mallory.find("#login-error").get_attribute("textContent") or None, "the refusal"
        )
        self.assertIn(NICK_XSS, error)
        mallory.login("mallory")
        # So is a room name.
        mallory.find("#join-room").send_keys(ROOM_XSS, Keys.ENTER)
        mallory.wait(
            lambda: any(ROOM_XSS in text for text in mallory.texts(".log .line.error .text")) or None,
            "the room name refused",
        )
        carol.say(f"/topic {XSS[1]}")
        mallory.wait(
            lambda: mallory.find("#topic").get_attribute("textContent") == XSS[1] or None, "the topic"
        )
        for text in XSS:
            said_by(carol, text)
        mallory.wait(lambda: mallory.said()[-len(XSS) :] == list(XSS) or None, "every message, as text")
        carol.say(f"/msg mallory {XSS[0]}")
        mallory.wait(lambda: mallory.texts("#privates .name") == ["carol"] or None, "carol's private message")
        mallory.open("carol")
        mallory.wait_for_said(XSS[0])

        self.assertEqual(mallory.texts(INJECTED), [])
        self.assertIsNone(mallory.script("return window.__xss;"))
        with self.assertRaises(NoAlertPresentException):
            mallory.driver.switch_to.alert.text  # noqa: B018 - reading it is the check
        quiet(self, mallory)


class AccessTests(SynchronousTestCase):
    """The page without a mouse, and on a phone."""

    shared = SharedDaemon(SHARED_WEB)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.shared.stop()

    def test_keyboard_alone_chooses_a_nickname_joins_a_room_and_sends(self) -> None:
        """Typing, Tab and Enter only: a nickname, then #kb from the join box, then a line nc reads in #kb."""
        daemon, url = lent_web(self.shared, self)
        carol = enter(daemon, "carol")
        switch(carol, "#kb")
        page = Page(self, url)

        def active() -> str:
            return str(page.script("return document.activeElement.id;"))

        def keys(*typed: str) -> None:
            ActionChains(page.driver).send_keys(*typed).perform()

        page.wait(lambda: active() == "login-nick" or None, "the focus in the nickname box")
        keys("kim", Keys.ENTER)
        page.wait(lambda: active() == "composer-text" or None, "the focus in the message box, once in")
        for _ in range(20):
            if active() == "join-room":
                break
            keys(Keys.TAB)
        self.assertEqual(active(), "join-room")
        keys("#kb", Keys.ENTER)
        page.wait(lambda: page.title() == "#kb" or None, "#kb to be shown")
        page.wait(lambda: active() == "composer-text" or None, "the focus back in the message box")
        keys("typed, not clicked", Keys.ENTER)
        while not carol.read_line().endswith(b"#kb <kim> typed, not clicked\r\n"):
            pass
        page.wait_for_said("typed, not clicked")
        focused = page.script("return getComputedStyle(document.activeElement).outlineStyle;")
        self.assertNotEqual(focused, "none", "the focus is visible")
        quiet(self, page)

    def test_phone_width_keeps_the_page_usable(self) -> None:
        """At 360 px the rooms fold behind a button (Escape closes them); joining and sending still work."""
        daemon, url = lent_web(self.shared, self)
        carol = enter(daemon, "carol")
        switch(carol, "#phone")
        page = Page(self, url)
        page.driver.set_window_size(360, 740)
        page.login("pat")
        width = page.script("return document.documentElement.clientWidth;")
        self.assertLessEqual(page.script("return document.documentElement.scrollWidth;"), width)
        self.assertFalse(page.find("#side").is_displayed())
        box = page.find("#composer-text")
        self.assertTrue(box.is_displayed())
        self.assertLessEqual(box.rect["x"] + box.rect["width"], width)

        toggle = page.find("#rooms-toggle")
        toggle.click()
        page.wait(lambda: page.find("#side").is_displayed() or None, "the rooms panel")
        self.assertEqual(toggle.get_attribute("aria-expanded"), "true")
        ActionChains(page.driver).send_keys(Keys.ESCAPE).perform()
        page.wait(lambda: not page.find("#side").is_displayed() or None, "Escape to close the panel")
        self.assertEqual(toggle.get_attribute("aria-expanded"), "false")

        toggle.click()
        page.join("#phone")
        page.wait(lambda: not page.find("#side").is_displayed() or None, "the panel to close on joining")
        page.say("from a phone")
        while not carol.read_line().endswith(b"#phone <pat> from a phone\r\n"):
            pass
        said_by(carol, "hello phone")
        page.wait_for_said("hello phone")
        quiet(self, page)

    def test_at_phone_width_a_tap_beside_an_open_panel_closes_it_and_one_is_open_at_a_time(self) -> None:
        """On a 390 px phone each panel covers its own button, and there is no Escape key: a tap on the log
        beside the members closes them; opening the members closes the rooms, which would cover its button."""
        _, url = lent_web(self.shared, self)
        page = Page(self, url)
        page.as_phone()
        page.login("pat")
        members, rooms = page.find("#members-toggle"), page.find("#rooms-toggle")
        members.click()
        page.wait(lambda: page.find("#members").is_displayed() or None, "the members panel")
        tap = ActionBuilder(page.driver)
        tap.pointer_action.move_to_location(20, 400).click()
        tap.perform()
        page.wait(
            lambda: not page.find("#members").is_displayed() or None, "a tap beside it to close the members"
        )
        self.assertEqual(members.get_attribute("aria-expanded"), "false")

        rooms.click()
        page.wait(lambda: page.find("#side").is_displayed() or None, "the rooms panel")
        members.click()
        page.wait(lambda: page.find("#members").is_displayed() or None, "the members panel")
        self.assertFalse(page.find("#side").is_displayed())
        self.assertEqual(rooms.get_attribute("aria-expanded"), "false")
        quiet(self, page)
