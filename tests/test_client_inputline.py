"""The input line's layout on one terminal row."""

from twisted.trial.unittest import SynchronousTestCase

from chatd.client.inputline import Layout, cells, layout


class LayoutTests(SynchronousTestCase):
    """Columns, and the sideways scroll of a long line."""

    def test_cells(self) -> None:
        """Wide characters take two columns, combining marks none."""
        self.assertEqual(cells("abc"), 3)
        self.assertEqual(cells("日本"), 4)
        self.assertEqual(cells("e\u0301"), 1)

    def test_layout_scrolls_only_as_needed(self) -> None:
        """The view keeps its place while the cursor is in it, and follows it out of it."""
        chars = list("abcdefghij")
        self.assertEqual(layout("> ", chars, 10, 0, 8), Layout("fghij", 7, 5))
        self.assertEqual(layout("> ", chars, 6, 5, 8), Layout("fghij", 3, 5))
        self.assertEqual(layout("> ", chars, 2, 5, 8), Layout("cdefg", 2, 2))
        self.assertEqual(layout("> ", list("日本語"), 3, 0, 7), Layout("本語", 6, 1))
