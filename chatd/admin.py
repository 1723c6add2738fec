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
running daemon, it first waits (up to ``BUSY_SECONDS``) for the daemon's
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
"""

import argparse
import getpass
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from functools import partial
from heapq import merge
from typing import NoReturn, TextIO, TypeVar
from urllib.parse import quote

from typing_extensions import override

from chatd.config import DEFAULT_DB
from chatd.domain.accounts import MIN_PASSWORD, check_password
from chatd.domain.encoding import decode_event, encode_event, type_name
from chatd.domain.errors import ChatError
from chatd.domain.events import MESSAGES, Deleted, Encrypted, Event, Whispered
from chatd.domain.ids import id_moment
from chatd.domain.names import check_nickname, check_room_name, look
from chatd.frontend.accounts import hash_password
from chatd.line.pieces import because, dated, encoded, stamped
from chatd.line.render import has_text_line, history_text
from chatd.line.syntax import room_argument
from chatd.line.wording import word
from chatd.password_file import PasswordFileError, password_in
from chatd.storage import retention
from chatd.storage.claim import Claim
from chatd.storage.forgotten import leave_mark
from chatd.storage.pass_log import damaged as damaged_log
from chatd.storage.pass_log import last_committed, log_path, replay, unapplied
from chatd.storage.pass_log import unreadable as unreadable_log
from chatd.storage.private import make_private
from chatd.storage.room_settings import add_functions
from chatd.storage.schema import DatabaseFileError, check, damaged
from chatd.text import counted, fold

DESCRIPTION = (
    "Back up, export or forget from a chatd database (the daemon's --db file), the daemon running or not: "
    "every line anyone was shown, those still in its pass log too; or give an account a new password."
)

PASSWORD_DESCRIPTION = (
    "Give the account NICK a new password, for its owner who forgot theirs: they identify with it, then choose "
    "their own with /password OLD NEW. The password is asked twice on the terminal, without echo, or is the first "
    f"line of --password-file; never an argument. At least {MIN_PASSWORD} characters, as /register takes one. A "
    "running daemon honours it at once; connections identified to the account stay so. An operator does the same "
    "in the chat with /account password NICK PASSWORD."
)

FORGET_DESCRIPTION = (
    "Delete every line (message or action) sent in a room under the nickname NICK, in any case, by nickname "
    "alone: whoever sent it, under any account that has had the nickname (one given up and registered again "
    "has had several) or under none. Private messages stay, unless --private: then it says how many private "
    "messages were sent under NICK, by the same rule (a former owner's too, which a user's own /forget confirm "
    "never reaches: it deletes only what they sent since registering their nickname), and deletes nothing; "
    "--private --confirm deletes them and the lines, for good. Messages still waiting in an offline account's "
    "mailbox are not touched. It also deletes NICK's joins, parts, quits and other events, each with the address "
    "it came from, but those the chat needs to come back the same (a room's last topic or topic lock, a ban, mute "
    "or kick still in force), and takes NICK's address out of the kicks others gave them unidentified once their "
    "wait is over; it says how many it deleted, took it out of and kept."
)

KEPT_BECAUSE = "the chat needs to come back the same (a room's last topic or topic lock, a ban, mute or kick still in force)"
"""Why ``forget`` keeps some of the events NICK acted: what ``--retain-days`` keeps whatever its age."""

_LINES = frozenset(type_name(kind) for kind in MESSAGES)
"""The kinds of the lines ``forget`` deletes: messages and actions in rooms."""

_PRIVATE = frozenset(type_name(kind) for kind in (Whispered, Encrypted))
"""The kinds of the private messages ``forget --private --confirm`` deletes, sealed or not."""

BUSY_SECONDS = 30.0
"""How long a statement waits for the daemon's writer to let go, or for it to commit, before it gives up."""

COMMITTED_POLL_SECONDS = 0.01
"""How often the tool looks whether a running daemon has committed what it showed (it commits every 50 ms)."""

