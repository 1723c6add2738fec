"""The files a host names at start that hold secrets: a start warns when users other than their owner may open them.

``python -m chatd.passwd alice >> opers.txt`` makes ``opers.txt`` with the
shell's umask, 0644 on most systems: every account on the machine could
read the operators' password hashes and try passwords against them at
leisure, and README said only to keep the file private. The daemon reads
these files itself, so it can tell: one warning a file at start, naming the
``chmod`` that closes it. Nothing stops the start: a host on a machine of
their own may not mind, and a test chat should still run. openssl writes
its keys 0600, so a ``--tls-key`` made as README says is not warned about.
"""

import os
import shlex
import stat
from collections.abc import Iterable

from twisted.logger import Logger

HOLDS = {
    "opers": "holds the operators' password hashes",
    "tls-key": "is the TLS private key",
}
"""Each option naming a secret file, and what the file is, as the warning says it."""

log = Logger()


def warn_if_open(given: Iterable[tuple[str, str | None]]) -> None:
    """Log a warning for each file, of the options and paths ``given`` (None: not given), that users other than its
    owner may read or change (any group or other bit), with the ``chmod 600`` to run.

    A file that cannot be looked at is passed over: the start read it
    already, so one gone since is told of when it is read again.
    """
    for option, path in given:
        if path is None:
            continue
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except OSError:
            continue
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warn(
                "--{option} {path} {holds}, and users other than its owner may read or change it (mode {mode}); "
                "run chmod 600 {quoted}",
                option=option,
                path=path,
                holds=HOLDS[option],
                mode=f"{mode:04o}",
                quoted=shlex.quote(path),
            )
