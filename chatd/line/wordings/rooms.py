"""The refusals of rooms' settings, standing and invites (issue 15): keys, limits, bans, moderation."""

from chatd.domain.errors import (
    BannedFromRoomError,
    InvalidMaskError,
    InvalidRoomKeyError,
    InvalidRoomLimitError,
    InviteOnlyError,
    ModeratedError,
    RegisteredOnlyError,
    RegisteredSpeechError,
    RoomFullError,
    RoomKeyError,
    TooManyRoomBansError,
    UserInRoomError,
)
from chatd.line.wordings import Row, quoted, row
from chatd.text import counted

ROOMS: tuple[Row, ...] = (
    # Room settings, standing and invites (issue 15).
    row(RoomKeyError, lambda e: f"{e.room} takes a key to join; /join {e.room} KEY"),
    row(InviteOnlyError, lambda e: f"{e.room} is invite-only; ask one of its operators to /invite you"),
    row(RoomFullError, lambda e: f"{e.room} is full: it takes at most {counted(e.limit, 'member')}"),
    row(BannedFromRoomError, lambda e: f"you are banned from {e.room}"),
    row(
        ModeratedError,
        lambda e: f"{e.room} is moderated: only its operators and voiced members speak",
    ),
    row(
        RegisteredOnlyError,
        lambda e: f"{e.room} lets in only users identified to an account: /register or /identify first",
    ),
    row(
        RegisteredSpeechError,
        lambda e: f"{e.room} lets only members identified to an account speak: /register or /identify first",
    ),
    row(UserInRoomError, lambda e: f"{e.nick} is in {e.room} already"),
    row(
        InvalidRoomKeyError,
        lambda e: (
            f"{quoted(e.key)} cannot be a key: 1 to {counted(e.limit, 'character')}, no spaces or commas"
        ),
    ),
    row(
        InvalidRoomLimitError,
        lambda e: f"{quoted(e.text)} is not a member limit: write a whole number from 1 to {e.most}",
    ),
    row(
        InvalidMaskError,
        lambda e: (
            f"{quoted(e.mask)} is not a ban mask: write nick!user@host with * and ? (at most "
            f"{counted(e.limit, 'character')}, no spaces or commas)"
        ),
    ),
    row(
        TooManyRoomBansError,
        lambda e: f"{e.room} has {counted(e.most, 'ban mask')} already, the most it keeps; lift one first",
    ),
)
"""Rooms' settings' refusals' wordings, rows of ``chatd.line.wording.WORDINGS``."""