GIVEN_UP_POLL_SECONDS = 0.25
"""How often, while it waits, the tool reads the pass log (a megabyte or two) for records the daemon gave up."""


T = TypeVar("T")


class AdminError(Exception):
    """What went wrong, as one sentence for the host."""


class _Parser(argparse.ArgumentParser):
    """argparse with its mistakes told in one sentence, as everything else here."""

    @override
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}; --help lists what it takes.\n")


def parser() -> argparse.ArgumentParser:
    """The command line: --db, then one of backup, export, forget."""
    top = _Parser(prog="python -m chatd.admin", description=DESCRIPTION)
    top.add_argument("--db", default=DEFAULT_DB, help=f"the daemon's --db file (default: {DEFAULT_DB})")
    # Also after the command (export --db FILE); SUPPRESS leaves the one before it alone when absent.
    db = _Parser(add_help=False)
    db.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    commands = top.add_subparsers(dest="command", required=True, parser_class=_Parser)
    backup = commands.add_parser("backup", parents=[db], help="copy the database to DEST, consistently")
    backup.add_argument("dest", metavar="DEST", help="the copy's file name; it must not exist")
    export = commands.add_parser("export", parents=[db], help="write the kept events as JSON lines")
    export.add_argument("--room", help="only this room's events")
    export.add_argument(
        "--text",
        action="store_true",
        help="write the rooms' lines as people saw them, dated, with no addresses (no private messages), a line "
        "deleted as a line saying so where it was",
    )
    export.add_argument(
        "--private",
        action="store_true",
        help="with --text: the private messages kept too, beside the rooms' lines",
    )
    forget = commands.add_parser(
        "forget",
        parents=[db],
        help="delete every line NICK sent in a room, and their joins, parts and quits",
        description=FORGET_DESCRIPTION,
    )
    forget.add_argument(
        "--private",
        action="store_true",
        help="the private messages sent under NICK too: say how many, and delete nothing without --confirm",
    )
    forget.add_argument(
        "--confirm", action="store_true", help="with --private: delete them and the lines, for good"
    )
    forget.add_argument("nick", metavar="NICK", help="the nickname, in any case")
    password = commands.add_parser(
        "password",
        parents=[db],
        help="give the account NICK a new password, for its owner who forgot theirs",
        description=PASSWORD_DESCRIPTION,
    )
    password.add_argument(
        "--password-file",
        metavar="FILE",
        help="read the new password from the first line of FILE rather than asking twice on the terminal",
    )
    password.add_argument("nick", metavar="NICK", help="the account's nickname, in any case")
    return top


