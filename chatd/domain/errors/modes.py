"""Refusals by a room's settings, standing and invites (issue 15): its key, invite-only, member limit,
ban masks, moderation and registered users only."""

from dataclasses import dataclass

from chatd.domain.errors.base import ChatError


@dataclass(eq=False)
class RoomKeyError(ChatError):
    """The room ``room`` takes a key to join, and the join gave none or another."""

    code = "room-key"
    room: str


@dataclass(eq=False)
class InviteOnlyError(ChatError):
    """The room ``room`` is invite-only, and the user joining was not invited (nor has authority there)."""

    code = "invite-only"
    room: str


@dataclass(eq=False)
class RegisteredOnlyError(ChatError):
    """The room ``room`` lets only users identified to an account join, and the user joining is not (nor has
    authority there)."""

    code = "registered-only"
    room: str


@dataclass(eq=False)
class RoomFullError(ChatError):
    """The room ``room`` has ``limit`` members already, as many as its limit allows."""

    code = "room-full"
    room: str
    limit: int


@dataclass(eq=False)
class BannedFromRoomError(ChatError):
    """A ban mask of the room ``room`` covers the user: they may not join it, nor speak in it if in it."""

    code = "banned-from-room"
    room: str


@dataclass(eq=False)
class ModeratedError(ChatError):
    """The room ``room`` is moderated: only its operators and voiced members speak."""

    code = "moderated"
    room: str


@dataclass(eq=False)
class RegisteredSpeechError(ChatError):
    """The room ``room`` lets only members identified to an account speak, and voiced members and its
    operators; the user speaking is none of them."""

    code = "registered-speech"
    room: str


@dataclass(eq=False)
class UserInRoomError(ChatError):
    """An invite of ``nick``, who is in the room ``room`` already."""

    code = "user-in-room"
    nick: str
    room: str


@dataclass(eq=False)
class InvalidRoomKeyError(ChatError):
    """``key`` cannot be a room's key: 1 to ``limit`` characters, none of them a space, comma or control."""

    code = "bad-room-key"
    key: str
    limit: int


@dataclass(eq=False)
class InvalidRoomLimitError(ChatError):
    """``text`` is not a member limit: a whole number from 1 to ``most``."""

    code = "bad-room-limit"
    text: str
    most: int


@dataclass(eq=False)
class InvalidMaskError(ChatError):
    """``mask`` is not a ban mask: ``nick!user@host`` (parts may be left out), at most ``limit`` characters,
    with no empty part and no space, comma or control character."""

    code = "bad-mask"
    mask: str
    limit: int


@dataclass(eq=False)
class TooManyRoomBansError(ChatError):
    """The room ``room`` has ``most`` ban masks already, as many as a room may keep."""

    code = "too-many-room-bans"
    room: str
    most: int
