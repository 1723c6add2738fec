"""``python -m chatd.admin password NICK``: an account's new password, set from the machine.

For the owner who forgot theirs when the host has no operator to set it in
the chat: asked twice without echo, or read from a file, never an
argument; hashed and checked as ``/register`` does.
"""

import sqlite3
from collections.abc import Callable
from typing import TextIO

from chatd.admin import AdminError
from chatd.domain.accounts import check_password
from chatd.domain.errors import ChatError
from chatd.domain.names import look
from chatd.frontend.accounts import hash_password
from chatd.line.wording import word
from chatd.password_file import PasswordFileError, password_in
from chatd.text import fold


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
