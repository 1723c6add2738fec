"""A registered or server's room's settings in the SQLite file: one JSON row a room, changed in SQL by each ``/mode``'s changes.

A row of ``room_settings`` (schema step 12) holds the whole of a room's
settings, read whole at start. A server's room (``--room``) has a row with
no registration; a row of a room no longer one of the server's is left as
it is and unused, so that room given back to ``--room`` has its settings
back (and a registration of it replaces the row). A change is written as the changes a
``/mode`` made, not as the settings they led to: the statement
(``SETTINGS_CHANGED``) applies them to the row as it is when the
transaction runs, through the SQL function ``settings_changed``, which is
``RoomSettings.changed`` itself. Statements are fixed when a pass is logged
(chatd.storage.pass_log), before the transactions ahead of it have
committed or failed: a row written whole then would carry an earlier
change the file refused, which its asker was told was not kept.

Every connection that runs the pass log's statements (the store's writer,
``python -m chatd.admin`` applying a log a stopped daemon left) needs the
function first: ``add_functions``.
"""

import json
import sqlite3
from collections.abc import Sequence

from chatd.domain.encoding import ban_rows, bans_of, change_rows, changes_of
from chatd.domain.events import ModeChange, Setting
from chatd.domain.room_settings import NO_SETTINGS, RoomSettings

_CHANGED_WHERE = (
    "INSERT INTO room_settings (room, body) "
    "SELECT ?1, settings_changed(NULL, ?2, ?3, ?4) "
    "WHERE {kept} "
    "ON CONFLICT (room) DO UPDATE SET body = settings_changed(body, ?2, ?3, ?4)"
)
"""Applies changes (``encode_changes``) by a nickname at a time to a room's row, where ``kept`` holds; a room with
no row yet gets one with a new room's settings changed. (SQLite's upsert after a SELECT needs its WHERE.)"""

SETTINGS_CHANGED = _CHANGED_WHERE.format(kept="EXISTS (SELECT 1 FROM registered_rooms WHERE room = ?1)")
"""A registered room's change, applied only while it is registered: a registration that failed keeps none. A room
registered before step 12 has no row. The very text chatd has logged since step 12 (a pass log holds it)."""

SERVER_SETTINGS_CHANGED = _CHANGED_WHERE.format(kept="true")
"""A server's room's change: kept with no registration, as nobody may register one (chatd.domain.rooms)."""


_LATER_FLAGS = (Setting.REGISTERED_ONLY, Setting.REGISTERED_SPEECH)
"""Flags added after rows were first written: each is in a row only while on, so a row of what earlier chatds knew
is written as they wrote it (and read back by them alike)."""


def encode_settings(settings: RoomSettings) -> str:
    """``settings`` as ``room_settings.body``: a JSON object, its ban masks as events hold them (``ban_rows``)."""
    return json.dumps(
        {
            "invite_only": settings.invite_only,
            "key": settings.key,
            "limit": settings.limit,
            "moderated": settings.moderated,
            "secret": settings.secret,
            "bans": ban_rows(settings.bans),
            **{flag.value: True for flag in _LATER_FLAGS if getattr(settings, flag.value)},
        },
        ensure_ascii=False,
    )


def decode_settings(body: str) -> RoomSettings:
    """The settings ``encode_settings`` gave ``body``; a field it lacks (a later chatd may add some) is unset."""
    fields = json.loads(body)
    return RoomSettings(
        invite_only=bool(fields.get("invite_only", False)),
        key=str(fields.get("key", "")),
        limit=int(fields.get("limit", 0)),
        moderated=bool(fields.get("moderated", False)),
        secret=bool(fields.get("secret", False)),
        registered_only=bool(fields.get("registered_only", False)),
        registered_speech=bool(fields.get("registered_speech", False)),
        bans=bans_of(fields.get("bans", ())),
    )


def encode_changes(changes: Sequence[ModeChange]) -> str:
    """``changes`` as ``SETTINGS_CHANGED`` takes them: a JSON list, as events hold them (``change_rows``)."""
    return json.dumps(change_rows(changes), ensure_ascii=False)


def settings_changed(body: str | None, changes: str, by: str, at: float) -> str:
    """The SQL function: row ``body`` (None: a new room's settings) after ``changes`` by ``by`` at ``at``."""
    settings = NO_SETTINGS if body is None else decode_settings(body)
    return encode_settings(settings.changed(changes_of(json.loads(changes)), by, at))


def add_functions(connection: sqlite3.Connection) -> None:
    """Give ``connection`` the SQL function ``SETTINGS_CHANGED`` calls."""
    connection.create_function("settings_changed", 4, settings_changed, deterministic=True)
