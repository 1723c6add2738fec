"""``python -m chatd.admin``: back up, export or forget from a chatd database, or give an account a new password,
the daemon running or not.

- ``backup DEST``: a consistent copy through SQLite's online backup API
  (``sqlite3.Connection.backup``), which a running daemon's writes do not
  disturb; DEST must not exist yet.
- ``export [--room ROOM] [--text [--private]]``: the kept events, oldest first, one JSON object a
  line on standard output (a room with none kept is refused), each the whole event as
  ``chatd.domain.encoding.encode_event`` writes it (``decode_event`` reads
  it back); with ``--text``, the lines people saw in rooms, as a join shows them
  again from history (``chatd.line.render.history_text``), with no address:
  a transcript a teacher keeps of a class, which the JSON is not. A
  transcript is made to be handed out, so it holds no private message
  unless ``--private`` asks for them too. A line deleted (``/delete``) is
  in neither, as in history: the JSON holds its ``Deleted`` event (the
  ``deletions`` table's), the transcript a line where it was, saying who
  deleted it and why.
- ``forget NICK``: deletes every line (message or action) NICK sent in a
  room, whatever the case or width they wrote it in (``chatd.text.fold``):
  by nickname alone, whoever sent them (each account that has had the
  nickname, given up and registered again, and anyone who used it
  unregistered), unlike ``/forget confirm``, which deletes only what the
  account sent since it was registered. Private messages stay, unless
  ``--private``: then it says how many private messages were sent under
  NICK (whoever sent them, as for lines) and deletes nothing, and with
  ``--private --confirm`` deletes those and the lines, as ``/forget``
  tells and ``/forget confirm`` deletes. Nothing else reaches a former
  owner's private messages before ``--retain-days``. It also deletes the
  other events NICK acted, each of which holds the address they came from
  (joins, parts, quits, topics, kicks), bar those ``--retain-days`` keeps
  whatever their age because the chat needs them to come back the same
  (``chatd.storage.retention.unneeded``), and says how many it deleted and kept;
  the record of each line NICK deleted (``/delete``, with their address and
  reason) goes with them.
  A kick others gave NICK while not identified holds their address too
  (its wait is on their nickname from there): it takes it out of those
  whose wait is over (``chatd.storage.retention.kicks_of``), and keeps it
  in one whose wait runs, which a start needs to hold them out still.

- ``password NICK``: gives the account NICK a new password, for its owner
  who forgot theirs, when the host has no operator to do it in the chat
  (``/account password``): asked twice on the terminal without echo, or
  the first line of ``--password-file``, never an argument, which every
  user of the machine reads (``ps``); the rules of ``/register``'s. A
  running daemon honours it at once: it keeps only the nicknames in
  memory and reads a hash from the file at each check
  (chatd.storage.sqlite_accounts), so nothing need tell it, as ``forget``'s
  mark does. Its connections identified now stay so, and the daemon's
  audit log does not see it: the host acted on the file, not in the chat.

Each command works on every line anyone was shown, those still in the
daemon's pass log (chatd.storage.pass_log) too. While no daemon runs on the
file (after a ``kill -9``, say), the tool claims the file
(chatd.storage.claim) and commits the log first, as a start would, saying
on standard error, as a start logs, each change the file refused and left
out; else a start would bring back lines ``forget`` took out. Beside a
running daemon, it first waits (up to ``command.BUSY_SECONDS``) for the daemon's
writer to commit what its log held when the command began, about
``COMMIT_EVERY`` seconds (or to give it up: a commit that failed keeps
none of its lines).

The daemon keeps its file in WAL mode and each of its transactions short,
so this tool's reads never stop it; ``forget`` deletes a chunk at a time
(``chatd.storage.retention.CHUNK`` lines a transaction) and waits its turn
(a busy timeout) rather than failing while the daemon writes.

A mistake (a file that does not exist, is a folder, is not a chatd
database, or is of another schema; a DEST that exists; a NICK no nickname
could be, or, for ``password``, no account has; a password too short, or
not given twice alike) is one sentence on standard error and exit status
2, never a traceback; no file is made but DEST, and nothing is changed.

The command line is read by ``arguments``, and every command goes through
``command`` (the file opened, checked, and holding what was shown) to its
own module: ``backup``, ``export``, ``forget``, ``password``. Each raises
``AdminError``, kept here as the one thing they all share.
"""


class AdminError(Exception):
    """What went wrong, as one sentence for the host."""
