"""Uploads that fail on the page end on the server too, in a real headless Chromium against a real daemon (issue 16).

The page ends an upload when it cannot go on: its file cannot be read any
more (changed on disk while it went up), the server refused a chunk of it,
or, after a drop, the server refused the offer made again to go on (its
recipient gone). The server still holds such an upload, and would until
its idle hour was up, taking one of its user's ``--file-transfers``, its
room in the spool and its day's bytes: the page lets it go with ``/file
cancel``. These tests run the daemon with ``--file-transfers 1``, so the next file the user
sends is taken only if the one that failed no longer holds the one slot.
Every wait polls a condition until the deadline; nothing is timed.
"""

import base64
import hashlib
import os
import signal

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import SHARED_WEB, Page, lent_web, quiet, start_web
from tests.e2e.daemon import Daemon, SharedDaemon
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_web_files import (
    SLOW,
    bar,
    card_named,
    card_state,
    choose,
    content,
    drop_socket,
    json_user,
    next_of,
    on_disk,
    press,
    private_with,
)
from tests.e2e.test_web_page import restarted

ONE_AT_ONCE = ("--file-transfers", "1")
"""One file at once for a user: a failed upload the server still held would refuse the next."""

OFFERED = "Uploaded and offered to #lobby."


def sending(case: SynchronousTestCase, url: str, nick: str) -> tuple[Page, str, str]:
    """``nick``'s page at ``url`` sending a 400 kB file to #lobby, slowed by --file-rate, under way: the page, the
    file's path on disk and its id."""
    alice = Page(case, url)
    alice.login(nick)
    path = on_disk(case, "big.bin", content(400_000, seed=51))
    choose(alice, path)
    file_id = card_named(alice, "big.bin")
    alice.wait(lambda: 10 <= bar(alice, file_id) < 60 or None, "the upload under way")
    return alice, path, file_id


def sending_to_bob_who_leaves(
    case: SynchronousTestCase, daemon: Daemon, url: str, nick: str
) -> tuple[Page, str]:
    """``nick``'s page at ``url`` sending bob, a program on ``daemon``'s line port, a 1 MB file in private, slowed
    by --file-rate, under way when bob quits: the page and the file's id."""
    alice = Page(case, url)
    alice.login(nick)
    bob = json_user(daemon, "bob")
    private_with(alice, "bob")
    choose(alice, on_disk(case, "big.bin", content(1_000_000, seed=55)))
    file_id = card_named(alice, "big.bin")
    alice.wait(lambda: 5 <= bar(alice, file_id) < 50 or None, "the upload under way")
    bob.say("/quit")
    alice.wait(lambda: alice.texts("#log-box .log .line.quit") or None, "bob to have gone")
    return alice, file_id


HOLD_TAIL = """
const files = window.chatd.files;
const read = files.sameTail.bind(files);
window.heldTail = null;
files.sameTail = (...args) => {
  files.sameTail = read;
  return new Promise((resolve, reject) => {
    window.heldTail = () => read(...args).then(resolve, reject);
  });
};
"""
"""Holds the page's next check of the server's last chunk against the file (``sameTail``, whose read takes as long as
the disk does) until the test calls ``window.heldTail()``: what happens meanwhile happens while the page awaits it."""

RELEASE_ON_DROP = """
const files = window.chatd.files;
const lost = files.lost.bind(files);
files.lost = () => {
  lost();
  if (window.heldTail !== null) window.heldTail();
};
"""
"""Lets the check held by HOLD_TAIL go on as the page sees its socket drop: it answers while the page is disconnected."""

RECORD_PUTS = """
window.puts = [];
const send = window.chatd.link.send.bind(window.chatd.link);
window.chatd.link.send = (line) => {
  if (line.startsWith("/file put ")) window.puts.push(line.split(" ", 4).slice(0, 4).join(" "));
  return send(line);
};
"""
"""Keeps the start of each ``/file put`` line the page sends from now (``window.puts``): its file's id and offset."""


def back_and_checking(case: SynchronousTestCase, alice: Page, *scripts: str) -> str:
    """alice's page sending a 600 kB file to #lobby, its socket dropped under way: back, the page offered it again,
    and awaits its check of the server's last chunk, held (HOLD_TAIL, then ``scripts``). The file's id."""
    choose(alice, on_disk(case, "big.bin", content(600_000, seed=56)))
    file_id = card_named(alice, "big.bin")
    alice.wait(lambda: 5 <= bar(alice, file_id) < 50 or None, "the upload under way")
    for script in (HOLD_TAIL, *scripts):
        alice.script(script)
    drop_socket(alice)
    alice.wait(
        lambda: alice.script("return window.heldTail !== null;") or None, "the check of the server's bytes"
    )
    return file_id


