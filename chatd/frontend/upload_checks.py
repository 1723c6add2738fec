"""The checks of uploads' bytes under way, and the offers of those bytes that wait for them (issue 16).

An upload's last chunk has its whole hashed on the spool's thread
(``Spool.check``), which renames its ``.part`` file if it is good and
removes it if not. An offer of the same bytes made meanwhile (its sender
back on another connection to go on, or the same file sent to someone
else) would read a tail from a name the check is changing and hash the
same bytes a second time: it waits (``after``), then is made as it would
be once the check is done (chatd.frontend.uploads).
"""

from collections.abc import Callable
from typing import TypeVar

from twisted.internet.defer import Deferred

from chatd.frontend.transfer_parts import Peer

T = TypeVar("T")


class UploadChecks:
    """The contents (``Transfer.key``) being checked whole, each with the offers of it waiting and their sessions."""

    def __init__(self) -> None:
        self._waiting: dict[str, list[tuple[Peer, Deferred[None]]]] = {}

    def under_way(self, key: str) -> bool:
        """Whether the bytes ``key`` are being checked."""
        return key in self._waiting

    def after(self, key: str, peer: Peer) -> "Deferred[None]":
        """Fires once the check of ``key`` under way is done, unless ``peer``, which waits for it, is gone first."""
        done: Deferred[None] = Deferred()
        self._waiting[key].append((peer, done))
        return done

    def run(self, key: str, check: "Callable[[], Deferred[T]]") -> "Deferred[T]":
        """``check`` the bytes ``key``; once it is done, whatever its result, the offers that waited for it go on."""
        waiting: list[tuple[Peer, Deferred[None]]] = []
        self._waiting[key] = waiting

        def done(result: T) -> T:
            del self._waiting[key]
            for _, offer in waiting:
                offer.callback(None)
            return result

        return check().addBoth(done)

    def detach(self, peer: Peer) -> None:
        """``peer`` is gone: its offers waiting for a check are made by nobody."""
        for waiting in self._waiting.values():
            waiting[:] = [(each, offer) for each, offer in waiting if each is not peer]
