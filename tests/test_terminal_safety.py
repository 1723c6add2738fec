"""Hostile bytes through every path that reaches another user's screen.

Each corpus entry is sent, as raw bytes on the wire, by an attacker
connection through each path of docs/SECURITY.md (messages, actions,
pastes, private messages, nicknames, topics, room names, part and quit
reasons, away texts). Two other users watch, one on text lines and one on JSON lines;
every byte they receive is checked, and the attacker must have been told
``ERR`` for what was refused, so a pass proves refusal, not just filtering.
The checks below are written from the documents, not from chatd's own
regular expressions, so they cannot share a mistake with them.
"""

import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from twisted.internet.address import IPv4Address
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.trial.unittest import SynchronousTestCase

from chatd.bus.memory import MemoryBus
from chatd.domain.chat import Chat
from chatd.frontend.wiring import Wiring
from chatd.line.factory import LineFactory
from chatd.line.limits import LineLimits
from chatd.line.protocol import LineProtocol
from chatd.storage.memory import MemoryHistory
from chatd.storage.memory_accounts import MemoryAccounts
from chatd.storage.memory_rooms import MemoryRooms


class Hostile(NamedTuple):
    """One corpus entry: what it is, its bytes, and what chat text shows of it."""

    name: str
    wire: bytes
    shown: bytes | None = None
    """What text relays of it (invisible characters dropped, joiners and selectors kept); None: refused.

    Names refuse all of these (docs/PROTOCOL.md, "Text and names").
    """


def _u(text: str) -> bytes:
    return text.encode("utf-8")


FLAG = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
"""The flag of Scotland: a black flag, the tag letters g b s c t and CANCEL TAG."""

