"""A change to a registered room, kept until the store answers for it, and undone if the store cannot keep it.

A change is made in memory and shown at once; if the store then cannot
keep it (a full disk), it is undone, as an account's is
(chatd.domain.identity). Memory is put back to the registration the store
last answered for with the changes it has yet to answer for on top, so
changes failing together or one by one, before or after others are kept,
leave memory as the file will be (``RoomRegistrationNotKept`` to the
room's members, ``RoomNotKeptError`` to the asker). A change of settings
it cannot keep is undone as the chat's own ``RoomModesChanged``, a mask
it set again as it was set (``restored``).

Apart from the requests (chatd.domain.registry), which decide what
changes and who may ask: this is what becomes of a change once asked, the
same for a registration, its operators and its settings.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from functools import reduce

from chatd.domain.errors import RoomNotKeptError
from chatd.domain.events import CHAT, RoomModesChanged, RoomRegistrationNotKept, Setting
from chatd.domain.publish import Publisher
from chatd.domain.room_settings import NO_SETTINGS, RoomSettings
from chatd.domain.rooms import RegisteredRoom, Registration, Room
from chatd.domain.state import ChatState
from chatd.domain.users import User
from chatd.text import fold

_Change = Callable[[RegisteredRoom | None], RegisteredRoom | None]
"""One change to a room's registration (None: not registered), as a store applies it."""


@dataclass(eq=False)
class _Unanswered:
    """A room's registration as the store last answered for it, and the changes made since, oldest first."""

    kept: RegisteredRoom | None
    changes: list[_Change]


_SERVER = ""
"""The owner a server's room is noted under while the store keeps its settings
(``RegistrationChanges._as_stored``): no account, as none may own it. No change but of its settings is made to it,
so no registration is put back."""


def _as_kept(registration: Registration | None, settings: RoomSettings) -> RegisteredRoom | None:
    """The chat's ``registration`` of a room set as ``settings``, as a store keeps one."""
    return (
        None
        if registration is None
        else RegisteredRoom(
            registration.name, registration.owner, frozenset(registration.operators), settings
        )
    )


def _unset(kept: RegisteredRoom | None) -> RegisteredRoom | None:
    """``kept`` without its settings: what ``RoomRegistrationNotKept`` says."""
    return None if kept is None else replace(kept, settings=NO_SETTINGS)


