"""Reading stops at the first reason to pause and starts again only when the last is lifted."""

from twisted.trial.unittest import SynchronousTestCase

from chatd.frontend.reading import Pause, Reading


class RecordingReader:
    """A connection that notes each time its reading is stopped or started."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def stop_reading(self) -> None:
        self.calls.append("stop")

    def start_reading(self) -> None:
        self.calls.append("start")


class ReadingTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.reader = RecordingReader()
        self.reading = Reading(self.reader)

    def test_one_reason_stops_and_its_lifting_starts(self) -> None:
        """Pausing for one reason stops reading; lifting it starts reading again."""
        self.assertFalse(self.reading.paused)
        self.reading.pause(Pause.FLOOD)
        self.assertTrue(self.reading.paused)
        self.reading.resume(Pause.FLOOD)
        self.assertEqual((self.reader.calls, self.reading.paused), (["stop", "start"], False))

    def test_reading_waits_for_the_last_reason_either_way_round(self) -> None:
        """Flood and command pauses combine: reading starts only once both are lifted, whichever goes first."""
        for first, second in ((Pause.FLOOD, Pause.COMMAND), (Pause.COMMAND, Pause.FLOOD)):
            self.reader.calls.clear()
            self.reading.pause(first)
            self.reading.pause(second)
            self.assertEqual(self.reading.reasons, Pause.FLOOD | Pause.COMMAND)
            self.reading.resume(first)
            self.assertEqual((self.reader.calls, self.reading.reasons), (["stop"], second))
            self.reading.resume(second)
            self.assertEqual(self.reader.calls, ["stop", "start"])

    def test_pausing_twice_for_one_reason_is_lifted_once(self) -> None:
        """A reason is held or not: paused for it twice, one lifting ends it, and stop is asked once."""
        self.reading.pause(Pause.COMMAND)
        self.reading.pause(Pause.COMMAND)
        self.reading.resume(Pause.COMMAND)
        self.assertEqual(self.reader.calls, ["stop", "start"])

    def test_lifting_a_reason_that_does_not_hold_does_nothing(self) -> None:
        """Resuming for a reason never set neither starts reading nor lifts another reason."""
        self.reading.resume(Pause.FLOOD)
        self.reading.pause(Pause.COMMAND)
        self.reading.resume(Pause.FLOOD)
        self.assertEqual((self.reader.calls, self.reading.reasons), (["stop"], Pause.COMMAND))
