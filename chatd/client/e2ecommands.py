"""The encryption commands the client keeps to itself: ``/msg``, ``/fingerprint``, ``/verify``, ``/trust``, ``/keylog``.

Each takes the ``EndToEnd`` and what followed the command word, and
returns whether it dealt with the line: ``/msg`` to a room, or from
someone identified to no account (who has no key to seal with), goes to
the server as typed.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from chatd.client.crypto import fingerprint, fingerprints, same_fingerprint
from chatd.client.style import Look
from chatd.text import fold, scrub

if TYPE_CHECKING:
    from chatd.client.e2e import EndToEnd

PLAIN = "--plain"


def msg(e2e: "EndToEnd", rest: str) -> bool:
    """``/msg NICK text`` sealed when NICK's account has keys; ``/msg --plain NICK text`` in the clear."""
    words = rest.split(maxsplit=1)
    if words and words[0] == PLAIN:
        e2e.put(f"/msg {words[1]}" if len(words) > 1 else "/msg")
        return True
    if len(words) < 2 or words[0].startswith("#") or e2e.account is None:
        return False
    e2e.ask_keys(words[0], "send", words[1])
    return True


def fingerprint_command(e2e: "EndToEnd", rest: str) -> bool:
    nick = rest.split(maxsplit=1)[0] if rest else ""
    if not nick:
        e2e.say(f"Your key on this device: {fingerprint(e2e.identity.public)}.")
        return True
    if fold(nick) in e2e.accounts:
        show_contact(e2e, nick)
    else:
        e2e.ask_keys(nick, "show")
    return True


def show_contact(e2e: "EndToEnd", nick: str) -> None:
    """Say the fingerprints pinned for ``nick``'s account, and whether they are verified or changed."""
    account = e2e.accounts.get(fold(nick), nick)
    shown = scrub(nick)
    if e2e.account is not None and fold(account) == fold(e2e.account):
        prints = fingerprints(e2e.own_keys or [e2e.identity.public])
        e2e.say(
            f"Your account's keys: {', '.join(prints)} (this device: {fingerprint(e2e.identity.public)})."
        )
        return
    contact = e2e.keyring.contact(account)
    if contact is None:
        e2e.say(f"{shown} has published no key: private messages to {shown} go in the clear.")
        return
    state = "verified" if contact.verified else f"not verified (compare, then /verify {shown} FINGERPRINT)"
    e2e.say(
        f"{shown}'s keys (account {scrub(contact.account)}): {', '.join(fingerprints(contact.keys))}; {state}."
    )
    if contact.pending is not None:
        e2e.say(
            f"{shown}'s keys changed to: {', '.join(fingerprints(contact.pending)) or 'none'}; "
            f"/trust {shown} accepts them.",
            Look.ERROR,
        )


def verify(e2e: "EndToEnd", rest: str) -> bool:
    """``/verify NICK FINGERPRINT``: mark the pin verified when the fingerprint typed is its own."""
    words = rest.split(maxsplit=1)
    if len(words) < 2:
        e2e.say("Usage: /verify NICK FINGERPRINT marks NICK verified once you have compared fingerprints.")
        return True
    nick, typed = scrub(words[0]), words[1]
    contact = e2e.keyring.contact(e2e.accounts.get(fold(nick), nick))
    if contact is None:
        e2e.say(f"No keys pinned for {nick}: /fingerprint {nick} fetches them.", Look.ERROR)
        return True
    if contact.pending is not None and same_fingerprint(typed, contact.pending):
        e2e.keyring.trust(contact.account)
    elif not same_fingerprint(typed, contact.keys):
        e2e.say(
            f"That is not {nick}'s fingerprint: {nick} is NOT verified. /fingerprint {nick} shows it.",
            Look.ERROR,
        )
        return True
    contact.verified = True
    e2e.save()
    e2e.say(f"{nick} is verified: {', '.join(fingerprints(contact.keys))}.")
    return True


def trust(e2e: "EndToEnd", rest: str) -> bool:
    """``/trust NICK``: accept NICK's changed keys, unverified, so encrypted messages go to them again."""
    nick = scrub(rest.split(maxsplit=1)[0]) if rest else ""
    if not nick:
        e2e.say("Usage: /trust NICK accepts NICK's changed keys.")
        return True
    account = e2e.accounts.get(fold(nick), nick)
    if not e2e.keyring.trust(account):
        e2e.say(f"{nick}'s keys have not changed: nothing to trust.")
        return True
    e2e.save()
    contact = e2e.keyring.contact(account)
    keys = contact.keys if contact is not None else []
    e2e.say(
        f"Trusting {nick}'s new keys: {', '.join(fingerprints(keys))} (not verified: compare them, "
        f"then /verify {nick} FINGERPRINT)."
    )
    return True


def keylog(e2e: "EndToEnd", rest: str) -> bool:
    """``/keylog``: fetch what the log grew by, check it, and show its seq and head to compare."""
    e2e.show_log()
    return True


COMMANDS: dict[str, Callable[["EndToEnd", str], bool]] = {
    "/msg": msg,
    "/fingerprint": fingerprint_command,
    "/verify": verify,
    "/trust": trust,
    "/keylog": keylog,
}
"""The client's own encryption commands, by the word that starts them."""
