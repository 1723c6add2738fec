"""Every ``keys`` answer held to the server's key log and the pins before it is believed.

The log is read a page at a time, as fast as the server's flood limit
allows (docs/PROTOCOL.md, "Encrypted private messages"), and must only
have grown since this client last checked it; the keys a ``keys`` answer
serves must be exactly the log's, then a contact's are pinned on first use.
What the answer was asked for (``Want``) is done only then: a ``/msg``
sealed, fingerprints shown, held messages let go. A part of encryption
(e2e.py) of its own because it is what catches a server serving another
key than its log holds; the page keeps it apart too (keychecks.js).
"""

from functools import partial
from typing import TYPE_CHECKING

from chatd.client.crypto import fingerprint, fingerprints
from chatd.client.e2ecommands import show_contact
from chatd.client.keyring import LOG_WARNING, Pinning
from chatd.client.keywants import Want
from chatd.client.sealing import send_sealed, warned
from chatd.client.shown import Message, Shown
from chatd.client.style import Look
from chatd.text import fold, scrub

if TYPE_CHECKING:
    from chatd.client.e2e import EndToEnd

LOG_PROGRESS = (
    "Checking the server's key log: {seq:,} of {total:,} entries so far. A long log is read a page every few "
    "seconds, as fast as the server's flood limit allows; messages to encrypt wait for it."
)
"""Said once a check of the key log needs more than one page: on a long-lived server a new client reads thousands of
entries, a page every 3 s at the defaults, and a ``/msg`` sent meanwhile waits for the check with nothing else said."""

LOG_CHECKED = "Key log checked: {seq:,} entries, head {head}."
"""Said when a check ``LOG_PROGRESS`` announced ends (a ``/keylog`` says its own line instead)."""

NEW_DEVICE = (
    "Your account {account} has a new device key: fingerprint {fingerprint}. What you send is sealed for it too; "
    "if it is no device of yours, someone else has your password."
)
"""Said once for each key the user's account gains while this client is identified to it: it is no warning on
every message from that device (its keys are the account's own, never pinned), but the user hears of it once."""


def _answered(e2e: "EndToEnd", message: Message) -> Want | None:
    """The ``/key get`` the error ``message`` answers, taken off the list; None if it answers none of ours."""
    code = message.get("code")
    if code == "no-such-account":
        nick = message.get("nick")
        found = next(
            (want for want in e2e.wants if isinstance(nick, str) and fold(want.nick) == fold(nick)), None
        )
    else:
        # A server without /key refuses every one of them alike: the oldest is answered first.
        found = e2e.wants[0] if message.get("command") == "key" else None
    if found is not None:
        e2e.wants.remove(found)
    return found


def refused(e2e: "EndToEnd", message: Message) -> Shown | None:
    """An error that may answer a ``/key get`` (``REFUSALS``): what its want asked for, done without keys; None if it answers none."""
    want = _answered(e2e, message)
    if want is None:
        return None
    code = message.get("code")
    if want.purpose == "send" and code in ("no-such-account", "unknown-command"):
        e2e.put(f"/msg {want.nick} {want.text}")
        why = "has no account" if code == "no-such-account" else "is on a server without encryption"
        e2e.say(f"Sent to {scrub(want.nick)} NOT encrypted: {scrub(want.nick)} {why}.", Look.ERROR)
        e2e.idle()
        return Shown(())
    if want.purpose == "pin":
        release(e2e, want)
        e2e.idle()
        return Shown(())
    if want.purpose == "show" and code == "no-such-account":
        e2e.say(f"{scrub(want.nick)} is no account: there are no keys to show.", Look.ERROR)
        e2e.idle()
        return Shown(())
    e2e.idle()
    return None


def ask_log(e2e: "EndToEnd") -> None:
    """Check the key log up to the server's head, unless a check is under way."""
    if not e2e.log_fetching:
        e2e.log_fetching = True
        _next_page_due(e2e)


def _next_page_due(e2e: "EndToEnd") -> None:
    """Ask for the log's entries after the last one checked."""
    e2e.put(f"/key log {e2e.keyring.log.seq + 1}")


def follow_keys(e2e: "EndToEnd", message: Message) -> None:
    """A ``keys`` answer, taken with the ``/key get`` it answers off the list."""
    nick = e2e.text(message, "nick")
    want = next((want for want in e2e.wants if fold(want.nick) == fold(nick)), None)
    if want is not None:
        e2e.wants.remove(want)
    _answer(e2e, message, want)


def _answer(e2e: "EndToEnd", message: Message, want: Want | None) -> None:
    """A ``keys`` answer: the log must have only grown to its seq; then its keys are checked and used."""
    seq, head = message.get("seq"), message.get("head")
    log = e2e.keyring.log
    if (
        not isinstance(seq, int)
        or not isinstance(head, str)
        or seq < log.seq
        or (seq == log.seq and head != log.head)
    ):
        _fail(e2e, want, f"{LOG_WARNING} (it was at {log.seq}, it says {seq!r} now)")
        return
    if seq > log.seq:
        e2e.log_waiting.append((message, want))
        ask_log(e2e)
        return
    _checked_keys(e2e, message, want)


