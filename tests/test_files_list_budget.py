"""What ``/file list`` costs of the flood budget (chatd/line/files.py), over StringTransport (issue 16).

A listing costs a line for every ``ENTRIES_PER_LINE`` (10) entries it shows,
rounded up, its command's line the first (``file_listing_lines``), as IRC's
FILES does: a user offered many files could otherwise have the server write
a long answer over and over for one line each, and a full page of 100 fits
in the default burst of 10.
"""

import hashlib

from chatd.line.protocol import LineProtocol
from tests.test_files import CONTENT, FileTestCase


class ListBudgetTests(FileTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_wire = self.json_user(b"alice")
        self.bob, self.bob_wire = self.connect(b"bob")
        self.carol, self.carol_wire = self.json_user(b"carol", host="10.0.0.2")
        self.sizes = iter(range(100, 200))

    def offered(self, count: int) -> None:
        """alice offers #lobby, where bob and carol are, ``count`` more files, each uploaded whole at once; then
        their budgets are full again."""
        for _ in range(count):
            self.clock.advance(1)  # within alice's flood budget, however many she offers
            data = CONTENT[: next(self.sizes)]
            self.offer(self.alice, to=b"#lobby", sha=hashlib.sha256(data).hexdigest(), size=len(data))
            [file] = [item["file"] for item in self.objects(self.alice_wire) if item["type"] == "file_upload"]
            self.upload(self.alice, data, file=file)
        self.clock.advance(60)
        self.lines(self.bob_wire)
        self.lines(self.carol_wire)

    def cost(self, session: LineProtocol) -> float:
        """The lines of flood budget a /file list on ``session`` spends."""
        held = session.budget_held()
        session.dataReceived(b"/file list\n")
        return held - session.budget_held()

    def test_a_long_list_costs_a_line_of_flood_budget_per_ten_transfers(self) -> None:
        """A /file list of one offer costs its line; of ten, its line still; of 25 offers, three lines, its own the
        first: bob's in text and carol's in JSON alike."""
        self.offered(1)
        self.assertEqual((self.cost(self.bob), self.cost(self.carol)), (1, 1))
        self.assertEqual(self.lines(self.bob_wire)[0], b"*** Files (1):")
        self.offered(9)
        self.assertEqual((self.cost(self.bob), self.cost(self.carol)), (1, 1))
        self.assertEqual(self.lines(self.bob_wire)[0], b"*** Files (10):")
        self.objects(self.carol_wire)
        self.offered(15)
        self.assertEqual((self.cost(self.bob), self.cost(self.carol)), (3, 3))
        self.assertEqual(self.lines(self.bob_wire)[0], b"*** Files (25):")
        [listing] = self.objects(self.carol_wire)
        self.assertEqual(len(listing["files"]), 25)
