"""The SQLite store's schema: its steps, in order, and the SQL its queries share with its indexes.

A chatd database says it is one (``PRAGMA application_id`` is
``APPLICATION_ID``) and which schema it holds (``PRAGMA user_version``: the
number of ``STEPS`` applied); chatd.storage.database_file reads both,
brings an older file up to date and refuses any other (Synapse's
``synapse/storage/schema/`` keeps its versions the same way, as numbered
steps).

A change of schema is one more entry at the end of ``STEPS``, never an edit
of one already released: databases out there have run it.
"""

APPLICATION_ID = 0x63686174
"""``PRAGMA application_id`` of a chatd database: "chat" in ASCII."""

MODERATION = "(kind = 'ban_added' OR kind = 'ban_lifted' OR kind = 'muted' OR kind = 'unmuted')"
"""The ban and mute events: the condition of the ``events_to_restore`` index (since step 5), so a query
that says the same uses the index. Part of a released step, so never changed: another is another step."""

TOPICS = "(kind = 'topic_changed' OR kind = 'topic_locked')"
"""The topic events: the condition of the ``events_topics`` index (since step 5), as ``MODERATION``."""

KICK_ENDS = "json_extract(body, '$.until')"
"""When a kick's wait ends, as the ``kick_waits`` index (step 13) keys kicks: a query that says the same
uses the index. Part of a released step, as ``MODERATION``."""

LINE_KINDS = "(kind = 'said' OR kind = 'acted')"
"""The condition of the ``lines_by_room`` index (step 5), the kinds of ``chatd.domain.events.MESSAGES``:
what history reads give back. Part of a released step, as ``MODERATION``."""

HIGHEST_POSITION = (
    "SELECT max(coalesce((SELECT max(position) FROM events), 0), (SELECT position FROM last_position))"
)
"""The highest position any event has had: the next ones are numbered after it, never twice (step 8's
``last_position``). Unqualified, as from the history's own connection and the index's, which attaches it."""

SEARCHED_KINDS = "(kind = 'said' OR kind = 'acted' OR kind = 'whispered')"
"""The kinds the search index holds (chatd.storage.search_index): room lines, and private messages said plainly
(an ``encrypted`` one's text is ciphertext). Part of a released step (18), as ``MODERATION``."""

PRIVATE_KINDS = "kind IN ('whispered', 'encrypted')"
"""The SQL test of a private message's row, sealed or not."""

SECOND = "substr(pair, instr(pair, ' ') + 1)"
"""A conversation key's second account (chatd.domain.offline.conversation: the two sorted, joined by a space), as
the ``pairs_by_second`` index (step 14) keys private messages: a query that says the same uses the index. Part of
a released step, as ``MODERATION``."""

