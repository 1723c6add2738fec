"""The keys the client trusts: pins in ``known_keys.json``, and the server's key log as last checked.

Trust on first use (docs/SECURITY.md): the first key set the server serves
for an account is pinned; a later, different set is held apart as
``pending`` until the user accepts it (``/trust``), and nothing is
encrypted to that account meanwhile. ``/verify`` marks a pin verified
once the user has compared fingerprints out of band.

The key log check (docs/PROTOCOL.md, "The key log") keeps the ``seq`` and
``head`` this client last verified, and what the log's add and drop
entries made of every account's keys up to there. New entries must chain
on from that head and reach the head the server names, so a server that
rewrites its past, or serves one client a key the log never held, is
caught. Everything is kept per server (``host:port``): one account name on
two servers is two people.
"""

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from chatd.keylog import entry_hash, is_public_key
from chatd.text import fold

LOG_WARNING = "the server's key log does not match what it showed before: it may be lying about keys"
"""The loud warning of docs/PROTOCOL.md, said whenever the log check fails."""


class Pinning(Enum):
    """What offering a key set to the keyring found."""

    FIRST = "first"
    SAME = "same"
    CHANGED = "changed"


@dataclass
class Contact:
    """One account's pinned keys, whether the user verified them, and a changed set not yet trusted."""

    account: str
    keys: list[str]
    verified: bool = False
    pending: list[str] | None = None


@dataclass
class LogCheckpoint:
    """The key log as this client last verified it: its length, head, and each account's keys by then."""

    seq: int = 0
    head: str = ""
    keys: dict[str, list[str]] = field(default_factory=dict)
    """By folded account name."""


class Keyring:
    """The pins and the log checkpoint for one server, kept in a JSON file shared with other servers' pins."""

    def __init__(self, path: str, server: str) -> None:
        self.path = path
        self.server = server
        self.contacts: dict[str, Contact] = {}
        """By folded account name."""
        self.log = LogCheckpoint()

    @classmethod
    def load(cls, path: str, server: str) -> "Keyring":
        """The keyring in ``path`` for ``server``; empty if the file is missing or unreadable as ours."""
        ring = cls(path, server)
        try:
            mine = _read(path).get("servers", {}).get(server, {})
            for name, kept in mine.get("contacts", {}).items():
                ring.contacts[name] = Contact(
                    kept["account"], list(kept["keys"]), bool(kept["verified"]), kept.get("pending")
                )
            log = mine.get("log", {})
            ring.log = LogCheckpoint(
                int(log.get("seq", 0)), str(log.get("head", "")), dict(log.get("keys", {}))
            )
        except (AttributeError, KeyError, TypeError, ValueError, OverflowError):
            # OverflowError: a seq of Infinity, which Python's JSON reads and int() cannot make whole.
            return cls(path, server)
        return ring

    def save(self) -> None:
        """Write this server's part anew (mode 0600, the file replaced whole so a crash leaves the old one).

        The file is read again first, so what another client (on another
        server) saved meanwhile stays. OSError is the caller's.
        """
        every = _read(self.path)
        servers = every.setdefault("servers", {})
        if not isinstance(servers, dict):
            servers = every["servers"] = {}
        servers[self.server] = {
            "contacts": {
                name: {
                    "account": contact.account,
                    "keys": contact.keys,
                    "verified": contact.verified,
                    "pending": contact.pending,
                }
                for name, contact in sorted(self.contacts.items())
            },
            "log": {"seq": self.log.seq, "head": self.log.head, "keys": self.log.keys},
        }
        os.makedirs(os.path.dirname(self.path) or ".", mode=0o700, exist_ok=True)
        temporary = f"{self.path}.{os.getpid()}.new"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(every, file, indent=1, sort_keys=True)
        os.replace(temporary, self.path)

    # Pins.

    def contact(self, account: str) -> Contact | None:
        return self.contacts.get(fold(account))

    def offer(self, account: str, keys: Iterable[str]) -> Pinning:
        """The server served ``keys`` for ``account``: pin them if new, hold them as pending if they differ."""
        served = sorted(set(keys))
        contact = self.contacts.get(fold(account))
        if contact is None:
            self.contacts[fold(account)] = Contact(account, served)
            return Pinning.FIRST
        if served == sorted(contact.keys):
            contact.pending = None
            return Pinning.SAME
        contact.pending = served
        return Pinning.CHANGED

    def trust(self, account: str) -> bool:
        """Pin the pending set of ``account`` (unverified: it is new); False if nothing is pending."""
        contact = self.contacts.get(fold(account))
        if contact is None or contact.pending is None:
            return False
        contact.keys, contact.pending, contact.verified = contact.pending, None, False
        return True

    # The key log.

    def extend_log(self, entries: Sequence[object], seq: int, head: str, more: bool) -> str | None:
        """Check a page of ``/key log`` entries against the checkpoint and take them; the problem, or None.

        The entries must go on from the checkpoint's seq and head, each
        ``prev`` the hash of the one before; on the last page (not
        ``more``) the last hash must be ``head`` and the last seq ``seq``.
        Nothing is taken unless the whole page checks.
        """
        at, prev = self.log.seq, self.log.head
        keys = {name: list(held) for name, held in self.log.keys.items()}
        for entry in entries:
            problem = _entry_problem(entry, at + 1, prev)
            if problem is not None:
                return problem
            assert isinstance(entry, dict)
            held = keys.setdefault(fold(entry["account"]), [])
            if entry["action"] == "add" and entry["key"] not in held:
                held.append(entry["key"])
            elif entry["action"] == "drop" and entry["key"] in held:
                held.remove(entry["key"])
            at, prev = at + 1, entry_hash(entry)
        if not more and (at != seq or prev != head):
            return f"the log's entries end at {at} ({prev or 'empty'}), but the server says {seq} ({head or 'empty'})"
        self.log = LogCheckpoint(at, prev, {name: sorted(held) for name, held in keys.items() if held})
        return None

    def logged_keys(self, account: str) -> list[str]:
        """The keys the verified log gives ``account``, sorted."""
        return sorted(self.log.keys.get(fold(account), []))


def _entry_problem(entry: object, seq: int, prev: str) -> str | None:
    if not isinstance(entry, dict):
        return f"entry {seq} is no object"
    if entry.get("seq") != seq:
        return f"entry {entry.get('seq')!r} comes where {seq} should"
    if entry.get("prev") != prev:
        return f"entry {seq} does not follow the head this client saw ({prev or 'empty'})"
    if entry.get("action") not in ("add", "drop") or not isinstance(entry.get("account"), str):
        return f"entry {seq} is neither an add nor a drop of an account's key"
    if not is_public_key(entry.get("key")):
        return f"entry {seq} holds no key"
    return None


def _read(path: str) -> dict[str, Any]:
    """The whole file at ``path`` as JSON; empty if it is missing or not an object."""
    try:
        with open(path, encoding="utf-8") as file:
            loaded = json.load(file)
    except (OSError, ValueError, RecursionError):
        # RecursionError: arrays nested a thousand deep, deeper than Python's JSON reader goes.
        return {}
    return loaded if isinstance(loaded, dict) else {}
