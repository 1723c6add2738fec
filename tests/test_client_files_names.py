"""Where a received file lands: safe names, no overwrite, the part file and its sidecar."""

import hashlib
import json
import os
import unicodedata

from hypothesis import given
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from chatd.client.filenames import free_name, numbered
from chatd.client.partfile import Offer, PartFile
from chatd.text import FILE_NAME_MOST, safe_file_name
from tests.helpers import new_folder


def offer(name: str = "photo.jpg", data: bytes = b"x" * 40000) -> Offer:
    return Offer(
        "1a2b3c4d5e6f7a8b", "bob", "alice", name, len(data), "image/jpeg", hashlib.sha256(data).hexdigest()
    )


class SafeNameTests(SynchronousTestCase):
    """The sender's name for a file, made safe to save."""

    def test_a_path_keeps_only_its_last_component(self) -> None:
        """``../../etc/passwd`` is saved as ``passwd``, in the downloads folder; backslashes separate too."""
        self.assertEqual(safe_file_name("../../etc/passwd"), "passwd")
        self.assertEqual(safe_file_name("..\\..\\Windows\\win.ini"), "win.ini")
        self.assertEqual(safe_file_name("/etc/"), "file")

    def test_control_and_format_characters_are_removed(self) -> None:
        """Escapes, bells, DEL, C1, bidi overrides and line separators vanish; the rest stays."""
        self.assertEqual(safe_file_name("a\x1b[31mb\x07\x7f\x9b.txt"), "a[31mb.txt")
        self.assertEqual(safe_file_name("\u202egnp.exe"), "gnp.exe")
        self.assertEqual(safe_file_name("one\u2028two\n.txt"), "onetwo.txt")

    def test_leading_dots_and_blanks_go_and_nothing_left_is_file(self) -> None:
        """A name cannot hide itself or be empty: ``.bashrc`` is ``bashrc``, ``..`` is ``file``."""
        self.assertEqual(safe_file_name(".bashrc"), "bashrc")
        self.assertEqual(safe_file_name("  . hidden.txt "), "hidden.txt")
        self.assertEqual(safe_file_name(".."), "file")
        self.assertEqual(safe_file_name(""), "file")
        self.assertEqual(safe_file_name("\x00\x01"), "file")

    def test_a_name_of_10000_characters_is_cut_to_200_bytes_keeping_its_extension(self) -> None:
        """Cut at a character, never inside one, with the extension kept."""
        long = safe_file_name("a" * 10000 + ".tar")
        self.assertEqual((len(long.encode()), long[-4:]), (FILE_NAME_MOST, ".tar"))
        accents = safe_file_name("é" * 10000 + ".txt")
        self.assertLessEqual(len(accents.encode()), FILE_NAME_MOST)
        self.assertTrue(accents.endswith("é.txt"))
        self.assertEqual(len(safe_file_name("x" * 10000).encode()), FILE_NAME_MOST)

    @given(st.text(max_size=300))
    def test_whatever_the_name_the_result_is_one_safe_component(self, name: str) -> None:
        """No separator, no control or format character, at most 200 bytes, never empty, stable."""
        safe = safe_file_name(name)
        self.assertTrue(safe)
        self.assertNotIn("/", safe)
        self.assertNotIn("\\", safe)
        self.assertFalse(safe.startswith("."))
        self.assertLessEqual(len(safe.encode("utf-8")), FILE_NAME_MOST)
        categories = {unicodedata.category(char) for char in safe}
        self.assertFalse(categories & {"Cc", "Cf", "Cs", "Zl", "Zp"}, repr(safe))
        self.assertEqual(safe_file_name(safe), safe)


class FreeNameTests(SynchronousTestCase):
    """Never overwriting: the first free ``name (n).ext``."""

    def setUp(self) -> None:
        self.folder = new_folder(self)

    def touch(self, name: str) -> None:
        with open(os.path.join(self.folder, name), "wb"):
            pass

    def test_collisions_count_up_before_the_extension(self) -> None:
        """``photo.jpg`` taken, and ``photo (1).jpg``: the next is ``photo (2).jpg``."""
        self.assertEqual(free_name(self.folder, "photo.jpg"), "photo.jpg")
        self.touch("photo.jpg")
        self.touch("photo (1).jpg")
        self.assertEqual(free_name(self.folder, "photo.jpg"), "photo (2).jpg")

    def test_a_download_in_progress_holds_its_name(self) -> None:
        """A part file or a sidecar alone takes the name too."""
        self.touch("a.txt.part")
        self.touch("b.txt.part.json")
        self.assertEqual(free_name(self.folder, "a.txt"), "a (1).txt")
        self.assertEqual(free_name(self.folder, "b.txt"), "b (1).txt")

    def test_a_numbered_name_at_the_limit_stays_within_it(self) -> None:
        """The number is never cut off: the stem is."""
        name = safe_file_name("a" * 10000 + ".txt")
        self.assertEqual(len(numbered(name, 12).encode()), FILE_NAME_MOST)
        self.assertTrue(numbered(name, 12).endswith(" (12).txt"))