STEPS: tuple[str, ...] = (
    # 1: events, and each room's last sequence number.
    """
    CREATE TABLE events (
        position INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        kind TEXT NOT NULL,
        room TEXT,
        seq INTEGER,
        at REAL NOT NULL,
        nick TEXT NOT NULL,
        body TEXT NOT NULL
    );
    CREATE INDEX events_by_room ON events (room, seq) WHERE room IS NOT NULL;
    CREATE INDEX events_by_id ON events (id);
    CREATE INDEX events_to_restore ON events (position)
        WHERE kind IN ('ban_added', 'ban_lifted', 'muted', 'unmuted');
    CREATE TABLE rooms (
        room TEXT PRIMARY KEY,
        last_seq INTEGER NOT NULL
    ) WITHOUT ROWID;
    """,
    # 2: /search. Two indexes of the text of every line said or acted, keyed
    # by its row: its words without case or accents, and its trigrams (any
    # three characters: pieces of words, URLs, CJK). Contentless, so the
    # text is stored once (in events.body); without column sizes, which only
    # ranking reads. Triggers fill them in the writer's own transaction,
    # whoever writes (the daemon, a tool), and empty them of deleted lines.
    # The last two statements index the lines of an older database.
    """
    CREATE VIRTUAL TABLE line_words USING fts5 (
        text, content = '', columnsize = 0, tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE VIRTUAL TABLE line_trigrams USING fts5 (
        text, content = '', columnsize = 0, tokenize = 'trigram'
    );
    CREATE TRIGGER lines_indexed AFTER INSERT ON events WHEN new.kind IN ('said', 'acted') BEGIN
        INSERT INTO line_words (rowid, text) VALUES (new.position, json_extract(new.body, '$.text'));
        INSERT INTO line_trigrams (rowid, text) VALUES (new.position, json_extract(new.body, '$.text'));
    END;
    CREATE TRIGGER lines_unindexed AFTER DELETE ON events WHEN old.kind IN ('said', 'acted') BEGIN
        INSERT INTO line_words (line_words, rowid, text)
            VALUES ('delete', old.position, json_extract(old.body, '$.text'));
        INSERT INTO line_trigrams (line_trigrams, rowid, text)
            VALUES ('delete', old.position, json_extract(old.body, '$.text'));
    END;
    INSERT INTO line_words (rowid, text)
        SELECT position, json_extract(body, '$.text') FROM events WHERE kind IN ('said', 'acted');
    INSERT INTO line_trigrams (rowid, text)
        SELECT position, json_extract(body, '$.text') FROM events WHERE kind IN ('said', 'acted');
    """,
    # 3: each room's topic events, found quickly: its last topic and lock come back at start (rooms that
    # outlive their members) and are kept past --retain-days.
    """
    CREATE INDEX events_topics ON events (room, kind, position)
        WHERE kind IN ('topic_changed', 'topic_locked');
    """,
    # 4: accounts: each registered nickname (its folded form the key) and its password's Argon2id hash.
    """
    CREATE TABLE accounts (
        account TEXT PRIMARY KEY,
        nick TEXT NOT NULL,
        hash TEXT NOT NULL,
        registered_at REAL NOT NULL
    ) WITHOUT ROWID;
    """,
    # 5: partial indexes whose conditions SQLite tests in place, and that hold only what is read.
    # An IN list in a partial index's condition is looked up in a temporary table built for every
    # row inserted (a third of the cost of writing a line, bench/store.py); ORs are not. History
    # reads want lines only, and an index of every room event made a replay walk back over all the
    # joins and parts since the last line (thousands, as a restarted daemon's users come back).
    f"""
    DROP INDEX events_to_restore;
    CREATE INDEX events_to_restore ON events (position) WHERE {MODERATION};
    DROP INDEX events_topics;
    CREATE INDEX events_topics ON events (room, kind, position) WHERE {TOPICS};
    DROP INDEX events_by_room;
    CREATE INDEX lines_by_room ON events (room, seq) WHERE {LINE_KINDS};
    """,
    # 6: private messages kept for offline accounts (chatd.domain.offline), each the whole event, in order;
    # and private messages between two accounts, kept in events with their conversation's key as "pair".
    """
    CREATE TABLE mailbox (
        position INTEGER PRIMARY KEY,
        account TEXT NOT NULL,
        body TEXT NOT NULL
    );
    CREATE INDEX mailbox_by_account ON mailbox (account, position);
    ALTER TABLE events ADD COLUMN pair TEXT;
    CREATE INDEX events_by_pair ON events (pair, position) WHERE pair IS NOT NULL;
    """,
    # 7: registered rooms: each room's (folded name the key) name as registered and owner's account, and its room
    # operators' accounts. Unregistering deletes a room's rows from both.
    """
    CREATE TABLE registered_rooms (
        room TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        owner TEXT NOT NULL,
        registered_at REAL NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE room_operators (
        room TEXT NOT NULL,
        account TEXT NOT NULL,
        PRIMARY KEY (room, account)
    ) WITHOUT ROWID;
    """,
    # 8: /search's indexes move to a file of their own, filled by a thread of their own once lines are
    # committed (chatd.storage.search_index): filled by trigger in the writer's transaction they cost it five
    # times what writing the line does. What stays here is what that file cannot know: the text of each
    # line deleted, until the index has dropped it too (a contentless index forgets a row only when given
    # the text it indexed), and the highest position ever used, so that no position is used twice (the
    # index knows a line by its position; SQLite would reuse the last one's after it is deleted).
    f"""
    DROP TRIGGER lines_indexed;
    DROP TRIGGER lines_unindexed;
    DROP TABLE line_words;
    DROP TABLE line_trigrams;
    CREATE TABLE unindexed (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        position INTEGER NOT NULL,
        text TEXT NOT NULL
    );
    CREATE TABLE last_position (position INTEGER NOT NULL);
    INSERT INTO last_position SELECT coalesce(max(position), 0) FROM events;
    CREATE TRIGGER position_kept AFTER DELETE ON events BEGIN
        UPDATE last_position SET position = max(position, old.position);
    END;
    CREATE TRIGGER line_deleted AFTER DELETE ON events WHEN {LINE_KINDS.replace("kind", "old.kind")} BEGIN
        INSERT INTO unindexed (position, text) VALUES (old.position, json_extract(old.body, '$.text'));
    END;
    """,
    # 9: files' transfers still open (issue 16), each the whole record (chatd.storage.sqlite_transfers), so a
    # restarted daemon goes on with their uploads and downloads; their bytes are in the --files spool.
    """
    CREATE TABLE transfers (
        file TEXT PRIMARY KEY,
        body TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # 10: accounts' device keys and the hash-chained log of their publications (issue 17, chatd.domain.keylog):
    # each entry as the clients hash it, with its hash (the last one's is the head, read at start), and
    # each account's keys now, in the order published (the log's sum, read at start rather than replayed).
    """
    CREATE TABLE key_log (
        seq INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        account TEXT NOT NULL,
        action TEXT NOT NULL,
        key TEXT NOT NULL,
        prev TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE TABLE device_keys (
        account TEXT NOT NULL,
        key TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (account, key)
    ) WITHOUT ROWID;
    """,
    # 11: the pass log (chatd.storage.pass_log): each commit notes the last record of the log it holds, so a
    # start applies the records after it, which were shown but not yet committed when the daemon died.
    """
    CREATE TABLE pass_log (last INTEGER NOT NULL);
    INSERT INTO pass_log VALUES (0);
    """,
    # 12: each registered room's settings (its modes but members' standing, and its ban masks), the whole of
    # them a row as JSON (chatd.storage.sqlite_rooms), replaced at each change; a room registered before this
    # step has none, so its settings are a new room's. Unregistering deletes the row.
    """
    CREATE TABLE room_settings (
        room TEXT PRIMARY KEY,
        body TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # 13: kicks by when their wait ends, so a start finds the waits still running (a kicked person stays out
    # through a restart) without reading every kick kept. Kicks are rare: other rows only test the condition.
    f"""
    CREATE INDEX kick_waits ON events ({KICK_ENDS}) WHERE kind = 'kicked';
    """,
    # 14: private messages by their conversation key's second account, so the conversations an account is second
    # in are one range of an index, as those it is first in are of events_by_pair: IRC clients ask for an
    # account's conversations (CHATHISTORY TARGETS) as they connect, and finding them in events_by_pair alone took
    # two look-ups for every account below it that had written privately to anyone.
    f"""
    CREATE INDEX pairs_by_second ON events ({SECOND}, pair) WHERE pair IS NOT NULL;
    """,
    # 15: no index of every event's id. Its one user was filing a private message under its conversation, a
    # statement by id; that finds the row by its position now (chatd.storage.pass_keeping), and every row written paid
    # for the index: about a tenth of the writer's time a line, and a tenth of the file. A pass log from before
    # still applies (its statements find the row by a scan of the events).
    """
    DROP INDEX events_by_id;
    """,
    # 16: a line deleted whose body is no JSON with a text (the file's damage, chatd.storage.damaged_rows) leaves no
    # text for the index to drop, rather than failing its delete: the trigger read its text as step 8 wrote it, so
    # one such row failed every --retain-days round and /forget that reached it, for good. The index never took words
    # from it (chatd.storage.search_index), so there are none to drop.
    f"""
    DROP TRIGGER line_deleted;
    CREATE TRIGGER line_deleted AFTER DELETE ON events WHEN {LINE_KINDS.replace("kind", "old.kind")} BEGIN
        INSERT INTO unindexed (position, text) VALUES (
            old.position,
            CASE WHEN json_valid(old.body) THEN coalesce(json_extract(old.body, '$.text'), '') ELSE '' END
        );
    END;
    """,
    # 17: where each room was last made anew (chatd.domain.events.Joined.made): the position of that join. A room's
    # topic and lock from before it were an earlier room's of that name, which its end took away; read back at start
    # as the room's last ones, they gave a room made and registered again the old topic after a restart. A room last
    # made before this step has none, and its last topic and lock come back as before.
    """
    ALTER TABLE rooms ADD COLUMN made INTEGER;
    """,
    # 18: private messages said plainly (``whispered``; never ``encrypted``, which holds ciphertext) are in the search
    # index too (chatd.storage.search_index), so /search @NICK finds one however old: one deleted (/forget, --retain-days,
    # chatd.admin forget --private) leaves its text for the index to drop, as a line does (step 16).
    f"""
    DROP TRIGGER line_deleted;
    CREATE TRIGGER line_deleted AFTER DELETE ON events WHEN {SEARCHED_KINDS.replace("kind", "old.kind")} BEGIN
        INSERT INTO unindexed (position, text) VALUES (
            old.position,
            CASE WHEN json_valid(old.body) THEN coalesce(json_extract(old.body, '$.text'), '') ELSE '' END
        );
    END;
    """,
    # 19: what /delete took away (chatd.domain.deletion): each deletion's whole ``Deleted`` event, by its room and id,
    # so a client resuming after a point is told which lines it was shown are gone (chatd.domain.resume). A table of
    # its own rather than rows of events: no index of them costs a line said anything. Written in the transaction
    # that deletes the line; --retain-days deletes them by ``at``, /forget and chatd.admin forget by ``nick``.
    """
    CREATE TABLE deletions (
        room TEXT NOT NULL,
        id TEXT NOT NULL,
        at REAL NOT NULL,
        nick TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (room, id)
    ) WITHOUT ROWID;
    """,
    # 20: the HTTP links to offered files still good (chatd.storage.sqlite_links), so a link an IRC user was sent
    # works after a restart for the rest of its hour: by the SHA-256 of its token, never the token itself.
    """
    CREATE TABLE file_links (
        digest TEXT PRIMARY KEY,
        file TEXT NOT NULL,
        key TEXT NOT NULL,
        nick TEXT NOT NULL,
        until REAL NOT NULL
    ) WITHOUT ROWID;
    """,
)
"""Each version's change, in order: a database at version N has run the first N."""

VERSION = len(STEPS)
"""The schema this chatd writes."""
