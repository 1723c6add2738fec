"""Files the server ends under the page, in a real headless Chromium against a real daemon (issue 16).

An offer nobody fetched within ``--file-keep`` expires: the page of its
sender and the page offered it each end its line with the reason, and say
so in the conversation; an upload still going when it expires stops. A
file the page sent and another session of its user's account withdraws
(a program on the line port, identified to the same account) ends on the
page too, mid-way or offered. The
daemon lets each file go as its own time comes: these tests give it a
``--file-keep`` of seconds, so an expiry is real and quick. Every wait
polls a condition until the deadline; nothing is timed.
"""

import os
import signal

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, quiet, start_web
from tests.e2e.daemon import Daemon
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_web_e2e import PASSWORD, registered
from tests.e2e.test_web_files import (
    SLOW,
    after,
    bar,
    card_named,
    card_state,
    choose,
    content,
    json_user,
    next_of,
    on_disk,
    press,
    private_with,
    upload,
)
from tests.e2e.test_web_page import restarted
from tests.helpers import new_folder

KEEP = ("--file-keep", "0.00005")
"""Days an offer waits: 4.32 s, shown rounded up as ``5s``."""

JOURNAL = (
    "window.journal = [];"
    "const chat = window.chatd, send = chat.link.send.bind(chat.link), receive = chat.receive.bind(chat);"
    "chat.link.send = (line) => { window.journal.push(line); return send(line); };"
    "chat.receive = (object) => { window.journal.push(object.type); receive(object); };"
)
"""From now on, note in order each line the page sends and the type of each object it is handed (window.journal)."""


def sent_after(page: Page, kind: str, start: str) -> list[str]:
    """The lines starting with ``start`` that ``page`` sent after it was handed a ``kind`` object (journal kept)."""
    journal = [str(entry) for entry in page.script("return window.journal;")]
    if kind not in journal:
        page.case.fail(f"the page was handed no {kind}: {journal}")
    return [entry for entry in journal[journal.index(kind) + 1 :] if entry.startswith(start)]


def buttons(page: Page, file_id: str = "") -> list[str]:
    """The buttons of the transfer lines in the log shown (one file's, if ``file_id``)."""
    scope = f'[data-file="{file_id}"]' if file_id else ""
    return page.texts(f"#log-box .log .line.file{scope} button")


class ExpiryTests(SynchronousTestCase):
    """What the server lets go ends on the pages that show it."""

    def test_an_offer_nobody_fetched_ends_on_both_pages_once_it_expires(self) -> None:
        """alice's page offers bob's a file he neither fetches nor declines: past --file-keep both lines say it
        expired and why, with no Accept, Decline or Cancel left, and once: not again right under it."""
        _, url = start_web(self, *KEEP)
        alice, bob = Page(self, url), Page(self, url)
        alice.login("alice")
        bob.login("bob")
        private_with(alice, "bob")
        choose(alice, on_disk(self, "draft.odt", content(20_000)))
        bob.wait(lambda: bob.texts("#privates .name") == ["alice"] or None, "a conversation with alice")
        bob.open("alice")
        file_id = card_named(bob, "draft.odt")

        ended = "Expired on the server (offers wait 5s at most)."
        bob.wait(lambda: card_state(bob, file_id) == [ended] or None, "bob's line to say it expired")
        self.assertEqual(buttons(bob, file_id), [])
        self.assertEqual(after(bob, file_id), [])
        alice.wait(lambda: card_state(alice, file_id) == [ended] or None, "alice's line to say it expired")
        self.assertEqual(buttons(alice, file_id), [])
        self.assertEqual(after(alice, file_id), [])
        quiet(self, alice, no_error_shown=True)
        quiet(self, bob, no_error_shown=True)

    def test_an_upload_still_going_when_it_expires_stops(self) -> None:
        """alice's page is still uploading a file to #lobby (slowed by --file-rate) once --file-keep has passed: her
        line says the server let it go and why, with no Cancel; the page sends no chunk after hearing it, and the
        chunks already on their way, refused, show no error."""
        daemon, url = start_web(self, *KEEP, "--file-rate", "32768")
        alice = Page(self, url)
        alice.login("alice")
        bob = json_user(daemon, "bob")
        # bob's arrival shown first: arriving under her file's line, it would rightly bring the news down to the end.
        alice.wait_for_arrival("bob")
        alice.script(JOURNAL)
        choose(alice, on_disk(self, "big.bin", content(400_000, seed=8)))

        ended = "Expired on the server (an upload must be finished within 5s)."
        alice.wait(lambda: card_state(alice) == [ended] or None, "alice's line to say it expired")
        self.assertEqual(buttons(alice), [])
        self.assertEqual(after(alice), [])
        # A line said after it comes to bob after every chunk alice's page sent before it.
        alice.say("still here")
        next_of(bob, "said", text="still here")
        self.assertEqual(sent_after(alice, "file_expired", "/file put"), [])
        quiet(self, alice, no_error_shown=True)


