"""The client's memory of the lines it showed, which names the line a ``deleted`` takes away (chatd.client.seen)."""

from twisted.trial.unittest import SynchronousTestCase

from chatd.client.seen import SeenLines

LINE = "019c2a7e5b400000"


def said(line: str, nick: str = "bob", at: float = 61.0) -> dict[str, object]:
    return {"type": "said", "id": line, "at": at, "room": "#maths", "nick": nick, "text": "something nasty"}


def deleted(line: str = LINE) -> dict[str, object]:
    return {
        "type": "deleted",
        "id": "019c2a7e6b400000",
        "at": 121.0,
        "room": "#maths",
        "nick": "maya",
        "line": line,
    }


class SeenLinesTests(SynchronousTestCase):
    def test_a_deletion_of_a_line_shown_names_who_said_it_and_when_never_its_text(self) -> None:
        """After bob's line is shown, its deletion carries bob and the line's time, and nothing of its text."""
        seen = SeenLines()
        seen.received(said(LINE))
        self.assertEqual(seen.received(deleted()), {**deleted(), "line_nick": "bob", "line_at": 61.0})
        self.assertEqual(seen.received(deleted()), deleted())

    def test_only_the_last_lines_are_remembered(self) -> None:
        """Past its bound, the oldest line shown is forgotten: its deletion is told as a line's."""
        seen = SeenLines(most=2)
        for n in range(3):
            seen.received(said(f"{n:016x}"))
        self.assertEqual(seen.received(deleted(f"{0:016x}")), deleted(f"{0:016x}"))
        self.assertIn("line_nick", seen.received(deleted(f"{2:016x}")))
