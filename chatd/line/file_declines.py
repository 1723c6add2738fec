"""``/file decline *``: a line session declines every offer open to its user at once (issue 16).

One person has at most 256 offers waiting from everyone
(``FileLimits.waiting_offers``), 16 from each sender, open a week: a user
flooded by 16 senders declined them one ``/file decline ID`` at a time, and
those from someone they ``/ignore``, hidden from ``/file list``, they could
not name at all, yet each held one of their places. IRC's ``FILES DECLINE
*`` (chatd.irc.declines) is the same for an IRC user.

Each offer open to them (``Transfers.offers_to``: every one, those hidden
by ``/ignore`` too, not their own) is declined as ``/file decline ID``
declines it (``Transfers.decline``): its sender is told, and each of their
other sessions, while one another session of theirs is fetching goes on.
This session is told of each too (``tell_peer``), bar those it was not
shown: its client named no offer, and learns so which of those it shows
ended. Then one notice says how many, charged as ``/file list`` is
(``file_listing_lines``).
"""

from typing import TYPE_CHECKING

from chatd.frontend.transfer_parts import named_user
from chatd.frontend.transfers import Transfers
from chatd.line.render import Notice
from chatd.text import counted

if TYPE_CHECKING:
    from chatd.line.session import LineSession

EVERY = "*"
"""What ``/file decline`` takes for every offer open to the user: never an id, which is hex digits."""


def decline_every(session: "LineSession", files: Transfers) -> None:
    """Decline every offer open to ``session``'s user, then say how many in one notice (``declined_notice``)."""
    offers = files.offers_to(named_user(session))
    declined = sum(files.decline(session, offer.file, tell_peer=True) for offer in offers)
    session.send(declined_notice(declined, len(offers) - declined))
    session.charge_file_listing(len(offers))


def declined_notice(declined: int, fetching: int) -> Notice:
    """The answer to ``/file decline *``: ``declined`` offers declined, ``fetching`` left to another session of the
    user's that is fetching them."""
    if not declined and not fetching:
        text = "No file is offered to you."
    elif not declined:
        text = f"Nothing was declined: another connection of yours is fetching {_them(fetching)}, left to it."
    else:
        text = f"You declined {counted(declined, 'file offer')}"
        if fetching:
            text += f"; another connection of yours is fetching {counted(fetching, 'other')}, left to it"
        text += "."
    return Notice("files_declined", text, {"count": declined, "fetching": fetching})


def _them(fetching: int) -> str:
    """The offers another session is fetching, when they are all there are."""
    return "the one file offered to you" if fetching == 1 else f"the {fetching} files offered to you"
