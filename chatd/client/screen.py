"""Where the link puts what the user is to see: the contract between the link and the terminal or plain output.

Kept apart from the link (``chatd.client.connection``) because two front
ends meet it, ``ui.ChatTerminal`` and ``plain.PlainIO``, and the link
knows neither: it hands each a ``Shown``, already rendered.
"""

from typing import Protocol

from chatd.client.presence import Answer
from chatd.client.shown import Shown


class Screen(Protocol):
    """Where a link's lines go: the interactive terminal, or plain output."""

    def show(self, shown: Shown) -> None:
        """Put the lines of a server line on screen, in the order received."""

    def note(self, shown: Shown) -> None:
        """Put a line of the client's own (connected, lost, retrying) on screen."""

    def server_connected(self) -> None:
        """A connection is up and its first line shows it is chatd: lines typed now reach chatd, not another
        service at a wrong port (a script's ``/identify`` would hand it the password)."""

    def answered(self, answer: Answer) -> None:
        """The server accepted or refused the nickname the client asked for (the answer is shown too)."""
