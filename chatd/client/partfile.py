"""A download on disk: ``NAME.part`` filling in order, ``NAME.part.json`` saying what it is.

Every method blocks on the disk and is meant to run off the reactor thread
(files.py hands them to a ``Worker``), one at a time per download. The part
file only ever holds a prefix of the file, written in order, so its length
is how much has arrived; the sidecar holds the offer (file id, SHA-256,
size, sender), so a client started again finds what it was fetching and
can ask the server to go on from the part file's last whole chunk.
Nothing is renamed into place before the whole file's SHA-256 matches the
offer's, and the final name is taken with ``os.link``, which never
overwrites: a file that appeared meanwhile gets the next free name.
"""

import contextlib
import hashlib
import json
import os
from dataclasses import asdict, dataclass

from chatd.client.filenames import PART, SIDECAR, free_name
from chatd.text import safe_file_name

READ_BYTES = 1024 * 1024
"""How much of a file is read at once when hashing it whole."""

_SHA256_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True, slots=True)
class Offer:
    """A file the server offered: who sent it to whom, and what it must turn out to be."""

    file: str
    nick: str
    to: str
    name: str
    size: int
    mime: str
    sha256: str

    @classmethod
    def read(cls, fields: object) -> "Offer | None":
        """The offer in a decoded JSON object (``file_offered``, a ``file_list`` row, a sidecar), or None."""
        if not isinstance(fields, dict):
            return None
        texts = {key: fields.get(key) for key in ("file", "nick", "to", "name", "mime", "sha256")}
        size = fields.get("size")
        if not all(isinstance(value, str) for value in texts.values()):
            return None
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            return None
        file, sha256 = str(texts["file"]), str(texts["sha256"])
        # The id goes back to the server in commands: one word of letters and digits.
        if not (0 < len(file) <= 64 and file.isascii() and file.isalnum()):
            return None
        if len(sha256) != 64 or not set(sha256) <= _SHA256_HEX:
            return None
        return cls(
            file, str(texts["nick"]), str(texts["to"]), str(texts["name"]), size, str(texts["mime"]), sha256
        )


def sha256_of(path: str, start: int = 0, end: int | None = None) -> str:
    """The SHA-256 (hex) of the bytes ``[start, end)`` of ``path`` (to its end if ``end`` is None)."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        file.seek(start)
        left = None if end is None else end - start
        while left is None or left > 0:
            block = file.read(READ_BYTES if left is None else min(READ_BYTES, left))
            if not block:
                break
            digest.update(block)
            if left is not None:
                left -= len(block)
    return digest.hexdigest()


class PartFile:
    """``folder/name.part`` and its sidecar; ``name`` is the name the file will be saved under if it checks out."""

    def __init__(self, folder: str, name: str) -> None:
        self.folder = folder
        self.name = name

    @property
    def path(self) -> str:
        """The part file."""
        return os.path.join(self.folder, self.name + PART)

    @property
    def sidecar(self) -> str:
        """The JSON beside it."""
        return os.path.join(self.folder, self.name + SIDECAR)

    @classmethod
    def create(cls, folder: str, offer: Offer) -> "PartFile":
        """An empty part file for ``offer`` under a free safe name in ``folder`` (made if missing). Raises OSError."""
        os.makedirs(folder, exist_ok=True)
        while True:
            part = cls(folder, free_name(folder, safe_file_name(offer.name)))
            try:
                # Exclusive: another client saving into the same folder cannot share it.
                with open(part.path, "xb"):
                    pass
            except FileExistsError:
                continue
            break
        written = part.sidecar + ".new"
        with open(written, "w", encoding="utf-8") as sidecar:
            json.dump(asdict(offer), sidecar)
        os.replace(written, part.sidecar)
        return part

    @classmethod
    def found(cls, folder: str) -> "list[tuple[PartFile, Offer]]":
        """The downloads left unfinished in ``folder``: each part file with a readable sidecar, oldest first."""
        try:
            names = os.listdir(folder)
        except OSError:
            return []
        parts = []
        for entry in names:
            if not entry.endswith(SIDECAR):
                continue
            part = cls(folder, entry.removesuffix(SIDECAR))
            try:
                with open(part.sidecar, encoding="utf-8") as sidecar:
                    offer = Offer.read(json.load(sidecar))
                when = os.path.getmtime(part.path)
            except (OSError, ValueError):
                continue
            if offer is not None:
                parts.append((when, part, offer))
        return [(part, offer) for _, part, offer in sorted(parts, key=lambda found: found[0])]

    def held(self) -> int:
        """Bytes in the part file now."""
        return os.path.getsize(self.path)

    def resume_point(self, chunk: int) -> tuple[int, str]:
        """Cut the part file to whole chunks; return its length and the SHA-256 of its last chunk ("" if empty).

        What a ``/file accept ID OFFSET HASH`` needs: the server checks that
        chunk against its own copy before it sends the rest.
        """
        offset = self.held() // chunk * chunk
        os.truncate(self.path, offset)
        return offset, sha256_of(self.path, offset - chunk, offset) if offset else ""

    def restart(self) -> None:
        """Throw away what arrived: the server's copy does not go on from it."""
        os.truncate(self.path, 0)

    def write(self, offset: int, data: bytes) -> None:
        """Write ``data`` at ``offset`` (the end of what is held: the file only grows in order)."""
        with open(self.path, "r+b") as part:
            part.seek(offset)
            part.write(data)

    def finish(self, sha256: str) -> str | None:
        """Check the whole part file against ``sha256``: if it matches, save it and return the path it has now.

        If it does not match, the part file and sidecar are removed and
        None is returned: a damaged file is never left where it could be opened.
        """
        if sha256_of(self.path) != sha256:
            self.discard()
            return None
        while True:
            name = free_name(self.folder, self.name) if os.path.lexists(self._final(self.name)) else self.name
            try:
                os.link(self.path, self._final(name))
            except FileExistsError:
                continue
            except OSError:
                # A file system without hard links (FAT): rename, the name having been free a moment ago.
                os.rename(self.path, self._final(name))
                break
            os.unlink(self.path)
            break
        self._remove(self.sidecar)
        self.name = name
        return self._final(name)

    def discard(self) -> None:
        """Remove the part file and its sidecar, whatever is left of them."""
        self._remove(self.path)
        self._remove(self.sidecar)

    def _final(self, name: str) -> str:
        return os.path.join(self.folder, name)

    @staticmethod
    def _remove(path: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