class WithdrawnElsewhereTests(SynchronousTestCase):
    """alice's page sends a file; her account's session on the line port withdraws it."""

    def test_an_offer_withdrawn_in_another_session_ends_on_the_page_that_sent_it(self) -> None:
        """alice's page offers #lobby a file; her other session withdraws it: the page's line says so, with no Cancel
        left, and the conversation says nobody can fetch it now."""
        daemon, url = start_web(self)
        elsewhere = registered(daemon, "alice")
        bob = json_user(daemon, "bob")
        alice = Page(self, url)
        alice.login("alice", PASSWORD)
        choose(alice, on_disk(self, "plan.pdf", content(30_000, seed=12)))
        offered = next_of(bob, "file_offered")
        alice.wait(
            lambda: card_state(alice) == ["Uploaded and offered to #lobby."] or None, "alice's line to say so"
        )

        elsewhere.say(f"/file cancel {offered['file']}")
        alice.wait(
            lambda: card_state(alice) == ["Withdrawn on another connection."] or None, "alice's line to end"
        )
        self.assertEqual(buttons(alice), [])
        self.assertEqual(after(alice), [])
        quiet(self, alice, no_error_shown=True)

    def test_an_upload_cancelled_in_another_session_stops_on_the_page_sending_it(self) -> None:
        """alice's page is uploading a file to #lobby when her other session cancels it: the page's line says so,
        with no Cancel left, and the page sends no chunk after hearing it."""
        daemon, url = start_web(self, *SLOW)
        elsewhere = registered(daemon, "alice")
        bob = json_user(daemon, "bob")
        alice = Page(self, url)
        alice.login("alice", PASSWORD)
        choose(alice, on_disk(self, "big.bin", content(400_000, seed=14)))
        alice.wait(lambda: 10 <= bar(alice) < 50 or None, "the upload under way")
        elsewhere.say("/file list")
        [entry] = next_of(elsewhere, "file_list")["files"]
        self.assertEqual((entry["name"], entry["state"]), ("big.bin", "uploading"))
        alice.script(JOURNAL)

        elsewhere.say(f"/file cancel {entry['file']}")
        alice.wait(
            lambda: card_state(alice) == ["Cancelled on another connection."] or None, "alice's line to end"
        )
        self.assertEqual(buttons(alice), [])
        self.assertEqual(after(alice), [])
        # A line said after it comes to bob after every chunk alice's page sent before it.
        alice.say("still here")
        next_of(bob, "said", text="still here")
        self.assertEqual(sent_after(alice, "file_cancelled", "/file put"), [])
        quiet(self, alice, no_error_shown=True)


