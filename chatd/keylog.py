"""The key log's rules: what a public key looks like, and the hash the server chains entries by and clients check.

Both sides of the wire need them (issue 17), so they live here, outside the
domain, as ``chatd.text``'s rules do: an entry's hash is the lowercase hex
SHA-256 of its canonical JSON, keys sorted, no spaces, non-ASCII escaped
(``json.dumps``' default, which the page writes again by hand), ``prev``
included. docs/PROTOCOL.md "Encrypted private messages" says the same for
other clients. Pure, no I/O.
"""

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping

KEY_BYTES = 32
"""An X25519 public key's length."""


def is_public_key(text: object) -> bool:
    """Whether ``text`` is a public key as it travels: standard base64 of ``KEY_BYTES`` bytes, in its one spelling."""
    if not isinstance(text, str):
        return False
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return False
    return len(raw) == KEY_BYTES and base64.b64encode(raw).decode("ascii") == text


def entry_hash(entry: Mapping[str, object]) -> str:
    """The hash of a key log entry: the next entry's ``prev``, or the log's head if it is the last."""
    return hashlib.sha256(
        json.dumps(entry, sort_keys=True, separators=(",", ":")).encode("ascii")
    ).hexdigest()
