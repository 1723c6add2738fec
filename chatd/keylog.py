"""The key log's hash rule: the one the server chains its entries by and the bundled client checks them by.

Both sides of the wire need it (issue 17), so it lives here, outside the
domain, as ``chatd.text``'s rules do: an entry's hash is the lowercase hex
SHA-256 of its canonical JSON, keys sorted, no spaces, non-ASCII escaped
(``json.dumps``' default, which the page writes again by hand), ``prev``
included. docs/PROTOCOL.md "Encrypted private messages" says the same for
other clients. Pure, no I/O.
"""

import hashlib
import json
from collections.abc import Mapping


def entry_hash(entry: Mapping[str, object]) -> str:
    """The hash of a key log entry: the next entry's ``prev``, or the log's head if it is the last."""
    return hashlib.sha256(
        json.dumps(entry, sort_keys=True, separators=(",", ":")).encode("ascii")
    ).hexdigest()
