"""The client's own commands, as ``/help`` shows them beside the server's.

The server's ``/help`` knows the server's commands only. The ones the
client carries out itself (files, and the keys behind end-to-end private
messages) are told here: ``/help send`` is answered by the client rather
than refused by the server, and ``/help`` alone names them before the
server's list.
"""

OWN: dict[str, tuple[str, str]] = {
    "send": ("/send NICK|#room PATH", "offer a file; it is checked by SHA-256 and goes on after a drop"),
    "accept": (
        "/accept [N]",
        "fetch a file offered to you (the latest, or number N of /files) into --downloads",
    ),
    "decline": ("/decline [N|*]", "refuse a file offered to you, or with * every one offered to you"),
    "cancel": ("/cancel [N]", "stop a transfer, one you send or one you fetch"),
    "takedown": ("/takedown N", "take someone's offer N to a room down for everyone, as the room's operator"),
    "files": ("/files", "list the transfers here, numbered, and the server's"),
    "fingerprint": (
        "/fingerprint [NICK]",
        "show your account's key fingerprints, or NICK's, to compare out loud",
    ),
    "verify": (
        "/verify NICK FINGERPRINT",
        "mark NICK's keys verified once the fingerprint they read you matches",
    ),
    "trust": ("/trust NICK", "accept NICK's changed keys, unverified, so sealed messages go to them again"),
    "keylog": ("/keylog", "check the server's key log; its seq and head, to compare with a contact's"),
}
"""Each of the client's own commands by name: its usage and what it does."""

MSG = "In this client /msg NICK text is sealed end to end when NICK has published keys; /msg --plain sends it in the clear."
"""What the client adds to the server's help for ``/msg``."""


def own_help(topic: str) -> tuple[list[str], bool]:
    """What the client says for ``/help topic``, and whether the server is asked too.

    ``topic`` is what follows ``/help``: nothing (the client's commands are
    named, then the server lists its own), one of the client's commands (the
    client answers alone), ``msg`` (the server's help, and what the client
    adds), or anything else (the server's to answer).
    """
    name = topic.strip().lstrip("/").lower()
    if not name:
        names = ", ".join(f"/{each}" for each in OWN)
        return [f"The client's own commands (/help COMMAND for one): {names}."], True
    if name in OWN:
        usage, summary = OWN[name]
        return [f"{usage} - {summary}."], False
    if name == "msg":
        return [MSG], True
    return [], True
