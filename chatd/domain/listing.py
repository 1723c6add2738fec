"""Listings in pages: what ``/rooms``, ``/users`` and ``/who`` cost grows with one page, not with the chat.

With thousands of rooms or users a whole listing is thousands of lines to
sort, format and send, for one line of input (issue 12: ~1,900 rooms
stalled everyone about 4 s per ``/rooms``). So a listing answers one page of
at most ``PAGE_SIZE`` entries, and the keys it lists by are kept sorted as
they come and go (``SortedKeys``), so a page is a slice, never a sort of
everything.
"""

from bisect import bisect_left, insort
from collections.abc import Iterable

from chatd.domain.errors import NoSuchPageError

PAGE_SIZE = 50
"""Entries in one page of a listing."""


def page_bounds(number: int, total: int) -> tuple[int, int, int]:
    """The first and past-the-last index of page ``number`` (from 1) of ``total`` entries, and how many pages there are.

    An empty listing has one (empty) page. Raises NoSuchPageError for a
    page before the first or past the last.
    """
    pages = max(1, -(-total // PAGE_SIZE))
    if not 1 <= number <= pages:
        raise NoSuchPageError(number, pages)
    start = (number - 1) * PAGE_SIZE
    return start, min(total, start + PAGE_SIZE), pages


def remaining(total: int, page: int, shown: int) -> int:
    """How many of ``total`` entries come after page ``page``, which showed ``shown`` of them."""
    return max(0, total - (page - 1) * PAGE_SIZE - shown)


class SortedKeys:
    """Keys in sorted order as they are added and removed: O(log n) to find, a memmove to keep."""

    __slots__ = ("_keys",)

    def __init__(self) -> None:
        self._keys: list[str] = []

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: str) -> None:
        """Put ``key`` (not already here) in its place."""
        insort(self._keys, key)

    def remove(self, key: str) -> None:
        """Take ``key`` (which is here) out."""
        del self._keys[bisect_left(self._keys, key)]

    def __contains__(self, key: object) -> bool:
        at = bisect_left(self._keys, key) if isinstance(key, str) else len(self._keys)
        return at < len(self._keys) and self._keys[at] == key

    def slice(self, start: int, stop: int) -> list[str]:
        """The keys from index ``start`` up to ``stop``, in order."""
        return self._keys[start:stop]

    def position(self, key: str) -> int:
        """How many keys sort before ``key`` (which need not be here)."""
        return bisect_left(self._keys, key)


def merged_slice(keys: SortedKeys, extra: Iterable[str], start: int, stop: int) -> list[str]:
    """The keys from index ``start`` up to ``stop`` of ``keys`` and ``extra`` (none of them in ``keys``) in order.

    ``extra`` is a few keys one asker sees and others do not (their secret
    rooms): each is placed by a binary search, so a page costs its own
    length and the extras, never a merge of everything.
    """
    added = sorted(extra)
    # Where each extra key falls in the merged order: its place among ``keys``, plus the extras before it.
    places = [keys.position(key) + before for before, key in enumerate(added)]
    ahead = sum(1 for place in places if place < start)
    listed = iter(keys.slice(start - ahead, stop - ahead))
    page = []
    for index in range(start, stop):
        if ahead < len(added) and places[ahead] == index:
            page.append(added[ahead])
            ahead += 1
        else:
            page.append(next(listed))
    return page
