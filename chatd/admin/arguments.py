"""The command line of ``python -m chatd.admin``: its commands, their options and their ``--help``.

On its own so that ``--help`` reads in one place, apart from what each
command does; a mistake in the arguments is one sentence, as every other
mistake of the tool is.
"""

import argparse
from typing import NoReturn

from typing_extensions import override

from chatd.config import DEFAULT_DB
from chatd.domain.accounts import MIN_PASSWORD

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
    export.add_argument(
        "--room",
        help="only this room's events, with the new nicknames, quits, bans and kills of those in it then",
    )
    export.add_argument(
        "--text",
        action="store_true",
        help="write the rooms' lines as people saw them, dated, with no addresses (no private messages), a line "
        "deleted as a line saying so where it was",
    )
    export.add_argument(
        "--private",
        action="store_true",
        help="with --text and without --room: the private messages kept too, beside the rooms' lines",
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
