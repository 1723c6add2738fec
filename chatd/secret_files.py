"""The files a host names at start that hold secrets: a start warns when users other than their owner may open them.

``python -m chatd.passwd alice >> opers.txt`` makes ``opers.txt`` with the
shell's umask, 0644 on most systems: every account on the machine could
read the operators' password hashes and try passwords against them at
leisure, and README said only to keep the file private. The daemon reads
these files itself, so it can tell: one warning a file at start, naming the
``chmod`` that closes it. Nothing stops the start: a host on a machine of
their own may not mind, and a test chat should still run. openssl writes
its keys 0600, so a ``--tls-key`` made as README says is not warned about.
A key an ``ssl:`` endpoint of ``--listen`` reads is the same secret as
``--tls-key``, and is warned of the same way. So is a ``--db`` file that
was there before the start: one chatd makes is its owner's alone
(chatd.storage.private), but SQLite, a copy or an older chatd made it with
the umask's mode, 0644 most often, and a file that is there keeps it.
"""

import os
import shlex
import stat
from collections.abc import Iterable
from dataclasses import dataclass

from twisted.logger import Logger

from chatd.frontend.endpoints import private_key

HOLDS = {
    "opers": "holds the operators' password hashes",
    "tls-key": "is the TLS private key",
    "db": "holds password hashes, addresses and private messages",
}
"""Each option naming a secret file, and what the file is, as the warning says it."""

log = Logger()


@dataclass(frozen=True, slots=True)
class SecretFile:
    """A file of secrets a start reads, and how its warning names it: ``NAMED HOLDS, and users ...``."""

    option: str
    """The option that names it, without its dashes."""
    path: str
    named: str
    """The warning's first words: ``--opers opers.txt``, or for a ``--listen`` endpoint's key the file alone."""
    holds: str
    """What the file is: ``holds the operators' password hashes``."""


def given(option: str, path: str) -> SecretFile:
    """The file ``path`` that ``--option`` (one of ``HOLDS``) names."""
    return SecretFile(option, path, f"--{option} {path}", HOLDS[option])


def endpoint_key(description: str, endpoint: str) -> SecretFile | None:
    """The key the ``--listen description`` (as typed: ``web:ssl:...``) reads, its endpoint being ``endpoint``
    (the description less its front end's prefix); None if it is no ``ssl:`` one."""
    path = private_key(endpoint)
    if path is None:
        return None
    return SecretFile("listen", path, path, f"is the TLS private key of --listen {description}")


def warn_if_open(files: Iterable[SecretFile]) -> None:
    """Log a warning for each of ``files`` that users other than its owner may read or change (any group or other
    bit), with the ``chmod 600`` to run.

    A file that cannot be looked at is passed over: the start read it
    already, so one gone since is told of when it is read again. A file
    named twice (one key given to ``--tls-key`` and to a ``--listen``
    endpoint, by one path or two) is warned of once, as first named.
    """
    warned: set[tuple[int, int]] = set()
    for file in files:
        try:
            status = os.stat(file.path)
        except OSError:
            continue
        mode = stat.S_IMODE(status.st_mode)
        if mode & (stat.S_IRWXG | stat.S_IRWXO) and (status.st_dev, status.st_ino) not in warned:
            warned.add((status.st_dev, status.st_ino))
            log.warn(
                "{named} {holds}, and users other than its owner may read or change it (mode {mode}); "
                "run chmod 600 {quoted}",
                named=file.named,
                option=file.option,
                path=file.path,
                holds=file.holds,
                mode=f"{mode:04o}",
                quoted=shlex.quote(file.path),
            )
