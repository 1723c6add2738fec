"""Names for received files: what the sender called it, made safe to save (docs/PROTOCOL.md, "Names").

A file's name comes from another user, so it is untrusted: it may climb
out of the downloads folder (``../../etc/passwd``), hide a control or
bidirectional character that makes a terminal or a file manager show
something else, start with a dot to hide itself, or be 10,000 characters
long. ``chatd.text.safe_file_name`` (the rule the server shows names by
too) keeps the last path component only and strips all of that;
``free_name`` picks the first of ``name.ext``, ``name (1).ext``... that
neither exists nor is being downloaded, so nothing is overwritten.
Pure but for ``free_name``'s look at the folder.
"""

import os

from chatd.text import FILE_NAME_FALLBACK, FILE_NAME_MOST

PART = ".part"
"""A download's bytes land in ``NAME.part`` until they are checked."""

SIDECAR = ".part.json"
"""Beside each part file, the offer it belongs to, so a restarted client can resume it."""


def numbered(name: str, number: int) -> str:
    """``name`` with `` (number)`` before its extension: ``photo (1).jpg``; ``name`` itself for 0."""
    if number == 0:
        return name
    stem, extension = os.path.splitext(name)
    suffix = f" ({number})"
    # The number must fit too: cut the stem, not the number, when the name is at the limit.
    room = FILE_NAME_MOST - len(suffix.encode("utf-8")) - len(extension.encode("utf-8"))
    stem = stem.encode("utf-8")[: max(room, 1)].decode("utf-8", "ignore").rstrip() or FILE_NAME_FALLBACK
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
