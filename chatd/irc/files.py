"""FILES: the files still offered to an IRC user, listed again (issue 16).

IRC carries no file: an offer reaches an IRC user as one NOTICE from the
server, with a link of their own when the web port is on, and a member who
was in the channel as it was made is never sent it again. Once that NOTICE
scrolled away, or its link's hour ran out, FILES finds the offer again: one
NOTICE for each offer open to them, as the line protocol's ``/file list``
shows it a session of theirs (``Transfers.offers_to``: to their nickname or
a channel, not yet fetched, declined or stopped by them), worded as the
offer's and with a link made for them by the offer's own machinery
(``Transfers.link_for``: the one made before while it is good, kept with
``--db`` across a restart), then one NOTICE that ends the list.
``FILES #room`` lists those offered in one channel.

At most ``FILES_SHOWN`` are listed, the oldest first (they expire first),
and the closing NOTICE says how many more wait: each line costs flood
budget as ``/file list``'s does (``file_listing_lines``), and each link it names
is one more kept for an hour, so an answer is bounded as SEARCH's is.
"""

from typing import TYPE_CHECKING

from chatd.domain.errors import InvalidRoomNameError
from chatd.domain.file_replies import FileEntry
from chatd.domain.names import check_room_name
from chatd.frontend.flood import file_listing_lines
from chatd.irc.declines import EVERY, decline
from chatd.irc.lines import trailing_room
from chatd.irc.message import Message
from chatd.irc.notices import offer_words
from chatd.text import fold

if TYPE_CHECKING:
    from chatd.irc.session import IRCSession, Waiting

FILES_SHOWN = 20
"""Most offers one FILES lists: some 450 bytes each with its link, 9 KB in all, as SEARCH answers 20 lines."""

USAGE = (
    "FILES lists the files offered to you; FILES #room, those offered in #room; FILES DECLINE ID declines one,"
    " FILES DECLINE * all"
)
"""Why FILES with anything but one channel, or DECLINE and one id or ``*``, is refused."""


def files(session: "IRCSession", message: Message) -> "Waiting":
    """FILES [#room]: a NOTICE for each offer open to the user (in ``#room``), then one that ends the list;
    FILES DECLINE ID|*: decline one, or all (chatd.irc.declines)."""
    params = message.params
    if params and params[0].upper() == "DECLINE" and len(params) == 2:
        decline(session, params[1])
        return None
    if len(params) > 1 or (params and not _channel(params[0])):
        session.fail("FILES", "INVALID_PARAMS", params[-1], USAGE)
        return None
    room = params[0] if params else None
    me = session.me()
    engine = session.factory.files
    offers = [] if engine is None else engine.offers_to(me)
    if room is not None:
        offers = [offer for offer in offers if fold(offer.to) == fold(room)]
    shown = offers[:FILES_SHOWN]
    fits = trailing_room(
        Message(source=session.factory.server_name, command="NOTICE", params=(session.shown, ""))
    )
    if engine is not None:
        for offer in shown:
            session.server_notice(_listed(offer, engine.link_for(offer.file, me), fits))
    session.server_notice(_end(len(shown), len(offers), room))
    session.charge_answer(file_listing_lines(len(shown)))
    return None


def _channel(word: str) -> bool:
    """Whether ``word`` could name one channel: ``#a,#b`` (IRC's list of two) or ``#`` is no channel, and was
    answered as if one with no offers, ``No file is offered to you in #a,#b``."""
    try:
        check_room_name(word, None)
    except InvalidRoomNameError:
        return False
    return True


def _listed(offer: FileEntry, link: str | None, room: int) -> str:
    """``offer`` in the words of its own NOTICE, with ``link`` if any, in ``room`` bytes."""
    return offer_words(
        offer.nick,
        offer.to,
        offer.file,
        offer.name,
        offer.size,
        offer.mime,
        offer.sha256,
        link,
        room=room,
        listed=True,
    )


def _end(shown: int, open_: int, room: str | None) -> str:
    """The NOTICE that ends a FILES answer of ``shown`` offers of the ``open_`` open to the user (in ``room``)."""
    where = "" if room is None else f" in {room}"
    if not open_:
        return f"No file is offered to you{where}"
    every = f"; FILES DECLINE {EVERY} declines every file offered to you"
    if shown == open_:
        return f"End of file offers: {open_} open to you{where}{every}"
    narrow = "" if room is not None else "; FILES #room lists those of one channel"
    return f"End of file offers: the oldest {shown} of {open_} open to you{where}{narrow}{every}"