class PartFileTests(SynchronousTestCase):
    """``NAME.part`` and ``NAME.part.json`` in the downloads folder."""

    def setUp(self) -> None:
        self.folder = os.path.join(new_folder(self), "Downloads", "chatd")

    def test_create_makes_the_folder_the_part_and_a_sidecar_holding_the_offer(self) -> None:
        """The sidecar says what the part file is, so a restarted client can resume it."""
        part = PartFile.create(self.folder, offer("../../etc/passwd"))
        self.assertEqual(part.path, os.path.join(self.folder, "passwd.part"))
        self.assertEqual(os.path.getsize(part.path), 0)
        with open(part.sidecar, encoding="utf-8") as sidecar:
            self.assertEqual(Offer.read(json.load(sidecar)), offer("../../etc/passwd"))
        [(found, said)] = PartFile.found(self.folder)
        self.assertEqual((found.name, said), ("passwd", offer("../../etc/passwd")))

    def test_found_skips_sidecars_that_are_not_offers(self) -> None:
        """A broken or foreign ``.part.json`` is left alone, not resumed."""
        os.makedirs(self.folder)
        with open(os.path.join(self.folder, "x.part.json"), "w", encoding="utf-8") as junk:
            junk.write('{"file": "../../x"}')
        with open(os.path.join(self.folder, "x.part"), "wb"):
            pass
        self.assertEqual(PartFile.found(self.folder), [])
        self.assertEqual(PartFile.found(os.path.join(self.folder, "missing")), [])

    def test_resume_point_is_whole_chunks_and_the_last_ones_hash(self) -> None:
        """40,000 bytes held: go on from 32,768, naming the hash of bytes 16,384..32,768."""
        data = os.urandom(40000)
        part = PartFile.create(self.folder, offer(data=data))
        part.write(0, data)
        offset, last = part.resume_point(16384)
        self.assertEqual((offset, last), (32768, hashlib.sha256(data[16384:32768]).hexdigest()))
        self.assertEqual(part.held(), 32768)
        part.restart()
        self.assertEqual(part.resume_point(16384), (0, ""))

    def test_finish_saves_a_matching_file_under_its_name(self) -> None:
        """The part becomes ``photo.jpg``; the sidecar goes."""
        data = os.urandom(40000)
        part = PartFile.create(self.folder, offer(data=data))
        part.write(0, data)
        path = part.finish(hashlib.sha256(data).hexdigest())
        self.assertEqual(path, os.path.join(self.folder, "photo.jpg"))
        with open(os.path.join(self.folder, "photo.jpg"), "rb") as saved:
            self.assertEqual(saved.read(), data)
        self.assertEqual(sorted(os.listdir(self.folder)), ["photo.jpg"])

    def test_finish_never_overwrites_a_file_that_appeared_meanwhile(self) -> None:
        """Someone saved ``photo.jpg`` while it downloaded: this one is ``photo (1).jpg``."""
        data = b"mine"
        part = PartFile.create(self.folder, offer(data=data))
        part.write(0, data)
        with open(os.path.join(self.folder, "photo.jpg"), "wb") as other:
            other.write(b"theirs")
        self.assertEqual(
            part.finish(hashlib.sha256(data).hexdigest()), os.path.join(self.folder, "photo (1).jpg")
        )
        with open(os.path.join(self.folder, "photo.jpg"), "rb") as other:
            self.assertEqual(other.read(), b"theirs")

    def test_finish_deletes_a_file_whose_hash_does_not_match(self) -> None:
        """Nothing damaged is left where it could be opened."""
        part = PartFile.create(self.folder, offer(data=b"promised"))
        part.write(0, b"received")
        self.assertIsNone(part.finish(hashlib.sha256(b"promised").hexdigest()))
        self.assertEqual(os.listdir(self.folder), [])
