"""The client follows ``/file list``'s pages at the pace the server asks (issue 16), against a fake server.

Each ``file_list`` page says in ``wait`` the seconds until the
connection's flood budget is full again (docs/PROTOCOL.md); the client asks
for the next page once they are over, on its ``Clock``: asked at once, a
user with more than 100 transfers open was told they flood from the second
page on. A wait stops with its connection, and a new listing starts afresh.
"""

import hashlib

from tests.test_client_files import FilesTestCase, offered

CURSOR = "5-00000000000000aa"


def page(name: str, file_id: str, cursor: str | None, wait: object) -> dict[str, object]:
    """A ``file_list`` page of one offer of bob's to alice, named ``name``, going on after ``cursor``."""
    row = {
        key: offered(b"abc", name)[key] for key in ("file", "nick", "to", "name", "size", "mime", "sha256")
    }
    entry = {**row, "file": file_id, "state": "offered"}
    return {"type": "file_list", "files": [entry], "next": cursor, "wait": wait}


class ListPagesPaceTests(FilesTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.peer.sent()

    def asked(self) -> list[str]:
        """The file lines the client sent since the last call (a quiet minute has it ping the server too)."""
        return [line for line in self.peer.sent() if line.startswith("/file")]

    def test_the_next_page_is_asked_for_once_the_wait_the_page_says_is_over(self) -> None:
        """A page saying ``wait`` 2.5 is shown at once; the page after it is asked for 2.5 s later, not before."""
        self.peer.send(page("first.jpg", "1111000011110000", CURSOR, 2.5))
        short = hashlib.sha256(b"abc").hexdigest()[:12]
        self.assertEqual(
            self.lines(),
            [
                "* Files on the server (1 here, more to come):",
                f'*   [1] from bob: "first.jpg" (3 B, image/jpeg, sha256 {short}) offered',
            ],
        )
        self.assertEqual(self.asked(), [])
        self.clock.advance(2.4)
        self.assertEqual(self.asked(), [])
        self.clock.advance(0.1)
        self.assertEqual(self.asked(), [f"/file list after {CURSOR}"])
        self.peer.send(page("last.jpg", "2222000022220000", None, 0))
        self.assertEqual(self.lines()[0], "* Files on the server (1):")
        self.clock.advance(60)
        self.assertEqual(self.asked(), [])

    def test_a_page_saying_no_wait_a_clock_takes_has_the_next_asked_for_at_once(self) -> None:
        """A server from before ``wait`` says none, and one that says 0, nonsense or a negative number is asked at
        once, as ever."""
        for wait in (None, 0, "soon", -3, True, float("nan")):
            self.peer.send(page("first.jpg", "1111000011110000", CURSOR, wait))
            self.assertEqual(self.asked(), [f"/file list after {CURSOR}"], wait)

    def test_a_drop_during_the_wait_asks_for_no_page_on_the_next_connection(self) -> None:
        """The connection drops while the next page waits its turn: the new one is never sent a cursor of the last
        (its listing is gone with it)."""
        self.peer.send(page("first.jpg", "1111000011110000", CURSOR, 2.5))
        self.assertEqual(self.asked(), [])
        self.drop()
        self.peer.sent()
        self.clock.advance(60)
        self.assertEqual(self.asked(), [])

    def test_files_during_the_wait_starts_a_new_listing_and_the_old_page_is_never_asked(self) -> None:
        """``/files`` typed while a page waits asks for the list from its start; the old listing's next page is not
        asked as well, whether the new listing came by ``/files`` or a ``/file list`` typed."""
        for typed in ("/files", "/file list"):
            self.peer.send(page("first.jpg", "1111000011110000", CURSOR, 2.5))
            self.link.send(typed)
            self.assertEqual(self.asked(), ["/file list"])
            self.clock.advance(60)
            self.assertEqual(self.asked(), [], typed)
