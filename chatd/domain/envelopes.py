"""``/emsg``: private messages the server relays and keeps without being able to read them (issue 17).

The sender's client boxes the text (NaCl ``crypto_box``) once for each
device key of the recipient's account and of its own, and sends the boxes
as an envelope: base64 of the JSON ``{"v":1,"from":KEY,"to":{KEY:
"NONCE:CIPHERTEXT",...}}``. The server checks only its shape (it cannot
check more: it holds no secret key) and that ``from`` is a key the
sender's account published, so nobody sends as another's device, then
hands it on as an ``Encrypted`` event: to both parties' sessions, to the
mailbox when the recipient is offline, to the two accounts' history. It
never holds or logs the text.
"""

import base64
import binascii
import json
from collections.abc import Callable

from chatd.domain import rules
from chatd.domain.errors import BadEnvelopeError, BadKeyError, NotIdentifiedError
from chatd.domain.events import Encrypted
from chatd.domain.keylog import KEYS_MOST, check_key
from chatd.domain.keys import KeyDirectory
from chatd.domain.offline import keep_for
from chatd.domain.ports import UserView
from chatd.domain.publish import Publisher
from chatd.domain.replies import Kept
from chatd.domain.state import ChatState
from chatd.domain.storage_ports import Mailbox
from chatd.domain.users import both, own

EMSG_LINE_MOST = 16384
"""Bytes an ``/emsg`` line may hold (other lines: the front end's ``max_line``): a message's boxes for up to
``2 * KEYS_MOST`` devices, each its text's length plus a nonce and a tag, in base64 twice over."""

READ_ENCRYPTED = "read it with the bundled client (python -m chatd.client) or the web page"
"""What every front end tells a session that cannot open an encrypted message to read it with: never ciphertext."""

NONCE_BYTES = 24
"""XSalsa20's nonce: random for each box."""

TAG_BYTES = 16
"""Poly1305's tag, at the start of every box: a box is never shorter."""


def check_envelope(envelope: str, sender_keys: tuple[str, ...]) -> None:
    """Raise BadEnvelopeError unless ``envelope`` has the agreed shape and comes from one of ``sender_keys``."""
    try:
        data = json.loads(base64.b64decode(envelope, validate=True))
    except (binascii.Error, ValueError, RecursionError):
        # RecursionError: JSON nested deeper than Python's stack, 12,000 "[" in one line, is no envelope either.
        raise BadEnvelopeError("not base64 of JSON") from None
    # ``true == 1`` in Python, not in the page's ``v === 1``: an envelope of ``"v":true`` went to a recipient
    # whose page could never open it.
    version = data.get("v") if isinstance(data, dict) else None
    if isinstance(version, bool) or version != 1 or set(data) != {"v", "from", "to"}:
        raise BadEnvelopeError('not {"v":1,"from":KEY,"to":{...}}')
    sender, boxes = data["from"], data["to"]
    if not isinstance(sender, str) or sender not in sender_keys:
        raise BadEnvelopeError("from is not a key your account published")
    if not isinstance(boxes, dict) or not 1 <= len(boxes) <= 2 * KEYS_MOST:
        raise BadEnvelopeError(f"to holds 1 to {2 * KEYS_MOST} boxes")
    for key, box in boxes.items():
        try:
            check_key(key)
        except BadKeyError:
            raise BadEnvelopeError("a key in to is not base64 of 32 bytes") from None
        if not isinstance(box, str) or not _is_box(box):
            raise BadEnvelopeError("a box is not NONCE:CIPHERTEXT in base64")


def _is_box(box: str) -> bool:
    nonce, colon, sealed = box.partition(":")
    try:
        return (
            bool(colon)
            and len(base64.b64decode(nonce, validate=True)) == NONCE_BYTES
            and len(base64.b64decode(sealed, validate=True)) >= TAG_BYTES
        )
    except (binascii.Error, ValueError):
        return False


class EncryptedMail:
    """Sends envelopes between identified accounts: live to both sides' sessions, or kept while the recipient is offline.

    Without a mailbox (a chat that keeps none) an offline recipient is
    refused as ``/msg`` refuses one.
    """

    def __init__(
        self,
        state: ChatState,
        seam: Publisher,
        keys: KeyDirectory,
        mailbox: Mailbox | None,
        now: Callable[[], float],
    ) -> None:
        self._state = state
        self._seam = seam
        self._keys = keys
        self._mailbox = mailbox
        self._now = now

    def send(self, view: UserView, nick: str, envelope: str) -> Kept | None:
        """Send ``envelope`` from the user to the account ``nick``; ``Kept`` if it waits for them.

        Raises NotIdentifiedError (the sender has no account),
        NoSuchAccountError, MutedError, BadEnvelopeError, MailboxFullError,
        NoSuchNicknameError (offline, and no mailbox).
        """
        user = own(view)
        if user.account is None:
            raise NotIdentifiedError()
        account = self._keys.account_of(nick)
        rules.check_voice(self._state, user, self._now())
        check_envelope(envelope, self._keys.keys(user.account))
        # By account: its user may be online under another nickname (identified, then renamed).
        target = self._state.users.by_account.get(account)
        if target is not None:
            id, at = self._seam.stamp()
            event = Encrypted(
                id=id, at=at, actor=user.actor, to=target.nick, envelope=envelope, to_account=account
            )
            self._seam.publish(event, both(user, target))
            return None
        if self._mailbox is None:
            # Nobody online as the account, and nowhere to keep it: as /msg to someone offline.
            raise self._state.users.missing(nick)
        to = self._keys.nick(account)

        def sealed(id: str, at: float) -> Encrypted:
            return Encrypted(id=id, at=at, actor=user.actor, to=to, envelope=envelope, to_account=account)

        return keep_for(self._seam, self._mailbox, user, account, to, sealed)
