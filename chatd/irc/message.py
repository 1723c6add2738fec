"""IRC messages as values: one line of text <-> ``Message``, and back.

A ``Message`` is what an IRC line means once tokenised: IRCv3 tags, an
optional source, a command and its parameters. ``parse`` reads one line a
client sent (already split from the byte stream and decoded by
``chatd.irc.framing``); ``render`` writes the line the server sends, without
its CRLF. Both follow the Modern IRC client protocol document
(modern.ircdocs.horse, "Message Format") and the IRCv3 message-tags
specification (ircv3.net/specs/extensions/message-tags). Neither enforces a
length: the framing caps what is read, and the caller what it writes.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

MAX_PARAMS = 15
"""The most parameters ``render`` writes: Modern IRC says software SHOULD AVOID sending more."""

NO_TAGS: Mapping[str, str] = MappingProxyType({})
"""The tags of a message that has none, shared by all of them."""

_FORBIDDEN = re.compile("[\0\r\n]")
"""NUL, CR and LF: no part of a message may hold them, escaped or not."""
_COMMAND = re.compile("[A-Za-z]+|[0-9]{3}")
_RENDERED_COMMAND = re.compile("[A-Z]+|[0-9]{3}")
_ESCAPE = re.compile(r"\\(.?)", re.DOTALL)
_UNESCAPES = {":": ";", "s": " ", "\\": "\\", "r": "\r", "n": "\n"}
_ESCAPES = str.maketrans({";": "\\:", " ": "\\s", "\\": "\\\\", "\r": "\\r", "\n": "\\n"})
_BAD_KEY = re.compile("[=; \0\r\n]")


class ParseError(ValueError):
    """A line that is no IRC message; ``reason`` says why in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RenderError(ValueError):
    """A ``Message`` that no line can carry unchanged; ``reason`` says which part."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    """One IRC message.

    ``tags`` maps each tag key (a client-only ``+`` kept in it) to its
    unescaped value, ``""`` for a tag sent without one: IRCv3 gives the two
    the same meaning. The mapping is copied into a read-only one, so a
    message never changes; that also makes it unhashable. ``command`` is
    upper case (``parse`` makes it so; ``render`` refuses otherwise) and
    ``params`` holds every parameter, the trailing one included, without
    its colon: Modern IRC says it MUST NOT be treated specially.
    """

    tags: Mapping[str, str] = field(default_factory=lambda: NO_TAGS)
    source: str | None = None
    command: str
    params: tuple[str, ...] = ()
    trailing: bool = field(default=False, compare=False)
    """Whether ``render`` writes the last parameter with its colon even when it needs none: text (a
    PRIVMSG's, a numeric's) is written so, as servers do, for clients that read text as "after the
    colon". Not a part of the message's meaning, so ``parse`` leaves it False and equality ignores it."""

    def __post_init__(self) -> None:
        """Hold a read-only copy of the tags given, so the caller's mapping can change freely."""
        if self.tags is not NO_TAGS:
            object.__setattr__(self, "tags", MappingProxyType(dict(self.tags)) if self.tags else NO_TAGS)


def parse(text: str) -> Message:
    """Tokenise one line (without its CR LF) into a ``Message``.

    Parts and parameters are separated by one or more spaces (only U+0020),
    and spaces before a part are skipped. Any number of parameters is
    read, as Modern IRC requires of parsers (the framing's 512 bytes bound
    them); RFC 2812's rule that a 15th parameter takes the rest of the line
    without a colon is not applied, since Modern IRC dropped it and no
    client relies on it. Tag keys are opaque, as the message-tags spec
    says: any key is kept but an empty one, which is skipped.

    Raises ``ParseError`` for: an empty (or all-space) line, a NUL, CR or
    LF anywhere, tags with no message after them, an empty source, no
    command, and a command that is neither letters nor three digits.
    """
    if _FORBIDDEN.search(text):
        raise ParseError("forbidden character")
    rest = text.lstrip(" ")
    if not rest:
        raise ParseError("empty line")
    tags: Mapping[str, str] = NO_TAGS
    if rest.startswith("@"):
        raw_tags, _, rest = rest[1:].partition(" ")
        rest = rest.lstrip(" ")
        if not rest:
            raise ParseError("tags with no message")
        tags = parse_tags(raw_tags)
    source = None
    if rest.startswith(":"):
        source, _, rest = rest[1:].partition(" ")
        if not source:
            raise ParseError("empty source")
        rest = rest.lstrip(" ")
    if not rest:
        raise ParseError("no command")
    command, space, rest = rest.partition(" ")
    if not _COMMAND.fullmatch(command):
        raise ParseError("bad command")
    middles, colon, trailing = (space + rest).partition(" :")
    params = [param for param in middles.split(" ") if param]
    if colon:
        params.append(trailing)
    return Message(tags=tags, source=source, command=command.upper(), params=tuple(params))


