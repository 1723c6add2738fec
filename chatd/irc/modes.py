"""Room modes over IRC: MODE on a room, INVITE, and how a room's settings and standing read as letters.

The chat keeps a room's settings and each member's standing in words of
its own (chatd.domain.events' ``Setting``); IRC's letters map onto them
here, both ways: ``+i`` invite-only, ``+k`` a key, ``+l`` a member limit,
``+m`` moderated, ``+s`` secret, ``+R`` registered users only and ``+M``
only they speak (Ergo's letters), ``+o`` and ``+v`` a member's operator
standing and voice, ``+b`` a ban mask (``CHANMODES=b,k,l,MRimnst``,
``PREFIX=(ov)@+``). ``+t`` is the chat's topic lock, ``+n`` always holds.
A MODE's changes go to the chat as one request, all or nothing, and come
back to every member as one MODE line; ``+t``, which the chat keeps apart
from the room's modes, follows as a line of its own when it changes.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from chatd.domain.events import ModeChange, Setting
from chatd.domain.replies import RoomModes
from chatd.frontend.held import awaited
from chatd.irc import numerics as n
from chatd.irc.message import Message

if TYPE_CHECKING:
    from chatd.irc.session import IRCSession, Waiting

LETTERS = {
    Setting.INVITE_ONLY: "i",
    Setting.KEY: "k",
    Setting.LIMIT: "l",
    Setting.MODERATED: "m",
    Setting.SECRET: "s",
    Setting.REGISTERED_ONLY: "R",
    Setting.REGISTERED_SPEECH: "M",
    Setting.OPERATOR: "o",
    Setting.VOICE: "v",
    Setting.BAN: "b",
}
"""Each setting's IRC mode letter."""

SETTINGS = {letter: setting for setting, letter in LETTERS.items()}

_ALWAYS_ARGUMENT = frozenset("kovb")
"""Letters that take an argument both ways (CHANMODES' lists and keys, and PREFIX)."""

MODES_MOST = 4
"""Changes with an argument one MODE may make (ISUPPORT ``MODES``)."""


def mode_string(changes: Sequence[ModeChange]) -> tuple[str, ...]:
    """``+kl-v key 10 bob``: ``changes`` as a MODE line's parameters."""
    letters = ""
    arguments = []
    sign = ""
    for change in changes:
        wanted = "+" if change.on else "-"
        if wanted != sign:
            letters += wanted
            sign = wanted
        letters += LETTERS[change.setting]
        if change.argument:
            arguments.append(change.argument)
        elif change.setting is Setting.KEY:
            arguments.append("*")
    return (letters, *arguments)


def settings(modes: RoomModes) -> tuple[str, ...]:
    """A room's settings as 324 shows them: ``+nt`` and the key and limit after."""
    flags = "n" + "".join(
        letter
        for letter, on in (
            ("t", modes.topic_locked),
            ("i", modes.invite_only),
            ("m", modes.moderated),
            ("s", modes.secret),
            ("R", modes.registered_only),
            ("M", modes.registered_speech),
        )
        if on
    )
    arguments = []
    if modes.keyed:
        flags += "k"
        arguments.append(modes.key or "*")
    if modes.limit:
        flags += "l"
        arguments.append(str(modes.limit))
    return (f"+{flags}", *arguments)


def room_mode(session: "IRCSession", name: str, params: Sequence[str]) -> "Waiting":
    """MODE #room [changes [arguments]]: show, list bans, or change."""
    chat = session.chat
    if not chat.has_room(name):
        session.reply(n.ERR_NOSUCHCHANNEL, name, "No such channel")
        return None
    me = session.me()
    if not params:
        modes = chat.room_modes(name, me)
        session.reply(n.RPL_CHANNELMODEIS, modes.room, *settings(modes), text=False)
        return None
    if params[0].lstrip("+") == "b" and len(params) == 1:
        listing = chat.room_bans(me, name)
        for ban in listing.bans:
            session.reply(n.RPL_BANLIST, listing.room, ban.mask, ban.by, str(int(ban.at)), text=False)
        session.reply(n.RPL_ENDOFBANLIST, listing.room, "End of channel ban list")
        return None
    parsed = _parse(session, params[0], list(params[1:]))
    if parsed is None:
        return None
    locks = [on for letter, on, _ in parsed if letter == "t"]
    changes = [
        ModeChange(SETTINGS[letter], on, argument) for letter, on, argument in parsed if letter not in "tn"
    ]
    # All or none: the changes are checked together (and the asker's authority, even when there are none);
    # the topic lock, kept apart from the room's modes, follows (if it changes: the chat says nothing otherwise).
    changed = chat.change_room(me, name, changes)
    if locks:
        chat.lock_topic(me, name, locks[-1])
    return None if changed.kept is None else awaited(changed.kept)


def _parse(session: "IRCSession", letters: str, arguments: list[str]) -> list[tuple[str, bool, str]] | None:
    """Each letter with its sign and argument; None, once what is wrong is answered, and then nothing of the
    MODE is made: each unknown letter 472, more than ``MODES_MOST`` letters that take an argument one FAIL
    (``TOO_MANY_MODES``), else letters short of their arguments one 461."""
    on = True
    wanted = 0
    parsed = []
    refused = short = False
    for letter in letters:
        if letter in "+-":
            on = letter == "+"
            continue
        if letter not in SETTINGS and letter not in "tn":
            session.reply(n.ERR_UNKNOWNMODE, letter, "is unknown mode char to me")
            refused = True
            continue
        argument = ""
        if letter in _ALWAYS_ARGUMENT or (letter == "l" and on):
            if arguments:
                argument = arguments.pop(0)
                wanted += 1
            elif letter != "k" or on:  # -k takes its key or none (docs/PROTOCOL.md)
                wanted += 1
                short = True
                continue
        parsed.append((letter, on, argument))
    if wanted > MODES_MOST:
        # Ergo sets no such cap and ngIRCd silently drops what is past it; chatd makes a MODE whole or not at all
        # (docs/IRC.md), so the whole MODE is refused, saying why: 461 said arguments were missing.
        session.fail(
            "MODE",
            "TOO_MANY_MODES",
            f"At most {MODES_MOST} mode changes with a parameter in one MODE (MODES={MODES_MOST}); nothing changed",
        )
        return None
    if short:
        session.reply(n.ERR_NEEDMOREPARAMS, "MODE", "Not enough parameters")
    return None if refused or short else parsed


def invite(session: "IRCSession", message: Message) -> "Waiting":
    """INVITE nick #room: 341 to the inviter; the one invited (and the room's operators with invite-notify) read INVITE."""
    nick, room = message.params[0], message.params[1]
    session.chat.invite(session.me(), room, nick)
    shown = session.chat.online(nick)
    session.reply(n.RPL_INVITING, shown, session.chat.topic(room).room, text=False)
    return None
