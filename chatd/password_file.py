"""The first line of a password file (``--password-file``): how a password is given without a terminal, never on a
command line, where every user of the machine reads it (``ps``).

The bundled client (chatd.client.settings) identifies with one, and
``python -m chatd.admin password`` sets an account's with one; both say
why a file gives none in the same words. Nothing here but the standard
library: the client speaks only the wire protocol, and may import no more
of the server.
"""

import os


class PasswordFileError(ValueError):
    """Why ``--password-file PATH`` gives no password, as a clause naming the option: ``cannot read
    --password-file p: No such file or directory``, ``--password-file p is empty: its first line is the password``."""


def password_in(path: str) -> str:
    """The password the file ``path`` (``~`` is the user's home) holds: its first line, without its line ending.
    Raises PasswordFileError if it cannot be read, or that line is empty."""
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as file:
            first = file.readline().rstrip("\r\n")
    except OSError as error:
        raise PasswordFileError(f"cannot read --password-file {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise PasswordFileError(f"cannot read --password-file {path}: it is not UTF-8") from None
    if not first:
        raise PasswordFileError(f"--password-file {path} is empty: its first line is the password")
    return first
