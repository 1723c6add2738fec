"""Which transfer each of the server's answers is about, for the page, in a real headless Chromium against a real
daemon (issue 16).

An accept's refusal names its file, and so does the refusal of a chunk or
a restart of an upload the server holds whole; the answer to an offer
names the offer's target. The other people are programs on the line port,
speaking JSON; the page's own lines are held on their way, where needed, by
scripts the tests run in it. Every wait polls a condition until the
deadline; nothing is timed.
"""

import hashlib
import os

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, quiet, start_web
from tests.e2e.test_files_restart import enter as enter_json
from tests.e2e.test_files_restart import put
from tests.e2e.test_files_restart import until as until_json
from tests.e2e.test_web import UNFLOODED
from tests.e2e.test_web_files import (
    CHUNK,
    SLOW,
    after,
    bar,
    card_named,
    card_state,
    choose,
    content,
    fetched,
    json_user,
    next_of,
    on_disk,
    press,
    private_with,
    save_to,
    saved,
    upload,
)

TOO_MANY = "you have 1 transfer going, the most at once; wait for one to end"
"""The server's refusal of an accept past ``--file-transfers 1``."""


class RefusedAcceptTests(SynchronousTestCase):
    def test_an_accept_refused_is_said_on_its_line_which_offers_accept_again(self) -> None:
        """alice's page, allowed one transfer at a time, fetches one of bob's files and accepts his other
        meanwhile: the refusal, naming the second, is said on its line beside Accept, the first goes on, and once it
        is saved Accept fetches the second. The line ended in the refusal with no button: the file could not be
        fetched without reloading the page."""
        daemon, url = start_web(self, *SLOW, "--file-transfers", "1")
        alice = Page(self, url)
        folder = save_to(alice)
        alice.login("alice")
        bob = json_user(daemon, "bob")
        first, second = content(300_000, seed=81), content(20_000, seed=82)
        first_id = upload(bob, "alice", "first.bin", first)
        second_id = upload(bob, "alice", "second.bin", second)
        alice.wait(lambda: alice.texts("#privates .name") == ["bob"] or None, "a conversation with bob")
        alice.open("bob")
        alice.wait(lambda: len(card_state(alice)) == 2 or None, "bob's offers")
        press(alice, first_id, "accept")
        alice.wait(lambda: bar(alice, first_id) > 0 or None, "the first under way")
        press(alice, second_id, "accept")
        alice.wait(
            lambda: card_state(alice, second_id) == [TOO_MANY] or None, "the refusal on the second's line"
        )
        fetched(alice, first_id, "first.bin")
        press(alice, second_id, "accept")
        fetched(alice, second_id, "second.bin")
        self.assertEqual(
            (saved(alice, folder, "first.bin"), saved(alice, folder, "second.bin")), (first, second)
        )
        quiet(self, alice)


HOLD_RESTART = """
const link = window.chatd.link, send = link.send.bind(link);
window.heldRestart = null;
link.send = (line) => {
  if (!line.startsWith("/file restart ") || window.heldRestart !== null) return send(line);
  window.heldRestart = () => send(line);
  return true;
};
const files = window.chatd.files, error = files.error.bind(files);
window.sawUploaded = false;
files.error = (object) => {
  if (object.code === "file-uploaded") window.sawUploaded = true;
  return error(object);
};
"""
"""Holds the page's next ``/file restart`` on its way until the test calls ``window.heldRestart()``, and notes
when the server's ``ERR file-uploaded`` reaches the page (``window.sawUploaded``)."""


class TakenWholeTests(SynchronousTestCase):
    def test_a_restart_answered_that_the_file_is_whole_already_leaves_its_line_offered(self) -> None:
        """The server holds the start of alice's upload to bob with other bytes (sent by a program of hers that
        left), so her page, sending the file, asks to restart it; before the restart reaches the server, carol
        sends the same file whole, which takes alice's too: her line says it is offered, and stays so once the
        restart's `ERR file-uploaded`, naming it, comes. The refusal ended the line, as failed."""
        daemon, url = start_web(self)
        data = content(3 * CHUNK, seed=91)
        sha = hashlib.sha256(data).hexdigest()
        offer = f"/file offer bob {len(data)} {sha} application/octet-stream taken.bin"
        json_user(daemon, "bob")
        other = enter_json(daemon, "alice", "127.0.0.1")
        other.say(offer)
        put(other, until_json(other, "file_upload")["file"], 0, CHUNK, os.urandom(CHUNK))
        other.say("/quit")
        other.read_to_end()
        alice = Page(self, url)
        alice.login("alice")
        private_with(alice, "bob")
        alice.script(HOLD_RESTART)
        choose(alice, on_disk(self, "taken.bin", data))
        alice.wait(
            lambda: alice.script("return window.heldRestart !== null;") or None, "the restart on its way"
        )
        carol = enter_json(daemon, "carol", "127.0.0.4")
        carol.say(offer)
        put(carol, until_json(carol, "file_upload")["file"], 0, len(data), data)
        offered = ["Uploaded and offered to bob."]
        alice.wait(lambda: card_state(alice) == offered or None, "alice's upload taken whole")
        alice.script("window.heldRestart();")
        alice.wait(lambda: alice.script("return window.sawUploaded;") or None, "the answer to the restart")
        self.assertEqual(card_state(alice), offered)
        quiet(self, alice, no_error_shown=True)


