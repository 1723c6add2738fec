"""Progress bars for transfers: how far, how fast, how long left; pure arithmetic and text.

A ``Meter`` follows one transfer's byte count over time and smooths its
rate, so the time left does not jump with every chunk; ``bar_text`` lays a
``Bar`` out on one terminal row. The terminal draws the bars above the
input line (ui.py); filebars.py decides which transfers have one. Where no
bar can be drawn (a pipe, a log), ``Steps`` turns the same bars into a
line each time a transfer passes another ``STEP_PERCENT``.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from chatd.client.inputline import cells
from chatd.text import size_words

SHOWN_AFTER_SECONDS = 1.0
"""A transfer gets a bar once it has run this long: a file that arrives at once needs none."""

_SMOOTHING = 0.4
"""Weight of the newest rate in the running average."""

STEP_PERCENT = 10
"""Without a terminal, a transfer's progress is a line each time it passes another this many percent."""


def _rate_text(rate: float) -> str:
    """Bytes a second as a size is said (``size_words``, the server's): ``350.0 kB/s``."""
    return f"{size_words(round(rate))}/s"


def duration_text(seconds: float) -> str:
    """``0:42``, ``12:05``, ``1:02:05``."""
    whole = max(int(seconds + 0.5), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


class Meter:
    """Bytes done over time for one transfer; ``rate`` is bytes a second, None until measured."""

    def __init__(self, now: float, done: int) -> None:
        self.since = now
        self.rate: float | None = None
        self._at = now
        self._done = done

    def sample(self, now: float, done: int) -> None:
        """Note that ``done`` bytes are done at ``now``."""
        elapsed = now - self._at
        if elapsed <= 0:
            return
        rate = max(done - self._done, 0) / elapsed
        self.rate = rate if self.rate is None else (1 - _SMOOTHING) * self.rate + _SMOOTHING * rate
        self._at, self._done = now, done


@dataclass(frozen=True, slots=True)
class Bar:
    """One transfer's progress: ``label`` (already scrubbed), bytes ``done`` of ``size``, bytes a second."""

    label: str
    done: int
    size: int
    rate: float | None


def bar_text(bar: Bar, width: int) -> str:
    """``bar`` on one row of ``width`` columns (the last left free): label, bar, percent, rate, time left."""
    fraction = bar.done / bar.size if bar.size else 1.0
    if bar.rate:
        figures = (
            f" {fraction:4.0%} {_rate_text(bar.rate)} {duration_text((bar.size - bar.done) / bar.rate)} left"
        )
    else:
        figures = f" {fraction:4.0%}"
    room = width - 1 - len(figures)
    # The label gets what a track of 9 columns leaves, up to 30 columns, or half the row if more.
    label = _cut(bar.label, max(room // 2, min(room - 12, 30), 0))
    track = room - cells(label) - 3
    if track < 4:
        return _cut(f"{label}{figures}", width - 1)
    filled = int(track * fraction)
    return f"{label} [{'#' * filled}{'-' * (track - filled)}]{figures}"


def _cut(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns, an ellipsis marking the cut."""
    if cells(text) <= width:
        return text
    kept = ""
    for char in text:
        if cells(kept + char) > width - 1:
            break
        kept += char
    return kept + "…" if width > 0 else ""


def step_text(bar: Bar, percent: int) -> str:
    """``bar`` as a line of text at ``percent``: ``↓ photo.jpg from bob: 40% of 2.1 MB, 350.0 kB/s, 0:03 left``."""
    figures = f"{bar.label}: {percent}% of {size_words(bar.size)}"
    if bar.rate:
        figures += f", {_rate_text(bar.rate)}, {duration_text((bar.size - bar.done) / bar.rate)} left"
    return figures


class Steps:
    """Bars drawn as lines: one when a transfer passes 10%, 20%... of its size, none in between.

    A transfer is known by its bar's label, so hashing a file and sending
    it count apart; a transfer whose bar went is forgotten. A tick that
    jumps over several steps says only the last.
    """

    def __init__(self) -> None:
        self._said: dict[str, int] = {}

    def lines(self, bars: Sequence[Bar]) -> list[str]:
        """The lines to write for ``bars``, the running transfers now."""
        lines = []
        for bar in bars:
            percent = bar.done * 100 // bar.size if bar.size else 100
            step = min(percent, 100) // STEP_PERCENT * STEP_PERCENT
            if step > self._said.get(bar.label, 0):
                self._said[bar.label] = step
                lines.append(step_text(bar, step))
        labels = {bar.label for bar in bars}
        self._said = {label: step for label, step in self._said.items() if label in labels}
        return lines
