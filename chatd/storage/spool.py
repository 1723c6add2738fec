"""The spool: files' bytes on disk while they are uploaded, offered and fetched (issue 16).

Content-addressed once checked: a file's bytes checked whole live under its
SHA-256 and size (``KEY``), one copy for every transfer of it. Until then an
upload's bytes are its own, under the content's key and its transfer's id
(``KEY-ID.part``): nobody else's chunks reach them, and an upload
interrupted by a dropped link or a daemon restart goes on from what is
there, found again by its name. File I/O runs
through ``run`` (in the daemon, a one-thread ``ThreadPool`` off the reactor
thread, as chatd.storage.sqlite does; in unit tests, at once), so a slow
disk never holds chat up; one thread does it in the order asked, so what is
decided in memory (a key dropped, renamed) holds for the work asked after.
What the spool holds (each key's size and bytes held) is known in memory
from a scan at start, so checks never wait.

A spool claims its folder (chatd.storage.claim) until ``release``: one
daemon's start would otherwise remove another's uploads as bytes no
transfer of its own names.
"""

import hashlib
import os
import re
from collections.abc import Callable
from typing import IO, TypeVar

from twisted.internet.defer import Deferred, maybeDeferred, succeed
from twisted.python.failure import Failure

from chatd.domain.files import CHUNK, chunk_hash
from chatd.storage.claim import Claim

T = TypeVar("T")

Run = Callable[[Callable[[], T]], "Deferred[T]"]
"""How the spool runs a piece of file I/O: it returns a Deferred of its result."""

_NAME = re.compile(r"([0-9a-f]{64})-([0-9]+)(-[0-9a-f]{16})?(\.part)?")
"""A file's name in the spool: its content's key (SHA-256 and size), a transfer's id for an upload's own bytes
(``chatd.domain.files.own_key``), and ``.part`` until it is checked whole."""

READ_BLOCK = 1024 * 1024


class SpoolFolderError(Exception):
    """The ``--files`` folder cannot be used; the text is one sentence saying why and what to do."""


class SpoolInUseError(SpoolFolderError):
    """The ``--files`` folder is another daemon's (chatd.storage.claim)."""


class SpoolNotMadeError(SpoolFolderError):
    """The ``--files`` folder was missing and cannot be made, for ``reason``: what is wrong is in a folder above it.

    The default folder sits beside the ``--db`` file, so the service words
    this one about ``--db`` when ``--files`` was not given.
    """

    def __init__(self, directory: str, error: OSError) -> None:
        super().__init__(_not_made(directory, error))
        self.reason = error.strerror or str(error)


def _not_made(directory: str, error: OSError) -> str:
    """The sentence for a ``--files`` folder the daemon cannot make: one whose parent is missing names the parent,
    which is not made either (a mistyped path would otherwise bring a tree of folders into being)."""
    if isinstance(error, FileNotFoundError):
        parent = os.path.dirname(os.path.normpath(directory)) or os.curdir
        return f"--files {directory} cannot be made: {parent} does not exist; make that folder first, or give one that exists."
    return _unusable(directory, error)


def _unusable(directory: str, error: OSError) -> str:
    """The sentence for a ``--files`` folder the daemon cannot make, claim or read."""
    return (
        f"--files {directory} cannot be used ({error.strerror or error}); give a folder the daemon may write."
    )


def _claimed(directory: str) -> Claim:
    """The folder ``directory``, made if missing (never the folders above it, as ``mkdir`` without ``-p``),
    checked writable and claimed; else ``SpoolFolderError``.

    Claimed before anything in it is read or removed: another daemon's uploads are not this one's to drop.
    """
    # lexists: a link to nowhere is no folder either, and no folder can be made in its place.
    if os.path.lexists(directory) and not os.path.isdir(directory):
        raise SpoolFolderError(f"--files {directory} is not a folder; give a folder the daemon may write.")
    try:
        if not os.path.isdir(directory):
            os.mkdir(directory)
    except OSError as error:
        raise SpoolNotMadeError(directory, error) from None
    try:
        if not os.access(directory, os.W_OK | os.X_OK):
            raise PermissionError(13, "Permission denied")
        claim = Claim.take(directory)
    except OSError as error:
        raise SpoolFolderError(_unusable(directory, error)) from None
    if claim is None:
        raise SpoolInUseError(
            f"--files {directory} is in use by another chatd; give another folder with --files."
        )
    return claim


