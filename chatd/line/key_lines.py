"""What a person reads of encrypted messages and device keys: never ciphertext, and the key log's head with each
answer.

On its own because these lines serve end-to-end encryption (issue 17) alone: a text session can only be told an
encrypted message came and how to read it, and the key answers all name where the key log stands.
"""

from chatd.domain.envelopes import READ_ENCRYPTED
from chatd.domain.events import Encrypted
from chatd.domain.key_replies import KeyDropped, KeyLog, KeyPublished, Keys
from chatd.line.pieces import Rendering, dated_utc


def encrypted_body(sender: str, to: str) -> str:
    """The line a text session reads for an encrypted message: who sent it to whom, and how to read it; never ciphertext."""
    return f"* {sender} sent {to} an encrypted message: {READ_ENCRYPTED}"


def _head(seq: int, head: str) -> str:
    return f"key log {seq}, head {head or 'none'}"


KEY_BODIES: dict[type, Rendering] = {Encrypted: lambda e: encrypted_body(e.actor.nick, e.to)}
"""An encrypted message's line after the clock."""

KEY_LINES: dict[type, Rendering] = {
    KeyPublished: lambda r: f"*** Key {r.key} is published for {r.account} ({_head(r.seq, r.head)}).",
    KeyDropped: lambda r: f"*** Key {r.key} is dropped from {r.account} ({_head(r.seq, r.head)}).",
    Keys: lambda r: [
        f"*** Keys of {r.nick} (account {r.account}, {_head(r.seq, r.head)}): {len(r.keys)}",
        *(f"***   {key}" for key in r.keys),
    ],
    KeyLog: lambda r: [
        f"*** Key log ({_head(r.seq, r.head)}):",
        *(
            f"***   {e.seq} {dated_utc(e.at)} {e.account} {e.action} {e.key} prev {e.prev or 'none'}"
            for e in r.entries
        ),
        *([f"*** More: /key log {r.entries[-1].seq + 1}"] if r.more and r.entries else []),
    ],
}
"""Each key answer's line(s), by its type."""