def unreadable(alice: Page, file_id: str) -> None:
    """Wait for alice's line of upload ``file_id`` to say its file cannot be read any more."""
    alice.wait(
        lambda: card_state(alice, file_id)[0].startswith("big.bin cannot be read any more: ") or None,
        "alice's line to say the file cannot be read",
    )


def sends_the_next(case: SynchronousTestCase, alice: Page) -> None:
    """alice's page sends another file: the server takes it, one transfer at once notwithstanding."""
    choose(alice, on_disk(case, "next.bin", content(20_000, seed=52)))
    alice.wait(lambda: card_state(alice)[-1:] == [OFFERED] or None, "the next file offered")


class FailedUploadTests(SynchronousTestCase):
    """alice's page ends an upload the server holds: the server lets it go, and her next file is taken.

    The tests but the one that kills the daemon take turns on one (``SharedDaemon``), each sender under a
    nickname of the test's own, so that whatever the server held of one test's user would not be another's.
    """

    shared = SharedDaemon((*SHARED_WEB, *SLOW, *ONE_AT_ONCE))

    @classmethod
    def tearDownClass(cls) -> None:
        cls.shared.stop()

    def test_an_upload_whose_file_changed_on_disk_ends_on_the_server_too(self) -> None:
        """The file alice's page is sending changes on disk: the browser cannot read it any more, her line says
        so, and the server no longer holds it. It held it for an hour, so her next file was refused
        (`file-too-many`)."""
        alice, path, file_id = sending(self, lent_web(self.shared, self)[1], "alice")
        with open(path, "wb") as changed:
            changed.write(content(400_000, seed=53))

        unreadable(alice, file_id)
        self.assertEqual(alice.texts(f'[data-file="{file_id}"] button'), [])
        sends_the_next(self, alice)
        quiet(self, alice)

    def test_an_upload_whose_file_changed_while_offline_ends_on_the_server_once_back(self) -> None:
        """alice's socket drops while her page sends a file, and the file changes on disk: back, the page offers it
        again, cannot read it, says so, and the server no longer holds it, though it went on from the new
        connection. It held it for an hour, so her next file was refused (`file-too-many`)."""
        alice, path, file_id = sending(self, lent_web(self.shared, self)[1], "ada")
        alice.note_statuses()
        drop_socket(alice)
        with open(path, "wb") as changed:
            changed.write(content(400_000, seed=54))

        unreadable(alice, file_id)
        alice.wait_for_status("Reconnected.", "the page to be back")
        sends_the_next(self, alice)
        quiet(self, alice)

    def test_an_upload_with_a_chunk_refused_ends_on_the_server_too(self) -> None:
        """A bad chunk goes out for the upload alice's page is sending (as a page with a bug would send it): her
        line ends in the server's refusal, and the server no longer holds it. It held it for an hour, so her
        next file was refused (`file-too-many`)."""
        alice, _, file_id = sending(self, lent_web(self.shared, self)[1], "amy")
        alice.script("window.chatd.link.send(arguments[0]);", f"/file put {file_id} 0 !!!!")

        refusal = f"a chunk of {file_id} is standard base64 of 1 to 16384 bytes, within the file's size"
        alice.wait(lambda: card_state(alice, file_id) == [refusal] or None, "alice's line to end")
        sends_the_next(self, alice)
        quiet(self, alice)

    def test_an_upload_whose_offer_is_refused_once_back_ends_on_the_server_too(self) -> None:
        """bob leaves while alice's page sends him a file, and her socket drops: back, the page offers it again, the
        server refuses it (bob is gone), her line says so, and the server no longer holds it. It held it for an
        hour, so her next file was refused (`file-too-many`)."""
        alice, file_id = sending_to_bob_who_leaves(self, *lent_web(self.shared, self), "ann")
        drop_socket(alice)

        refusal = "nobody called bob is online"
        alice.wait(lambda: card_state(alice, file_id) == [refusal] or None, "the refusal on alice's line")
        self.assertEqual(alice.texts(f'[data-file="{file_id}"] button'), [])
        alice.open("#lobby")
        sends_the_next(self, alice)
        quiet(self, alice)

    def test_an_upload_the_server_lost_whose_offer_is_refused_is_said_once(self) -> None:
        """bob leaves while alice's page sends him a file, and the daemon dies, losing the upload (no --db): back on
        a new daemon, the page offers it again, the server refuses it, and her line says so, the one error of her
        conversation with bob. The page's cancel of an upload the server no longer had was answered `ERR
        no-such-file`, which said nothing she needed."""
        daemon, url = start_web(self, *SLOW, *ONE_AT_ONCE)
        alice, file_id = sending_to_bob_who_leaves(self, daemon, url, "alice")
        daemon.signal(signal.SIGKILL)
        alice.wait(
            lambda: alice.status().startswith("Disconnected") or None, "the page to see the daemon gone"
        )
        port = url.rstrip("/").rsplit(":", 1)[1]
        restarted(alice, lambda: Daemon.start(self, [*LOOPBACK, "--web-port", port, *SLOW, *ONE_AT_ONCE]))

        alice.wait(
            lambda: card_state(alice, file_id) == ["nobody called bob is online"] or None,
            "the refusal on alice's line",
        )
        alice.open("#lobby")
        sends_the_next(self, alice)  # answered after the page's cancel, on the same socket
        errors = alice.texts("#log-box .log .line.error .text")
        alice.open("bob")
        errors += alice.texts("#log-box .log .line.error .text")
        self.assertEqual([text for text in errors if file_id in text], [])
        quiet(self, alice, daemon_down=True)


