"""Chat errors are data: a stable code and fields, no sentence and no front-end syntax (issue 11)."""

import importlib
import pickle
import pkgutil
import re

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain import errors as domain_errors
from chatd.domain.errors import (
    ChatError,
    InvalidNicknameError,
    InvalidRoomNameError,
    InvalidTextError,
    NicknameBannedError,
    NicknameRule,
    NotOperatorError,
    RoomNameRule,
    TextRule,
)
from chatd.domain.names import check_nickname, check_room_name, check_text
from tests.helpers import error_examples, error_types

# A code or a rule's value: lower-case words joined by '-', as bots match on them.
STABLE = re.compile("[a-z0-9]+(-[a-z0-9]+)*")


class DomainErrorTests(SynchronousTestCase):
    def test_no_domain_error_holds_a_command_hint_or_a_sentence(self) -> None:
        """No domain error's code, fields or str holds a "/" command, and none has a message: front ends word them."""
        kinds = error_types(domain_errors)
        self.assertGreaterEqual(len(kinds), 20)
        for kind in kinds:
            for error in error_examples(kind):
                self.assertNotIn("/", str(error), repr(error))
                for value in error.args:
                    self.assertNotIn("/", str(value), repr(error))
                self.assertFalse(hasattr(error, "message"), repr(error))

    def test_the_package_names_every_error_its_modules_define(self) -> None:
        """chatd.domain.errors names each error and rule of its modules: the tests that every error is worded
        and pickles find them there, so one left out would go unchecked."""
        defined = {
            name
            for found in pkgutil.iter_modules(domain_errors.__path__)
            for name, kind in vars(importlib.import_module(f"{domain_errors.__name__}.{found.name}")).items()
            if isinstance(kind, type) and kind.__module__ == f"{domain_errors.__name__}.{found.name}"
        }
        self.assertGreaterEqual(len(defined), 20)
        self.assertEqual(set(domain_errors.__all__), defined)

    def test_codes_and_rules_are_short_stable_values(self) -> None:
        """Each code and each rule is a lower-case token, and no two errors share a code."""
        codes = [kind.code for kind in error_types()]
        self.assertEqual(len(codes), len(set(codes)))
        for value in [*codes, *NicknameRule, *RoomNameRule, *TextRule]:
            self.assertIsNotNone(STABLE.fullmatch(value), value)

    def test_every_error_pickles_and_compares_by_its_fields(self) -> None:
        """An error survives pickling equal to itself, with its fields as args."""
        for kind in error_types():
            for error in error_examples(kind):
                copy = pickle.loads(pickle.dumps(error))
                self.assertEqual(copy, error)
                self.assertEqual(hash(copy), hash(error))
                self.assertEqual(copy.args, error.args)
        self.assertNotEqual(NicknameBannedError("bob", 60), NicknameBannedError("bob", None))
        self.assertNotEqual(NicknameBannedError("bob", 60), ("bob", 60))

    def test_str_gives_the_code_and_fields_for_logs(self) -> None:
        """str(error) is the code, then each field by name: a rule by its value."""
        self.assertEqual(str(NicknameBannedError("bob", 600.0)), "nick-banned nick='bob' seconds_left=600.0")
        self.assertEqual(
            str(InvalidNicknameError("bo ss", NicknameRule.BAD_CHARACTER)),
            "bad-nick nick='bo ss' rule=bad-character limit=None",
        )
        self.assertEqual(str(NotOperatorError()), "not-operator")

    def test_names_say_which_rule_they_break(self) -> None:
        """The name checks raise with the rule and, for length, the limit."""
        for check, name, expected in [
            (check_nickname, "", InvalidNicknameError("", NicknameRule.EMPTY)),
            (check_nickname, "a" * 25, InvalidNicknameError("a" * 25, NicknameRule.TOO_LONG, 24)),
            (check_nickname, "1abc", InvalidNicknameError("1abc", NicknameRule.BAD_START)),
            (check_nickname, "bo ss", InvalidNicknameError("bo ss", NicknameRule.BAD_CHARACTER)),
            (check_nickname, "a\ufe0f", InvalidNicknameError("a\ufe0f", NicknameRule.INVISIBLE)),
            (check_room_name, "lobby", InvalidRoomNameError("lobby", RoomNameRule.NO_PREFIX)),
            (
                check_room_name,
                "#" + "a" * 32,
                InvalidRoomNameError("#" + "a" * 32, RoomNameRule.TOO_LONG, 32),
            ),
        ]:
            self.assertEqual(self.assertRaises(ChatError, check, name), expected)

    def test_text_says_which_character_or_which_limit(self) -> None:
        """A refused text names the character it holds, or the limit it passes."""
        self.assertEqual(
            self.assertRaises(InvalidTextError, check_text, "a\x1b[2J"),
            InvalidTextError(TextRule.UNSAFE_CHARACTER, character="\x1b"),
        )
        self.assertEqual(
            self.assertRaises(InvalidTextError, check_text, "abc", 2),
            InvalidTextError(TextRule.TOO_LONG, limit=2),
        )
