"""FILES DECLINE: an IRC user refuses the files offered to them, one by its id or all at once (issue 16).

An offer waits for its recipient a week (``--file-keep``), and one person
has at most 256 waiting from everyone (``FileLimits.waiting_offers``): a
page or the bundled client declines those it does not want, and frees their
places, but an IRC user could only fetch them, so 16 senders could keep
everyone else's files from them for a week. ``FILES DECLINE ID`` declines
one as ``/file decline ID`` does (``Transfers.decline_elsewhere``: its
sender is told, the user's other connections see it end), ``FILES DECLINE
*`` every one open to them (``Transfers.offers_to``, what FILES lists),
charged flood budget by how many as FILES's listing is. The id is in each
offer's NOTICE and each line FILES lists (chatd.irc.notices).
"""

from typing import TYPE_CHECKING

from chatd.domain.file_replies import FileEntry
from chatd.domain.ids import event_id
from chatd.frontend.flood import file_listing_lines
from chatd.text import counted

if TYPE_CHECKING:
    from chatd.irc.session import IRCSession

EVERY = "*"
"""What ``FILES DECLINE`` takes for every offer open to the user, as IRC's masks mean anything by it."""


def decline(session: "IRCSession", file: str) -> None:
    """Decline the offer ``file`` open to the session's user, or every one (``EVERY``), saying what became of it in
    a NOTICE; an id not open to them is one FAIL, and changes nothing."""
    engine = session.factory.files
    offers = [] if engine is None else engine.offers_to(session.me())
    if file == EVERY:
        _decline_every(session, offers)
        return
    folded = event_id(file)  # an id in upper case names the offer its lower-case form does, as /file's do
    named = [offer for offer in offers if offer.file == folded]
    if not named:
        session.fail(
            "FILES", "INVALID_PARAMS", file, "No such file is offered to you; FILES lists those that are"
        )
        return
    [offer] = named
    what = _what(offer)
    if _declined(session, offer):
        session.server_notice(f"You declined {what}")
    else:
        session.server_notice(f"You are fetching {what} on another connection: stop it there to decline it")


def _decline_every(session: "IRCSession", offers: list[FileEntry]) -> None:
    """Decline each of ``offers``, all those open to the user, in one NOTICE; charged as FILES is (``file_listing_lines``)."""
    if not offers:
        session.server_notice("No file is offered to you")
        return
    declined = sum(_declined(session, offer) for offer in offers)
    text = f"You declined {counted(declined, 'file offer')}"
    if not declined:
        text = "Nothing was declined: another connection of yours is fetching every file offered to you"
    elif declined < len(offers):
        text += f" of {len(offers)}: another connection of yours is fetching the rest"
    session.server_notice(text)
    session.charge_answer(file_listing_lines(len(offers)))


def _declined(session: "IRCSession", offer: FileEntry) -> bool:
    """Decline ``offer`` on ``session``; False if another connection of the user is fetching it, which goes on."""
    engine = session.factory.files
    assert engine is not None, "an offer was listed, so files are on"
    return engine.decline_elsewhere(session, session.me(), offer.file)


def _what(offer: FileEntry) -> str:
    """``offer`` as a NOTICE names it: whose, which file, to whom."""
    return f'{offer.nick}\'s offer of "{offer.name}" to {offer.to}'
