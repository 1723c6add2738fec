"""``python -m chatd.passwd NAME``: the line that makes NAME an operator in the ``--opers`` file.

The password is asked for twice on the terminal, without echo, or read as
the first line of standard input when that is not a terminal (for scripts:
``printf '%s\\n' "$PASSWORD" | python -m chatd.passwd NAME``). It never
appears in the process's arguments. The output is ``NAME HASH``, ready to
append to the file; only the hash is kept anywhere.
"""

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from chatd.domain.accounts import MIN_PASSWORD
from chatd.domain.errors import ChatError
from chatd.frontend.accounts import hash_password
from chatd.line.wording import word
from chatd.opers import check_operator_name


def main(
    argv: Sequence[str] | None = None,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    stderr: TextIO = sys.stderr,
    ask: Callable[[str], str] = getpass.getpass,
) -> int:
    """Print ``NAME HASH`` and return 0, or say what is wrong on ``stderr`` and return 1."""
    parser = argparse.ArgumentParser(
        prog="python -m chatd.passwd",
        description="Print the --opers line that makes NAME an operator. The password is asked for "
        "on the terminal, or read as the first line of standard input.",
    )
    parser.add_argument("name", metavar="NAME", help="the operator's name, as /oper NAME PASSWORD takes it")
    name = parser.parse_args(argv).name
    try:
        name = check_operator_name(name)
        password = _password(name, stdin, ask)
    except ChatError as error:
        stderr.write(f"chatd.passwd: {word(error)}\n")
        return 1
    except ValueError as error:
        stderr.write(f"chatd.passwd: {error}\n")
        return 1
    stdout.write(f"{name} {hash_password(password)}\n")
    return 0


def _password(name: str, stdin: TextIO, ask: Callable[[str], str]) -> str:
    """The password, asked twice on a terminal or read from ``stdin``; raises ValueError if unusable."""
    if stdin.isatty():
        password = ask(f"Password for {name}: ")
        if ask("Again: ") != password:
            raise ValueError("the two passwords differ")
    else:
        password = stdin.readline().removesuffix("\n").removesuffix("\r")
    if password != password.strip():
        raise ValueError("a password cannot start or end with a space: /oper could not send it")
    if len(password) < MIN_PASSWORD:
        # An operator may kill and ban: a password no weaker than an account's.
        raise ValueError(f"a password is at least {MIN_PASSWORD} characters, as an account's is")
    return password


if __name__ == "__main__":
    sys.exit(main())
