"""Public keys of accounts' devices, and the append-only log of their publications (issue 17).

Each device of an identified account publishes the public half of its NaCl
key pair (standard base64 of 32 bytes) with ``/key publish``; others fetch
an account's keys with ``/key get`` to box messages only its devices open
(chatd.domain.envelopes). The server could lie about keys, serving its own
to read what is sent: so every publication and withdrawal is an entry of
the key log, each committing to the one before by its hash (a hash chain).
A client keeps the last (seq, head) it checked and verifies that the log
only grew and that the keys it is served are those the log gives; two
people compare heads. docs/PROTOCOL.md "Encrypted private messages" is the
wire contract, docs/SECURITY.md what it does and does not protect.

The hash of an entry is the lowercase hex SHA-256 of its canonical JSON:
keys sorted, no spaces, non-ASCII escaped (Python's ``json.dumps`` with
``sort_keys=True, separators=(",", ":")``), ``at`` in whole seconds so a
browser's ``JSON.stringify`` writes it the same way. The domain builds and
checks entries (here); a ``KeyStore`` (chatd.domain.storage_ports) keeps them; ``KeyDirectory``
(chatd.domain.keys) answers ``/key``.
"""

from dataclasses import asdict, dataclass

from chatd.domain.errors import BadKeyError
from chatd.keylog import entry_hash, is_public_key

KEYS_MOST = 8
"""Most keys one account may have published at once: a device each, a few devices."""

LOG_PAGE = 500
"""Most entries one ``/key log`` answer holds; ``more`` says when there are more."""

ADD = "add"
DROP = "drop"


@dataclass(frozen=True, slots=True)
class KeyEntry:
    """One publication (``add``) or withdrawal (``drop``) of ``key`` by ``account``, the ``seq``-th of the log.

    ``at`` is whole seconds since the epoch; ``prev`` the hash of entry
    ``seq - 1`` (empty for the first).
    """

    seq: int
    at: int
    account: str
    action: str
    key: str
    prev: str

    def hash(self) -> str:
        """The next entry's ``prev``, or the head: ``chatd.keylog.entry_hash``, the rule clients check by too."""
        return entry_hash(asdict(self))


def check_key(key: str) -> str:
    """``key`` if it is a public key as it travels (``chatd.keylog.is_public_key``); else BadKeyError."""
    if not is_public_key(key):
        raise BadKeyError()
    return key
