"""The checks of ``twistd chatd``'s values that are not numbers: the server's rooms, the console's nickname,
--web-origin, --web-proxy, the --motd file, and an option of twistd's given after the word chatd (--listen has
chatd.tap.listen).

Each refuses a value in one sentence that names the option, as a
``usage.UsageError``.
"""

import os
from urllib.parse import urlsplit

from twisted.python import usage

from chatd.domain.errors import ChatError, InvalidRoomNameError, RoomNameRule
from chatd.domain.names import check_room_name
from chatd.frontend.proxies import proxy_network
from chatd.line.syntax import room_argument
from chatd.line.wording import word


def twistds(error: usage.UsageError, twistd: usage.Options, chatd: usage.Options) -> usage.UsageError | None:
    """The sentence for an option ``error`` is about that is one of ``twistd``'s own and not ``chatd``'s, else None.

    ``twistd -n chatd -n`` read the second ``-n`` as chatd's: saying whose
    it is says more than getopt's "not recognized". The option is the
    ``getopt.GetoptError``'s that ``usage.Options`` turns into ``error``.
    """
    unknown = getattr(error.__context__, "opt", "")
    if unknown not in twistd.synonyms or unknown in chatd.synonyms:
        return None
    # Named with its long name too: -p and -r were chatd's --port and --default-room once, not the profiler and
    # reactor a host would get by moving them.
    shown = f"-{unknown} (--{twistd.synonyms[unknown]})" if len(unknown) == 1 else f"--{unknown}"
    return usage.UsageError(
        f"option {shown} is twistd's, not chatd's, and goes before the word chatd; "
        "twistd chatd --help lists chatd's options."
    )


TLS_FIXES = {
    "certificate": "give a readable PEM certificate",
    "key": "give a readable PEM private key",
    "pair": "give the key the certificate was made with",
}
"""The fix to suggest at start, by what ``TLSConfigError.about`` says is wrong (``TLSConfigError.option`` names
the option)."""


def server_room(option: str, name: str, longest: int) -> str:
    """The room ``--option name`` gives the server, in normal form; else one sentence naming the option.

    Checked as /join checks a name under the same ``--max-room-name``
    (``longest``): a default room no join can make left every user in no
    room, each told the name was too long.
    """
    try:
        return check_room_name(room_argument(name), longest)
    except InvalidRoomNameError as error:
        raise name_refused(option, error, error.rule is RoomNameRule.TOO_LONG, "max-room-name") from None


def name_refused(option: str, error: ChatError, too_long: bool, limit: str) -> usage.UsageError:
    """The sentence for a name ``--option`` gives that a user could not take either (``error``); one ``too_long``
    says which option, ``--limit``, would make room for it."""
    fix = f"; give a shorter name or a larger --{limit}" if too_long else ""
    return usage.UsageError(f"--{option}: {word(error).rstrip('.')}{fix}.")


def check_origin(origin: str) -> str:
    """``origin`` as --web-origin takes it, ``scheme://host[:port]`` in lower case; else one sentence why not."""
    parts = urlsplit(origin.strip())
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.path not in ("", "/")
        or parts.query
    ):
        raise usage.UsageError(
            f"--web-origin {origin!r} is not an origin; write it as a browser sends it, e.g. https://chat.example.org."
        )
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_proxy(network: str, option: str) -> str:
    """``network`` as --web-proxy and --proxy (``option``) take it, an address or a network in one form; else one
    sentence why not."""
    found = proxy_network(network)
    if found is None:
        raise usage.UsageError(
            f"--{option} {network!r} is not an address or a network; give the proxy's, e.g. 127.0.0.1 or 10.0.0.0/8."
        )
    return found


def read_motd(value: str) -> str:
    """The MOTD text: the file's content if ``value`` names a file, else ``value``.

    A value that can only be a path (one word, with a ``/`` or a text
    file's suffix) but names no file stops the start: a mistyped path would
    otherwise greet every user with the path itself.
    """
    if not os.path.isfile(value):
        if value.split() == [value] and ("/" in value or value.endswith((".txt", ".md"))):
            raise usage.UsageError(
                f"--motd: there is no file {value}; give a file that exists, or the text itself."
            )
        return value
    try:
        with open(value, encoding="utf-8") as motd:
            return motd.read()
    except (OSError, UnicodeDecodeError) as error:
        raise usage.UsageError(f"--motd: cannot read {value}: {error}.") from None