def at_once(work: Callable[[], T]) -> "Deferred[T]":
    """Run ``work`` now, on the calling thread: for tests and tools, not the daemon."""
    return maybeDeferred(work)


class Spool:
    """The files in ``directory``: each key's declared size, the bytes held, whether checked whole.

    A missing ``directory`` is made, never the folders above it: a
    mistyped ``--files`` (or ``--db``, beside which the default one sits)
    would otherwise bring a tree of folders into being.
    """

    def __init__(self, directory: str, run: Run[object] = at_once) -> None:
        self.directory = directory
        self._run = run
        self._claim = _claimed(directory)
        try:
            entries = os.listdir(directory)
        except OSError as error:
            self._claim.release()
            raise SpoolFolderError(_unusable(directory, error)) from None
        self._held: dict[str, int] = {}
        self._complete: set[str] = set()
        self._sizes: dict[str, int] = {}
        self._checking: set[str] = set()
        """Keys whose bytes ``check`` is hashing: one dropped meanwhile (``_forget``) leaves the set, and the
        check's late answer then changes nothing the drop, or a new upload of the same bytes since, has set."""
        for entry in entries:
            found = _NAME.fullmatch(entry)
            if found is None:
                continue
            key = f"{found[1]}-{found[2]}{found[3] or ''}"
            self._sizes[key] = int(found[2])
            self._held[key] = os.path.getsize(os.path.join(directory, entry))
            if found[4] is None:
                self._complete.add(key)

    def release(self) -> None:
        """Let the folder go, for another daemon to use (once the daemon stops, or a start that cannot go ahead)."""
        self._claim.release()

    def held(self, key: str) -> int:
        """Bytes of ``key`` the spool holds (0: none)."""
        return self._held.get(key, 0)

    def complete(self, key: str) -> bool:
        """Whether ``key`` is held whole and was checked against its SHA-256."""
        return key in self._complete

    @property
    def reserved(self) -> int:
        """Bytes the spool holds or has promised to: the full size of every file begun."""
        return sum(self._sizes.values())

    def begun(self, key: str) -> bool:
        """Whether the spool holds some bytes of ``key``, or has begun it."""
        return key in self._sizes

    def held_keys(self) -> list[str]:
        """Every key the spool holds bytes of, or has begun."""
        return list(self._sizes)

    def open(self, key: str, size: int) -> None:
        """Begin ``key`` (a file of ``size`` bytes), if it is not begun already."""
        self._sizes.setdefault(key, size)
        self._held.setdefault(key, 0)

    def path(self, key: str) -> str:
        """Where ``key``'s bytes are: its own name once checked whole, ``KEY.part`` until then."""
        return os.path.join(self.directory, key if key in self._complete else key + ".part")

    def _call(self, work: Callable[[], T]) -> "Deferred[T]":
        return self._run(work)  # type: ignore[return-value]  # Run is generic in what it returns

    def hash_before(self, key: str, end: int) -> "Deferred[str]":
        """The SHA-256 of the chunk that ends at ``end`` (``CHUNK`` bytes, or fewer at the file's start)."""
        path = self.path(key)

        def work() -> str:
            start = (end - 1) // CHUNK * CHUNK
            with open(path, "rb") as file:
                file.seek(start)
                return chunk_hash(file.read(end - start))

        return self._call(work)

    def write(self, key: str, offset: int, data: bytes) -> "Deferred[int]":
        """Write ``data`` at ``offset`` of ``key``'s ``.part`` file; fires with the bytes now held, or fails with the
        write's ``OSError`` (a full disk), ``key`` then held up to ``offset`` at most."""
        path = os.path.join(self.directory, key + ".part")
        self._held[key] = max(self.held(key), offset + len(data))
        held = self._held[key]

        def work() -> int:
            mode = "r+b" if os.path.exists(path) else "wb"
            with open(path, mode) as file:
                file.seek(offset)
                file.write(data)
            return held

        def not_written(failure: Failure) -> Failure:
            # The disk refused it (full): the bytes from ``offset`` on are not held, whatever was counted ahead.
            if key in self._held:
                self._held[key] = min(self._held[key], offset)
            return failure

        return self._call(work).addErrback(not_written)

    def check(self, key: str, sha256: str) -> "Deferred[bool]":
        """Whether ``key``'s bytes hash to ``sha256``: if not, they are gone; if so, they stay where they are until
        ``settle`` says whose they are. ``key`` held whole already is True at once. A ``drop`` that came while they
        were hashed removes them, whatever the answer."""
        if key in self._complete:
            return succeed(True)
        self._checking.add(key)
        path = os.path.join(self.directory, key + ".part")

        def work() -> bool:
            digest = hashlib.sha256()
            with open(path, "rb") as file:
                while block := file.read(READ_BLOCK):
                    digest.update(block)
            if digest.hexdigest() != sha256:
                os.remove(path)
                return False
            return True

        def done(good: bool) -> bool:
            if key not in self._checking:
                # Dropped while hashed: the drop's work, after this on the thread, removes what this left.
                return good
            self._checking.discard(key)
            if not good:
                self._forget(key)
            return good

        def failed(failure: Failure) -> Failure:
            self._checking.discard(key)
            return failure

        return self._call(work).addCallbacks(done, failed)

    def settle(self, key: str, content: str) -> "Deferred[None]":
        """``key``'s bytes, checked whole, are the content ``content``'s from now: renamed to it, or dropped if the
        spool holds it whole already (that copy serves). Fires once they are there to read.

        A check of the same content may pass meanwhile: deciding here, on
        the reactor thread, keeps one copy, and the thread's order keeps the
        rename before any read of it.
        """
        if key == content:
            return succeed(None)
        if content in self._complete:
            return self.drop(key)
        size = self._sizes[key]
        part = os.path.join(self.directory, key + ".part")
        whole = os.path.join(self.directory, content)
        self._forget(key)
        self._sizes[content] = self._held[content] = size
        self._complete.add(content)
        return self._call(lambda: os.replace(part, whole))

    def rename(self, key: str, to: str) -> "Deferred[None]":
        """The unfinished bytes of ``key`` are ``to``'s from now (``to`` has none yet): a spool kept from before
        uploads had bytes of their own held one's under its content's key."""
        before = os.path.join(self.directory, key + ".part")
        after = os.path.join(self.directory, to + ".part")
        self._sizes[to], self._held[to] = self._sizes[key], self._held[key]
        self._forget(key)
        return self._call(lambda: os.replace(before, after))

    def read(self, key: str, offset: int, length: int) -> "Deferred[bytes]":
        """Up to ``length`` bytes of ``key`` from ``offset``."""
        path = self.path(key)

        def work() -> bytes:
            with open(path, "rb") as file:
                file.seek(offset)
                return file.read(length)

        return self._call(work)

    def read_from(self, file: IO[bytes], offset: int, length: int) -> "Deferred[bytes]":
        """Up to ``length`` bytes from ``offset`` of ``file``, a spool file its caller opened and reads from alone.

        For a download over HTTP (chatd.web.files): the file it opened goes
        on serving even if the transfer ends and its name goes meanwhile.
        """

        def work() -> bytes:
            file.seek(offset)
            return file.read(length)

        return self._call(work)

    def drop(self, key: str) -> "Deferred[None]":
        """Remove every byte of ``key``: nobody needs it any more (or an upload starts again)."""
        paths = [os.path.join(self.directory, key), os.path.join(self.directory, key + ".part")]
        self._forget(key)

        def work() -> None:
            for path in paths:
                if os.path.exists(path):
                    os.remove(path)

        return self._call(work)

    def _forget(self, key: str) -> None:
        self._checking.discard(key)
        self._held.pop(key, None)
        self._sizes.pop(key, None)
        self._complete.discard(key)
