"""Server text frames, as a browser's WebSocket (wsproto's client here) reads them."""

from hypothesis import given
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase
from wsproto.frame_protocol import FrameProtocol, Opcode

from chatd.frontend.frames import text_frame


def read(frame: bytes) -> list[tuple[Opcode, str, bool]]:
    """The frames a client parses out of ``frame``: opcode, text and whether it ends its message."""
    client = FrameProtocol(client=True, extensions=[])
    client.receive_bytes(frame)
    return [(each.opcode, str(each.payload), each.message_finished) for each in client.received_frames()]


class TextFrameTests(SynchronousTestCase):
    @given(st.text(max_size=70000))
    def test_client_reads_back_the_text_whole(self, text: str) -> None:
        """Any text, at any of the three length encodings, is one whole text frame the client reads back."""
        self.assertEqual(read(text_frame(text.encode() + b"\r\n")), [(Opcode.TEXT, text, True)])

    def test_lengths_at_each_encodings_edge(self) -> None:
        """125, 126, 65535 and 65536 bytes: the header grows from 2 to 4 to 10 bytes at the RFC's edges."""
        for size, header in ((125, 2), (126, 4), (65535, 4), (65536, 10)):
            frame = text_frame(b"a" * size)
            self.assertEqual(len(frame), size + header, size)
            self.assertEqual(read(frame), [(Opcode.TEXT, "a" * size, True)])
