"""What every command of ``python -m chatd.admin`` goes through: its arguments checked, the file opened and
checked, every line the daemon showed in it, then the command; a mistake one sentence and status 2.

The commands themselves are modules of their own (backup, export, forget,
password); this one holds what they share, so each finds the file as a
start would leave it, whether a daemon runs on it or not.
"""

import getpass
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from functools import partial
from typing import TextIO
from urllib.parse import quote

from chatd.admin import AdminError
from chatd.admin.arguments import parser
from chatd.admin.backup import backup
from chatd.admin.export import export
from chatd.admin.forget import forget, private_count
from chatd.admin.password import new_password, set_password
from chatd.domain.errors import ChatError
from chatd.domain.names import check_nickname
from chatd.line.wording import word
from chatd.storage.claim import Claim
from chatd.storage.database_file import DatabaseFileError, check, damaged
from chatd.storage.pass_log import damaged as damaged_log
from chatd.storage.pass_log import last_committed, log_path, replay, unapplied
from chatd.storage.pass_log import unreadable as unreadable_log
from chatd.storage.room_settings import add_functions
from chatd.text import counted

BUSY_SECONDS = 30.0
"""How long a statement waits for the daemon's writer to let go, or for it to commit, before it gives up."""

COMMITTED_POLL_SECONDS = 0.01
"""How often the tool looks whether a running daemon has committed what it showed (it commits every 50 ms)."""

GIVEN_UP_POLL_SECONDS = 0.25
"""How often, while it waits, the tool reads the pass log (a megabyte or two) for records the daemon gave up."""


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


def nickname(text: str, command: str) -> str:
    """``text`` as the nickname ``forget`` or ``password`` (``command``) takes, in normal form; AdminError if no
    nickname could be it (empty, or holding a space), for nobody sent a line or registered an account under it. Any
    length: the tool cannot know the daemon's --max-nick."""
    try:
        return check_nickname(text, limit=None)
    except ChatError as error:
        raise AdminError(f"{command}: {word(error)}.") from None


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
