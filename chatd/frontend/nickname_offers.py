"""The offers open to nicknames, counted by sender, by recipient and by the two: what bounds them (issue 16).

An offer to a nickname waits for its recipient until fetched, declined,
withdrawn or expired (a week, ``--file-keep``, for one offline), and one of
a byte costs its sender a byte of ``--file-day-bytes``: with nothing else
bounding them, one user left thousands for one person, whose page and
client list (and fetch) every one at each connect. ``OpenTransfers`` counts
each here as it opens, is delivered, ends or follows a rename, so that a
new offer is checked by a look-up (``check``), not a walk of every transfer
open.

A sender is counted by ``Transfer.owner``, which never changes; a recipient
by ``person_key``, which a rename, identifying or giving an account up
changes (``moved``).
"""

from collections.abc import Hashable
from typing import TypeVar

from chatd.domain.errors import FileBound, FileTooManyError
from chatd.domain.files import FileLimits

_K = TypeVar("_K", bound=Hashable)


class NicknameOffers:
    """The open offers to nicknames (uploads among them), each counted under its sender's owner key and, once known,
    its recipient's person key."""

    def __init__(self) -> None:
        self._counted: dict[str, tuple[str, str | None]] = {}
        """The owner and the recipient (None: not known, a kept upload to someone not identified) each file is
        counted under."""
        self._of_owner: dict[str, set[str]] = {}
        self._for: dict[str, set[str]] = {}
        self._pairs: dict[tuple[str, str], set[str]] = {}

    def count(self, file: str, owner: str, recipient: str | None) -> None:
        """``file``, from ``owner``, is open to the person ``recipient``: counted under them (again, if it was under
        another, as an upload is once delivered to whoever holds the nickname then)."""
        if self._counted.get(file) == (owner, recipient):
            return
        self.uncount(file)
        self._counted[file] = (owner, recipient)
        self._of_owner.setdefault(owner, set()).add(file)
        if recipient is not None:
            self._for.setdefault(recipient, set()).add(file)
            self._pairs.setdefault((owner, recipient), set()).add(file)

    def uncount(self, file: str) -> None:
        """``file`` is open to nobody any more (fetched, declined, withdrawn, expired), if it was counted."""
        counted = self._counted.pop(file, None)
        if counted is None:
            return
        owner, recipient = counted
        _take(self._of_owner, owner, file)
        if recipient is not None:
            _take(self._for, recipient, file)
            _take(self._pairs, (owner, recipient), file)

    def moved(self, old: str, new: str) -> None:
        """The person ``old`` is ``new`` now: what is open to them is counted under ``new``, with what was already."""
        files = self._for.pop(old, set())
        for file in files:
            owner, _ = self._counted[file]
            self._counted[file] = (owner, new)
            _take(self._pairs, (owner, old), file)
            self._pairs.setdefault((owner, new), set()).add(file)
        if files:
            self._for.setdefault(new, set()).update(files)

    def check(self, limits: FileLimits, owner: str, recipient: str | None, nick: str) -> None:
        """Raise FileTooManyError if ``owner`` may open no more offers to the person ``recipient`` (``nick``, as the
        sender named them): as many open to them as ``offers_to_one``, or to nicknames in all as
        ``nickname_offers``, or the person has as many from everyone as ``waiting_offers``."""
        if recipient is not None and len(self._pairs.get((owner, recipient), ())) >= limits.offers_to_one:
            raise FileTooManyError(limits.offers_to_one, FileBound.OFFERS_TO_ONE, nick)
        if len(self._of_owner.get(owner, ())) >= limits.nickname_offers:
            raise FileTooManyError(limits.nickname_offers, FileBound.NICKNAME_OFFERS)
        if recipient is not None and len(self._for.get(recipient, ())) >= limits.waiting_offers:
            raise FileTooManyError(limits.waiting_offers, FileBound.WAITING, nick)


def _take(index: dict[_K, set[str]], key: _K, file: str) -> None:
    """``file`` is no longer under ``key``; a key left with none goes."""
    found = index.get(key)
    if found is None:
        return
    found.discard(file)
    if not found:
        del index[key]