def parse_tags(raw: str) -> Mapping[str, str]:
    """The tags of ``raw`` (the text between ``@`` and the space), the last of a repeated key winning; SEARCH's
    attributes (soju.im/search) are written the same way."""
    tags: dict[str, str] = {}
    for tag in raw.split(";"):
        key, _, value = tag.partition("=")
        if key:
            tags[key] = _unescape(value) if "\\" in value else value
    return tags


def _unescape(value: str) -> str:
    """Undo IRCv3 value escapes; an unknown escape drops its backslash, as does a lone final one."""
    return _ESCAPE.sub(lambda escape: _UNESCAPES.get(escape[1], escape[1]), value)


def render(message: Message) -> str:
    """The line that carries ``message``, without its CR LF.

    Tag values are escaped, a tag whose value is ``""`` is written as a bare
    key, and the last parameter gets a colon when it is empty, starts with
    one or holds a space (only then, as Modern IRC shows it). Raises
    ``RenderError`` for anything ``parse`` would not give back unchanged: a
    NUL, CR or LF anywhere (in a tag value CR and LF are escaped), an
    empty tag key or one holding ``=``, ``;`` or a space, an empty source
    or one holding a space, a command that is not upper-case letters or
    three digits, more than ``MAX_PARAMS`` parameters, and a parameter
    before the last that is empty, starts with a colon or holds a space.
    """
    parts = []
    if message.tags:
        parts.append("@" + ";".join(_render_tag(key, value) for key, value in message.tags.items()))
    if message.source is not None:
        if not message.source or " " in message.source or _FORBIDDEN.search(message.source):
            raise RenderError("bad source")
        parts.append(":" + message.source)
    if not _RENDERED_COMMAND.fullmatch(message.command):
        raise RenderError("bad command")
    parts.append(message.command)
    if len(message.params) > MAX_PARAMS:
        raise RenderError("too many parameters")
    for param in message.params[:-1]:
        if not _can_be_middle(param) or _FORBIDDEN.search(param):
            raise RenderError("bad middle parameter")
        parts.append(param)
    if message.params:
        last = message.params[-1]
        if _FORBIDDEN.search(last):
            raise RenderError("bad last parameter")
        colon = message.trailing or not last or last.startswith(":") or " " in last
        parts.append(":" + last if colon else last)
    return " ".join(parts)


def middle(param: str) -> str:
    """``param`` as a parameter before the last, where ``render`` takes it: a client's word echoed back (a
    target, a subcommand) that cannot stand there (empty, starting with a colon, holding a space: a client
    sends such a word only as its last, ``:``-prefixed parameter) is ``*``, as a numeric names no target."""
    return param if _can_be_middle(param) else "*"


def _can_be_middle(param: str) -> bool:
    """Whether ``param`` may stand before the last parameter: not empty, no leading colon, no space."""
    return bool(param) and not param.startswith(":") and " " not in param


def tag(key: str, value: str) -> bytes:
    """``key=value`` as it goes into a line's tags, the value escaped (a label, a batch reference)."""
    return _render_tag(key, value).encode("utf-8")


def _render_tag(key: str, value: str) -> str:
    """``key=value`` with the value escaped, or the bare key for an empty value."""
    if not key or _BAD_KEY.search(key):
        raise RenderError("bad tag key")
    if "\0" in value:
        raise RenderError("bad tag value")
    return key + "=" + value.translate(_ESCAPES) if value else key
