"""The operators file and the check of operator passwords, with real Argon2 hashes."""

import os

from twisted.trial.unittest import SynchronousTestCase

from chatd.frontend.accounts import hash_password
from chatd.opers import Opers, OpersFileError, load_opers
from tests.helpers import new_folder, quick_hash

BOSS_HASH = quick_hash("correct horse")


class OpersFileTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.directory = new_folder(self)

    def write(self, text: str | bytes) -> str:
        path = os.path.join(self.directory, "opers")
        with open(path, "wb") as opers:
            opers.write(text.encode() if isinstance(text, str) else text)
        return path

    def test_names_and_hashes_with_comments_and_blank_lines(self) -> None:
        """Each NAME HASH line is an operator; comments and blank lines are skipped."""
        other = quick_hash("other pass")
        path = self.write(f"# chatd operators\n\nboss {BOSS_HASH}\n  # indented comment\nAda {other}\n")
        opers = load_opers(path)
        self.assertTrue(opers.verify("boss", "correct horse"))
        self.assertTrue(opers.verify("ada", "other pass"))
        self.assertFalse(opers.verify("boss", "other pass"))

    def test_each_bad_line_is_named_in_one_sentence(self) -> None:
        """A line that is not NAME HASH, a bad name, a bad hash or a name twice stops the start, saying where."""
        cases = [
            (f"boss {BOSS_HASH} extra\n", "line 1 is not NAME HASH"),
            ("boss\n", "line 1 is not NAME HASH"),
            (f"# ok\n1boss {BOSS_HASH}\n", "line 2: '1boss' is not a valid nickname"),
            ("boss $2b$12$notargon\n", "line 1: not an Argon2 hash made by python -m chatd.passwd"),
            ("boss correct-horse\n", "line 1: not an Argon2 hash made by python -m chatd.passwd"),
            (f"boss {BOSS_HASH}\nBOSS {BOSS_HASH}\n", "line 2: operator BOSS is listed twice"),
        ]
        for text, message in cases:
            path = self.write(text)
            error = self.assertRaises(OpersFileError, load_opers, path)
            self.assertIn(f"{path} {message}" if message.startswith("line") else message, str(error))

    def test_file_that_cannot_be_used_at_all(self) -> None:
        """A missing file, one that is not UTF-8, or one with no operator is refused."""
        missing = os.path.join(self.directory, "missing")
        self.assertEqual(
            str(self.assertRaises(OpersFileError, load_opers, missing)),
            f"cannot read {missing}: No such file or directory",
        )
        self.assertIn(
            "is not UTF-8 text", str(self.assertRaises(OpersFileError, load_opers, self.write(b"\xff")))
        )
        self.assertIn(
            "lists no operator", str(self.assertRaises(OpersFileError, load_opers, self.write("# no one\n")))
        )


class VerifyTests(SynchronousTestCase):
    def test_wrong_password_unknown_name_and_garbage_are_all_false(self) -> None:
        """Only the right name with its password verifies; names compare like nicknames."""
        opers = Opers({"Boss": BOSS_HASH})
        self.assertTrue(opers.verify("BOSS", "correct horse"))
        self.assertFalse(opers.verify("boss", "correct horsE"))
        self.assertFalse(opers.verify("nobody", "correct horse"))
        self.assertFalse(opers.verify("boss", ""))

    def test_no_operators_means_no_password_is_right(self) -> None:
        """A server without an operators file has no operators by password."""
        self.assertFalse(Opers({}).verify("boss", "correct horse"))

    def test_hash_password_makes_a_salted_argon2id_hash(self) -> None:
        """The hash is Argon2id, verifies, and differs each time (a new salt)."""
        first, second = hash_password("s3cret"), hash_password("s3cret")
        self.assertTrue(first.startswith("$argon2id$"))
        self.assertNotEqual(first, second)
        self.assertTrue(Opers({"boss": first}).verify("boss", "s3cret"))
