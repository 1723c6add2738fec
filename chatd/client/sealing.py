"""Private messages sealed and opened: the one place in the client where a message's text meets the keys.

A message to a contact whose account has keys is sealed for each of them
and each of the user's own (``/emsg``), the latter as the checked key log
holds them at that send; one to a contact with none goes in the clear, and
the client says so. A received envelope is opened with this device's key
and shown as a whisper, warned about if the key that sealed it is not
pinned for its sender. A part of encryption (e2e.py) of its own, as the
page keeps sealing.js apart.
"""

from typing import TYPE_CHECKING

from chatd.client.crypto import EnvelopeError, NotSealedForMeError, fingerprint, open_envelope, seal
from chatd.client.keyring import Contact
from chatd.client.render import render
from chatd.client.shown import Message, Shown
from chatd.client.style import Look, compose
from chatd.text import fold, scrub

if TYPE_CHECKING:
    from chatd.client.e2e import EndToEnd

MAX_EMSG_LINE = 16384
"""The longest ``/emsg`` line the server takes, in bytes."""

ENCRYPTED_MARK = "[encrypted]"

UNDECRYPTABLE = "a message from {nick} could not be decrypted: it was altered on the way"

NOT_FOR_THIS_DEVICE = (
    "a message from {nick} cannot be read on this device: it was sealed before this device had its key"
)
"""An envelope with no box for this device's key: normal for the user's own lines, or a contact's, sealed before this
install made its key; "altered" would alarm them for nothing. The page says the same words (sealing.js)."""


def send_sealed(e2e: "EndToEnd", nick: str, text: str, keys: list[str]) -> None:
    """Seal ``text`` to ``keys`` (NICK's pinned account keys) and the user's own; in the clear if there are none."""
    if not keys:
        e2e.put(f"/msg {nick} {text}")
        e2e.say(f"Sent to {scrub(nick)} NOT encrypted: {scrub(nick)} has published no key.", Look.ERROR)
        return
    account = e2e.accounts.get(fold(nick), nick)
    contact = e2e.keyring.contact(account)
    mine = e2e.account is not None and fold(account) == fold(e2e.account)
    # The user's own account is never pinned: its keys are the log's (``own_keys``), so a note to self goes.
    if not mine and (contact is None or contact.pending is not None or sorted(contact.keys) != keys):
        e2e.say(
            f"Not sent: {scrub(nick)}'s keys changed. Compare fingerprints (/fingerprint {scrub(nick)}), "
            f"then /trust {scrub(nick)} and send again.",
            Look.ERROR,
        )
        return
    envelope = seal(text, e2e.identity.secret, [*keys, *e2e.own_keys, e2e.identity.public])
    line = f"/emsg {nick} {envelope}"
    if len(line.encode("utf-8")) > MAX_EMSG_LINE:
        e2e.say(f"Not sent: too long to encrypt for {len(keys) + len(e2e.own_keys)} keys.", Look.ERROR)
        return
    e2e.put(line)


def open_encrypted(e2e: "EndToEnd", message: Message) -> Shown:
    """An ``encrypted`` object opened: the message as a whisper, or one line saying why it cannot be read.

    From a key not pinned for its sender it waits for the sender's keys, or is shown with a warning; a contact's
    keys are asked for once for such a key (``EndToEnd.unpinned``), not for each message it sealed.
    """
    nick, envelope = e2e.text(message, "nick"), message.get("envelope")
    try:
        opened = open_envelope(envelope if isinstance(envelope, str) else "", e2e.identity)
    except EnvelopeError as error:
        bad = Look.HISTORY if message.get("history") is True else Look.ERROR
        words = NOT_FOR_THIS_DEVICE if isinstance(error, NotSealedForMeError) else UNDECRYPTABLE
        return Shown((compose(e2e.link.view, e2e.at(message), bad, words.format(nick=nick)),))
    whispered = {**message, "type": "whispered", "text": f"{ENCRYPTED_MARK} {opened.text}"}
    shown = render(whispered, e2e.link.view, e2e.at(message))
    if _pinned(e2e, nick, opened.sender):
        return shown
    mine = e2e.account is not None and fold(nick) == fold(e2e.account)
    waiting = next((w for w in e2e.wants if w.purpose in ("pin", "own") and fold(w.nick) == fold(nick)), None)
    if waiting is not None:
        waiting.held.append((shown, opened.sender))
        return Shown(())
    if not mine and _contact(e2e, nick) is not None:
        if opened.sender not in e2e.unpinned.get(fold(nick), ()):
            # Perhaps the keys changed since: asking says so, loudly, if they did. The key is warned about
            # whatever the answer, unless the user trusts it: until NICK's keys are next asked for, no need to ask.
            e2e.ask_keys(nick, "pin")
            e2e.unpinned[fold(nick)] = {opened.sender}
        return warned(e2e, shown, nick, opened.sender)
    # Never seen, or another device of the user's own account that published its key after this client
    # last looked: fetch the keys (pinned on first use, or the account's from the log), then show it, warned
    # only if the key is still none of them.
    e2e.ask_keys(nick, "pin").held.append((shown, opened.sender))
    return Shown(())


def _contact(e2e: "EndToEnd", nick: str) -> Contact | None:
    return e2e.keyring.contact(e2e.accounts.get(fold(nick), nick))


def _pinned(e2e: "EndToEnd", nick: str, sender: str) -> bool:
    """Whether ``sender`` is a key pinned for ``nick`` (for the user's own nickname: one of the account's)."""
    if e2e.account is not None and fold(nick) == fold(e2e.account):
        return sender in {e2e.identity.public, *e2e.own_keys}
    contact = _contact(e2e, nick)
    return contact is not None and sender in contact.keys


def warned(e2e: "EndToEnd", shown: Shown, nick: str, sender: str) -> Shown:
    """``shown``, and after it a warning if ``sender`` is not a key pinned for ``nick``."""
    if _pinned(e2e, nick, sender):
        return shown
    mine = e2e.account is not None and fold(nick) == fold(e2e.account)
    whose = "that is not one of your account's" if mine else f"not pinned for {nick}"
    warning = (
        f"WARNING: that message was sealed by a key {whose} "
        f"(fingerprint {fingerprint(sender)}): compare fingerprints (/fingerprint {nick})."
    )
    return Shown((*shown.lines, compose(e2e.link.view, e2e.clock.seconds(), Look.ERROR, warning)), shown.bell)
