"""What coming back after a drop takes, beyond the greeting: the takeover, the password, the lines the drop lost.

Kept apart from the link (``chatd.client.connection``), which connects
again; this is what the new connection does for the one that dropped.
The greeting names the rooms to resume and the takeover token
(``Presence.greeting``); then:

- a refused takeover token (the connection it was for is gone) asks for
  the nickname as ever, nothing of it shown;
- a refused password the client kept is said once, and not sent again;
- once named again, and back in the rooms with what was missed shown,
  the room lines typed into the dropped connection that neither came
  back nor were among what was missed are sent again, once
  (``chatd.client.unechoed``);
- a stall says how many commands typed since the server last answered
  may be lost: they have no echo to prove them.
"""

from typing import Protocol

from chatd.client.liveness import is_pong
from chatd.client.presence import Answer, Presence
from chatd.client.shown import Message
from chatd.client.unechoed import Unechoed
from chatd.text import counted

BACK_TEXT = "chatd-client-back"
"""The text of the ``/ping`` sent on being named again: its pong comes after the rooms and what was missed in them
(replies keep the order of the lines they answer), when the lines the drop may have lost are known."""


class Outlet(Protocol):
    """What coming back needs of the link: where the user is, the lines not seen back, ways to send and say."""

    presence: Presence
    unechoed: Unechoed

    def say(self, text: str) -> None:
        """Show a line of the client's own."""

    def send(self, text: str) -> bool:
        """Send one line as typed, in the order typed; False with no connection."""
        ...

    def send_line(self, text: str) -> bool:
        """Send ``text`` to the server as it is; False with no connection."""
        ...


class Comeback:
    """The link's dues to a dropped connection; ``retry``: a next connection will come (an interactive link)."""

    def __init__(self, link: Outlet, retry: bool) -> None:
        self._link = link
        self._retry = retry

    def named(self) -> None:
        """The server accepted a nickname: if the drop may have lost lines, ask to hear when what was missed is shown."""
        if self._link.unechoed.back():
            self._link.send_line(f"/ping {BACK_TEXT}")

    def back(self, message: Message) -> bool:
        """Whether ``message`` says the user is back in the rooms, shown what was missed: the lines lost go again."""
        if not is_pong(message, BACK_TEXT):
            return False
        self._send_again()
        return True

    def instead_of_takeover(self, answer: Answer) -> bool:
        """Whether ``answer`` refused the takeover token: the nickname is asked for as ever, and nothing is shown."""
        instead = self._link.presence.instead_of_takeover(answer)
        if instead is None:
            return False
        # Nothing of it is shown: the nickname asked for as ever is answered as on any connection.
        self._link.send_line(instead)
        return True

    def refused(self, answer: Answer) -> None:
        """Say so if ``answer`` refused the password the client kept, which it will not send again."""
        if answer.forgotten and self._retry:
            # Piped, the refusal ends the run (PlainIO.answered): there is no next connection to speak of.
            self._link.say(
                f"The server refused the password the client had for {answer.nick}, so it will not send it again: type "
                f"/identify {answer.nick} PASSWORD, or choose another nickname."
            )

    def stalled(self) -> None:
        """The connection stalled: say how many commands typed since the server last answered may not have reached it."""
        unechoed = self._link.unechoed
        if unechoed.commands:
            self._link.say(
                f"The {counted(unechoed.commands, 'command')} typed since the server last answered may not have "
                "reached it: type them again if nothing comes of them."
            )
            unechoed.heard()

    def _send_again(self) -> None:
        """Back in the rooms, shown what was missed: send the lines typed into the dropped connection that neither
        came back nor were shown among what was missed, once; those for a room no longer current are said lost."""
        link = self._link
        again, elsewhere = link.unechoed.take(link.presence.current)
        if again:
            link.say(
                f"Sending again the {counted(len(again), 'line')} the dropped connection did not deliver."
            )
        for text in again:
            link.send(text)
        if elsewhere:
            link.say(
                f"Not sent, as the connection dropped: {counted(elsewhere, 'line')} typed in another room."
            )