def follow_key_log(e2e: "EndToEnd", message: Message) -> None:
    """A page of the key log: checked and added, then the next asked, or the answers held for it let go."""
    entries, seq, head = message.get("entries"), message.get("seq"), message.get("head")
    more = message.get("more") is True
    e2e.log_fetching = False
    problem = (
        "the answer is malformed"
        if not isinstance(entries, list) or not isinstance(seq, int) or not isinstance(head, str)
        else e2e.keyring.extend_log(entries, seq, head, more)
    )
    if problem is not None:
        waiting, e2e.log_waiting = e2e.log_waiting, []
        e2e.log_long = False
        e2e.say(f"WARNING: {LOG_WARNING}: {scrub(problem)}.", Look.ERROR)
        for _, want in waiting:
            _fail(e2e, want, None)
        e2e.idle()
        return
    if more:
        if not e2e.log_long:
            e2e.log_long = True
            e2e.say(LOG_PROGRESS.format(seq=e2e.keyring.log.seq, total=seq))
        # A page costs flood budget by its size (6 lines for 500 entries): asked at once, a log past some 6,500
        # entries was cut off (chatd.client.pages).
        e2e.log_fetching = True
        e2e.log_next.ask(message.get("wait"), partial(_next_page_due, e2e))
        return
    e2e.save()
    _new_devices(e2e)
    if e2e.log_shown:
        e2e.log_shown = False
        e2e.say(
            f"Key log: seq {e2e.keyring.log.seq}, head {e2e.keyring.log.head or '(empty)'}; "
            "checked: it only grew since this client last looked. Compare it with your contact's /keylog."
        )
    elif e2e.log_long:
        e2e.say(LOG_CHECKED.format(seq=e2e.keyring.log.seq, head=e2e.keyring.log.head or "(empty)"))
    e2e.log_long = False
    waiting, e2e.log_waiting = e2e.log_waiting, []
    for keys, want in waiting:
        seq = keys.get("seq")
        if isinstance(seq, int) and seq < e2e.keyring.log.seq and want is not None:
            # The log grew between this answer and the log fetched for it: an answer from
            # before, not a server going back on its log. Ask again; one behind a log seen
            # first is the lie _answer warns of.
            e2e.wants.append(want)
            e2e.put(f"/key get {want.nick}")
        else:
            _answer(e2e, keys, want)
    # A piped client waits for this before it quits (``when_idle``): /keylog alone left it waiting for ever.
    e2e.idle()


def _new_devices(e2e: "EndToEnd") -> None:
    """Say each key the user's account gained since this client first had its keys: another device of theirs."""
    if e2e.account is None or e2e.own_known is None:
        return
    keys = e2e.own_keys
    for key in keys:
        if key not in e2e.own_known and key != e2e.identity.public:
            e2e.say(NEW_DEVICE.format(account=scrub(e2e.account), fingerprint=fingerprint(key)))
    e2e.own_known = set(keys)


def _checked_keys(e2e: "EndToEnd", message: Message, want: Want | None) -> None:
    """A ``keys`` answer at the log's checked seq: the keys must be the log's, then pinned, then used."""
    nick, account = e2e.text(message, "nick"), e2e.text(message, "account")
    served = message.get("keys")
    keys = sorted(key for key in served if isinstance(key, str)) if isinstance(served, list) else []
    if keys != e2e.keyring.logged_keys(account):
        _fail(e2e, want, f"{LOG_WARNING} (it serves keys for {account} that its log does not hold)")
        return
    e2e.accounts[fold(nick)] = account
    if e2e.account is not None and fold(account) == fold(e2e.account):
        if e2e.own_known is None:
            e2e.own_known = set(keys)
        _then(e2e, want, keys)
        return
    known = e2e.keyring.contact(account)
    had_pending = known is not None and known.pending is not None
    pinning = e2e.keyring.offer(account, keys) if keys else None
    if pinning not in (None, Pinning.SAME) or (pinning is Pinning.SAME and had_pending):
        # The same keys again (every /msg asks) change nothing: the file is written only for a change.
        e2e.save()
    if pinning is Pinning.FIRST:
        e2e.say(
            f"Pinned {nick}'s key{'s' * (len(keys) > 1)} on first use: {', '.join(fingerprints(keys))}. "
            f"Compare with {nick} (/fingerprint) and /verify {nick} FINGERPRINT."
        )
    elif pinning is Pinning.CHANGED:
        e2e.say(
            f"WARNING: {nick}'s keys changed: now {', '.join(fingerprints(keys)) or 'none'}. "
            f"Compare fingerprints before trusting (/fingerprint {nick}), then /trust {nick}.",
            Look.ERROR,
        )
    _then(e2e, want, keys)


def _then(e2e: "EndToEnd", want: Want | None, keys: list[str]) -> None:
    if want is not None and want.purpose == "send":
        send_sealed(e2e, want.nick, want.text, keys)
    elif want is not None and want.purpose == "show":
        show_contact(e2e, want.nick)
    release(e2e, want)
    e2e.idle()


def _fail(e2e: "EndToEnd", want: Want | None, warning: str | None) -> None:
    if warning is not None:
        e2e.say(f"WARNING: {warning}.", Look.ERROR)
    if want is not None and want.purpose == "send":
        e2e.say(f"Not sent to {scrub(want.nick)}: the keys cannot be trusted.", Look.ERROR)
    release(e2e, want)
    e2e.idle()


def release(e2e: "EndToEnd", want: Want | None) -> None:
    """Show the messages ``want`` held, each warned about if the key that sealed it is not pinned."""
    if want is None:
        return
    for shown, sender in want.held:
        e2e.link.show(warned(e2e, shown, want.nick, sender))
    want.held = []
