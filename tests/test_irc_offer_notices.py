"""What an offer's NOTICE says on IRC (chatd/irc/notices.py, chatd/irc/factory.py), over StringTransport (issue 16).

Its recipients read how to fetch and decline it, rendered once a shape;
the sender's own IRC connections, which would be refused declining it,
read what went out and how to withdraw it. Every such NOTICE fits IRC's
512 bytes whatever the file's name: a name too long for the line is shown
cut, with an ellipsis, so that how to decline the offer still fits.
"""

import hashlib

from hypothesis import given
from hypothesis import strategies as st
from twisted.internet.testing import StringTransport
from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.names import NICKNAME_MAX
from chatd.frontend.transfer_parts import Transfer
from chatd.irc.framing import MESSAGE_LIMIT
from chatd.irc.protocol import IRCProtocol
from chatd.text import ELLIPSIS, FILE_NAME_MOST, elided_file_name
from tests.irc import SERVER, IRCTestCase
from tests.test_files import CONTENT, SHA, FileTestCase
from tests.test_line_accounts import PASSWORD

OWN = (
    f'You offered dave "holiday photo.png" ({len(CONTENT)} bytes, image/png, sha256 {SHA}): the bundled client or'
    " the web page withdraws it (/file cancel 0000000000000001)"
)
"""What alice's own IRC connection reads of her offer to dave."""

LONGEST_NAME = "a quarterly report " * 10 + "x" * (FILE_NAME_MOST - 190 - len(".pdf")) + ".pdf"
"""A file name of ``FILE_NAME_MOST`` bytes, the longest chatd keeps."""

SENDER = "s" * NICKNAME_MAX
RECIPIENT = "r" * NICKNAME_MAX


class OwnOfferTests(FileTestCase, IRCTestCase):
    """The sender's own IRC connection is told its offer went out, and how to withdraw it, not to decline it."""

    def test_the_sender_s_own_irc_connection_reads_how_to_withdraw_the_offer(self) -> None:
        """alice, on the line port and logged in on IRC too, offers dave a file: her IRC connection reads what she
        offered and how to withdraw it; dave reads how to fetch and decline it, as before."""
        alice, _ = self.json_user(b"alice")
        alice.dataReceived(b"/register " + PASSWORD + b"\n")
        own, own_wire = self.irc_connect("10.0.0.3")
        self.send(own, f"PASS {PASSWORD.decode()}", "NICK alice", "USER alice 0 * :alice")
        _, dave_wire = self.irc_user("dave")
        self.offer(alice, to=b"dave")
        self.upload(alice, CONTENT)
        self.end_pass()
        self.assertEqual(
            [line for line in own_wire.value().decode().splitlines() if "holiday photo.png" in line],
            [f":{SERVER} NOTICE dave :{OWN}"],
        )
        self.assertIn("FILES DECLINE 0000000000000001 declines it", dave_wire.value().decode())

    def test_with_a_web_port_the_sender_s_own_irc_connection_gets_no_link(self) -> None:
        """With links to make, alice's own IRC connection reads the same words, and no link is made for her."""
        made: list[str] = []

        def make(transfer: Transfer, key: str, nick: str) -> str:
            made.append(nick)
            return f"http://testhost:8080/files/{nick}-token"

        self.files.links = make
        self.irc.files = self.files
        alice, _ = self.json_user(b"alice")
        alice.dataReceived(b"/register " + PASSWORD + b"\n")
        own, own_wire = self.irc_connect("10.0.0.3")
        self.send(own, f"PASS {PASSWORD.decode()}", "NICK alice", "USER alice 0 * :alice")
        self.irc_user("dave")
        self.offer(alice, to=b"dave")
        self.upload(alice, CONTENT)
        self.end_pass()
        self.assertIn(f":{SERVER} NOTICE dave :{OWN}", own_wire.value().decode().splitlines())
        self.assertEqual(made, ["dave"])


