"""A room's settings: its modes but the standing of members, and its ban masks; and the changes between two.

A live room holds them while it has members (chatd.domain.rooms), a room
that outlives its members keeps them while it is empty, and a store
(``RoomStore``) across a restart, so a registered or a server's room is
as its owner or host set it. A ``/mode`` changes them one way wherever
they are: ``RoomSettings.changed`` makes the new value; a room set back
as the store keeps it (a registration it refused, chatd.domain.registry)
is told as the changes ``RoomSettings.changes_to`` gives.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace

from chatd.domain.events import ModeChange, RoomBan, Setting
from chatd.domain.masks import mask_key


@dataclass(frozen=True, slots=True)
class RoomSettings:
    """A room's settings (its modes but the standing of members, and its ban masks, oldest first), as a live
    room holds them, a room that outlives its members keeps them while empty and a store across restarts. The
    defaults are a new room's."""

    invite_only: bool = False
    key: str = ""
    limit: int = 0
    moderated: bool = False
    secret: bool = False
    bans: tuple[RoomBan, ...] = ()
    registered_only: bool = False
    registered_speech: bool = False

    def changed(
        self, changes: Iterable[ModeChange], by: str, at: float, restored: Iterable[RoomBan] = ()
    ) -> "RoomSettings":
        """These settings after ``changes`` (checked, in normal form) by nickname ``by`` at ``at``; changes of
        standing leave them as they are. A mask set that ``restored`` holds (``RoomModesChanged.restored``) is
        as it was set, by whom and when, and back in its place among the others (oldest first, by when set)."""
        settings = self
        again = {mask_key(ban.mask): ban for ban in restored}
        # The masks by key, worked out at the first change of one: most changes are of flags or standing.
        bans = {mask_key(ban.mask): ban for ban in self.bans} if again else None
        for change in changes:
            match change.setting:
                case Setting.INVITE_ONLY:
                    settings = replace(settings, invite_only=change.on)
                case Setting.MODERATED:
                    settings = replace(settings, moderated=change.on)
                case Setting.SECRET:
                    settings = replace(settings, secret=change.on)
                case Setting.REGISTERED_ONLY:
                    settings = replace(settings, registered_only=change.on)
                case Setting.REGISTERED_SPEECH:
                    settings = replace(settings, registered_speech=change.on)
                case Setting.KEY:
                    settings = replace(settings, key=change.argument if change.on else "")
                case Setting.LIMIT:
                    settings = replace(settings, limit=int(change.argument) if change.on else 0)
                case Setting.BAN:
                    if bans is None:
                        bans = {mask_key(ban.mask): ban for ban in self.bans}
                    key = mask_key(change.argument)
                    if change.on:
                        bans[key] = again.get(key) or RoomBan(change.argument, by, at)
                    else:
                        bans.pop(key, None)
        if bans is None:
            return settings
        kept = sorted(bans.values(), key=lambda ban: ban.at) if again else bans.values()
        return replace(settings, bans=tuple(kept))

    def changes_to(self, wanted: "RoomSettings") -> tuple[ModeChange, ...]:
        """The changes that make these settings ``wanted``: what differs, flags first, then masks lifted and set."""
        changes = [
            ModeChange(setting, getattr(wanted, setting.value))
            for setting in FLAGS
            if getattr(self, setting.value) != getattr(wanted, setting.value)
        ]
        if self.key != wanted.key:
            changes.append(ModeChange(Setting.KEY, bool(wanted.key), wanted.key))
        if self.limit != wanted.limit:
            changes.append(ModeChange(Setting.LIMIT, bool(wanted.limit), str(wanted.limit or "")))
        had = {mask_key(ban.mask): ban.mask for ban in self.bans}
        wants = {mask_key(ban.mask): ban.mask for ban in wanted.bans}
        changes += [ModeChange(Setting.BAN, False, mask) for key, mask in had.items() if key not in wants]
        changes += [ModeChange(Setting.BAN, True, mask) for key, mask in wants.items() if key not in had]
        return tuple(changes)


FLAGS = (
    Setting.INVITE_ONLY,
    Setting.MODERATED,
    Setting.SECRET,
    Setting.REGISTERED_ONLY,
    Setting.REGISTERED_SPEECH,
)
"""The settings that are on or off, with no argument: each is the ``RoomSettings`` field its value names."""

NO_SETTINGS = RoomSettings()
"""A room's settings as a join makes it: none set."""

STANDING = (Setting.OPERATOR, Setting.VOICE)
"""What a ``/mode`` changes that is no setting (``RoomSettings.changed`` leaves it): members' standing, by user,
gone when they leave."""
