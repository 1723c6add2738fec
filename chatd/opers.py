"""The host's operators (``--opers FILE``) and the check of their passwords.

The file holds one operator a line, ``NAME HASH``: a name (the rules of a
nickname) and an Argon2id hash made by ``python -m chatd.passwd NAME``.
Blank lines and lines starting with ``#`` are ignored. It is read once, at
start, so a bad file stops the daemon with one sentence saying which line
is wrong. Passwords are checked with argon2-cffi and never kept or logged;
the chat itself only learns that a user is an operator.
"""

import secrets
from collections.abc import Mapping

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError

from chatd.domain.errors import ChatError
from chatd.domain.names import check_nickname
from chatd.line.wording import word
from chatd.text import fold


class OpersFileError(ValueError):
    """The operators file cannot be used; the message says why, in a sentence."""


def check_operator_name(name: str) -> str:
    """``name`` in normal form if it may name an operator (the rules of a nickname); raises ChatError."""
    return check_nickname(name)


class Opers:
    """Operator names (compared as nicknames are) and their password hashes."""

    def __init__(self, hashes: Mapping[str, str]) -> None:
        self._hashes = {fold(name): hashed for name, hashed in hashes.items()}
        self._hasher = PasswordHasher()
        # An unknown name is checked against this, so it takes as long as a
        # known one: the time taken does not tell which names exist.
        self._decoy = self._hasher.hash(secrets.token_hex(16)) if hashes else ""

    def verify(self, name: str, password: str) -> bool:
        """Whether ``password`` is operator ``name``'s. Takes tens of milliseconds by design."""
        if not self._hashes:
            return False
        hashed = self._hashes.get(fold(name))
        try:
            self._hasher.verify(hashed or self._decoy, password)
        except (VerificationError, InvalidHashError):
            return False
        return hashed is not None


def load_opers(path: str) -> Opers:
    """The operators in the file at ``path``; raises OpersFileError saying what is wrong."""
    try:
        with open(path, encoding="utf-8") as lines:
            text = lines.read()
    except OSError as error:
        raise OpersFileError(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise OpersFileError(f"{path} is not UTF-8 text") from None
    hashes: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            name, hashed = _entry(line, f"{path} line {number}")
            if fold(name) in hashes:
                raise OpersFileError(f"{path} line {number}: operator {name} is listed twice")
            hashes[fold(name)] = hashed
    if not hashes:
        raise OpersFileError(f"{path} lists no operator; make a line with python -m chatd.passwd NAME")
    return Opers(hashes)


def _entry(line: str, where: str) -> tuple[str, str]:
    """The name and hash on one line of the file."""
    words = line.split()
    if len(words) != 2:
        raise OpersFileError(f"{where} is not NAME HASH")
    try:
        name = check_operator_name(words[0])
    except ChatError as error:
        raise OpersFileError(f"{where}: {word(error)}") from None
    try:
        extract_parameters(words[1])
    except InvalidHashError:
        raise OpersFileError(f"{where}: not an Argon2 hash made by python -m chatd.passwd") from None
    return name, words[1]
