"""``/mode`` and ``/invite`` as typed data, and their parsers; pure.

chatd's rooms are shared with IRC users, so ``/mode`` takes IRC's letters
for a room's settings and its members' standing and turns each into the
chat's own words (chatd.domain.events.Setting): ``i`` invite-only, ``k``
key, ``l`` member limit, ``m`` moderated, ``s`` secret, ``R`` registered
only, ``M`` registered speech, ``o`` operator,
``v`` voice, ``b`` ban mask, and ``t`` the topic lock (``/lock``). Each
word of changes is a ``+`` or ``-`` and letters, which take their
arguments from the words after it, in order, as IRC's MODE does:
``/mode #dev +ov bob carol`` and ``/mode #dev +o bob +v carol`` are the same.
"""

from collections import deque
from dataclasses import dataclass

from chatd.domain.events import ModeChange, Setting
from chatd.line.errors import ModeLetterError, UsageError
from chatd.line.syntax import Command, room_argument

MODE_USAGE = "/mode #room [CHANGES]"
INVITE_USAGE = "/invite NICK [#room]"

LETTERS: dict[str, Setting] = {
    "i": Setting.INVITE_ONLY,
    "k": Setting.KEY,
    "l": Setting.LIMIT,
    "m": Setting.MODERATED,
    "s": Setting.SECRET,
    "R": Setting.REGISTERED_ONLY,
    "M": Setting.REGISTERED_SPEECH,
    "o": Setting.OPERATOR,
    "v": Setting.VOICE,
    "b": Setting.BAN,
}
"""IRC's letter for each room setting ``/mode`` changes; ``t`` is the topic lock, a request of its own."""

TOPIC_LOCK = "t"

_SIGNS = ("+", "-")

_ARGUMENTS: dict[Setting, tuple[str, str]] = {
    Setting.KEY: ("KEY", "key"),
    Setting.LIMIT: ("N", "member limit"),
    Setting.OPERATOR: ("NICK", "nickname"),
    Setting.VOICE: ("NICK", "nickname"),
    Setting.BAN: ("MASK", "ban mask"),
}
"""What each letter that takes an argument takes: its name in a usage line, and in words."""


@dataclass(frozen=True, slots=True)
class Mode:
    """``/mode #room [CHANGES]``: ``changes`` None shows the settings; ``lock`` is a ``+t`` or ``-t``, if any."""

    room: str
    changes: tuple[ModeChange, ...] | None
    lock: bool | None = None


@dataclass(frozen=True, slots=True)
class ListRoomBans:
    """``/mode #room +b`` alone: list the room's ban masks."""

    room: str


@dataclass(frozen=True, slots=True)
class Invite:
    """``/invite NICK [#room]``; no room means the current one."""

    nick: str
    room: str | None


def parse_mode(args: str) -> Command:
    """``/mode #dev``, ``/mode #dev +b``, ``/mode #dev +ik-m hunter2``, ``/mode dev +o bob +l 10``.

    Raises UsageError (no room, a word of changes without its sign, a
    letter without its argument, which it names) or ModeLetterError (a letter
    of no setting).
    """
    words = deque(args.split())
    if not words or words[0].startswith(_SIGNS):
        raise UsageError(MODE_USAGE)
    room = room_argument(words.popleft())
    if not words:
        return Mode(room, None)
    if list(words) in (["+b"], ["b"]):
        return ListRoomBans(room)
    changes: list[ModeChange] = []
    lock = None
    while words:
        word = words.popleft()
        if not word.startswith(_SIGNS):
            raise UsageError(MODE_USAGE)
        on = True
        for letter in word:
            if letter in _SIGNS:
                on = letter == "+"
            elif letter == TOPIC_LOCK:
                lock = on
            else:
                changes.append(_change(letter, on, words))
    return Mode(room, tuple(changes), lock)


def _change(letter: str, on: bool, words: deque[str]) -> ModeChange:
    """The change ``letter`` makes, turned ``on`` or off, taking its argument from ``words`` if it has one."""
    setting = LETTERS.get(letter)
    if setting is None:
        raise ModeLetterError(letter)
    if setting in (Setting.OPERATOR, Setting.VOICE, Setting.BAN) or (
        on and setting in (Setting.KEY, Setting.LIMIT)
    ):
        if not words:
            sign = "+" if on else "-"
            name, what = _ARGUMENTS[setting]
            raise UsageError(f"/mode #room {sign}{letter} {name}; {sign}{letter} was given no {what}")
        return ModeChange(setting, on, words.popleft())
    if setting is Setting.KEY and words and not words[0].startswith(_SIGNS):
        words.popleft()  # IRC's "-k KEY": the room's key is not needed to remove it.
    return ModeChange(setting, on)


def parse_invite(args: str) -> Command:
    """``/invite bob``, ``/invite bob #dev``, ``/invite bob dev``."""
    words = args.split()
    if not 1 <= len(words) <= 2:
        raise UsageError(INVITE_USAGE)
    return Invite(words[0], room_argument(words[1]) if len(words) == 2 else None)
