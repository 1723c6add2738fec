"""How the client's lines about files name a file and read the fields of the server's file objects.

Shared by the followers of the server's file objects (chatd.client.fileevents,
chatd.client.fileends, chatd.client.filerefusals) and the commands
(chatd.client.filecommands), so that a file is named alike wherever it is
shown.
"""

from collections.abc import Mapping

from chatd.client.partfile import Offer
from chatd.text import safe_file_name, scrub, size_words


def quoted(name: str) -> str:
    """A file name as shown: its safe form, scrubbed, in quotes."""
    return f'"{scrub(safe_file_name(name))}"'


def facts(offer: Offer) -> str:
    """Size, type and the start of the SHA-256: what a person checks an offer by."""
    return f"{size_words(offer.size)}, {scrub(offer.mime)}, sha256 {offer.sha256[:12]}"


def number_field(message: Mapping[str, object], key: str) -> int:
    """The field ``key`` of ``message`` if it is a whole number (not a bool), else 0."""
    value = message.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def text_field(message: Mapping[str, object], key: str) -> str:
    """The field ``key`` of ``message`` scrubbed if it is text, else nothing."""
    value = message.get(key)
    return scrub(value) if isinstance(value, str) else ""