class CancelledWhileDisconnectedTests(SynchronousTestCase):
    """Cancel pressed while the daemon is down: nothing can tell the server, so nothing ends."""

    def test_cancel_while_the_daemon_is_down_is_refused_and_works_once_back(self) -> None:
        """alice fetches bob's file when the daemon stops: her Cancel then says it was not sent and leaves the
        download as it is (it ended the line, though the server kept the download for her after the restart).
        Back, the download goes on, and Cancel then stops it: bob is told."""
        directory = new_folder(self)
        kept = ["--db", os.path.join(directory, "chatd.sqlite"), "--files", os.path.join(directory, "files")]
        daemon, url = start_web(self, *SLOW, *kept)
        alice = Page(self, url)
        alice.login("alice")
        bob = json_user(daemon, "bob")
        file_id = upload(bob, "alice", "long.bin", content(900_000, seed=41))
        private_with(alice, "bob")
        card_named(alice, "long.bin")
        press(alice, file_id, "accept")
        alice.wait(lambda: 5 <= bar(alice, file_id) < 50 or None, "the download under way")
        daemon.signal(signal.SIGTERM)
        alice.wait(lambda: alice.status().startswith("Disconnected") or None, "the page disconnected")
        alice.note_statuses()
        press(alice, file_id, "cancel")
        alice.wait_for_status("Not connected: that was not sent. Reconnecting…", "the press refused")
        self.assertEqual(card_state(alice, file_id), ["Disconnected: waiting to go on…"])
        self.assertEqual(alice.texts(f'[data-file="{file_id}"] button'), ["Cancel"])

        port = url.rstrip("/").rsplit(":", 1)[1]
        daemon = restarted(alice, lambda: Daemon.start(self, [*LOOPBACK, *SLOW, *kept, "--web-port", port]))
        bob = json_user(daemon, "bob")
        alice.wait(
            lambda: card_state(alice, file_id)[0].startswith("Going on from ") or None,
            "the download going on",
        )
        press(alice, file_id, "cancel")
        alice.wait(lambda: card_state(alice, file_id) == ["Cancelled."] or None, "the download cancelled")
        self.assertEqual(next_of(bob, "file_cancelled", file=file_id)["file"], file_id)
        quiet(self, alice, daemon_down=True, no_error_shown=True)

    def test_cancel_of_an_upload_while_the_daemon_is_down_is_refused(self) -> None:
        """alice sends a file to #lobby when the daemon stops: her Cancel says it was not sent and leaves the
        upload waiting to go on, for the server holds it and would after a restart (it ended the line)."""
        daemon, url = start_web(self, *SLOW)
        alice = Page(self, url)
        alice.login("alice")
        alice.open("#lobby")
        choose(alice, on_disk(self, "sent.bin", content(900_000, seed=42)))
        alice.wait(lambda: 5 <= bar(alice) < 50 or None, "the upload under way")
        daemon.signal(signal.SIGTERM)
        alice.wait(lambda: alice.status().startswith("Disconnected") or None, "the page disconnected")
        alice.note_statuses()
        alice.find("#log-box .log .line.file .file-cancel").click()
        alice.wait_for_status("Not connected: that was not sent. Reconnecting…", "the press refused")
        self.assertEqual(card_state(alice), ["Disconnected: waiting to go on…"])
        self.assertEqual(alice.texts("#log-box .log .line.file button"), ["Cancel"])
        quiet(self, alice, daemon_down=True, no_error_shown=True)


class LeftRoomTests(SynchronousTestCase):
    def test_a_room_s_offer_shown_to_a_late_page_ends_as_it_is_kicked_from_the_room(self) -> None:
        """bob offers #maths a file before alice's page joins it; her page shows it with Accept and Decline, and once
        bob kicks her from #maths its line says it is no longer offered to her, with no button left: an Accept would
        have been refused."""
        daemon, url = start_web(self)
        bob = json_user(daemon, "bob")
        bob.say("/join #maths")
        next_of(bob, "joined")
        file_id = upload(bob, "#maths", "worksheet.pdf", content(20_000, seed=5))
        alice = Page(self, url)
        alice.login("alice")
        alice.join("#maths")
        self.assertEqual(card_named(alice, "worksheet.pdf"), file_id)
        self.assertEqual(buttons(alice, file_id), ["Accept", "Decline"])
        bob.say("/kick alice #maths")
        alice.wait(
            lambda: card_state(alice, file_id) == ["No longer offered to you (you left #maths)."] or None,
            "the line to end",
        )
        self.assertEqual(buttons(alice, file_id), [])
        self.assertTrue(
            after(alice, file_id)[-1].endswith(
                " worksheet.pdf from bob is no longer offered to you (you left #maths); joining again offers it again."
            ),
            after(alice, file_id),
        )
        quiet(self, alice)
