"""The first line of a password file (``--password-file``): how a password is given without a terminal, never on a
command line, where every user of the machine reads it (``ps``).

The bundled client (chatd.client.settings) identifies with one, and ``python
-m chatd.admin password`` sets an account's with one; each words its own
refusals. Nothing here but the standard library: the client speaks only the
wire protocol, and may import no more of the server.
"""

import os


class PasswordFileError(ValueError):
    """The file cannot be read: why, in a few words (``No such file or directory``, ``it is not UTF-8``)."""


def first_line(path: str) -> str:
    """The first line of the file ``path`` (``~`` is the user's home), without its line ending; empty if the file
    or its first line is. Raises PasswordFileError."""
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as file:
            return file.readline().rstrip("\r\n")
    except OSError as error:
        raise PasswordFileError(error.strerror or str(error)) from None
    except UnicodeDecodeError:
        raise PasswordFileError("it is not UTF-8") from None
