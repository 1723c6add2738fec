"""SEARCH (``soju.im/search``): a room's search from an IRC client, the one ``/search`` runs on the line protocol.

``SEARCH in=#room;text=words`` (the attributes written as message tags are,
escapes and all: gamja sends them so) asks ``Chat.search`` through
chatd.frontend.searches, with its rules: only the room's members search it,
a query holds 1 to 8 words, and a word under three characters scans the
room's last lines at a burst of flood budget, in its host's turn. The
answer is the newest ``SEARCH_HITS`` lines holding every word, as the
PRIVMSGs they were (their ``time`` and ``msgid`` tags with server-time and
message-tags: CHATHISTORY AROUND shows one in context), oldest first, in a
``soju.im/search`` batch if the client took ``batch``. ``after`` and
``before`` bound the search itself, as soju's do (neither time's own
millisecond is in it, as CHATHISTORY's AFTER and BEFORE): the newest hits
before a time, so a client pages back with ``before=`` the time of the
oldest hit it has. ``from`` and ``limit`` narrow the hits found.
``in=nick`` searches the private messages between the client's identified
account and ``nick``'s, as ``/search @nick`` does (the extension allows a
nick target), answered as PRIVMSGs between the two. Every refusal is ``FAIL SEARCH
INVALID_PARAMS`` naming the attribute, as the extension has it.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from chatd.domain.errors import ChatError, NotIdentifiedError, NotMemberError, SearchWordsError
from chatd.domain.events import RoomEvent, Whispered
from chatd.domain.search import SEARCH_HITS, period_between
from chatd.frontend import searches
from chatd.frontend.flood import ENTRIES_PER_LINE
from chatd.frontend.points import time_of
from chatd.irc.history import framed
from chatd.irc.lines import Shape
from chatd.irc.message import Message, parse_tags
from chatd.irc.wording import refusal
from chatd.text import counted, fold, number_up_to

if TYPE_CHECKING:
    from chatd.irc.session import IRCSession, Waiting

ATTRIBUTES = frozenset({"in", "text", "from", "after", "before", "limit"})
"""What SEARCH takes: the extension's attributes, each of which it must recognise."""


def search(session: "IRCSession", message: Message) -> "Waiting":
    """SEARCH in=#room|nick;text=words[;from=nick][;after=T][;before=T][;limit=N]."""
    asked = parse_tags(message.params[0])
    unknown = sorted(set(asked) - ATTRIBUTES)
    if unknown:
        return _invalid(session, unknown[0], "SEARCH takes in, text, from, after, before and limit")
    target, text = asked.get("in", ""), asked.get("text", "")
    if not target:
        return _invalid(session, "in", "Name what to search: in=#room, or in=nick for your private messages")
    if not text.strip():
        return _invalid(session, "text", "Give the words to look for: text=words")
    untimely = [name for name in ("after", "before") if name in asked and time_of(asked[name]) is None]
    if untimely:
        return _invalid(session, untimely[0], "A time is written YYYY-MM-DDThh:mm:ss.sssZ")
    after, before = (time_of(asked[name]) if name in asked else None for name in ("after", "before"))
    # No limit keeps every hit: a search answers SEARCH_HITS at most.
    most = number_up_to(asked["limit"], SEARCH_HITS) if "limit" in asked else SEARCH_HITS
    if not most:
        return _invalid(session, "limit", "The limit must be a number above 0")
    sender = fold(asked["from"]) if "from" in asked else None

    def answer(_: str, events: Sequence[RoomEvent | Whispered], scan: bool) -> None:
        kept = [event for event in reversed(events) if sender is None or fold(event.actor.nick) == sender]
        hits = kept[-most:]
        session.write(_batch(session, hits))
        if not scan:
            session.charge_answer(len(hits) // ENTRIES_PER_LINE)

    private = not target.startswith("#")
    try:
        return searches.search(
            session, target, text, answer, private=private, period=period_between(after, before)
        )
    except SearchWordsError as error:
        return _invalid(
            session, "text", f"A search looks for 1 to {counted(error.most, 'word')}, not {error.count}"
        )
    except NotMemberError:
        return _invalid(session, "in", f"Join {target} first: only its members search it")
    except NotIdentifiedError:
        return _invalid(
            session,
            "in",
            "Identify first: private messages are searched by their two identified accounts alone",
        )
    except ChatError as error:
        return _invalid(session, "in", refusal(error, "SEARCH", target)[1][-1])


def _invalid(session: "IRCSession", attribute: str, why: str) -> "Waiting":
    """``FAIL SEARCH INVALID_PARAMS attribute :why``, the extension's refusal; nothing to wait for."""
    session.fail("SEARCH", "INVALID_PARAMS", attribute, why)
    return None


def _batch(session: "IRCSession", hits: Sequence[RoomEvent | Whispered]) -> bytes:
    """``hits`` as the PRIVMSGs they were, in a ``soju.im/search`` batch if the client takes batches."""
    render, shape = session.factory.events.render, Shape(session.shape)
    return framed(
        session,
        ("soju.im/search",),
        lambda reference: b"".join(render(hit, shape, reference) for hit in hits),
    )
