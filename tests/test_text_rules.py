"""Each field's rule for invisible characters, mark towers and look-alikes, walked through the chat (issue 12).

docs/PROTOCOL.md ("Text and names") has the table these tests hold the
chat to: names refuse invisible characters and more than three marks on a
letter; text loses what shows as nothing (keeping joiners, variation
selectors and a flag's tags), refuses more than four marks on a character,
and something said must show; no two names online look alike.
"""

from collections.abc import Callable
from dataclasses import dataclass

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from chatd.bus.memory import MemoryBus
from chatd.domain.chat import Chat
from chatd.domain.errors import (
    InvalidNicknameError,
    InvalidRoomNameError,
    InvalidTextError,
    NicknameLookAlikeError,
    NicknameRule,
    RoomLookAlikeError,
    RoomNameRule,
    TextRule,
)
from chatd.domain.events import (
    Acted,
    AwayChanged,
    Event,
    Kicked,
    Parted,
    Quit,
    Said,
    ShuttingDown,
    TopicChanged,
    Walled,
    Whispered,
)
from chatd.domain.names import NAME_MARKS_MAX, TEXT_MARKS_MAX, check_nickname, check_room_name, look
from chatd.domain.ports import UserView
from chatd.line.wording import word
from chatd.storage.memory import MemoryHistory
from chatd.storage.memory_accounts import MemoryAccounts
from chatd.storage.memory_rooms import MemoryRooms
from tests.helpers import RecordingAudience, RecordingSession

# Characters that show as nothing, which text loses and names refuse.
STRIPPED = {
    "zero width space": "\u200b",
    "word joiner": "\u2060",
    "invisible times": "\u2062",
    "byte order mark": "\ufeff",
    "soft hyphen": "\u00ad",
    "combining grapheme joiner": "\u034f",
    "Hangul filler": "\u3164",
    "Hangul choseong filler": "\u115f",
    "halfwidth Hangul filler": "\uffa0",
    "Khmer inherent vowel": "\u17b4",
    "interlinear annotation anchor": "\ufff9",
    "shorthand format letter overlap": "\U0001bca0",
    "musical begin beam": "\U0001d173",
    "language tag": "\U000e0001",
    "tag latin capital a": "\U000e0041",
    "tag small g": "\U000e0067",
    "cancel tag": "\U000e007f",
}

# Invisible characters text keeps, since they change how their neighbours
# look; names refuse them all the same.
KEPT = {
    "zero width joiner": "\u200d",
    "zero width non-joiner": "\u200c",
    "variation selector-16": "\ufe0f",
    "variation selector-17": "\U000e0100",
    "Mongolian free variation selector": "\u180b",
    "Mongolian vowel separator": "\u180e",
}

# The flag of Scotland: a black flag, the tags g b s c t, and CANCEL TAG.
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"

TOWER = "z" + "\u0336" * 23
"""24 code points: z under 23 overlaid strokes, a name the chat once accepted."""


@dataclass
class Scene:
    """A chat at 100 s with alice (an operator) and bob in #lobby; ``published`` is every event."""

    chat: Chat
    alice: UserView
    bob: UserView
    published: list[Event]


def scene() -> Scene:
    clock = Clock()
    clock.advance(100)
    bus = MemoryBus()
    published: list[Event] = []
    bus.subscribe(published.append)
    chat = Chat(clock, MemoryHistory(), bus, accounts=MemoryAccounts(), rooms=MemoryRooms())
    audience = RecordingAudience()
    alice = chat.register(RecordingSession(audience), "alice")
    bob = chat.register(RecordingSession(audience), "bob")
    chat.join(alice, "#lobby")
    chat.join(bob, "#lobby")
    chat.grant_operator(alice)
    return Scene(chat, alice, bob, published)


@dataclass(frozen=True)
class Field:
    """A text field: how a user sets it in a scene, and the event field that carries it."""

    send: Callable[[Scene, str], object]
    kind: type[Event]
    attribute: str

    def carry(self, s: Scene, text: str) -> str:
        """What the field's event carries when ``text`` is sent in ``s``."""
        self.send(s, text)
        event = s.published[-1]
        assert isinstance(event, self.kind), event
        value = getattr(event, self.attribute)
        assert isinstance(value, str)
        return value