def main(
    argv: Sequence[str] | None = None,
    out: TextIO = sys.stdout,
    stdin: TextIO = sys.stdin,
    ask: Callable[[str], str] = getpass.getpass,
) -> int:
    """Run the command ``argv`` names; 0 when done, 2 after one sentence on standard error. ``password`` asks
    ``ask`` for the password when ``stdin`` is a terminal."""
    arguments = parser().parse_args(argv)
    try:
        if arguments.command in ("forget", "password"):
            # Before the file is opened: a mistake changes nothing, not even the pass log's commit.
            arguments.nick = nickname(arguments.nick, arguments.command)
        if arguments.command == "forget" and arguments.confirm and not arguments.private:
            raise AdminError(
                "forget: --confirm goes with --private, for private messages; "
                "forget NICK alone deletes room lines without it."
            )
        if arguments.command == "export" and arguments.private and (not arguments.text or arguments.room):
            raise AdminError(
                "export: --private goes with --text and no --room, for private messages in a transcript; "
                "export alone writes every kept event, private messages included."
            )
        with closing(_open(arguments.db)) as connection, _all_shown(connection, arguments.db):
            if arguments.command == "backup":
                backup(connection, arguments.db, arguments.dest, out)
            elif arguments.command == "export":
                export(connection, arguments.room, out, text=arguments.text, private=arguments.private)
            elif arguments.command == "password":
                read = partial(new_password, arguments.password_file, arguments.nick, stdin, ask)
                set_password(connection, arguments.nick, read, out)
            elif arguments.private and not arguments.confirm:
                private_count(connection, arguments.nick, out)
            else:
                forget(connection, arguments.db, arguments.nick, out, private=arguments.private)
    except AdminError as error:
        print(f"python -m chatd.admin: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # export | head: the reader has what it wanted. Python's own advice: point standard output
        # at /dev/null, or the flush at exit fails again with a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _open(path: str) -> sqlite3.Connection:
    """A connection to the existing chatd database ``path``, checked; raises AdminError."""
    if os.path.isdir(path):
        raise AdminError(f"--db {path} is a folder; give the file in it that the daemon's --db names.")
    if not os.path.isfile(path):
        raise AdminError(f"--db {path} does not exist; give the file the daemon's --db names.")
    try:
        # mode=rw: never make a file that is not there (a typo would leave an empty database behind).
        connection = sqlite3.connect(
            f"file:{quote(os.path.abspath(path))}?mode=rw",
            uri=True,
            timeout=BUSY_SECONDS,
            isolation_level=None,
        )
    except sqlite3.Error as error:
        raise AdminError(damaged(path, error)) from None
    try:
        check(connection, path)
    except DatabaseFileError as error:
        connection.close()
        raise AdminError(str(error)) from None
    # A pass log this command applies may hold a room's change of settings, which calls it.
    add_functions(connection)
    return connection


@contextmanager
def _all_shown(connection: sqlite3.Connection, path: str) -> Iterator[None]:
    """While the command runs, the file holds every line the daemon showed before it began; raises AdminError.

    No daemon runs: the file is claimed for the command, and its pass log
    committed. One runs: its writer is waited for.
    """
    log = log_path(path)
    try:
        claim = Claim.take(path)
    except OSError as error:
        raise AdminError(f"cannot open --db {path} ({error.strerror}).") from None
    try:
        try:
            if claim is None:
                _committed_by_the_daemon(connection, path)
            else:
                replayed = replay(connection, log)
                _say_unclean_stop(path, replayed.committed, replayed.left)
                for refusal in replayed.refused:
                    # As a start logs it: the daemon that logged the change is gone, and its asker with it.
                    print(
                        f"python -m chatd.admin: --db {path} refused a change its pass log held ({refusal.change}: "
                        f"{refusal.why}); it alone is not kept.",
                        file=sys.stderr,
                    )
        except sqlite3.Error as error:
            raise AdminError(f"cannot commit --db {path}'s pass log {log} ({error}).") from None
        except ValueError as error:
            raise AdminError(damaged_log(path, error)) from None
        except OSError as error:
            raise AdminError(unreadable_log(path, error)) from None
        yield
    finally:
        if claim is not None:
            claim.release()


def _say_unclean_stop(path: str, committed: int, left: bool) -> None:
    """Say on standard error, as a start logs it, that the daemon on ``path`` did not stop cleanly (``left``: its pass
    log was there), and how many of the log's records the tool just committed; the next start cannot say it, the
    log gone."""
    if committed:
        print(
            f"python -m chatd.admin: a daemon that did not stop cleanly left {counted(committed, 'record')} in --db "
            f"{path}'s pass log, committed now.",
            file=sys.stderr,
        )
    elif left:
        print(
            f"python -m chatd.admin: a daemon that did not stop cleanly left --db {path}'s pass log; all it held "
            "was committed already.",
            file=sys.stderr,
        )


def _committed_by_the_daemon(connection: sqlite3.Connection, path: str) -> None:
    """Wait until the running daemon has committed every record its pass log holds now, or given it up.

    A record is given up when its commit failed (a full disk): the daemon
    says so in the log, and those lines are not kept, so there is nothing
    more to wait for. Raises AdminError when neither happened within
    ``BUSY_SECONDS``; ``sqlite3.Error``, ``ValueError`` (a damaged log),
    ``OSError``.
    """
    waiting = unapplied(log_path(path), last_committed(connection))
    if not waiting:
        return
    last = waiting[-1][0]
    now = time.monotonic()
    deadline, look_again = now + BUSY_SECONDS, now + GIVEN_UP_POLL_SECONDS
    while (committed := last_committed(connection)) < last:
        now = time.monotonic()
        if now > look_again:
            if not any(record[0] <= last for record in unapplied(log_path(path), committed)):
                return
            look_again = now + GIVEN_UP_POLL_SECONDS
        if now > deadline:
            raise AdminError(
                f"the daemon on --db {path} has not committed the lines it showed in {BUSY_SECONDS:.0f} s; "
                "run the command again."
            )
        time.sleep(COMMITTED_POLL_SECONDS)


def backup(connection: sqlite3.Connection, path: str, dest: str, out: TextIO) -> None:
    """Copy the database to ``dest`` (which must not exist, and is made readable by its owner only) in one step of
    SQLite's online backup."""
    if os.path.lexists(dest):
        raise AdminError(f"{dest} exists already; give the name of a new file for the backup.")
    try:
        # A copy of the same hashes and addresses: as private as the file it copies.
        make_private(dest)
        with closing(sqlite3.connect(dest)) as copy:
            connection.backup(copy)
    except (sqlite3.Error, OSError) as error:
        if os.path.exists(dest):
            os.remove(dest)
        why = error.strerror if isinstance(error, OSError) else error
        raise AdminError(f"cannot back up --db {path} to {dest} ({why}).") from None
    print(f"Backed up {path} to {dest}.", file=out)


def export(
    connection: sqlite3.Connection, room: str | None, out: TextIO, text: bool = False, private: bool = False
) -> None:
    """Write every kept event (of ``room`` only, if given), oldest first, one JSON object a line; with ``text``,
    each as the line(s) people were shown (``_shown``), private messages only if ``private``. Lines deleted
    (``/delete``) are gone from the events, as from history: their ``Deleted`` events say so, each where
    ``_with_deletions`` puts it.

    A room with no event kept is one sentence, not an empty export: most
    often its name was mistyped, which nothing else would tell the host.
    """
    if room is None:
        rows = connection.execute("SELECT body FROM events ORDER BY position")
        deletions = connection.execute("SELECT body FROM deletions")
    else:
        try:
            name = check_room_name(room_argument(room), limit=None)
        except ChatError as error:
            raise AdminError(f"--room: {word(error)}.") from None
        rows = connection.execute("SELECT body FROM events WHERE room = ? ORDER BY seq", (fold(name),))
        deletions = connection.execute("SELECT body FROM deletions WHERE room = ?", (fold(name),))
    written = 0
    try:
        for event in _with_deletions(rows, deletions, where_the_line_was=text):
            if text and not private and isinstance(event, Whispered | Encrypted):
                continue
            out.write(_shown(event) if text else encode_event(event) + "\n")
            written += 1
    except sqlite3.Error as error:
        raise AdminError(f"cannot read the events ({error}).") from None
    if room is not None and not written:
        raise AdminError(
            f"--room {room}: no event of that room is kept; check its name (export alone lists all)."
        )


def _with_deletions(
    rows: Iterable[tuple[str]], deletions: Iterable[tuple[str]], where_the_line_was: bool
) -> Iterator[Event]:
    """The events whose bodies ``rows`` gives, in its order, with the ``Deleted`` events of ``deletions`` among them:
    each where the line it took away was if ``where_the_line_was`` (a transcript's gap, marked), else when it was
    made, as every event is placed (ids sort as events happened).

    The deletions are read whole, to be sorted: a room's, or a file's, are as
    few as /delete made within --retain-days.
    """

    def place(event: Event) -> str:
        return event.line if where_the_line_was and isinstance(event, Deleted) else event.id

    tombstones = sorted((decode_event(body) for (body,) in deletions), key=place)
    return merge((decode_event(body) for (body,) in rows), tombstones, key=place)


def _shown(event: Event) -> str:
    """The line(s) people were shown for ``event``, dated as history shows it, each ending in a newline; nothing for
    what nobody was shown as a line (a server ban as set or lifted). A deletion is a line where the line it took
    away was, dated as that line, by whom and why: never the line, which is gone."""
    if isinstance(event, Deleted):
        body = f"{event.room} -- a line said here was deleted by {event.actor.nick}{because(event.reason)}"
        return encoded(stamped(dated(id_moment(event.line)), body)).decode().replace("\r\n", "\n")
    if not has_text_line(event):
        return ""
    return history_text(event).decode().replace("\r\n", "\n")


def nickname(text: str, command: str) -> str:
    """``text`` as the nickname ``forget`` or ``password`` (``command``) takes, in normal form; AdminError if no
    nickname could be it (empty, or holding a space), for nobody sent a line or registered an account under it. Any
    length: the tool cannot know the daemon's --max-nick."""
    try:
        return check_nickname(text, limit=None)
    except ChatError as error:
        raise AdminError(f"{command}: {word(error)}.") from None


def set_password(connection: sqlite3.Connection, nick: str, read: Callable[[], str], out: TextIO) -> None:
    """Give the account ``nick`` (in any case) the password ``read`` gives, once the account is found: hashed as
    ``/register`` hashes one, written in one statement, which a running daemon reads at its next check."""
    account = fold(nick)
    try:
        found = connection.execute("SELECT nick FROM accounts WHERE account = ?", (account,)).fetchone()
        if found is None:
            raise AdminError(_no_account(connection, nick))
        hashed = hash_password(read())
        changed = connection.execute("UPDATE accounts SET hash = ? WHERE account = ?", (hashed, account))
    except sqlite3.Error as error:
        raise AdminError(f"cannot set the password of {nick} ({error}); nothing changed.") from None
    if not changed.rowcount:
        # Given up in the chat while the password was typed.
        raise AdminError(_no_account(connection, nick))
    print(
        f"The account {found[0]} has a new password: its owner identifies with it, then chooses their own with "
        "/password OLD NEW.",
        file=out,
    )


def _no_account(connection: sqlite3.Connection, nick: str) -> str:
    """The sentence for a nickname no account has, naming the registered one that looks like it, if one does (never
    acted on in its stead, as an operator's ``/account`` does not)."""
    alike = next(
        (
            registered
            for (registered,) in connection.execute("SELECT nick FROM accounts")
            if look(registered) == look(nick)
        ),
        None,
    )
    also = "" if alike is None else f"; {alike}, a different nickname that looks like it, is one"
    return f"password: {nick} is not a registered nickname{also}; nothing changed."


def new_password(path: str | None, nick: str, stdin: TextIO, ask: Callable[[str], str]) -> str:
    """The new password: the first line of the file ``path``, else asked twice on the terminal (``ask``: getpass,
    which does not echo it); checked as ``/register`` checks one. Raises AdminError."""
    if path is not None:
        try:
            password = password_in(path)
        except PasswordFileError as error:
            raise AdminError(f"password: {error}.") from None
    elif not stdin.isatty():
        raise AdminError(
            "password: standard input is not a terminal to ask on; give the password as the first line of "
            "--password-file FILE."
        )
    else:
        try:
            password = ask(f"New password for {nick}: ")
            again = ask("Again: ")
        except (EOFError, KeyboardInterrupt):
            # Ctrl-D or Ctrl-C at the prompt: the host changed their mind.
            raise AdminError("password: no password was given; nothing changed.") from None
        if again != password:
            raise AdminError("password: the two passwords differ; nothing changed.")
    if password != password.strip():
        raise AdminError(
            "password: a password cannot start or end with a space: /identify could not send it."
        )
    try:
        return check_password(password)
    except ChatError as error:
        raise AdminError(f"password: {word(error)}, as /register takes one; nothing changed.") from None


def private_count(connection: sqlite3.Connection, nick: str, out: TextIO) -> None:
    """Say how many private messages and room lines ``nick`` (in any case) sent, and how to delete them; delete
    nothing (``forget --private`` without ``--confirm``)."""
    try:
        lines, private = retention.lines_and_private(connection, nick, 0.0)
    except sqlite3.Error as error:
        raise AdminError(f"cannot read {nick}'s messages ({error}).") from None
    print(
        f"{nick} sent {counted(len(private), 'private message')} and {counted(len(lines), 'line')} in rooms, "
        f"whoever had the nickname; forget --private --confirm {nick} deletes them, for good. Nothing was deleted.",
        file=out,
    )


def forget(
    connection: sqlite3.Connection, path: str, nick: str, out: TextIO, *, private: bool = False
) -> None:
    """Delete every line ``nick`` (in any case) sent in a room, with ``private`` every private message, and the other
    events they acted that the chat needs no more, a chunk at a time; say how many, and how many were kept.

    ``nick`` is checked by ``nickname`` first.
    """
    try:
        # By nickname alone, from the first event kept: whoever acted, whichever account had the nickname then.
        events = retention.acted_by(connection, nick)
        others = [
            (position, kind) for position, kind in events if kind not in _LINES and kind not in _PRIVATE
        ]
        now = time.time()
        traces = retention.unneeded(connection, others, now)
        kicks_over, kicks_running = retention.kicks_of(connection, nick, now)
        count = _in_chunks(
            connection, retention.delete, [position for position, kind in events if kind in _LINES]
        )
        deleted_privately = _in_chunks(
            connection,
            retention.delete,
            [position for position, kind in events if private and kind in _PRIVATE],
        )
        deletions = retention.deletions_by(connection, nick, 0.0)
        gone = _in_chunks(connection, retention.delete, traces) + retention.forget_deletions(
            connection, deletions
        )
        unaddressed = _in_chunks(connection, retention.rewrite, kicks_over)
    except sqlite3.Error as error:
        raise AdminError(f"cannot delete {nick}'s lines ({error}); run it again to finish.") from None
    if count:
        try:
            # A running daemon shows each room's last lines from memory: the mark has it read them again.
            leave_mark(path)
        except OSError as error:
            raise AdminError(
                f"forgot {counted(count, 'line')} {nick} sent, but cannot tell the daemon on --db {path} "
                f"({error.strerror}): restart it before anyone joins a room they were in."
            ) from None
    also = f" and {counted(deleted_privately, 'private message')}" if private else ""
    told = f"Forgot {counted(count, 'line')}{also} {nick} sent"
    if gone:
        told += f", and {counted(gone, 'other event')} of theirs (joins, parts, quits and the like), addresses and all"
    if unaddressed:
        told += f"; took their address out of {counted(unaddressed, 'kick')} others gave them"
    if kept := len(others) - len(traces) + kicks_running:
        told += f"; kept {counted(kept, 'other event')} {KEPT_BECAUSE}"
    print(told + ".", file=out)


def _in_chunks(
    connection: sqlite3.Connection,
    write: Callable[[sqlite3.Connection, Sequence[T]], int],
    items: Sequence[T],
) -> int:
    """``write`` (``retention.delete``, ``retention.rewrite``) the events of ``items``, ``retention.CHUNK`` a
    transaction; how many it changed."""
    count = 0
    for start in range(0, len(items), retention.CHUNK):
        count += write(connection, items[start : start + retention.CHUNK])
    return count


if __name__ == "__main__":
    sys.exit(main())