CORPUS: tuple[Hostile, ...] = (
    # ESC / CSI sequences: screen, cursor and colour control.
    Hostile("CSI clear screen", b"\x1b[2J"),
    Hostile("CSI clear screen and home", b"\x1b[H\x1b[2J"),
    Hostile("CSI erase line", b"\x1b[2K"),
    Hostile("CSI cursor up", b"\x1b[5A"),
    Hostile("CSI cursor position", b"\x1b[10;20H"),
    Hostile("CSI save and restore cursor", b"\x1b7over\x1b8"),
    Hostile("SGR colour", b"\x1b[31;1mred\x1b[0m"),
    Hostile("SGR hidden text", b"\x1b[8msecret"),
    Hostile("ESC c full reset", b"\x1bc"),
    # OSC: window title, hyperlinks, clipboard.
    Hostile("OSC title ended by BEL", b"\x1b]0;pwned\x07"),
    Hostile("OSC title ended by ST", b"\x1b]0;pwned\x1b\\"),
    Hostile("OSC 8 hyperlink", b"\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\"),
    Hostile("OSC 52 clipboard write", b"\x1b]52;c;cm0gLXJmIH4=\x07"),
    # DCS: device control strings (terminal queries).
    Hostile("DCS request", b"\x1bP+q544e\x1b\\"),
    Hostile("DCS sixel", b"\x1bPq#0;2;0;0;0#1!10~\x1b\\"),
    # Single C0 controls and DEL.
    Hostile("BEL alone", b"\x07"),
    Hostile("backspaces overwrite", b"rm -rf\x08\x08\x08\x08\x08\x08ls -l "),
    Hostile("DEL", b"abc\x7f\x7f"),
    Hostile("CR without LF", b"safe\rEVIL"),
    Hostile("NUL", b"a\x00b"),
    Hostile("vertical tab", b"a\x0bb"),
    Hostile("form feed", b"a\x0cb"),
    Hostile("file and group separators", b"a\x1c\x1db"),
    Hostile("shift out", b"\x0e"),
    # C1 controls as characters (valid UTF-8 for U+0080..U+009F).
    Hostile("C1 NEL U+0085", _u("a\u0085b")),
    Hostile("C1 CSI U+009B", _u("\u009b2J")),
    Hostile("C1 OSC U+009D", _u("\u009d0;pwned\u009c")),
    Hostile("C1 DCS U+0090", _u("\u0090q\u009c")),
    # C1 as raw bytes: what an 8-bit terminal reads as CSI/OSC; invalid UTF-8.
    Hostile("raw C1 CSI byte 0x9b", b"\x9b2J"),
    Hostile("raw C1 OSC byte 0x9d", b"\x9d0;pwned\x9c"),
    # Bidirectional overrides, embeddings, isolates and marks.
    Hostile("RLO U+202E", _u("\u202egnp.exe")),
    Hostile("LRO U+202D", _u("\u202dabc")),
    Hostile("RLE and PDF U+202B U+202C", _u("\u202babc\u202c")),
    Hostile("LRE U+202A", _u("\u202aabc")),
    Hostile("LRI U+2066", _u("\u2066abc")),
    Hostile("RLI U+2067", _u("\u2067abc")),
    Hostile("FSI U+2068", _u("\u2068abc")),
    Hostile("PDI U+2069", _u("abc\u2069")),
    Hostile("LRM U+200E", _u("a\u200eb")),
    Hostile("RLM U+200F", _u("a\u200fb")),
    Hostile("ALM U+061C", _u("a\u061cb")),
    # Line and paragraph separators: some clients break lines on them.
    Hostile("LINE SEPARATOR U+2028", _u("a\u2028b")),
    Hostile("PARAGRAPH SEPARATOR U+2029", _u("a\u2029b")),
    # Invisible characters: dropped from text or kept there (joiners, selectors), refused in names.
    Hostile("ZWSP U+200B", _u("a\u200bb"), shown=b"ab"),
    Hostile("ZWNJ U+200C", _u("a\u200cb"), shown=_u("a\u200cb")),
    Hostile("ZWJ U+200D", _u("a\u200db"), shown=_u("a\u200db")),
    Hostile("BOM U+FEFF", _u("\ufeffab"), shown=b"ab"),
    Hostile("WORD JOINER U+2060", _u("a\u2060b"), shown=b"ab"),
    Hostile("SOFT HYPHEN U+00AD", _u("a\u00adb"), shown=b"ab"),
    Hostile("variation selector U+FE0F", _u("a\ufe0f"), shown=_u("a\ufe0f")),
    Hostile("variation selector U+E0100", _u("a\U000e0100"), shown=_u("a\U000e0100")),
    Hostile("combining grapheme joiner U+034F", _u("a\u034fb"), shown=b"ab"),
    Hostile("Mongolian selector U+180B", _u("a\u180bb"), shown=_u("a\u180bb")),
    Hostile("Khmer inherent vowel U+17B4", _u("a\u17b4b"), shown=b"ab"),
    Hostile("Hangul filler U+3164", _u("a\u3164b"), shown=b"ab"),
    Hostile("halfwidth Hangul filler U+FFA0", _u("a\uffa0b"), shown=b"ab"),
    Hostile("Hangul choseong filler U+115F", _u("a\u115fb"), shown=b"ab"),
    Hostile("Hangul jungseong filler U+1160", _u("a\u1160b"), shown=b"ab"),
    Hostile("tag characters U+E0041", _u("a\U000e0041\U000e007fb"), shown=b"ab"),
    Hostile(
        "tag smuggling, hidden rm -rf",
        _u("a" + "".join(chr(0xE0000 + ord(c)) for c in "rm -rf") + "b"),
        shown=b"ab",
    ),
    Hostile("Scotland's tag flag", _u(FLAG), shown=_u(FLAG)),
    # Combining marks: a tower over the lines around it is refused.
    Hostile("zalgo tower", _u("a" + "\u0336\u0301\u0316" * 7)),
    # Invalid UTF-8: overlong encodings, surrogates, out of range, truncated.
    Hostile("overlong slash C0 AF", b"\xc0\xaf"),
    Hostile("overlong slash E0 80 AF", b"\xe0\x80\xaf"),
    Hostile("overlong slash F0 80 80 AF", b"\xf0\x80\x80\xaf"),
    Hostile("overlong ESC C0 9B", b"\xc0\x9b[2J"),
    Hostile("overlong NUL C0 80", b"a\xc0\x80b"),
    Hostile("UTF-8 encoded surrogate ED A0 80", b"\xed\xa0\x80"),
    Hostile("UTF-8 encoded low surrogate ED BF BF", b"\xed\xbf\xbf"),
    Hostile("CESU-8 surrogate pair", b"\xed\xa0\xbd\xed\xb8\x80"),
    Hostile("beyond U+10FFFF", b"\xf4\x90\x80\x80"),
    Hostile("truncated sequence", b"a\xe2\x80"),
    Hostile("lone continuation byte", b"a\x80b"),
    # Mixed.
    Hostile("RLO inside SGR", _u("\x1b[31m\u202eevil\x1b[0m")),
    Hostile("ZWJ then CSI", _u("\u200d\x1b[2J")),
    Hostile("emoji then OSC title", _u("\U0001f44d\x1b]0;x\x07")),
    Hostile("tab then SGR", b"\t\x1b[1mbold"),
    Hostile("C1 CSI inside ZWSP", _u("\u200b\u009b2J\u200b")),
    Hostile("CR then bidi isolate", _u("ok\r\u2067fake")),
    Hostile("valid text then raw C1 byte", _u("caf\u00e9 ") + b"\x9b"),
)

# --- What may never reach another user, from docs/PROTOCOL.md and SECURITY.md.

_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SEPARATORS = frozenset("\u2028\u2029")


def _forbidden_in_text(char: str) -> bool:
    """C0, DEL, C1, bidi controls, line/paragraph separators, surrogates."""
    code = ord(char)
    return (
        code < 0x20
        or 0x7F <= code <= 0x9F
        or char in _BIDI
        or char in _SEPARATORS
        or 0xD800 <= code <= 0xDFFF
    )


def _invisible(char: str) -> bool:
    """Characters that show as nothing (Unicode's default ignorables and format characters)."""
    code = ord(char)
    return (
        unicodedata.category(char) == "Cf"
        or char in "\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0"
        or 0x180B <= code <= 0x180F
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0000 <= code <= 0xE0FFF
    )


def _problems_in_wire(data: bytes, *, json_lines: bool, names: bool) -> list[str]:
    """Everything wrong with what one connection was sent; empty when it is safe."""
    if not data:
        return []
    problems = []
    if not data.endswith(b"\r\n"):
        problems.append(f"output does not end in CRLF: {data[-20:]!r}")
    for raw in data.split(b"\r\n")[:-1]:
        controls = [byte for byte in raw if byte < 0x20 or byte == 0x7F]
        if controls:
            problems.append(f"control byte(s) {bytes(controls)!r} in {raw!r}")
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(f"invalid UTF-8 ({error.reason}) in {raw!r}")
            continue
        problems.extend(_problems_in_string(line, names=names, newline_ok=False))
        if json_lines:
            try:
                obj = json.loads(line)
            except ValueError:
                problems.append(f"not a JSON line: {raw!r}")
                continue
            problems.extend(_problems_in_json(obj, names=names))
    return problems


def _problems_in_string(text: str, *, names: bool, newline_ok: bool) -> list[str]:
    problems = []
    for char in text:
        if char == "\n" and newline_ok:
            continue
        if _forbidden_in_text(char):
            problems.append(f"U+{ord(char):04X} in {text!a}")
        elif names and _invisible(char):
            problems.append(f"invisible U+{ord(char):04X} in {text!a}")
    return problems


def _problems_in_json(obj: Any, *, names: bool) -> list[str]:
    """JSON may escape a control as \\u001b: check the strings a client gets back, too."""
    problems = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            if isinstance(value, str):
                # Only a said message's text holds lines (a paste), joined by \n.
                newline_ok = obj.get("type") == "said" and key == "text"
                problems.extend(_problems_in_string(value, names=names, newline_ok=newline_ok))
            else:
                problems.extend(_problems_in_json(value, names=names))
    elif isinstance(obj, list):
        for item in obj:
            problems.extend(
                _problems_in_string(item, names=names, newline_ok=False)
                if isinstance(item, str)
                else _problems_in_json(item, names=names)
            )
    return problems


# --- The scene: two observers and an attacker, fresh for every entry and path.


@dataclass
class Peer:
    protocol: LineProtocol
    wire: StringTransport
    clock: Clock

    def send(self, data: bytes) -> None:
        self.protocol.dataReceived(data)

    def take(self) -> bytes:
        """What the server sent by the end of this reactor pass, since the last take."""
        self.clock.advance(0)
        data: bytes = self.wire.value()
        self.wire.clear()
        return data


class Scene:
    """alice reads text lines, bot reads JSON lines, mallory attacks; all in #lobby."""

    def __init__(self, in_ops: bool, attacker_named: bool) -> None:
        self.clock = Clock()
        self.chat = Chat(
            self.clock, MemoryHistory(), MemoryBus(), accounts=MemoryAccounts(), rooms=MemoryRooms()
        )
        self.factory = LineFactory(Wiring.alone(self.chat, self.clock, "test"), LineLimits())
        self.alice = self.connect(b"alice\n")
        self.bot = self.connect(b"/format json\nbot\n")
        self.mallory = self.connect(b"mallory\n" if attacker_named else b"")
        if in_ops:
            for peer in (self.alice, self.bot, self.mallory):
                peer.send(b"/join #ops\n")
        for peer in (self.alice, self.bot, self.mallory):
            peer.take()

    def connect(self, first: bytes) -> Peer:
        protocol = self.factory.buildProtocol(IPv4Address("TCP", "127.0.0.1", 40000))
        assert isinstance(protocol, LineProtocol)
        wire = StringTransport()
        protocol.makeConnection(wire)
        peer = Peer(protocol, wire, self.clock)
        if first:
            peer.send(first)
        return peer


class Path(NamedTuple):
    """One way text reaches others: what the attacker sends around the bait, and what kind of text it is."""

    name: str
    lines: Callable[[bytes], bytes]
    kind: str
    """``text``, ``nick``, ``room`` or ``quit``: which rule refuses it."""
    refusals: int = 1
    in_ops: bool = False
    attacker_named: bool = True


# The hostile bytes are wrapped in these, so a relayed copy is easy to spot.
BEFORE, AFTER = b"QQ", b"ZZ"


def _bait(entry: Hostile) -> bytes:
    return BEFORE + entry.wire + AFTER


PATHS = {
    path.name: path
    for path in (
        Path("room message", lambda bait: bait + b"\n", "text"),
        Path("/me action", lambda bait: b"/me " + bait + b"\r\n", "text"),
        Path(
            "pasted multi-line message",
            lambda bait: b"first line\n" + bait + b"\nlast line\n",
            "text",
        ),
        Path(
            "/msg private message",
            lambda bait: b"/msg alice " + bait + b"\n/msg bot " + bait + b"\n",
            "text",
            refusals=2,
        ),
        Path("nickname at registration", lambda bait: bait + b"\n", "nick", attacker_named=False),
        Path("/nick change", lambda bait: b"/nick " + bait + b"\n", "nick"),
        Path("/topic", lambda bait: b"/topic " + bait + b"\n", "text"),
        Path("/join room name", lambda bait: b"/join #" + bait + b"\n", "room"),
        Path("/part reason", lambda bait: b"/part #ops " + bait + b"\n", "text", in_ops=True),
        Path("/quit reason", lambda bait: b"/quit " + bait + b"\n", "quit", refusals=0, in_ops=True),
        Path("/away text", lambda bait: b"/away " + bait + b"\n", "text"),
    )
}

# Which refusal each kind of path gives to valid UTF-8 it will not carry.
# str.split() (command arguments) also splits on VT, FF, FS, GS, NEL and the
# separators, so a name argument holding one is a usage error instead.
_CODES = {
    "text": {"bad-text"},
    "nick": {"bad-nick", "usage"},
    "room": {"bad-room", "usage"},
    "quit": set(),
}


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class TerminalSafetyTests(SynchronousTestCase):
    """Every corpus entry through every path; a failure lists each entry that got through."""

    def assert_safe_through(self, path: Path) -> None:
        problems: list[str] = []
        for entry in CORPUS:
            problems.extend(f"{entry.name!r} via {path.name}: {p}" for p in self.inject(path, entry))
        if problems:
            self.fail(f"{len(problems)} broken promises:\n" + "\n".join(problems))

    def inject(self, path: Path, entry: Hostile) -> list[str]:
        """Send ``entry`` through ``path``; return every broken promise."""
        scene = Scene(in_ops=path.in_ops, attacker_named=path.attacker_named)
        bait = _bait(entry)
        scene.mallory.send(path.lines(bait))
        attacker = scene.mallory.take()
        # The observers ask for every listing, so names reach them that way too.
        for observer in (scene.alice, scene.bot):
            observer.send(b"/users\n/rooms\n/who\n/who #ops\n/topic\n/whois mallory\n")
        alice, bot = scene.alice.take(), scene.bot.take()

        names = path.kind in ("nick", "room")
        problems = [
            *(f"text observer: {p}" for p in _problems_in_wire(alice, json_lines=False, names=names)),
            *(f"json observer: {p}" for p in _problems_in_wire(bot, json_lines=True, names=names)),
            *(
                f"attacker's own screen: {p}"
                for p in _problems_in_wire(attacker, json_lines=False, names=False)
            ),
        ]

        valid = _is_utf8(entry.wire)
        relayed = valid and entry.shown is not None and path.kind in ("text", "quit")
        errors = [
            line.split(b" ")[1].decode() for line in attacker.split(b"\r\n") if line.startswith(b"ERR ")
        ]
        if relayed:
            if errors:
                problems.append(f"refused although allowed in text: {errors}")
            shown = BEFORE + (entry.shown or b"") + AFTER
            for name, seen in (("text", alice), ("json", bot)):
                if shown not in seen:
                    problems.append(f"{name} observer did not get {shown!r}: {seen!r}")
            return problems

        expected = {"bad-utf8"} if not valid else _CODES[path.kind]
        # Bad UTF-8 is refused line by line, before any command runs.
        refusals = path.refusals if valid else path.refusals or 1
        if len(errors) != refusals or not set(errors) <= expected:
            problems.append(f"attacker was told {errors}, expected {refusals} of {sorted(expected)}")
        for name, seen in (("text", alice), ("json", bot)):
            if BEFORE in seen or AFTER in seen:
                problems.append(f"{name} observer got some of it: {seen!r}")
        if path.name == "pasted multi-line message":
            for name, seen in (("text", alice), ("json", bot)):
                if b"first line" not in seen or b"last line" not in seen:
                    problems.append(f"{name} observer lost the rest of the paste: {seen!r}")
        if path.kind == "quit":
            problems.extend(self.quit_problems(valid, attacker, alice, bot))
        return problems

    @staticmethod
    def quit_problems(valid: bool, attacker: bytes, alice: bytes, bot: bytes) -> list[str]:
        """An unsafe quit reason is dropped (the user leaves anyway); bad UTF-8 is refused."""
        quits = [line for line in alice.split(b"\r\n") if line.endswith(b" quit") or b" quit (" in line]
        json_quits = [obj for obj in map(json.loads, bot.split(b"\r\n")[:-1]) if obj["type"] == "quit"]
        if not valid:
            return [f"quit although its line was refused: {quits}"] if quits or json_quits else []
        problems = []
        if b"*** Goodbye." not in attacker:
            problems.append("attacker was not let go")
        if [line[8:] for line in quits] != [b"-- mallory quit"]:
            problems.append(f"text observer saw {quits}, expected a quit with no reason")
        if [(obj["nick"], obj["reason"]) for obj in json_quits] != [("mallory", "")]:
            problems.append(f"json observer saw {json_quits}, expected a quit with no reason")
        return problems

    def test_room_message_carries_nothing_unsafe(self) -> None:
        """A room message holding a hostile character is refused with ERR and reaches no one."""
        self.assert_safe_through(PATHS["room message"])

    def test_action_carries_nothing_unsafe(self) -> None:
        """A /me action holding a hostile character is refused with ERR and reaches no one."""
        self.assert_safe_through(PATHS["/me action"])

    def test_pasted_line_carries_nothing_unsafe(self) -> None:
        """A hostile line in a paste is refused with ERR; only the paste's other lines are relayed."""
        self.assert_safe_through(PATHS["pasted multi-line message"])

    def test_private_message_carries_nothing_unsafe(self) -> None:
        """A /msg holding a hostile character is refused with ERR, to a text or a JSON target alike."""
        self.assert_safe_through(PATHS["/msg private message"])

    def test_nickname_at_registration_carries_nothing_unsafe(self) -> None:
        """A first-line nickname holding a hostile or invisible character is refused and shown to no one."""
        self.assert_safe_through(PATHS["nickname at registration"])

    def test_nickname_change_carries_nothing_unsafe(self) -> None:
        """A /nick to a name holding a hostile or invisible character is refused and shown to no one."""
        self.assert_safe_through(PATHS["/nick change"])

    def test_topic_carries_nothing_unsafe(self) -> None:
        """A /topic holding a hostile character is refused with ERR and never set."""
        self.assert_safe_through(PATHS["/topic"])

    def test_room_name_carries_nothing_unsafe(self) -> None:
        """A /join of a room name holding a hostile or invisible character is refused; no room lists it."""
        self.assert_safe_through(PATHS["/join room name"])

    def test_part_reason_carries_nothing_unsafe(self) -> None:
        """A /part whose reason holds a hostile character is refused with ERR; the user stays."""
        self.assert_safe_through(PATHS["/part reason"])

    def test_quit_reason_carries_nothing_unsafe(self) -> None:
        """A /quit whose reason holds a hostile character lets the user go with the reason dropped."""
        self.assert_safe_through(PATHS["/quit reason"])

    def test_away_text_carries_nothing_unsafe(self) -> None:
        """An /away text holding a hostile character is refused with ERR; /whois never shows it."""
        self.assert_safe_through(PATHS["/away text"])

    def test_corpus_names_are_unique(self) -> None:
        """Every corpus entry has its own name, so a failure points at one entry."""
        self.assertEqual(len({entry.name for entry in CORPUS}), len(CORPUS))
