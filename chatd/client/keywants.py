"""A ``/key get`` in flight (``Want``), shared by the parts of encryption that ask for keys and the one that answers.

e2e.py and sealing.py (a message from a key not pinned) ask, keychecks.py
answers; a module of its own so that sealing.py, which keychecks.py
imports, makes one without importing either.
"""

from dataclasses import dataclass, field

from chatd.client.shown import Shown


@dataclass
class Want:
    """A ``/key get`` sent and not answered yet, and what to do with its answer."""

    nick: str
    purpose: str
    """``send`` (seal ``text`` to the keys), ``show`` (say the fingerprints), ``pin`` or ``own``."""
    text: str = ""
    held: list[tuple[Shown, str]] = field(default_factory=list)
    """For ``pin``: messages from a contact not pinned yet, each with the key that sealed it, shown once pinned."""
