"""The sentence a person reads for each refusal, in one table: error type -> wording.

Errors are data (chatd/domain/errors/, chatd/line/errors.py); this is
where the line front end turns one into English, with its own syntax
(``/part one first``) where that helps. Both renderings use it, the text
``ERR code sentence`` line and the JSON ``text`` field, and so do the
start-up checks that report a bad name (chatd/tap/checks.py, chatd/opers.py,
chatd/passwd.py). docs/PROTOCOL.md says the sentences may change; the codes
may not. Another front end words errors its own way, from the same fields.

The rows live in chatd.line.wordings, a module for each group of refusals;
this module puts them together and finds an error's sentence.
"""

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from chatd.domain.errors import ChatError
from chatd.line.wordings.accounts import ACCOUNTS
from chatd.line.wordings.chat import CHAT
from chatd.line.wordings.files import FILES
from chatd.line.wordings.front_end import FRONT_END
from chatd.line.wordings.rooms import ROOMS


def word(error: ChatError) -> str:
    """The sentence for ``error``, without code or line ending (``alice is already taken``).

    An error type with no row of its own takes its nearest base class's;
    failing that (a bug tests/test_wording.py catches) the code and fields.
    """
    for kind in type(error).__mro__:
        wording = WORDINGS.get(kind)
        if wording is not None:
            return wording(error)
    return str(error)


WORDINGS: Mapping[type[ChatError], Callable[[Any], str]] = MappingProxyType(
    dict([*CHAT, *ACCOUNTS, *ROOMS, *FILES, *FRONT_END])
)
"""Each error type's wording: a function of the error giving its sentence."""