class CheckedBackTests(SynchronousTestCase):
    """Back after a drop, the page checks the server's last chunk against its file before it goes on: what happens
    meanwhile decides, not the check."""

    def test_an_upload_cancelled_while_the_page_checks_the_server_s_bytes_stays_cancelled(self) -> None:
        """alice presses Cancel while her page, back, checks the server's last chunk: her line says Cancelled, and
        no chunk of the file goes. The check's answer went on with it: its line said it was sending again, and its
        chunks went to a server that had let it go."""
        _, url = start_web(self, *SLOW)
        alice = Page(self, url)
        alice.login("alice")
        file_id = back_and_checking(self, alice)
        alice.script(RECORD_PUTS)
        press(alice, file_id, "cancel")
        alice.script("window.heldTail();")

        sends_the_next(self, alice)
        self.assertEqual(card_state(alice, file_id), ["Cancelled."])
        self.assertEqual([put for put in alice.script("return window.puts;") if file_id in put], [])
        quiet(self, alice, no_error_shown=True)

    def test_an_upload_whose_socket_drops_while_the_page_checks_the_server_s_bytes_goes_on_once_back(
        self,
    ) -> None:
        """The socket drops again while alice's page, back, checks the server's last chunk: back once more, the
        upload goes on and is offered. The check's answer took it for sending, into no socket: it was not offered
        again, and its line said "Sending" for good."""
        _, url = start_web(self, *SLOW)
        alice = Page(self, url)
        alice.login("alice")
        file_id = back_and_checking(self, alice, RELEASE_ON_DROP)
        drop_socket(alice)

        alice.wait(lambda: card_state(alice, file_id) == [OFFERED] or None, "the upload offered")
        quiet(self, alice)

    def test_an_upload_whose_file_went_before_the_page_checked_the_server_s_bytes_ends_on_the_server_too(
        self,
    ) -> None:
        """The server holds 1,000 bytes of alice's upload (sent by a program of hers, gone since), and her page offers
        the same file, to go on: the file is deleted before the page reads those bytes of it to check them, her
        line says it cannot be read, and the server no longer holds the upload. The read's failure was caught by
        nobody: the line said "Offering…" for good, and the server held the upload for an hour, so her next file
        was refused (`file-too-many`)."""
        daemon, url = start_web(self, *ONE_AT_ONCE)
        data = content(100_000, seed=57)
        program = json_user(daemon, "alice")
        program.say(
            f"/file offer #lobby {len(data)} {hashlib.sha256(data).hexdigest()} application/octet-stream big.bin"
        )
        started = next_of(program, "file_upload")
        program.say(f"/file put {started['file']} 0 {base64.b64encode(data[:1000]).decode('ascii')}")
        next_of(program, "file_progress", file=started["file"])
        program.say("/quit")
        program.read_to_end()
        alice = Page(self, url)
        alice.login("alice")
        alice.script(HOLD_TAIL)
        path = on_disk(self, "big.bin", data)
        choose(alice, path)
        alice.wait(
            lambda: alice.script("return window.heldTail !== null;") or None,
            "the check of the server's bytes",
        )
        os.remove(path)
        alice.script("window.heldTail();")

        file_id = str(started["file"])
        unreadable(alice, file_id)
        self.assertEqual(alice.texts(f'[data-file="{file_id}"] button'), [])
        sends_the_next(self, alice)
        quiet(self, alice)
