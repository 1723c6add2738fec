"""Files through chatd's page in a real headless Chromium against a real daemon (issue 16).

The page sends a file chosen in its file input (set by the driver, as a
user's choice would be) that a program on the line port, speaking JSON,
fetches byte for byte; it fetches a file such a program offered, checks
it, and saves it through a download link into a folder Chromium is told
to save to; a file's name from the network is shown as the text it is;
an upload cut off by a dropped socket goes on from what the server holds
once the page is back. Two pages send each other files, privately and in
a room; a file dropped on the conversation is sent to it; declines and
cancels from either side are said on both pages; a reloaded page shows
again what is still offered to its user. Every wait polls a condition
until the deadline; nothing is timed.
"""

import base64
import hashlib
import json
import os
import shutil
import tempfile
from typing import Any

from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import SHARED_WEB, Page, lent_web, quiet, start_web
from tests.e2e.daemon import Daemon, LineClient, SharedDaemon
from tests.e2e.lobby import PROMPT, WELCOME
from tests.helpers import new_folder

CHUNK = 16384
"""The server's chunk size (docs/PROTOCOL.md, Files)."""

XSS_NAME = "<img src=x onerror=alert(1)>.png"
"""A file name that would become an element, and run, if a page inserted it as HTML."""


def content(size: int, seed: int = 16) -> bytes:
    """``size`` bytes of every value, not repeating at the chunk size: a misplaced chunk changes the hash."""
    return bytes((seed + n * 7 + n // 251) % 256 for n in range(size))


def json_user(daemon: Daemon, nick: str) -> LineClient:
    """A program on the line port that speaks JSON, named ``nick``, in #lobby."""
    client = daemon.connect()
    client.expect(WELCOME, PROMPT)
    client.say("/format json")
    client.say(nick)
    next_of(client, "notice", kind="nick")
    return client


def next_of(client: LineClient, wanted: str, **fields: Any) -> dict[str, Any]:
    """The next JSON object of type ``wanted`` with these ``fields``, past any others; an error fails the test."""
    while True:
        line = client.read_line()
        if not line.startswith(b"{"):
            continue  # the text greeting before /format json took effect
        found = json.loads(line)
        if found["type"] == "error" and wanted != "error":
            client.daemon.case.fail(f"the server refused: {found}")
        if found["type"] == wanted and all(found.get(key) == value for key, value in fields.items()):
            return dict(found)


def upload(
    client: LineClient, target: str, name: str, data: bytes, mime: str = "application/octet-stream"
) -> str:
    """``client`` offers ``data`` as ``name`` to ``target`` and uploads it a chunk at a time; the file's id."""
    client.say(f"/file offer {target} {len(data)} {hashlib.sha256(data).hexdigest()} {mime} {name}")
    started = next_of(client, "file_upload")
    file_id = str(started["file"])
    for offset in range(started["have"], len(data), CHUNK):
        encoded = base64.b64encode(data[offset : offset + CHUNK]).decode("ascii")
        client.say(f"/file put {file_id} {offset} {encoded}")
        next_of(client, "file_progress", file=file_id)
    next_of(client, "file_uploaded", file=file_id)
    return file_id


def fetch(client: LineClient, file_id: str) -> bytes:
    """``client`` accepts file ``file_id`` and fetches it, checking and acknowledging each chunk: its bytes."""
    client.say(f"/file accept {file_id}")
    held = bytearray()
    while True:
        found = next_file_object(client, file_id)
        if found["type"] == "file_sent":
            return bytes(held)
        if found["type"] != "file_chunk":
            continue
        chunk = base64.b64decode(found["data"])
        client.daemon.case.assertEqual(found["offset"], len(held))
        client.daemon.case.assertEqual(hashlib.sha256(chunk).hexdigest(), found["sha256"])
        held += chunk
        client.say(f"/file ack {file_id} {len(held)}")


def next_file_object(client: LineClient, file_id: str) -> dict[str, Any]:
    """The next JSON object about file ``file_id``; an error fails the test."""
    while True:
        line = client.read_line()
        if not line.startswith(b"{"):
            continue
        found = json.loads(line)
        if found["type"] == "error":
            client.daemon.case.fail(f"the server refused: {found}")
        if found.get("file") == file_id:
            return dict(found)


def choose(page: Page, path: str) -> None:
    """Choose the file at ``path`` in the page's file input, as a user picking it does."""
    page.find("#file-input").send_keys(path)


def card_state(page: Page, file_id: str = "") -> list[str]:
    """What the transfer lines of the log shown say of where they are (one file's, if ``file_id``)."""
    scope = f'[data-file="{file_id}"]' if file_id else ""
    return page.texts(f"#log-box .log .line.file{scope} .file-state")


def save_to(page: Page) -> str:
    """A fresh folder Chromium saves downloads to, without asking, removed at cleanup."""
    folder = tempfile.mkdtemp()
    page.case.addCleanup(shutil.rmtree, folder, ignore_errors=True)
    page.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": folder})
    return folder


def saved(page: Page, folder: str, name: str) -> bytes:
    """The bytes of ``name`` in ``folder`` once Chromium has finished writing it."""

    def done() -> bool | None:
        names = os.listdir(folder)
        return (name in names and not any(each.endswith(".crdownload") for each in names)) or None

    page.wait(done, f"{name} saved in {folder}")
    with open(os.path.join(folder, name), "rb") as file:
        return file.read()


def on_disk(case: SynchronousTestCase, name: str, data: bytes) -> str:
    """The path of a new file ``name`` holding ``data``, in a folder removed at cleanup."""
    folder = new_folder(case)
    path = os.path.join(folder, name)
    with open(path, "wb") as file:
        file.write(data)
    return path


def card_named(page: Page, name: str) -> str:
    """The file id of the transfer line named ``name`` in the log shown, once it is there."""

    def found() -> str | None:
        for line in page.driver.find_elements(By.CSS_SELECTOR, "#log-box .log .line.file"):
            if line.find_element(By.CSS_SELECTOR, ".file-name").get_attribute("textContent") == name:
                return str(line.get_attribute("data-file")) or None
        return None

    return page.wait(found, f"a line offering {name}")


def accept(page: Page, name: str) -> str:
    """Press Accept on the offer of ``name`` in the log shown; the file's id."""
    file_id = card_named(page, name)
    page.find(f'#log-box .log .line.file[data-file="{file_id}"] .file-accept').click()
    return file_id


def fetched(page: Page, file_id: str, name: str) -> None:
    """Wait until the page says it fetched, checked and saved ``name``."""
    page.wait(
        lambda: (
            card_state(page, file_id) == [f"Fetched, checked (SHA-256 matches) and saved as {name}."] or None
        ),
        f"{name} checked",
    )


def private_with(page: Page, nick: str) -> None:
    """Open the private conversation with ``nick``, from the members of the room shown."""
    page.wait_for_member(nick)
    page.find(f"#member-list .member[title='Private messages with {nick}']").click()
    page.wait(lambda: page.title() == nick or None, f"the private conversation with {nick}")


def press(page: Page, file_id: str, button: str) -> None:
    """Press ``button`` (``accept``, ``decline``, ``cancel``) on the line of file ``file_id`` in the log shown."""
    page.find(f'#log-box .log .line.file[data-file="{file_id}"] .file-{button}').click()


def notices(page: Page) -> list[str]:
    """The notices of the log shown, in order."""
    return page.texts("#log-box .log .line.notice .text")


AFTER = (
    "const cards = document.querySelectorAll(`#log-box .log .line.file${arguments[0]}`);"
    "const after = [];"
    "for (let line = cards[cards.length - 1].nextElementSibling; line; line = line.nextElementSibling)"
    "  after.push(line.textContent);"
    "return after;"
)


def after(page: Page, file_id: str = "") -> list[str]:
    """The lines of the log after a transfer's line (``file_id``'s, if given, else the last): none, when what
    became of it is said once, on its line, where a reader at the end of the log sees it."""
    return list(page.script(AFTER, f'[data-file="{file_id}"]' if file_id else ""))


class SendTests(SynchronousTestCase):
    """The page sends a file; a program fetches it."""

    def test_a_file_chosen_in_the_page_reaches_a_json_client_byte_identical(self) -> None:
        """alice picks a 300,001-byte file in #lobby's file input; bob on the line port is offered it and fetches it
        byte for byte; alice's line says it is on the server and offered."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        bob = json_user(daemon, "bob")
        data = content(300_001)
        path = on_disk(self, "report 2024.bin", data)

        choose(alice, path)
        offered = next_of(bob, "file_offered")
        self.assertEqual(
            {key: offered[key] for key in ("nick", "to", "name", "size", "sha256")},
            {
                "nick": "alice",
                "to": "#lobby",
                "name": "report 2024.bin",
                "size": 300_001,
                "sha256": hashlib.sha256(data).hexdigest(),
            },
        )
        alice.wait(
            lambda: card_state(alice) == ["Uploaded and offered to #lobby."] or None, "alice's line to say so"
        )
        self.assertEqual(alice.find("#log-box .log .line.file progress").get_attribute("value"), "100")
        self.assertEqual(fetch(bob, offered["file"]), data)
        quiet(self, alice, no_error_shown=True)

    def test_a_file_over_the_server_s_limit_is_refused_at_once_in_one_line(self) -> None:
        """With --file-max-size 100000, alice picks a 150,000-byte file: the page says at once, in one line and
        in the units of its file lines, that it is too big, and offers nothing. It read and hashed the whole
        file, offered it, and only then showed the server's refusal, twice, in bytes. A file of 100,001 bytes,
        which those units would show as the limit's own 100.0 kB, is told in bytes, counted as people read them."""
        _, url = start_web(self, "--file-max-size", "100000")
        alice = Page(self, url)
        alice.login("alice")
        alice.script(
            "window.offers = []; const send = window.chatd.link.send.bind(window.chatd.link);"
            "window.chatd.link.send = (line) => { if (line.startsWith('/file ')) window.offers.push(line);"
            " return send(line); };"
        )
        choose(alice, on_disk(self, "big.bin", content(150_000)))
        refusal = "big.bin is 150.0 kB: this server takes files of at most 100.0 kB. Nothing was sent."
        alice.wait(lambda: alice.texts("#log-box .log .line.error .text") or None, "the refusal")
        self.assertEqual(alice.texts("#log-box .log .line.error .text"), [refusal])
        choose(alice, on_disk(self, "edge.bin", content(100_001)))
        edge = (
            "edge.bin is 100,001 bytes: this server takes files of at most 100,000 bytes. Nothing was sent."
        )
        alice.wait(
            lambda: len(alice.texts("#log-box .log .line.error .text")) == 2 or None, "the second refusal"
        )
        self.assertEqual(alice.texts("#log-box .log .line.error .text"), [refusal, edge])
        self.assertEqual(card_state(alice), [])
        self.assertEqual(alice.script("return window.offers;"), [])
        quiet(self, alice)

    def test_what_becomes_of_an_offer_is_said_once_on_its_line(self) -> None:
        """alice's file to #lobby is offered, and its line says so; bob wrote to her and went, and the server's
        refusal of the file she then sends him is said on that file's line. Each was said twice: on the line,
        and again in a line right under it."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        bob = json_user(daemon, "bob")
        # bob's arrival shown first: arriving under her file's line, it would rightly bring the news down to the end.
        alice.wait_for_arrival("bob")
        choose(alice, on_disk(self, "notes.txt", content(2_000)))
        alice.wait(
            lambda: card_state(alice) == ["Uploaded and offered to #lobby."] or None, "alice's line to say so"
        )
        self.assertEqual([text for text in notices(alice) if "notes.txt" in text], [])

        bob.say("/msg alice back in a minute")
        alice.wait(lambda: alice.texts("#privates .name") == ["bob"] or None, "a conversation with bob")
        alice.open("bob")
        bob.say("/quit")
        alice.wait(lambda: alice.texts("#log-box .log .line.quit") or None, "bob to have gone")
        choose(alice, on_disk(self, "later.txt", content(2_000)))
        refusal = "nobody called bob is online"
        alice.wait(lambda: card_state(alice) == [refusal] or None, "the refusal on the file's line")
        said = [text for text in alice.texts("#log-box .log .line") if refusal in text]
        self.assertEqual(len(said), 1, said)
        quiet(self, alice)

    def test_a_room_offer_reaches_a_page_that_comes_later_and_sent_again_is_refused(self) -> None:
        """alice sends notes.txt to #lobby, bob there; carol's page comes later and shows alice's offer, which she
        fetches byte for byte; alice sends it again: its second line says it was offered already, and that whoever
        joins the room while it is offered is offered it too. A room's offer reached only those there when it was
        made: the page told alice to withdraw it and send it again for carol."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        json_user(daemon, "bob")
        alice.wait_for_arrival("bob")
        data = content(2_000)
        path = on_disk(self, "notes.txt", data)
        choose(alice, path)
        alice.wait(
            lambda: card_state(alice) == ["Uploaded and offered to #lobby."] or None, "the first offer"
        )
        carol = Page(self, url)
        folder = save_to(carol)
        carol.login("carol")
        file_id = accept(carol, "notes.txt")
        fetched(carol, file_id, "notes.txt")
        self.assertEqual(saved(carol, folder, "notes.txt"), data)
        choose(alice, path)
        refusal = (
            "You offered notes.txt to #lobby already: whoever joins #lobby while it is offered is offered it too. "
            "Nothing was sent."
        )
        alice.wait(
            lambda: card_state(alice) == ["Uploaded and offered to #lobby.", refusal] or None,
            "the second refused",
        )
        quiet(self, alice)
        quiet(self, carol, no_error_shown=True)

    def test_an_offer_made_while_others_talked_is_said_at_the_end_of_the_log_too(self) -> None:
        """bob says a line while alice's slow upload to #lobby goes on: once offered, her file's line says so,
        above bob's line, and so does a line at the end of the log, where she reads."""
        daemon, url = start_web(self, *SLOW)
        alice = Page(self, url)
        alice.login("alice")
        bob = json_user(daemon, "bob")
        choose(alice, on_disk(self, "big.bin", content(800_000, seed=3)))
        alice.wait(lambda: 5 <= bar(alice) < 50 or None, "the upload under way")
        bob.say("meanwhile")
        alice.wait_for_said("meanwhile")
        self.assertLess(bar(alice), 100)
        alice.wait(
            lambda: card_state(alice) == ["Uploaded and offered to #lobby."] or None, "alice's line to say so"
        )
        self.assertEqual(notices(alice)[-1:], ["big.bin is on the server, checked, and offered to #lobby."])
        quiet(self, alice, no_error_shown=True)


DROP = """
const [name, size, seed] = arguments;
const bytes = new Uint8Array(size);
for (let n = 0; n < size; n += 1) bytes[n] = (seed + n * 7 + Math.floor(n / 251)) % 256;
const carried = new DataTransfer();
carried.items.add(new File([bytes], name, { type: "application/octet-stream" }));
const log = document.querySelector("#log-box .log");
const main = document.getElementById("main");
const fire = (type) => log.dispatchEvent(new DragEvent(type, { dataTransfer: carried, bubbles: true, cancelable: true }));
fire("dragenter");
const marked = main.classList.contains("dropping");
const taken = !fire("dragover");
const dropped = !fire("drop");
return [marked, taken, dropped, main.classList.contains("dropping")];
"""
"""Drag a file made in the page (the bytes of ``content(size, seed)``) over the log shown and drop it there: whether
the conversation was marked as a drop target, took the dragover, took the drop, and is still marked after it."""


class DropTests(SynchronousTestCase):
    """Files dropped on the conversation are sent to it."""

    def test_a_file_dropped_on_the_room_reaches_its_members_byte_identical(self) -> None:
        """A 70,000-byte file dropped on #lobby's log (a real drop event carrying a File) is offered to bob there,
        and what he fetches is the file's bytes; the room is marked while the file is over it, and not after."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        bob = json_user(daemon, "bob")
        alice.open("#lobby")

        self.assertEqual(alice.script(DROP, "dropped.bin", 70_000, 40), [True, True, True, False])
        offered = next_of(bob, "file_offered")
        data = content(70_000, seed=40)
        self.assertEqual(
            {key: offered[key] for key in ("nick", "to", "name", "size", "sha256")},
            {
                "nick": "alice",
                "to": "#lobby",
                "name": "dropped.bin",
                "size": 70_000,
                "sha256": hashlib.sha256(data).hexdigest(),
            },
        )
        alice.wait(
            lambda: card_state(alice) == ["Uploaded and offered to #lobby."] or None, "alice's line to say so"
        )
        self.assertEqual(fetch(bob, offered["file"]), data)
        # bob was the room's only other member: nobody is left to fetch it, and it stays offered to whoever joins.
        alice.wait(
            lambda: (
                card_state(alice)
                == ["bob has fetched it. It stays offered to whoever joins #lobby until you withdraw it."]
                or None
            ),
            "alice's line to say so",
        )
        quiet(self, alice, no_error_shown=True)


class FetchTests(SynchronousTestCase):
    """The page fetches a file a program offered, and shows its name as text."""

    def test_a_file_offered_to_the_page_is_fetched_checked_and_saved(self) -> None:
        """bob uploads 40,000 bytes to alice; her page shows who offers what, she accepts, and the file saved in
        Chromium's download folder is bob's byte for byte, with a link to it kept in the conversation."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        folder = save_to(alice)
        alice.login("alice")
        bob = json_user(daemon, "bob")
        data = content(40_000, seed=3)
        file_id = upload(bob, "alice", "notes.txt", data, "text/plain")

        alice.wait(lambda: alice.texts("#privates .name") == ["bob"] or None, "a conversation with bob")
        alice.open("bob")
        card = f'#log-box .log .line.file[data-file="{file_id}"]'
        alice.wait(lambda: alice.texts(f"{card} .file-name") == ["notes.txt"] or None, "bob's offer")
        self.assertEqual(
            alice.texts(f"{card} .file-what"),
            [f"bob offers notes.txt (40.0 kB, text/plain, sha256 {hashlib.sha256(data).hexdigest()[:12]}…)"],
        )
        accept = alice.find(f"{card} .file-accept")
        self.assertEqual(accept.get_attribute("aria-label"), "Accept notes.txt from bob")
        accept.click()
        alice.wait(
            lambda: (
                card_state(alice, file_id) == ["Fetched, checked (SHA-256 matches) and saved as notes.txt."]
                or None
            ),
            "the download checked",
        )
        self.assertEqual(saved(alice, folder, "notes.txt"), data)
        self.assertEqual(alice.texts(f"{card} .file-link"), ["Save notes.txt again"])
        self.assertEqual(alice.find(f"{card} .file-link").get_attribute("download"), "notes.txt")
        quiet(self, alice, no_error_shown=True)

    def test_a_file_name_of_markup_is_shown_as_text(self) -> None:
        """A file named like an image tag that runs a script is shown as those characters: no element, no alert."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        bob = json_user(daemon, "bob")
        file_id = upload(bob, "alice", XSS_NAME, content(100))
        alice.wait(lambda: alice.texts("#privates .name") == ["bob"] or None, "a conversation with bob")
        alice.open("bob")
        card = f'#log-box .log .line.file[data-file="{file_id}"]'
        alice.wait(lambda: alice.texts(f"{card} .file-name") == [XSS_NAME] or None, "the name, as text")
        self.assertEqual(alice.driver.find_elements(By.CSS_SELECTOR, "#log-box img"), [])
        self.assertEqual(
            alice.find(f"{card} .file-accept").get_attribute("aria-label"), f"Accept {XSS_NAME} from bob"
        )
        with self.assertRaises(NoAlertPresentException):
            alice.driver.switch_to.alert.text  # noqa: B018 - reading it is the check
        quiet(self, alice, no_error_shown=True)


SLOW = ("--file-rate", "131072")
"""A transfer rate (bytes a second) that keeps a 400 kB file moving for seconds: long enough to cut it off."""


def drop_socket(page: Page) -> None:
    """Close the page's socket, as a dropped link does; the page reconnects by itself."""
    page.script("window.chatd.link.restart();")


def bar(page: Page, file_id: str = "") -> int:
    """The percentage a transfer's progress bar shows."""
    scope = f'[data-file="{file_id}"]' if file_id else ""
    return int(str(page.find(f"#log-box .log .line.file{scope} progress").get_attribute("value")))


class ResumeTests(SynchronousTestCase):
    """A dropped socket in the middle of a transfer: the page comes back and the transfer goes on."""

    def test_an_upload_cut_off_goes_on_from_what_the_server_holds(self) -> None:
        """alice's socket drops during her upload to bob; back, she sends only the rest, and bob's copy is whole."""
        daemon, url = start_web(self, *SLOW)
        alice = Page(self, url)
        alice.login("alice")
        bob = json_user(daemon, "bob")
        data = content(400_000, seed=5)
        path = on_disk(self, "big.bin", data)
        alice.open("#lobby")
        choose(alice, path)
        alice.wait(lambda: 10 <= bar(alice) < 50 or None, "the upload under way")
        alice.note_statuses()
        drop_socket(alice)
        alice.wait_for_status("Reconnected.", "the page to be back")
        offered = next_of(bob, "file_offered")
        alice.wait(
            lambda: card_state(alice) == ["Uploaded and offered to #lobby."] or None, "alice's line to say so"
        )
        went_on = [
            text for text in alice.texts(".log .line.notice .text") if text.startswith("The server holds ")
        ]
        self.assertEqual(len(went_on), 1, went_on)
        self.assertTrue(went_on[0].endswith(" of big.bin already: sending goes on from there."), went_on)
        self.assertEqual(fetch(bob, offered["file"]), data)
        quiet(self, alice, no_error_shown=True)

    def test_a_download_cut_off_goes_on_from_what_the_page_holds(self) -> None:
        """alice's socket drops while she fetches bob's file; back, she fetches only the rest, and it is saved whole."""
        daemon, url = start_web(self, *SLOW)
        alice = Page(self, url)
        folder = save_to(alice)
        alice.login("alice")
        bob = json_user(daemon, "bob")
        data = content(400_000, seed=9)
        file_id = upload(bob, "alice", "fetched.bin", data)
        alice.wait(lambda: alice.texts("#privates .name") == ["bob"] or None, "a conversation with bob")
        alice.open("bob")
        card = f'#log-box .log .line.file[data-file="{file_id}"]'
        alice.wait(lambda: alice.find(f"{card} .file-accept"), "bob's offer").click()
        alice.wait(lambda: 10 <= bar(alice, file_id) < 50 or None, "the download under way")
        drop_socket(alice)
        alice.wait(
            lambda: (
                card_state(alice, file_id) == ["Fetched, checked (SHA-256 matches) and saved as fetched.bin."]
                or None
            ),
            "the download checked",
        )
        went_on = [
            text
            for text in alice.texts(".log .line.notice .text")
            if text.startswith("Fetching fetched.bin goes on")
        ]
        self.assertEqual(len(went_on), 1, went_on)
        self.assertEqual(saved(alice, folder, "fetched.bin"), data)
        quiet(self, alice, no_error_shown=True)


class BetweenPagesTests(SynchronousTestCase):
    """Two people with the page send each other files (issue 16's "done when")."""

    def test_two_pages_send_each_other_files_privately_and_in_a_room(self) -> None:
        """alice's page sends bob's a file in their private conversation, bob's sends one to #lobby, and each file
        Chromium saves is the sender's byte for byte."""
        _, url = start_web(self)
        alice, bob = Page(self, url), Page(self, url)
        alice_folder, bob_folder = save_to(alice), save_to(bob)
        alice.login("alice")
        bob.login("bob")
        to_bob = content(200_003, seed=21)
        to_lobby = content(150_000, seed=77)

        private_with(alice, "bob")
        choose(alice, on_disk(self, "café menu.pdf", to_bob))
        alice.wait(lambda: card_state(alice) == ["Uploaded and offered to bob."] or None, "alice's offer")
        bob.wait(lambda: bob.texts("#privates .name") == ["alice"] or None, "a conversation with alice")
        bob.open("alice")
        private_id = accept(bob, "café menu.pdf")
        fetched(bob, private_id, "café menu.pdf")
        self.assertEqual(saved(bob, bob_folder, "café menu.pdf"), to_bob)

        bob.open("#lobby")
        choose(bob, on_disk(self, "scan.tiff", to_lobby))
        bob.wait(
            lambda: card_state(bob) == ["Uploaded and offered to #lobby."] or None, "bob's offer to #lobby"
        )
        alice.open("#lobby")
        room_id = accept(alice, "scan.tiff")
        fetched(alice, room_id, "scan.tiff")
        self.assertEqual(saved(alice, alice_folder, "scan.tiff"), to_lobby)
        self.assertEqual(
            alice.texts(f'#log-box .log .line.file[data-file="{room_id}"] .file-what'),
            [
                f"bob offers scan.tiff (150.0 kB, image/tiff, sha256 {hashlib.sha256(to_lobby).hexdigest()[:12]}…)"
            ],
        )
        quiet(self, alice, no_error_shown=True)
        quiet(self, bob, no_error_shown=True)


def two_pages(case: SynchronousTestCase, url: str) -> tuple[Page, Page]:
    """alice's page and bob's, both named and in #lobby, on the daemon whose page is at ``url``; alice's shows
    bob."""
    alice, bob = Page(case, url), Page(case, url)
    alice.login("alice")
    bob.login("bob")
    private_with(alice, "bob")
    return alice, bob


def offer_to_bob(case: SynchronousTestCase, alice: Page, bob: Page, name: str, data: bytes) -> str:
    """alice's page sends ``data`` as ``name`` to bob in private; once offered, bob's page shows it: its id."""
    choose(alice, on_disk(case, name, data))
    alice.wait(lambda: card_state(alice) == ["Uploaded and offered to bob."] or None, "alice's offer")
    bob.wait(lambda: bob.texts("#privates .name") == ["alice"] or None, "a conversation with alice")
    bob.open("alice")
    return card_named(bob, name)


class EndingTests(SynchronousTestCase):
    """A transfer between two pages declined or cancelled by either side: both pages say so.

    The tests take turns on two daemons (``SharedDaemon``), each test with users of its own: ``shared``, and
    ``slow`` for those that stop a transfer under way.
    """

    shared = SharedDaemon(SHARED_WEB)
    slow = SharedDaemon((*SHARED_WEB, *SLOW))

    @classmethod
    def tearDownClass(cls) -> None:
        cls.shared.stop()
        cls.slow.stop()

    def test_a_declined_offer_is_said_on_the_senders_page(self) -> None:
        """bob declines alice's file: his line says he did, hers that he declined it, once: not again right under it."""
        alice, bob = two_pages(self, lent_web(self.shared, self)[1])
        file_id = offer_to_bob(self, alice, bob, "draft.odt", content(20_000))
        self.assertEqual(bob.texts(f'[data-file="{file_id}"] .file-decline'), ["Decline"])
        press(bob, file_id, "decline")
        bob.wait(lambda: card_state(bob, file_id) == ["You declined it."] or None, "bob's line to say so")
        alice.wait(lambda: card_state(alice, file_id) == ["bob declined it."] or None, "alice to be told")
        self.assertEqual(after(alice, file_id), [])
        self.assertEqual(alice.texts(f'[data-file="{file_id}"] button'), [])
        quiet(self, alice, no_error_shown=True)
        quiet(self, bob, no_error_shown=True)

    def test_a_decline_after_other_lines_is_said_at_the_end_of_the_log_too(self) -> None:
        """bob writes to alice after her offer, then declines it: her file's line, above his, says he declined it,
        and so does a line at the end of the log, where she reads."""
        alice, bob = two_pages(self, lent_web(self.shared, self)[1])
        file_id = offer_to_bob(self, alice, bob, "draft.odt", content(20_000))
        bob.say("not this one, sorry")
        alice.wait_for_said("not this one, sorry")
        press(bob, file_id, "decline")
        bob.wait(lambda: card_state(bob, file_id) == ["You declined it."] or None, "bob's line to say so")
        alice.wait(lambda: card_state(alice, file_id) == ["bob declined it."] or None, "alice's line to end")
        alice.wait(lambda: notices(alice)[-1:] == ["bob declined draft.odt."] or None, "alice to be told")
        self.assertEqual(len(after(alice, file_id)), 2, "bob's line and the notice")
        quiet(self, alice, no_error_shown=True)
        quiet(self, bob, no_error_shown=True)

    def test_every_offer_declined_by_typing_ends_on_both_pages(self) -> None:
        """bob types /file decline * in the message box: his line ends as if he pressed Decline, the server's count
        is said, and alice's line says he declined it."""
        alice, bob = two_pages(self, lent_web(self.shared, self)[1])
        file_id = offer_to_bob(self, alice, bob, "draft.odt", content(20_000))
        bob.say("/file decline *")
        bob.wait(lambda: card_state(bob, file_id) == ["You declined it."] or None, "bob's line to say so")
        bob.wait(lambda: notices(bob)[-1:] == ["You declined 1 file offer."] or None, "the server's count")
        self.assertEqual(bob.texts(f'[data-file="{file_id}"] button'), [])
        alice.wait(lambda: card_state(alice, file_id) == ["bob declined it."] or None, "alice to be told")
        quiet(self, alice, no_error_shown=True)
        quiet(self, bob, no_error_shown=True)

    def test_an_upload_cancelled_before_the_offer_reaches_nobody(self) -> None:
        """alice cancels in the middle of her upload: her line says so, and bob, not offered it yet, hears nothing
        of it (a message she sends afterwards reaches him with no file before it)."""
        alice, bob = two_pages(self, lent_web(self.slow, self)[1])
        choose(alice, on_disk(self, "half.bin", content(400_000)))
        alice.wait(lambda: 10 <= bar(alice) < 50 or None, "the upload under way")
        alice.find("#log-box .log .line.file .file-cancel").click()
        alice.wait(lambda: card_state(alice) == ["Cancelled."] or None, "alice's line to say so")
        self.assertEqual(after(alice), [])
        alice.say("never mind")
        bob.wait(lambda: bob.texts("#privates .name") == ["alice"] or None, "a conversation with alice")
        bob.open("alice")
        bob.wait_for_said("never mind")
        self.assertEqual(bob.texts("#log-box .log .line.file"), [])
        quiet(self, alice, no_error_shown=True)
        quiet(self, bob, no_error_shown=True)

    def test_a_file_withdrawn_while_fetched_stops_the_recipients_download(self) -> None:
        """alice withdraws her file while bob's page fetches it: her line says so, his that she cancelled it, each
        once, not again right under it."""
        alice, bob = two_pages(self, lent_web(self.slow, self)[1])
        file_id = offer_to_bob(self, alice, bob, "movie.mkv", content(400_000, seed=2))
        press(bob, file_id, "accept")
        bob.wait(lambda: 10 <= bar(bob, file_id) < 50 or None, "the download under way")
        press(alice, file_id, "cancel")
        alice.wait(lambda: card_state(alice, file_id) == ["Withdrawn."] or None, "alice's line to say so")
        self.assertEqual(after(alice, file_id), [])
        bob.wait(
            lambda: card_state(bob, file_id) == ["Cancelled by alice (withdrawn by the sender)."] or None,
            "bob's line to say so",
        )
        self.assertEqual(after(bob, file_id), [])
        self.assertEqual(bob.texts(f'[data-file="{file_id}"] button'), [])
        quiet(self, alice, no_error_shown=True)
        quiet(self, bob, no_error_shown=True)

    def test_a_download_cancelled_by_the_recipient_is_said_on_the_senders_page(self) -> None:
        """bob cancels in the middle of fetching alice's file: his line says so, and hers that he stopped."""
        alice, bob = two_pages(self, lent_web(self.slow, self)[1])
        file_id = offer_to_bob(self, alice, bob, "backup.tar", content(400_000, seed=4))
        press(bob, file_id, "accept")
        bob.wait(lambda: 10 <= bar(bob, file_id) < 50 or None, "the download under way")
        press(bob, file_id, "cancel")
        bob.wait(lambda: card_state(bob, file_id) == ["Cancelled."] or None, "bob's line to say so")
        self.assertEqual(after(bob, file_id), [])
        alice.wait(
            lambda: (
                card_state(alice, file_id) == ["bob stopped fetching it (cancelled by the recipient)."]
                or None
            ),
            "alice to be told",
        )
        self.assertEqual(after(alice, file_id), [])
        quiet(self, alice, no_error_shown=True)
        quiet(self, bob, no_error_shown=True)

    def test_an_offer_pressed_after_quit_says_why_nothing_happens(self) -> None:
        """ben offers ama a file and she leaves the chat (/quit): Accept, and then Decline, say in the status
        line that she left and how to come back, and leave the offer's line as it was. They did nothing, with no
        word. (Nicknames of this test's own: the offer is still kept for ama when the next test begins.)"""
        daemon, url = lent_web(self.shared, self)
        ama = Page(self, url)
        ama.login("ama")
        ben = json_user(daemon, "ben")
        file_id = upload(ben, "ama", "late.bin", content(10_000, seed=30))
        ama.wait(lambda: ama.texts("#privates .name") == ["ben"] or None, "a conversation with ben")
        ama.open("ben")
        card_named(ama, "late.bin")
        ama.say("/quit")
        goodbye = "You left the chat. Reload the page to come back."
        ama.wait(lambda: ama.status() == goodbye or None, "the goodbye")
        refused = "You left the chat: that was not sent. Reload the page to come back."
        for button in ("accept", "decline"):
            # The goodbye back in the status line, so that each press is seen to answer.
            ama.script("document.getElementById('status').textContent = arguments[0];", goodbye)
            press(ama, file_id, button)
            ama.wait(lambda: ama.status() == refused or None, f"{button} refused")
        self.assertEqual(ama.texts(f'[data-file="{file_id}"] button'), ["Accept", "Decline"])
        self.assertEqual(card_state(ama, file_id), [""])
        quiet(self, ama, no_error_shown=True)


class ReloadTests(SynchronousTestCase):
    """A page reloaded in the middle of a transfer finds its open transfers again from the server."""

    def test_a_page_reloaded_while_fetching_is_offered_the_file_again(self) -> None:
        """bob reloads his page while fetching alice's file; named again by itself, his page shows the offer again
        with Accept, and accepting fetches it from the first byte, saved whole."""
        daemon, url = start_web(self, *SLOW)
        bob = Page(self, url)
        folder = save_to(bob)
        bob.login("bob")
        alice = json_user(daemon, "alice")
        data = content(300_000, seed=11)
        file_id = upload(alice, "bob", "reloaded.bin", data)
        bob.wait(lambda: bob.texts("#privates .name") == ["alice"] or None, "a conversation with alice")
        bob.open("alice")
        press(bob, card_named(bob, "reloaded.bin"), "accept")
        bob.wait(lambda: 10 <= bar(bob, file_id) < 50 or None, "the download under way")

        bob.driver.refresh()
        next_of(alice, "quit", nick="bob")  # the server saw the old page go: "bob" is free again
        bob.wait_in("bob")
        bob.wait(
            lambda: bob.texts("#privates .name") == ["alice"] or None, "the conversation with alice again"
        )
        bob.open("alice")
        bob.wait(lambda: card_state(bob, file_id) == ["Still offered to you."] or None, "the offer again")
        self.assertEqual(
            bob.find(f'[data-file="{file_id}"] .file-accept').get_attribute("aria-label"),
            "Accept reloaded.bin from alice",
        )
        press(bob, file_id, "accept")
        fetched(bob, file_id, "reloaded.bin")
        self.assertEqual(saved(bob, folder, "reloaded.bin"), data)
        self.assertEqual([text for text in notices(bob) if "goes on" in text], [])
        quiet(self, bob, no_error_shown=True)

    def test_a_page_reloaded_while_sending_says_how_to_go_on_and_does(self) -> None:
        """alice reloads her page in the middle of an upload to #lobby; named again by itself, her page says the upload
        stopped and how to go on; choosing the file again sends only the rest, and bob fetches it whole."""
        daemon, url = start_web(self, *SLOW)
        alice = Page(self, url)
        alice.login("alice")
        bob = json_user(daemon, "bob")
        data = content(400_000, seed=13)
        path = on_disk(self, "cut.bin", data)
        choose(alice, path)
        alice.wait(lambda: 10 <= bar(alice) < 50 or None, "the upload under way")

        alice.driver.refresh()
        next_of(bob, "quit", nick="alice")
        alice.wait_in("alice")
        stopped = (
            "Sending cut.bin to #lobby stopped before the end: "
            "send the same file here again and it goes on from what the server holds."
        )
        alice.wait(lambda: stopped in notices(alice) or None, "the page to say the upload stopped")
        choose(alice, path)
        alice.wait(
            lambda: card_state(alice) == ["Uploaded and offered to #lobby."] or None, "alice's line to say so"
        )
        went_on = [text for text in notices(alice) if text.startswith("The server holds ")]
        self.assertEqual(len(went_on), 1, went_on)
        self.assertEqual(fetch(bob, next_of(bob, "file_offered")["file"]), data)
        quiet(self, alice, no_error_shown=True)

    def test_a_reloaded_senders_page_can_still_withdraw_its_offer(self) -> None:
        """alice reloads her page after offering bob a file; named again by itself, her page shows her offer with a
        Cancel that withdraws it, and bob's page says she cancelled it."""
        alice, bob = two_pages(self, start_web(self)[1])
        file_id = offer_to_bob(self, alice, bob, "old.pdf", content(30_000, seed=6))
        bob.open("#lobby")
        alice.driver.refresh()
        # The reloaded page comes back by itself at once: her leaving is read in the log, not the member list.
        bob.wait(
            lambda: (
                any(text.startswith("alice quit") for text in bob.texts("#log-box .log .line.quit .body"))
                or None
            ),
            "alice to be gone",
        )
        bob.open("alice")
        alice.wait_in("alice")
        alice.wait(
            lambda: alice.texts("#privates .name") == ["bob"] or None, "the conversation with bob again"
        )
        alice.open("bob")
        alice.wait(lambda: card_state(alice, file_id) == ["Still offered."] or None, "her offer again")
        press(alice, file_id, "cancel")
        alice.wait(lambda: card_state(alice, file_id) == ["Withdrawn."] or None, "her line to say so")
        bob.wait(
            lambda: card_state(bob, file_id) == ["Cancelled by alice (withdrawn by the sender)."] or None,
            "bob's line to say so",
        )
        quiet(self, alice, no_error_shown=True)
        quiet(self, bob, no_error_shown=True)
