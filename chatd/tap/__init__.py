"""``twistd chatd``: command-line options and the service they describe.

A mistake in them, or a port that cannot be bound, stops the start with
one sentence on standard error (``chatd.start.StartError``), not twistd's
page of usage or a traceback.

The plugin's entry, as twistd and chatd.tac import it: ``Options`` and
``makeService``. The options are a module per idea: their bounds
(``bounds``), their rows (``limits``, ``parameters``), the checks of values
that are not numbers (``checks``; ``listen`` for --listen), the class that
parses them (``options``) and the ``Config`` they describe (``typed``).
"""

from twisted.application.service import IService
from twisted.internet.error import CannotListenError

from chatd.config import MEMORY
from chatd.frontend.endpoints import IRC_PREFIX, WEB_PREFIX, ListenError
from chatd.secret_files import SecretFile, endpoint_key, given, warn_if_open
from chatd.service import bound_daemon
from chatd.start import StartError, cannot_listen, listen_refused
from chatd.storage.database_file import DatabaseFileError
from chatd.storage.spool import SpoolFolderError
from chatd.tap.bounds import PORT_OPTIONS
from chatd.tap.options import Options
from chatd.tls import warn_if_expired

__all__ = ["Options", "makeService"]


def makeService(options: Options) -> IService:
    """The daemon ``options`` describe, its ports already bound; called by twistd and chatd.tac.

    twistd calls this before it starts logging and forks, so a port that
    cannot be bound, or a ``--db`` file that cannot be used, is told on the
    terminal as a ``StartError``. A file of secrets (``_secret_files``) that
    users other than its owner may read is a warning in the log (chatd.secret_files), as is a ``--tls-cert``
    that has expired (chatd.tls).
    """
    from twisted.internet import reactor

    try:
        daemon = bound_daemon(options.config(), reactor)
    except (DatabaseFileError, SpoolFolderError) as error:
        raise StartError(str(error)) from None
    except ListenError as error:
        raise StartError(listen_refused(error.given, error.cause)) from None
    except CannotListenError as error:
        ports = {f"--{name}": options[name] for name in PORT_OPTIONS}
        raise StartError(cannot_listen(error, ports, options["interface"])) from None
    warn_if_open(_secret_files(options))
    if options["tls"] is not None:
        warn_if_expired(options["tls"].options, options["tls-cert"], reactor.seconds())
    return daemon


def _secret_files(options: Options) -> list[SecretFile]:
    """The files of secrets ``options`` name: the --opers file, the --tls-key, the --db file (none for :memory:),
    and each --listen ssl: key."""
    files = [given(option, options[option]) for option in ("opers", "tls-key") if options[option] is not None]
    if options["db"] != MEMORY:
        files.append(given("db", options["db"]))
    for prefix, listen in (("", "listen"), (WEB_PREFIX, "web-listen"), (IRC_PREFIX, "irc-listen")):
        keys = (endpoint_key(prefix + endpoint, endpoint) for endpoint in options[listen])
        files.extend(key for key in keys if key is not None)
    return files
