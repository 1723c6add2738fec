"""How an encrypted message looks where it cannot be opened (issue 17): one line saying what reads it, never ciphertext."""

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.events import Actor, Encrypted
from chatd.irc.lines import Shape
from chatd.irc.render import EventLines
from chatd.line.render import history_text, json_line, text_line

SEALED = Encrypted(
    id="0000000000000001",
    at=60.0,
    actor=Actor("alice", "10.0.0.1", "alice"),
    to="bob",
    envelope="ZW52ZWxvcGU=",
    to_account="bob",
)
READ = "read it with the bundled client (python -m chatd.client) or the web page"


class EncryptedRenderTests(SynchronousTestCase):
    def test_irc_clients_get_a_notice_to_the_recipient(self) -> None:
        """A NOTICE from alice to bob with the same words, no envelope."""
        self.assertEqual(
            EventLines("testhost").render(SEALED, Shape.PLAIN),
            f":alice!alice@chatd NOTICE bob :alice sent you an encrypted message: {READ}\r\n".encode(),
        )

    def test_text_sessions_live_and_from_history_read_who_sent_it_to_whom(self) -> None:
        """The clock, then the sentence; from history, the date."""
        self.assertEqual(
            text_line(SEALED), f"[00:01] * alice sent bob an encrypted message: {READ}\r\n".encode()
        )
        self.assertEqual(
            history_text(SEALED),
            f"[1970-01-01 00:01] * alice sent bob an encrypted message: {READ}\r\n".encode(),
        )

    def test_json_sessions_get_the_envelope_and_not_the_accounts(self) -> None:
        """type, id, at, nick, to, envelope: the recipient's account stays the server's."""
        self.assertEqual(
            json_line(SEALED),
            b'{"type":"encrypted","id":"0000000000000001","at":60.0,"nick":"alice","to":"bob",'
            b'"envelope":"ZW52ZWxvcGU="}\r\n',
        )