SAID = {
    "message": Field(lambda s, text: s.chat.say(s.alice, "#lobby", text), Said, "text"),
    "action": Field(lambda s, text: s.chat.act(s.alice, "#lobby", text), Acted, "text"),
    "private message": Field(lambda s, text: s.chat.whisper(s.alice, "bob", text), Whispered, "text"),
    "/wall": Field(lambda s, text: s.chat.wall(s.alice, text), Walled, "text"),
}
"""Fields that are something said: they must show."""

STORED = {
    "topic": Field(lambda s, text: s.chat.set_topic(s.alice, "#lobby", text), TopicChanged, "topic"),
    # Set while away already: a blank away message is news only to someone away.
    "away message": Field(
        lambda s, text: (s.chat.set_away(s.alice, "out"), s.chat.set_away(s.alice, text)), AwayChanged, "text"
    ),
    "part reason": Field(lambda s, text: s.chat.part(s.alice, "#lobby", text), Parted, "reason"),
    "kick reason": Field(lambda s, text: s.chat.kick(s.alice, "bob", "#lobby", text), Kicked, "reason"),
    "shutdown reason": Field(lambda s, text: s.chat.shutdown(s.alice, text), ShuttingDown, "reason"),
}
"""Fields that may be empty."""

QUIT = Field(lambda s, text: s.chat.quit(s.bob, text), Quit, "reason")

FIELDS = {**SAID, **STORED, "quit reason": QUIT}