class LongNameTests(FileTestCase, IRCTestCase):
    """An offer of a file with the longest name chatd keeps, between the longest nicknames, fits IRC's line."""

    def offered(self, name: str, *, links: bool) -> tuple[IRCProtocol, StringTransport]:
        """A sender of the longest nickname offers the recipient of the longest nickname, on IRC, the file ``name``
        (a link made for the recipient if ``links``); the recipient's connection and wire."""
        if links:
            self.files.links = lambda transfer, key, nick: f"http://chat.example.org:8080/files/{'t' * 43}"
        self.irc.files = self.files
        recipient, wire = self.irc_user(RECIPIENT)
        sender, _ = self.json_user(SENDER.encode())
        data = CONTENT[:100]
        sender.dataReceived(
            b"/file offer %s %d %s image/png %s\n"
            % (RECIPIENT.encode(), len(data), hashlib.sha256(data).hexdigest().encode(), name.encode())
        )
        self.upload(sender, data)
        self.end_pass()
        return recipient, wire

    def notice(self, wire: StringTransport) -> bytes:
        """The one line of ``wire`` naming the offer (CR LF included)."""
        data: bytes = wire.value()
        [line] = [line for line in data.split(b"\r\n") if b" offers " in line]
        return line + b"\r\n"

    def assert_fits_with_its_decline(self, line: bytes) -> None:
        """``line`` fits IRC's 512 bytes, shows the file name cut with an ellipsis before its extension, and ends
        saying how to decline the offer and list it again."""
        self.assertLessEqual(len(line), MESSAGE_LIMIT)
        text = line.decode()
        self.assertIn(f'{ELLIPSIS}.pdf" (100 bytes', text)
        self.assertIn('"a quarterly report a quarterly', text)
        self.assertTrue(
            text.endswith("FILES DECLINE 0000000000000001 declines it; send FILES to list it again\r\n"), text
        )

    def test_the_longest_name_is_cut_with_an_ellipsis_so_the_decline_fits(self) -> None:
        """A name of 200 bytes would take the NOTICE past 512 bytes: it is cut, with an ellipsis, and the NOTICE
        still says how to decline the offer."""
        self.assertEqual(len(LONGEST_NAME.encode()), FILE_NAME_MOST)
        self.assert_fits_with_its_decline(self.notice(self.offered(LONGEST_NAME, links=False)[1]))

    def test_with_a_link_the_longest_name_is_cut_further(self) -> None:
        """A link of the recipient's own leaves less room: the name is cut further, and the NOTICE still fits."""
        line = self.notice(self.offered(LONGEST_NAME, links=True)[1])
        self.assert_fits_with_its_decline(line)
        self.assertIn(b"http://chat.example.org:8080/files/", line)

    def test_a_name_of_four_byte_characters_is_cut_between_characters(self) -> None:
        """A long name of emoji is cut where a character ends: the NOTICE is valid UTF-8 and fits."""
        line = self.notice(self.offered("\U0001f600" * 49 + ".pdf", links=True)[1])
        self.assertLessEqual(len(line), MESSAGE_LIMIT)
        self.assertIn(f'\U0001f600{ELLIPSIS}.pdf"', line.decode())

    def test_files_lists_a_long_named_offer_within_the_line_too(self) -> None:
        """FILES says the offer again in a NOTICE of its own that fits, the name cut as in the offer's."""
        recipient, wire = self.offered(LONGEST_NAME, links=True)
        wire.clear()
        self.send(recipient, "FILES")
        self.end_pass()
        [line, _end] = wire.value().split(b"\r\n")[:2]
        self.assertLessEqual(len(line + b"\r\n"), MESSAGE_LIMIT)
        self.assertIn(f'{ELLIPSIS}.pdf"'.encode(), line)
        self.assertTrue(line.endswith(b"FILES DECLINE 0000000000000001 declines it"), line)

    def test_a_name_that_fits_is_shown_whole(self) -> None:
        """A name short enough is shown as it is, with no ellipsis."""
        line = self.notice(self.offered("short.pdf", links=True)[1]).decode()
        self.assertIn('"short.pdf" (100 bytes', line)
        self.assertNotIn(ELLIPSIS, line)


class ElidedNameTests(SynchronousTestCase):
    """``elided_file_name``: a name in the bytes a line has left for it, cut visibly."""

    def test_a_cut_name_keeps_its_extension_after_the_ellipsis(self) -> None:
        """A name cut to 20 bytes keeps its start and its extension, an ellipsis between them."""
        self.assertEqual(elided_file_name("holiday photo from the beach.jpeg", 20), "holiday phot\u2026.jpeg")

    def test_with_no_room_for_the_extension_the_ellipsis_stands_alone(self) -> None:
        """Fewer bytes than the ellipsis and the extension take leave the ellipsis alone."""
        self.assertEqual(elided_file_name("holiday photo.jpeg", 4), ELLIPSIS)

    @given(st.text(min_size=1, max_size=80), st.integers(min_value=0, max_value=100))
    def test_a_name_fits_whole_or_cut_to_its_room(self, name: str, most: int) -> None:
        """A name that fits is shown whole; one that does not takes at most its room (or the ellipsis alone), and
        shows the ellipsis."""
        shown = elided_file_name(name, most)
        if len(name.encode()) <= most:
            self.assertEqual(shown, name)
        else:
            self.assertLessEqual(len(shown.encode()), max(most, len(ELLIPSIS.encode())))
            self.assertIn(ELLIPSIS, shown)
