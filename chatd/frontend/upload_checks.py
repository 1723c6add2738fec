"""The checks of uploads' bytes under way, and the offers of the same content that wait for them (issue 16).

An upload's last chunk has its whole hashed on the spool's thread
(``Spool.check``) and, if good, made its content's (``Spool.settle``:
renamed, or dropped for the copy held whole already). An offer of the same
content made meanwhile (its sender back on another connection to go on,
or the same file sent to someone else) would start an upload of bytes the
server is about to hold whole, or read a tail from a name the check is
changing: it waits (``after``), then is made as it would be once the check
is done (chatd.frontend.uploads).
"""

from collections.abc import Callable
from typing import TypeVar

from twisted.internet.defer import Deferred

from chatd.frontend.transfer_parts import Peer

T = TypeVar("T")


class UploadChecks:
    """The uploads' bytes being checked whole (``Transfer.key``), the content each is of, and the offers waiting for
    them with their sessions."""

    def __init__(self) -> None:
        self._waiting: dict[str, list[tuple[Peer, Deferred[None]]]] = {}
        self._of: dict[str, set[str]] = {}
        """Each content's bytes being checked (``Transfer.content``: one key, or several uploads' own at once)."""

    def under_way(self, key: str) -> bool:
        """Whether the bytes ``key`` are being checked, or some of the content ``key``."""
        return key in self._waiting or key in self._of

    def after(self, key: str, peer: Peer) -> "Deferred[None]":
        """Fires once a check of ``key`` under way (``under_way``) is done, unless ``peer``, which waits for it, is
        gone first."""
        done: Deferred[None] = Deferred()
        checked = key if key in self._waiting else min(self._of[key])
        self._waiting[checked].append((peer, done))
        return done

    def run(self, key: str, content: str, check: "Callable[[], Deferred[T]]") -> "Deferred[T]":
        """``check`` the bytes ``key`` of the content ``content``; once it is done, whatever its result, the offers
        that waited for it go on."""
        waiting: list[tuple[Peer, Deferred[None]]] = []
        self._waiting[key] = waiting
        self._of.setdefault(content, set()).add(key)

        def done(result: T) -> T:
            del self._waiting[key]
            keys = self._of[content]
            keys.discard(key)
            if not keys:
                del self._of[content]
            for _, offer in waiting:
                offer.callback(None)
            return result

        return check().addBoth(done)

    def detach(self, peer: Peer) -> None:
        """``peer`` is gone: its offers waiting for a check are made by nobody."""
        for waiting in self._waiting.values():
            waiting[:] = [(each, offer) for each, offer in waiting if each is not peer]