class RegistrationChanges:
    """Each change to a room's registration or settings, from made in memory to kept by the store or undone."""

    def __init__(self, state: ChatState, seam: Publisher) -> None:
        self._state = state
        self._seam = seam
        self._unanswered: dict[str, _Unanswered] = {}
        """Per room with changes the store has not answered for, what it answered last and those changes."""

    def changed(
        self,
        by: User,
        key: str,
        shown: str,
        change: _Change,
        written: Awaitable[None],
        settings: bool = False,
    ) -> Awaitable[None]:
        """Note ``change`` to room ``key`` (shown as ``shown``), which the store answers for with ``written``;
        ``settings``: a change of the room's settings, not of its registration.

        Called once the store has it and before the chat makes it, so a
        room's first unanswered change finds the registration as kept. The
        result is to be awaited, as every caller does: it fails with
        ``RoomNotKeptError`` once the change is undone.
        """
        unanswered = self._unanswered.get(key)
        if unanswered is None:
            unanswered = self._unanswered[key] = _Unanswered(
                self._as_stored(key, self._state.rooms.settings(key)), []
            )
        unanswered.changes.append(change)
        return self._answered(by, key, shown, unanswered, change, written, settings)

    async def _answered(
        self,
        by: User,
        key: str,
        shown: str,
        unanswered: _Unanswered,
        change: _Change,
        written: Awaitable[None],
        settings: bool,
    ) -> None:
        """Wait for the store to keep ``change``; if it cannot, put the registration back as it will be, and refuse."""
        try:
            await written
        except Exception:
            unanswered.changes.remove(change)
            # The room may have emptied meanwhile, a server's room's last seq then forgotten (chatd.storage.last_seqs).
            while (reading := self._seam.seq_known(key)) is not None:
                await reading
            self._put_back(by, key, unanswered)
            raise RoomNotKeptError(shown, settings) from None
        else:
            unanswered.kept = change(unanswered.kept)
            unanswered.changes.remove(change)
        finally:
            if not unanswered.changes and self._unanswered.get(key) is unanswered:
                del self._unanswered[key]

    def _put_back(self, by: User, key: str, unanswered: _Unanswered) -> None:
        """Make room ``key``'s registration what the store keeps with the changes still unanswered, if it differs."""
        wanted = reduce(lambda kept, change: change(kept), unanswered.changes, unanswered.kept)
        if _unset(wanted) != self._as_stored(key, NO_SETTINGS):
            self._registration_put_back(by, key, wanted, self._state.rooms.registered.get(key))
        if wanted is not None:
            self._settings_put_back(by, key, wanted)

    def _as_stored(self, key: str, settings: RoomSettings) -> RegisteredRoom | None:
        """Room ``key`` set as ``settings``, as the store keeps it: its registration, a server's room under no
        account (``_SERVER``), else None."""
        registration = self._state.rooms.registered.get(key)
        if registration is not None:
            return _as_kept(registration, settings)
        name = self._state.rooms.server_name(key)
        return None if name is None else RegisteredRoom(name, _SERVER, settings=settings)

    def _registration_put_back(
        self, by: User, key: str, wanted: RegisteredRoom | None, held: Registration | None
    ) -> None:
        """Make room ``key``'s registration, now ``held``, ``wanted``'s (its owner and operators)."""
        room = self._state.rooms.by_key.get(key)
        named = wanted or _as_kept(held, NO_SETTINGS)
        assert named is not None  # they differ, so one is a registration
        operators = frozenset() if wanted is None else wanted.operators
        given, taken = ((), ()) if room is None else self._standing(room, held, operators)
        id, at = self._seam.stamp()
        event = RoomRegistrationNotKept(
            id=id,
            at=at,
            actor=by.actor,
            room=named.name if room is None else room.name,
            owner=None if wanted is None else wanted.owner,
            operators=tuple(sorted(operators)),
            given=given,
            taken=taken,
        )
        members = [] if room is None else list(room.members.values())
        self._seam.publish(event, members if by in members or not by.online else [*members, by])

    def _settings_put_back(self, by: User, key: str, wanted: RegisteredRoom) -> None:
        """Set room ``key`` as ``wanted`` is, if it is not: the chat's own change, to its members and ``by``; a
        mask set again is as ``wanted`` has it, by whom and when it was set."""
        changes = self._state.rooms.settings(key).changes_to(wanted.settings)
        if not changes:
            return
        room = self._state.rooms.by_key.get(key)
        shown = wanted.name if room is None else room.name
        again = {change.argument for change in changes if change.setting is Setting.BAN and change.on}
        id, at = self._seam.stamp()
        event = RoomModesChanged(
            id=id,
            at=at,
            actor=CHAT,
            room=shown,
            seq=self._seam.next_seq(shown),
            changes=changes,
            restored=tuple(ban for ban in wanted.settings.bans if ban.mask in again),
        )
        members = [] if room is None else list(room.members.values())
        self._seam.publish(event, members if by in members or not by.online else [*members, by])

    def _standing(
        self, room: Room, held: Registration | None, operators: frozenset[str]
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The members of live ``room`` who get and who lose its operator standing as its operators go from
        ``held``'s to ``operators``: whoever is identified to an account added or dropped, and in the room,
        as /op and /deop give and take it, if they hold it not already or still."""
        given: list[str] = []
        taken: list[str] = []
        for account in sorted(operators.symmetric_difference(() if held is None else held.operators)):
            user = self._state.users.by_account.get(account)
            if user is None or fold(user.nick) not in room.members:
                continue
            on = account in operators
            if on != (user in room.operators):
                (given if on else taken).append(user.nick)
        return tuple(given), tuple(taken)