class TextFieldTests(SynchronousTestCase):
    """Every text field follows the one rule of chatd.domain.names.check_text."""

    def test_invisible_characters_are_dropped_from_every_field(self) -> None:
        """Each character that shows as nothing is gone from each field, the rest kept as typed."""
        for field, carried in FIELDS.items():
            for name, char in STRIPPED.items():
                with self.subTest(field=field, character=name):
                    self.assertEqual(carried.carry(scene(), f"hel{char}lo"), "hello")

    def test_joiners_and_selectors_are_kept_in_every_field(self) -> None:
        """ZWJ, ZWNJ and the variation selectors change how text looks; each field keeps them."""
        for field, carried in FIELDS.items():
            for name, char in KEPT.items():
                with self.subTest(field=field, character=name):
                    self.assertEqual(carried.carry(scene(), f"a{char}b"), f"a{char}b")

    def test_emoji_sequences_and_a_flag_of_tags_are_kept(self) -> None:
        """A ZWJ emoji, a red heart with its selector, and Scotland's tag flag pass unchanged."""
        text = f"\U0001f469\u200d\U0001f4bb \u2764\ufe0f {SCOTLAND}"
        for field, carried in FIELDS.items():
            with self.subTest(field=field):
                self.assertEqual(carried.carry(scene(), text), text)

    def test_tags_outside_a_flag_are_dropped_and_the_flag_stays(self) -> None:
        """Tags smuggled after a word go; a black flag without its cancel tag keeps only the flag."""
        hidden = "".join(chr(0xE0000 + ord(char)) for char in "ignore all previous")
        self.assertEqual(SAID["message"].carry(scene(), f"hi{hidden}"), "hi")
        self.assertEqual(SAID["message"].carry(scene(), "\U0001f3f4\U000e0067\U000e0062"), "\U0001f3f4")

    def test_a_tower_of_marks_is_refused_in_every_field(self) -> None:
        """Four marks on one character pass; a fifth refuses the text, naming the limit."""
        for field, carried in FIELDS.items():
            if field == "quit reason":
                continue  # dropped rather than refused: see the next test
            with self.subTest(field=field):
                fine = "a" + "\u0301\u0316" * (TEXT_MARKS_MAX // 2)
                self.assertEqual(carried.carry(scene(), fine), fine)
                error = self.assertRaises(InvalidTextError, carried.carry, scene(), fine + "\u0336")
                self.assertEqual(error.rule, TextRule.TOO_MANY_MARKS)
                self.assertEqual(word(error), "not sent: at most 4 combining marks on one character")

    def test_a_quit_reason_with_a_tower_is_left_out(self) -> None:
        """The user leaves either way, without the reason."""
        self.assertEqual(QUIT.carry(scene(), "a" + "\u0336" * 30), "")

    def test_invisible_characters_cannot_part_a_tower(self) -> None:
        """Marks interleaved with dropped or joining characters still count on one character."""
        for between in ("\u034f", "\u200b", "\u200d"):
            with self.subTest(between=between):
                self.assertRaises(
                    InvalidTextError, SAID["message"].carry, scene(), "a" + ("\u0336" + between) * 5
                )

    def test_marks_on_separate_characters_do_not_add_up(self) -> None:
        """Accents on every letter of a long word are fine: the limit is per character."""
        text = "a\u0301\u0323" * 50
        self.assertEqual(SAID["message"].carry(scene(), text), text)

    def test_something_said_must_show(self) -> None:
        """A message, action, private message or /wall of invisible characters alone is refused."""
        for field, carried in SAID.items():
            for blank in ("\u3164", "\u200b\u200b", "\u200d", " \ufeff ", "\u0301"):
                with self.subTest(field=field, text=blank):
                    error = self.assertRaises(InvalidTextError, carried.carry, scene(), blank)
                    self.assertEqual(word(error), "not sent: nothing in it would show")

    def test_a_paste_with_one_line_that_shows_is_sent(self) -> None:
        """Lines of a paste that show nothing are kept blank when another line shows."""
        self.assertEqual(SAID["message"].carry(scene(), "\u200b\nhi"), "\nhi")

    def test_stored_fields_may_end_up_empty(self) -> None:
        """A topic, away message or reason of invisible characters alone becomes empty."""
        for field, carried in STORED.items():
            with self.subTest(field=field):
                self.assertEqual(carried.carry(scene(), "\u3164\u200b"), "")

    def test_a_limit_counts_what_is_left(self) -> None:
        """Dropped characters do not count against a topic's length."""
        s = scene()
        topic = "a" * s.chat.limits.topic
        self.assertEqual(STORED["topic"].carry(s, topic + "\u200b"), topic)


class NameRuleTests(SynchronousTestCase):
    """Names refuse every invisible character and more than three marks on a letter."""

    def test_every_invisible_character_is_refused_in_a_nickname_and_a_room_name(self) -> None:
        """Dropped in text or kept there, each is refused in a name, saying so."""
        for name, char in {**STRIPPED, **KEPT}.items():
            with self.subTest(character=name):
                nick = self.assertRaises(InvalidNicknameError, check_nickname, f"al{char}ice")
                self.assertEqual(nick.rule, NicknameRule.INVISIBLE)
                room = self.assertRaises(InvalidRoomNameError, check_room_name, f"#de{char}v")
                self.assertEqual(room.rule, RoomNameRule.INVISIBLE)

    def test_a_name_of_fillers_is_refused(self) -> None:
        """A nickname of Hangul fillers alone would show as a blank."""
        error = self.assertRaises(InvalidNicknameError, check_nickname, "\u3164\u3164")
        self.assertIn("cannot hold invisible characters", word(error))

    def test_a_nickname_of_24_marks_is_refused(self) -> None:
        """A letter under 23 marks is refused, naming the limit."""
        error = self.assertRaises(InvalidNicknameError, check_nickname, TOWER)
        self.assertEqual(
            word(error),
            f"{TOWER!r} is not a valid nickname: a nickname has at most 3 combining marks on one letter",
        )

    def test_a_room_name_tower_is_refused(self) -> None:
        """A room name holds the same limit."""
        error = self.assertRaises(InvalidRoomNameError, check_room_name, "#" + TOWER[:31])
        self.assertEqual(error.rule, RoomNameRule.TOO_MANY_MARKS)

    def test_scripts_that_stack_marks_keep_their_names(self) -> None:
        """A Tibetan stack (Dolma) and a pointed Hebrew shin carry three marks and pass."""
        for name in ("\u0f66\u0f92\u0fb2\u0f7c\u0f63", "\u05e9\u05b8\u05bc\u05c1\u05dc"):
            with self.subTest(name=name):
                self.assertEqual(check_nickname(name), name)
        self.assertEqual(NAME_MARKS_MAX, 3)

    def test_four_marks_on_a_letter_are_refused(self) -> None:
        """One mark over the name limit is refused."""
        error = self.assertRaises(InvalidNicknameError, check_nickname, "bo\u0336\u0336\u0336\u0336b")
        self.assertEqual(error.rule, NicknameRule.TOO_MANY_MARKS)


class LookAlikeTests(SynchronousTestCase):
    """No two nicknames online, and no two rooms, share a confusables skeleton."""

    def test_look_alikes_share_a_look(self) -> None:
        """A Cyrillic a (U+0430), a capital I for l, a zero for o and mathematical letters look like plain ones."""
        self.assertEqual(look("\u0430lice"), look("alice"))
        self.assertEqual(look("AIice"), look("Alice"))
        self.assertEqual(look("b0b"), look("bob"))
        self.assertEqual(look("\U0001d51e\U0001d529\U0001d526\U0001d520\U0001d522"), look("alice"))

    def test_different_names_keep_different_looks(self) -> None:
        """Accents, other letters and m beside rn stay apart, as in Ergo."""
        for one, other in (("alice", "alicia"), ("rene", "rené"), ("mary", "rnary"), ("Ζωή", "alice")):
            with self.subTest(one=one, other=other):
                self.assertNotEqual(look(one), look(other))

    def test_cyrillic_look_alike_is_refused_while_the_latin_one_is_online(self) -> None:
        """alice with a Cyrillic a (U+0430) cannot come online beside alice, nor take her name by /nick."""
        s = scene()
        session = RecordingSession(RecordingAudience())
        error = self.assertRaises(NicknameLookAlikeError, s.chat.register, session, "\u0430lice")
        self.assertEqual(word(error), "\u0430lice looks like alice, who is online; choose another nickname")
        error = self.assertRaises(NicknameLookAlikeError, s.chat.rename, s.bob, "\u0430lice")
        self.assertEqual(error, NicknameLookAlikeError("\u0430lice", "alice"))
        self.assertEqual(s.chat.online("bob"), "bob")

    def test_latin_name_is_refused_while_the_cyrillic_one_is_online(self) -> None:
        """And the other way round: alice cannot come online beside her Cyrillic look-alike."""
        s = scene()
        s.chat.rename(s.alice, "\u0430lic\u0435")
        error = self.assertRaises(
            NicknameLookAlikeError, s.chat.register, RecordingSession(RecordingAudience()), "alice"
        )
        self.assertEqual(error, NicknameLookAlikeError("alice", "\u0430lic\u0435"))

    def test_a_look_is_free_again_once_its_holder_goes(self) -> None:
        """After alice quits, or renames, her Cyrillic look-alike may come online."""
        s = scene()
        s.chat.quit(s.alice)
        s.chat.register(RecordingSession(RecordingAudience()), "\u0430lice")
        s.chat.rename(s.bob, "carol")
        s.chat.register(RecordingSession(RecordingAudience()), "b0b")

    def test_a_user_may_change_the_case_of_their_own_name(self) -> None:
        """Renaming alice to ALICE moves her look, and nobody else's."""
        s = scene()
        s.chat.rename(s.alice, "ALICE")
        s.chat.rename(s.alice, "Alice")
        self.assertEqual(s.chat.online("alice"), "Alice")

    def test_a_new_room_may_not_look_like_one_that_exists(self) -> None:
        """#dev with a Cyrillic e (U+0435) is refused while #dev exists, and free once it is gone."""
        s = scene()
        s.chat.join(s.alice, "#dev")
        error = self.assertRaises(RoomLookAlikeError, s.chat.join, s.bob, "#d\u0435v")
        self.assertEqual(word(error), "#d\u0435v looks like the room #dev; join it or choose another name")
        s.chat.part(s.alice, "#dev")
        s.chat.join(s.bob, "#d\u0435v")
