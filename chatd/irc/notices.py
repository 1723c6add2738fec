"""What a NOTICE says of an event IRC has no command for (a ban, a mute, a deletion...), and a KILL's reason.

Words alone, no lines: chatd.irc.event_messages puts them in a NOTICE
from the server, to the room, to everyone or to one user, as the event
asks.
"""

from collections.abc import Callable

from chatd.domain.durations import format_duration
from chatd.domain.events import (
    CHAT,
    BanAdded,
    BanLifted,
    CrowdTallied,
    Deleted,
    Event,
    Killed,
    MessageNotKept,
    Muted,
    NicknameClaimed,
    PasswordSet,
    RoomOperatorAdded,
    RoomOperatorRemoved,
    RoomRegistered,
    RoomRegistrationNotKept,
    RoomUnregistered,
    ShuttingDown,
    Unmuted,
)
from chatd.domain.ids import id_moment
from chatd.irc.lines import timestamp
from chatd.text import elided_file_name, message_not_kept_words, registration_undone_words, tally_words


def killed_reason(event: Killed) -> str:
    """What a KILL's QUIT and ERROR say: who killed, and why."""
    return f"Killed ({event.actor.nick} ({event.reason}))" if event.reason else f"Killed ({event.actor.nick})"


def notice(event: Event) -> str:
    """What a NOTICE says of an event IRC has no command for."""
    match event:
        case BanAdded(target=target, until=until):
            return f"{event.actor.nick} banned {target}" + (
                "" if until is None else f" until {timestamp(until)}"
            )
        case BanLifted(target=target):
            by = "ran out" if event.actor is CHAT else f"lifted by {event.actor.nick}"
            return f"The ban on {target} {by}"
        case Muted(nick=nick, until=until):
            return f"{event.actor.nick} muted {nick}" + (
                "" if until is None else f" until {timestamp(until)}"
            )
        case Unmuted(nick=nick):
            return f"{nick} may speak again"
        case Killed(nick=nick, reason=reason):
            return f"{nick} was killed by {event.actor.nick}" + (f" ({reason})" if reason else "")
        case NicknameClaimed(actor=actor, address=address, tries=tries):
            return f"Someone at {address} tried to take your nickname as {actor.nick} ({tries} tries)"
        case PasswordSet(account=account):
            return f"The IRC operator {event.actor.nick} set a new password for your account {account}; log in with it"
        case MessageNotKept(to=to, reason=reason):
            return message_not_kept_words(to, reason)
        case ShuttingDown(reason=reason):
            return "Server shutting down" + (f": {reason}" if reason else "")
        case RoomRegistered(room=room, account=account):
            return f"{room} is registered to {account}"
        case RoomUnregistered(room=room):
            return f"{room} is no longer registered"
        case RoomOperatorAdded(nick=nick, account=account):
            return f"{event.actor.nick} made {nick} a room operator (account {account})"
        case RoomOperatorRemoved(nick=nick, account=account):
            return f"{event.actor.nick} took room operator from {nick} (account {account})"
        case RoomRegistrationNotKept(room=room, owner=owner, operators=operators):
            return f"{room}: {registration_undone_words(event.actor.nick, owner, operators)}"
        case Deleted(line=line, reason=reason):
            return deleted_words(event.actor.nick, line, event.at, reason)
        case CrowdTallied(joined=joined, left=left, renamed=renamed, members=members):
            return f"Since the last count: {tally_words(joined, left, renamed, members)} (a big room: NAMES lists everyone)"
    raise AssertionError(f"no notice for {type(event).__name__}")


def deleted_words(nick: str, line: str, at: float, reason: str) -> str:
    """What a client that cannot take a line away is told of its deletion by ``nick`` at ``at`` (seconds): how long
    ago the line was sent, as the spec's fallback suggests (an IRC client shows lines in its own time zone), and its
    id, which clients with message-tags hold; never its text."""
    ago = format_duration(at - id_moment(line))
    return f"{nick} deleted a line sent {ago} ago (id {line})" + (f": {reason}" if reason else "")


def offer_words(
    sender: str,
    to: str,
    file: str,
    name: str,
    size: int,
    mime: str,
    sha256: str,
    link: str | None,
    *,
    room: int,
    listed: bool = False,
) -> str:
    """What an IRC user reads of a file ``sender`` offers ``to`` (issue 16): its name, size, type and hash, how to
    fetch it, by ``link`` (made for them alone, good once) if the web port is on, and how to decline it by its id
    ``file`` (chatd.irc.declines): in the offer's NOTICE, and in each FILES lists (chatd.irc.files, ``listed``).

    The offer's NOTICE ends saying FILES lists it again: it comes once, and an IRC user knows of no FILES unless
    told. The words take at most ``room`` bytes, what IRC's 512 leave the NOTICE's text (chatd.irc.lines' ``trailing_room``): a long
    file name is shown cut, with an ellipsis (``elided_file_name``), so that how to decline it still fits; the
    offer's id names it whole."""
    fetch = f"fetch it at {link} (a link for you alone, good once) or with" if link else "fetch it with"
    again = "" if listed else "; send FILES to list it again"

    def words(shown: str) -> str:
        return (
            f'{sender} offers {to} "{shown}" ({size} bytes, {mime}, sha256 {sha256}): {fetch} the bundled client'
            f" (python -m chatd.client) or the web page; FILES DECLINE {file} declines it{again}"
        )

    return _fitted(words, name, room)


def own_offer_words(to: str, file: str, name: str, size: int, mime: str, sha256: str, *, room: int) -> str:
    """What the sender's own IRC connections read of their offer to ``to``: what went out and how to withdraw it.

    Not how to fetch or decline it, as its recipients are told: declining
    one's own offer is refused (it is not offered to oneself), and an offer
    is made and withdrawn from the line port or the page alone. In at most
    ``room`` bytes, as ``offer_words``."""

    def words(shown: str) -> str:
        return (
            f'You offered {to} "{shown}" ({size} bytes, {mime}, sha256 {sha256}): the bundled client or the web'
            f" page withdraws it (/file cancel {file})"
        )

    return _fitted(words, name, room)


def _fitted(words: Callable[[str], str], name: str, room: int) -> str:
    """``words`` of the file ``name``, in at most ``room`` bytes if cutting the name can make them fit."""
    text = words(name)
    over = len(text.encode()) - room
    return text if over <= 0 else words(elided_file_name(name, len(name.encode()) - over))
