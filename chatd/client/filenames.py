"""Names for received files: what the sender called it, made safe to save (docs/PROTOCOL.md, "Names").

A file's name comes from another user, so it is untrusted: it may climb
out of the downloads folder (``../../etc/passwd``), hide a control or
bidirectional character that makes a terminal or a file manager show
something else, start with a dot to hide itself, or be 10,000 characters
long. ``safe_name`` keeps the last path component only and strips all of
that; ``free_name`` picks the first of ``name.ext``, ``name (1).ext``...
that neither exists nor is being downloaded, so nothing is overwritten.
Pure but for ``free_name``'s look at the folder.
"""

import os
import unicodedata

MAX_NAME_BYTES = 200
"""Longest saved name in UTF-8 bytes, the ``.part.json`` suffix still fitting under the usual 255."""

FALLBACK = "file"
"""The name of a file whose name had nothing safe left in it."""

PART = ".part"
"""A download's bytes land in ``NAME.part`` until they are checked."""

SIDECAR = ".part.json"
"""Beside each part file, the offer it belongs to, so a restarted client can resume it."""

_DROPPED = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Unicode categories removed: controls (with DEL and C1), format characters (bidi marks, zero
widths), lone surrogates (not UTF-8) and the line and paragraph separators."""

_LONGEST_EXTENSION = 20
"""An extension longer than this (in bytes) is no extension worth keeping when a name is cut."""


def safe_name(name: str) -> str:
    """``name`` as a file name safe to create in the downloads folder; never empty, never a path."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(char for char in last if unicodedata.category(char) not in _DROPPED)
    kept = kept.strip().lstrip(".").strip()
    return _cut(kept) or FALLBACK


def _cut(name: str) -> str:
    """``name`` cut at a character to at most MAX_NAME_BYTES of UTF-8, keeping a short extension."""
    if len(name.encode("utf-8")) <= MAX_NAME_BYTES:
        return name
    stem, extension = os.path.splitext(name)
    if not stem or len(extension.encode("utf-8")) > _LONGEST_EXTENSION:
        stem, extension = name, ""
    room = MAX_NAME_BYTES - len(extension.encode("utf-8"))
    stem = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip()
    return stem + extension


def numbered(name: str, number: int) -> str:
    """``name`` with `` (number)`` before its extension: ``photo (1).jpg``; ``name`` itself for 0."""
    if number == 0:
        return name
    stem, extension = os.path.splitext(name)
    suffix = f" ({number})"
    # The number must fit too: cut the stem, not the number, when the name is at the limit.
    room = MAX_NAME_BYTES - len(suffix.encode("utf-8")) - len(extension.encode("utf-8"))
    stem = stem.encode("utf-8")[: max(room, 1)].decode("utf-8", "ignore").rstrip() or FALLBACK
    return f"{stem}{suffix}{extension}"


def free_name(folder: str, name: str) -> str:
    """The first of ``name``, ``name (1)``... (``name`` already safe) with no file, part file or sidecar in ``folder``."""
    number = 0
    while True:
        candidate = numbered(name, number)
        path = os.path.join(folder, candidate)
        if not any(os.path.lexists(path + suffix) for suffix in ("", PART, SIDECAR)):
            return candidate
        number += 1
