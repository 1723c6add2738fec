"""The IRCv3 capabilities chatd offers, and how ``CAP LS`` shows them.

Each is offered because the listener does what its specification asks;
docs/IRC.md says what each changes. ``sasl`` names its one mechanism to a
302 client (``sasl=PLAIN``), as the SASL 3.2 spec has it;
``draft/account-registration`` has no keys: no ``before-connect`` (REGISTER
waits for the welcome), no ``email-required``, no ``custom-account-name``.
"""

CAPS: dict[str, str] = {
    "account-notify": "",
    "account-tag": "",
    "away-notify": "",
    "batch": "",
    "cap-notify": "",
    "draft/account-registration": "",
    "draft/chathistory": "",
    "draft/message-redaction": "",
    "echo-message": "",
    "extended-join": "",
    "invite-notify": "",
    "labeled-response": "",
    "message-tags": "",
    "multi-prefix": "",
    "sasl": "PLAIN",
    "server-time": "",
    "soju.im/search": "",
    "userhost-in-names": "",
}
"""Each capability offered, with its value for ``CAP LS 302`` (empty: none)."""

LS_ROOM = 400
"""Bytes of capabilities in one ``CAP LS`` line: within IRC's 512 with the source, nickname and ``LS *``."""


def advertised(values: bool) -> list[str]:
    """The capabilities as ``CAP LS`` lists them: with their values for a 302 client (``values``)."""
    return [f"{name}={value}" if values and value else name for name, value in sorted(CAPS.items())]