SECOND_OFFER_FIRST = """
const link = window.chatd.link, send = link.send.bind(link);
let held = null;
link.send = (line) => {
  if (!line.startsWith("/file offer ")) return send(line);
  if (held === null) {
    held = line;
    return true;
  }
  link.send = send;
  return send(line) && send(held);
};
"""
"""Sends the page's second ``/file offer`` before its first: the server answers the two out of the order the page
awaits them in."""


class TwoAtOnceTests(SynchronousTestCase):
    def test_the_same_file_to_two_people_at_once_is_told_apart_by_the_target_each_answer_names(self) -> None:
        """alice's page sends one file to bob and to carol at once, and the server answers the two offers out of
        the order sent: the line in the conversation with bob is the offer bob is made, and Cancel there withdraws
        his. By the file alone, each line took the other's answer, and Cancel withdrew carol's."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        bob, carol = json_user(daemon, "bob"), json_user(daemon, "carol")
        path = on_disk(self, "same.bin", content(20_000, seed=93))
        alice.script(SECOND_OFFER_FIRST)
        for nick in ("bob", "carol"):
            alice.open("#lobby")
            private_with(alice, nick)
            choose(alice, path)
        offered = {
            nick: next_of(who, "file_offered")["file"] for nick, who in (("bob", bob), ("carol", carol))
        }
        alice.open("bob")
        alice.wait(
            lambda: card_state(alice) == ["Uploaded and offered to bob."] or None, "bob's line offered"
        )
        self.assertEqual(card_named(alice, "same.bin"), offered["bob"])
        press(alice, offered["bob"], "cancel")
        self.assertEqual(next_of(bob, "file_cancelled")["file"], offered["bob"])
        quiet(self, alice, no_error_shown=True)


HOLD_ACKS = """
const link = window.chatd.link, send = link.send.bind(link);
const held = [];
link.send = (line) => {
  if (!line.startsWith("/file ack ")) return send(line);
  held.push(line);
  return link.connected;
};
window.heldAcks = () => held.length;
window.letAcksGo = () => {
  link.send = send;
  for (const line of held) send(line);
  return held.length;
};
const files = window.chatd.files, error = files.error.bind(files);
window.noSuchFile = 0;
files.error = (object) => {
  if (object.code === "no-such-file") window.noSuchFile += 1;
  return error(object);
};
"""
"""Holds every ``/file ack`` of the page on its way until the test calls ``window.letAcksGo()`` (which answers how
many went), and counts the server's ``ERR no-such-file`` as they reach the page (``window.noSuchFile``)."""


class LateAnswerTests(SynchronousTestCase):
    def test_acks_that_cross_the_senders_withdrawal_show_no_error_while_one_typed_after_does(self) -> None:
        """alice's page fetches bob's file, its acks of the chunks it took still on their way as bob withdraws it:
        her line says he cancelled it, and nothing follows it once the acks reach the server, each answered `ERR
        no-such-file`. Each showed "no transfer ID is open for you" under the line, as if something else had gone
        wrong. A `/file` line she types about the file since is answered as ever, the error shown."""
        # Each ack refused costs a line of flood budget (docs/PROTOCOL.md, Files): 8 at once and the page is slowed.
        daemon, url = start_web(self, *UNFLOODED)
        alice = Page(self, url)
        alice.login("alice")
        bob = json_user(daemon, "bob")
        file_id = upload(bob, "alice", "late.bin", content(300_000, seed=95))
        alice.wait(lambda: alice.texts("#privates .name") == ["bob"] or None, "a conversation with bob")
        alice.open("bob")
        card_named(alice, "late.bin")
        alice.script(HOLD_ACKS)
        press(alice, file_id, "accept")
        alice.wait(lambda: alice.script("return window.heldAcks();") or None, "an ack on its way")
        bob.say(f"/file cancel {file_id}")
        withdrawn = ["Cancelled by bob (withdrawn by the sender)."]
        alice.wait(lambda: card_state(alice, file_id) == withdrawn or None, "alice's line to say so")
        acks = alice.script("return window.letAcksGo();")
        alice.wait(lambda: alice.script("return window.noSuchFile;") == acks or None, "the acks' answers")
        self.assertEqual(after(alice, file_id), [])
        quiet(self, alice, no_error_shown=True)
        alice.say(f"/file accept {file_id}")
        alice.wait(lambda: alice.texts(".log .line.error .text") or None, "the typed line's answer")
        self.assertEqual(alice.texts(".log .line.error .text"), [f"no transfer {file_id} is open for you"])
