"""Why a --listen value cannot be read, in the host's words: one sentence naming the value as given and what in it
is wrong (``check_endpoint``).

Twisted's parser is the judge of what is an endpoint, but its refusals are
Python's (``invalid literal for int() with base 10: 'abc'``, ``_parseTCP()
got multiple values for argument 'interface'``), and it takes a port past
65535 that only binding refuses. The kinds a host most often writes
(``PORTED``) are read here first, word by word, as Twisted's parser reads
them (``_parse``: the colons and escapes of ``serverFromString``'s grammar).
"""

from OpenSSL import crypto
from twisted.internet.endpoints import _parse, serverFromString
from twisted.python import usage

from chatd.frontend.endpoints import with_backlog

PROXY_PROTOCOL = "haproxy:"
"""Twisted's endpoint for the PROXY protocol, which chatd does not use (``check_endpoint``; --proxy instead)."""

PORTED = {
    "tcp": ("port", "interface", "backlog"),
    "tcp6": ("port", "backlog", "interface"),
    "ssl": (
        "port",
        "privateKey",
        "certKey",
        "sslmethod",
        "interface",
        "backlog",
        "extraCertChain",
        "dhParameters",
    ),
}
"""The endpoint kinds that begin with a port, and the names of what Twisted's parser for each takes, in the order it
takes them without their names (``tcp:PORT:INTERFACE:BACKLOG``)."""

NUMBERS = ("port", "backlog")
"""What Twisted reads as a whole number in a ``PORTED`` endpoint."""

LAST_PORT = 65535


def check_endpoint(given: str, description: str | None = None) -> None:
    """Refuse a --listen value (``given``) whose endpoint (``description``, default ``given``) cannot be read, or
    that speaks the PROXY protocol, in one sentence naming ``given``.

    Twisted's ``haproxy:`` endpoint reads the header with the user's
    address once bytes arrive, but every front end takes a connection's
    address (for the limits, bans, the log) as it is accepted, before: the
    connection worked, and every user was the proxy's address, silently.
    It also believes a header from any peer. ``--proxy`` reads the header
    on tcp: and ssl: listeners, from the balancers it names only
    (chatd.frontend.proxy_header), so the sentence points there.
    """
    from twisted.internet import reactor

    endpoint = given if description is None else description
    if endpoint.startswith(PROXY_PROTOCOL):
        raise usage.UsageError(
            f"--listen {given!r} cannot be used: it would believe a PROXY header from anyone; listen on tcp: or "
            "ssl: and name the load balancer with --proxy ADDRESS, whose headers are then read on the line and "
            "IRC ports."
        )
    # _parse is private, but what it reads is what serverFromString's grammar (documented) says.
    words, parameters = _parse(endpoint)
    wrong = _ported_wrong(words, parameters)
    if wrong is not None:
        raise usage.UsageError(f"--listen {given!r}: {wrong}.")
    try:
        serverFromString(reactor, with_backlog(endpoint))
    except (ValueError, TypeError, KeyError) as error:
        raise usage.UsageError(f"--listen {given!r}: {_unreadable(words[0], error)}.") from None
    except OSError as error:
        # An ssl: endpoint reads its certificate as it is parsed (server.pem in the working directory if none
        # is named): a missing or unreadable one was a traceback, and so was one that is not PEM.
        raise usage.UsageError(
            f"--listen {given!r}: cannot read {error.filename} ({error.strerror}); "
            "name its files, e.g. ssl:6697:certKey=cert.pem:privateKey=key.pem."
        ) from None
    except crypto.Error:
        raise usage.UsageError(
            f"--listen {given!r}: its certKey and privateKey must be a PEM certificate and its key."
        ) from None


def _ported_wrong(words: list[str], parameters: dict[str, str]) -> str | None:
    """What is wrong with an endpoint of a ``PORTED`` kind, read as ``words`` and named ``parameters``; else None."""
    kind, *placed = words
    names = PORTED.get(kind)
    if names is None:
        return None
    unknown = next((name for name in parameters if name not in names), None)
    if unknown is not None:
        return f"{kind}: takes {'=, '.join(names[1:])}=, not {unknown}="
    if len(placed) > len(names) or any(name in parameters for name in names[: len(placed)]):
        # tcp:5000:interface=::1 is read as interface= and then two more words, "" and "1".
        return "write each colon inside a value as \\:, e.g. tcp:5000:interface=\\:\\:1"
    given = dict(zip(names, placed, strict=False)) | parameters
    if not given.get("port"):
        return f"give a port after {kind}:, e.g. {kind}:5000"
    port = given["port"]
    if port.removeprefix("-").isdigit() and not 0 <= int(port) <= LAST_PORT:
        return f"the port must be 0 to {LAST_PORT}, not {port}"
    for name in NUMBERS:
        value = given.get(name)
        if value is not None and not value.isdigit():
            return f"the {name} must be a number, not {value!r}"
    return None


def _unreadable(kind: str, error: Exception) -> str:
    """Why Twisted could not read an endpoint of ``kind``, from its ``error``, without Python's words for it."""
    if str(error).startswith("Unknown endpoint type"):
        return f"there is no endpoint type {kind!r}; begin it with tcp:, ssl: or unix:"
    return f"Twisted cannot read this {kind}: endpoint; see its endpoint syntax, e.g. tcp:5000:interface=127.0.0.1"
