"""``/file list`` a page at a time (chatd.frontend.file_pages), over StringTransport (issue 16).

A user may be offered thousands of files, and the page and the terminal
client ask for the list as they connect: one answer of them all could pass
``--sendq`` and cut the user off every time. So an answer shows at most
``FILES_PAGE`` (100), oldest first, and names the cursor that goes on. The
offers here are alice's to bob, kept from before a restart, so that each
begins when a test says (the same instant for many, as a busy second may
have it), whatever the bounds on offering that many at once.
"""

import os

from chatd.domain.events import Actor
from chatd.domain.files import FileTarget, KeptTransfer, OfferedFile
from chatd.frontend.file_pages import FILES_PAGE
from chatd.frontend.transfers import Transfers
from chatd.storage.spool import Spool
from tests.test_files import CONTENT, SHA, FileTestCase
from tests.test_open_transfers import _Kept

BAD_CURSOR = b"ERR usage usage: /file list [after CURSOR], CURSOR as a page of /file list gives it"


def _id(n: int) -> str:
    """The file id of the ``n``th offer (from 1)."""
    return f"{n:016x}"


class ListPagesTests(FileTestCase):
    def restart_with(self, *began: float) -> None:
        """The daemon starts again with alice's offers of CONTENT to bob kept, the ``n``th (from 1) begun at
        ``began[n - 1]`` seconds; bob is connected in JSON."""
        with open(os.path.join(self.folder, f"{SHA}-{len(CONTENT)}"), "wb") as whole:
            whole.write(CONTENT)
        records = [
            KeptTransfer(
                OfferedFile(_id(n), f"notes {n}.txt", len(CONTENT), "text/plain", SHA),
                Actor("alice", "10.0.0.1", None),
                "address:10.0.0.1",
                "nick:alice@10.0.0.1",
                FileTarget("bob"),
                at,
                at,
                ("nick:bob@127.0.0.1",),
            )
            for n, at in enumerate(began, start=1)
        ]
        self.spool.release()
        self.spool = Spool(self.folder)
        self.addCleanup(self.spool.release)
        self.files = self.factory.files = Transfers(
            self.chat, self.spool, self.clock, store=_Kept(*records), bus=self.bus
        )
        self.bob, self.bob_wire = self.json_user(b"bob")

    def page(self, line: bytes = b"/file list") -> tuple[list[str], str | None]:
        """The files (ids) and the next cursor of bob's answer to ``line``."""
        self.clock.advance(60)  # the flood budget full again
        self.bob.dataReceived(line + b"\n")
        [listing] = [item for item in self.objects(self.bob_wire) if item["type"] != "notice"]
        self.assertEqual(listing["type"], "file_list")
        return [entry["file"] for entry in listing["files"]], listing["next"]

    def pages(self) -> list[list[str]]:
        """The files (ids) of each page bob is answered, following each cursor to the last."""
        files, cursor = self.page()
        shown = [files]
        while cursor is not None:
            files, cursor = self.page(b"/file list after " + cursor.encode())
            shown.append(files)
        return shown

    def test_a_hundred_files_are_one_page_with_no_cursor(self) -> None:
        """With exactly 100 offers open, one answer shows them all, oldest first, and names no next page."""
        self.restart_with(*range(FILES_PAGE))
        self.assertEqual(FILES_PAGE, 100)
        self.assertEqual(self.page(), ([_id(n) for n in range(1, 101)], None))

    def test_a_hundred_and_one_files_are_two_pages(self) -> None:
        """With 101 open, the first answer shows the oldest 100 and a cursor; the next, the last one and none."""
        self.restart_with(*range(101))
        first, cursor = self.page()
        self.assertEqual((first, cursor), ([_id(n) for n in range(1, 101)], f"99000000-{_id(100)}"))
        self.assertEqual(
            self.page(b"/file list after " + f"99000000-{_id(100)}".encode()), ([_id(101)], None)
        )

    def test_a_text_page_names_what_to_type_for_the_next(self) -> None:
        """A text session reads how many are shown and what to type for more; the last page, how many."""
        self.restart_with(*range(101))
        self.bob.dataReceived(b"/format text\n")
        self.lines(self.bob_wire)
        self.clock.advance(60)
        self.bob.dataReceived(b"/file list\n")
        lines = self.lines(self.bob_wire)
        self.assertEqual(
            (lines[0], lines[100], len([line for line in lines if line.startswith(b"***   ")])),
            (
                b"*** Files (100 shown, more: /file list after 99000000-0000000000000064):",
                b'***   0000000000000064 offered: "notes 100.txt" (41.0 kB) from alice to bob',
                100,
            ),
        )
        self.clock.advance(60)
        self.bob.dataReceived(b"/file list after 99000000-0000000000000064\n")
        self.assertEqual(
            self.lines(self.bob_wire),
            [
                b"*** Files (1):",
                b'***   0000000000000065 offered: "notes 101.txt" (41.0 kB) from alice to bob',
            ],
        )

    def test_the_cursor_goes_on_after_its_transfer_ended(self) -> None:
        """bob declines the last offer the first page showed: the cursor it gave still answers the page after it."""
        self.restart_with(*range(102))
        _, cursor = self.page()
        self.clock.advance(60)
        self.bob.dataReceived(b"/file decline %s\n" % _id(100).encode())
        self.lines(self.bob_wire)
        self.assertIsNone(self.files.transfer(_id(100)))
        self.assertEqual(self.page(b"/file list after " + str(cursor).encode()), ([_id(101), _id(102)], None))

    def test_files_begun_in_the_same_instant_are_each_shown_once_across_pages(self) -> None:
        """250 offers begun in the same microsecond (one a tenth of it later), one a microsecond later and one a
        microsecond earlier: three pages show each once, those of the same microsecond in the order of their ids."""
        self.restart_with(*[12.5] * 249, 12.5000001, 12.500001, 12.499999)
        pages = self.pages()
        self.assertEqual([len(page) for page in pages], [100, 100, 52])
        self.assertEqual(
            [file for page in pages for file in page], [_id(252), *(_id(n) for n in range(1, 252))]
        )

    def test_each_page_costs_a_line_for_every_ten_files_its_own_among_them(self) -> None:
        """Each page is charged by the files it shows, a line per 10 rounded up, its command's line the first: a
        full page 10 lines, the default burst, so a full budget takes it with no flood notice; the last, of 25,
        3 lines, as a listing of 25 always cost."""
        self.restart_with(*range(125))
        self.clock.advance(60)
        held = self.bob.budget_held()
        self.bob.dataReceived(b"/file list\n")
        self.assertEqual(held - self.bob.budget_held(), 10)
        told = self.objects(self.bob_wire)
        self.assertEqual([item["type"] for item in told], ["file_list"])
        self.clock.advance(60)
        held = self.bob.budget_held()
        self.bob.dataReceived(b"/file list after %s\n" % str(told[0]["next"]).encode())
        self.assertEqual(held - self.bob.budget_held(), 3)
        [listing] = self.objects(self.bob_wire)
        self.assertEqual((len(listing["files"]), listing["next"]), (25, None))

    def test_a_malformed_cursor_is_one_usage_line_and_lists_nothing(self) -> None:
        """A cursor no page gave, a missing one or another word than ``after`` is answered with one line of usage."""
        self.restart_with(*range(3))
        self.bob.dataReceived(b"/format text\n")
        self.lines(self.bob_wire)
        for line in (
            b"/file list after 5",
            b"/file list after 5-XYZ",
            b"/file list after -0000000000000001",
            b"/file list after",
            b"/file list before 5-0000000000000001",
            b"/file list after 5-0000000000000001 more",
        ):
            self.bob.dataReceived(line + b"\n")
            self.assertEqual(self.lines(self.bob_wire), [BAD_CURSOR], line)
        self.bob.dataReceived(b"/file list AFTER 0-0000000000000001\n")
        self.assertEqual(self.lines(self.bob_wire)[0], b"*** Files (2):")

    def test_a_reader_following_each_page_s_wait_is_never_told_it_floods(self) -> None:
        """With 250 open, bob follows each page's cursor once its ``wait`` is over, as the page does: three pages
        in a row, each whole, and no flood notice at any of them."""
        self.restart_with(*range(250))
        self.clock.advance(60)  # the flood budget full again after connecting
        self.assertEqual(self.follow(), ([100, 100, 50], [5.0, 5.0, 0.0]))

    def test_a_first_page_asked_as_the_reader_connects_is_what_its_budget_pays_for(self) -> None:
        """Just connected, bob's burst is part spent naming himself: the first page shows what the rest pays for,
        and each after it, asked for once the last one's ``wait`` is over, a full 100; never a flood notice."""
        self.restart_with(*range(250))
        held = self.bob.budget_held() - 1  # what the listing may spend once its own line is paid
        self.assertLess(held, 9)
        first = (int(held) + 1) * 10
        self.assertEqual(self.follow()[0], [first, 100, 150 - first])

    def follow(self) -> tuple[list[int], list[float]]:
        """Follow bob's pages from the first, each once the last one's ``wait`` is over, asserting that each answer
        is the page alone and that they show every file, oldest first: each page's size, and its wait."""
        line, shown, sizes, waits = b"/file list", [], [], []
        while True:
            self.bob.dataReceived(line + b"\n")
            answers = self.objects(self.bob_wire)
            self.assertEqual([item["type"] for item in answers], ["file_list"])
            [listing] = answers
            shown += [entry["file"] for entry in listing["files"]]
            sizes.append(len(listing["files"]))
            waits.append(listing["wait"])
            if listing["next"] is None:
                break
            self.clock.advance(listing["wait"])
            line = b"/file list after " + listing["next"].encode()
        self.assertEqual(shown, [_id(n) for n in range(1, 251)])
        return sizes, waits
