"""Room ban masks: ``nick!user@host`` patterns with ``*`` and ``?``, and whom they cover.

A mask names people the way IRC does, so a mask an IRC user sets means
the same on every front end. chatd has no ident: IRC shows every user as
``nick!nick@SHOWN_HOST``, so the user part of a mask is the nickname, and
both the nick and the user part match it: by its key (``chatd.text.fold``:
case and width do not matter) or, as nickname bans do, by its look
(``chatd.domain.names.look``: ``zed`` covers ``zed`` with a Cyrillic e).
An IRC regular who sets ``*!bob@*`` means bob, and gets bob. The host part
matches the user's address (``User.address``, as bans compare it) or the
host IRC shows, casefolded: irssi's ``/ban bob`` sets ``*!*bob@chatd`` and
WeeChat's ``*!bob@chatd``, built from what the client reads, and both cover
bob wherever he connects from. Any part may use ``*`` (any run of
characters, none included) and ``?`` (one character); nothing else is
special, so ``[`` and ``]``, common in nicknames, match themselves.

Matching is the two-cursor wildcard walk, time linear in the pattern
times the text and no more however many stars a mask holds (a regular
expression built from ``*a*a*a*...`` can backtrack for minutes).
"""

import unicodedata
from dataclasses import dataclass

from chatd.domain.errors import InvalidMaskError
from chatd.domain.names import look
from chatd.text import UNSAFE, fold

MASK_MAX = 100
"""The longest mask, in code points: a nickname, an IPv6 address and wildcards fit with room to spare."""

SHOWN_HOST = "chatd"
"""The host every user is shown with on IRC (``nick!nick@chatd``): addresses are for operators' eyes."""


@dataclass(frozen=True, slots=True)
class Mask:
    """A checked mask: ``text`` as shown (``nick!user@host``), its nick, user and host patterns, folded, and the
    looks of its nick and user patterns (``*`` and ``?`` are their own look)."""

    text: str
    nick: str
    user: str
    host: str
    look: str
    user_look: str

    @property
    def key(self) -> str:
        """What a room keeps the mask under: two masks with the same key are one (``BOB!*@*`` is ``bob!*@*``)."""
        return fold(self.text)

    def covers(self, nick: str, address: str) -> bool:
        """Whether someone holding the nickname ``nick``, connecting from ``address``, matches.

        They match as ``nick!nick@address`` or as IRC shows them,
        ``nick!nick@SHOWN_HOST``. The nick and user parts each match the
        nickname by its key or by its look: a student banned as ``zed``
        came straight back as ``zed`` with a Cyrillic e, which the class read as zed.
        """
        return self.matches(fold(nick), look(nick), address)

    def matches(self, key: str, shown: str, address: str) -> bool:
        """``covers`` for a nickname of key ``key`` (``fold``) and look ``shown``, worked out already: a room
        matches its members by the look each ``User`` keeps (a look is microseconds, a match much less)."""
        return (
            (glob(self.nick, key) or glob(self.look, shown))
            and (glob(self.user, key) or glob(self.user_look, shown))
            and (glob(self.host, address.casefold()) or glob(self.host, SHOWN_HOST))
        )


def parse_mask(text: str) -> Mask:
    """``text`` as a mask, its missing parts filled in as IRC does; raises InvalidMaskError.

    ``bob`` is ``bob!*@*``, ``*@10.0.0.*`` is ``*!*@10.0.0.*``, ``bob!x`` is
    ``bob!x@*``. A mask holds no space, comma or control character, no part
    of it is empty, and it is at most ``MASK_MAX`` code points.
    """
    shown = _filled(text)
    nick, _, rest = shown.partition("!")
    user, _, host = rest.partition("@")
    if (
        len(shown) > MASK_MAX
        or not (nick and user and host)
        or UNSAFE.search(shown)
        or any(char.isspace() or char == "," for char in shown)
    ):
        raise InvalidMaskError(text, MASK_MAX)
    return Mask(shown, fold(nick), fold(user), host.casefold(), look(nick), look(user))


def mask_key(text: str) -> str:
    """The key (``Mask.key``) of ``text``, a mask ``parse_mask`` takes: what a room keeps it under, worked out
    without the looks a whole parse takes (nine tenths of its time), as a ``/mode`` does for each mask a room has."""
    return fold(_filled(text))


def _filled(text: str) -> str:
    """``text`` in normal form (NFKC), its missing parts filled in as IRC does: the mask as shown."""
    shown = unicodedata.normalize("NFKC", text)
    if "!" not in shown and "@" not in shown:
        return shown + "!*@*"
    if "!" not in shown:
        return "*!" + shown
    if "@" not in shown.partition("!")[2]:
        return shown + "@*"
    return shown


def glob(pattern: str, text: str) -> bool:
    """Whether all of ``text`` matches ``pattern``, where ``*`` is any run of characters and ``?`` any one."""
    p = t = 0
    star = -1
    """The index in ``pattern`` just past the last ``*`` seen, or -1 before any."""
    resume = 0
    """Where in ``text`` that ``*`` started matching, so a mismatch lets it take one more character."""
    while t < len(text):
        if p < len(pattern) and pattern[p] == "*":
            p += 1
            star, resume = p, t
        elif p < len(pattern) and pattern[p] in ("?", text[t]):
            p += 1
            t += 1
        elif star >= 0:
            resume += 1
            p, t = star, resume
        else:
            return False
    return all(char == "*" for char in pattern[p:])
