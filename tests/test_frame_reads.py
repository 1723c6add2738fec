"""A socket's reads handed over a frame at a time while its session reads (chatd.frontend.frame_reads)."""

from twisted.internet.testing import StringTransport
from twisted.trial.unittest import SynchronousTestCase
from wsproto import ConnectionType
from wsproto.connection import Connection
from wsproto.events import BytesMessage, Ping, TextMessage

from chatd.frontend.frame_reads import FrameReads, frame_end


def client_frames(*events: TextMessage | BytesMessage | Ping) -> list[bytes]:
    """Each event as a browser's (masked) frame, one bytes each: wsproto's client past its handshake."""
    client = Connection(ConnectionType.CLIENT)
    return [client.send(event) for event in events]


class Session:
    """A session that records the pieces it is handed and pauses its reads when told to."""

    def __init__(self) -> None:
        self.pieces: list[bytes] = []
        self.closing = False
        self.reads: FrameReads | None = None
        self.pause_after: int | None = None

    def parsing(self, size: int) -> bool:
        return not self.closing

    def parsed(self) -> None:
        if self.pause_after is not None and len(self.pieces) >= self.pause_after:
            assert self.reads is not None
            self.pause_after = None
            self.reads.pauseProducing()

    def parse(self, piece: bytes) -> None:
        self.pieces.append(piece)


class FrameReadsTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.session = Session()
        self.transport = StringTransport()
        self.reads = FrameReads(self.session.parse, self.session, lambda: self.transport)
        self.session.reads = self.reads

    def test_each_frame_of_a_read_is_handed_over_alone(self) -> None:
        """Three frames in one read are three pieces, each a whole frame."""
        frames = client_frames(TextMessage("a"), Ping(b""), TextMessage("bc" * 100))
        self.reads.add(b"".join(frames))
        self.assertEqual(self.session.pieces, frames)

    def test_a_frame_over_several_reads_goes_on_as_it_comes_and_a_split_header_waits(self) -> None:
        """A long frame's bytes are handed over as they come; a header cut by a read waits for its other byte."""
        long, short = client_frames(BytesMessage(b"x" * 70_000), TextMessage("a"))
        self.reads.add(long[:1000])
        self.reads.add(long[1000:] + short[:1])
        self.assertEqual(self.session.pieces, [long[:1000], long[1000:]])
        self.reads.add(short[1:])
        self.assertEqual(self.session.pieces[-1], short)

    def test_paused_frames_wait_and_go_first_once_resumed_in_order(self) -> None:
        """Paused after the second of five frames, the rest wait, the transport stops; resumed, they go in order,
        and only then is the transport read again."""
        frames = client_frames(*(TextMessage(str(n)) for n in range(5)))
        self.session.pause_after = 2
        self.reads.add(b"".join(frames))
        self.assertEqual((self.session.pieces, self.transport.producerState), (frames[:2], "paused"))
        self.reads.resumeProducing()
        self.assertEqual((self.session.pieces, self.transport.producerState), (frames, "producing"))

    def test_once_closing_nothing_more_is_handed_over_nor_read(self) -> None:
        """A frame whose handling closes the session is the last: the rest is dropped, the transport stays paused."""
        frames = client_frames(Ping(b""), Ping(b""), Ping(b""))

        def parse(piece: bytes) -> None:
            self.session.pieces.append(piece)
            self.session.closing = True

        reads = FrameReads(parse, self.session, lambda: self.transport)
        reads.add(b"".join(frames))
        self.assertEqual(self.session.pieces, frames[:1])
        reads.resumeProducing()
        self.assertEqual(self.session.pieces, frames[:1])


class FrameEndTests(SynchronousTestCase):
    def test_lengths_of_7_16_and_64_bits_and_a_header_not_all_there(self) -> None:
        """A frame's end from its header, masked, for each length form; None until the header is whole."""
        for size in (0, 125, 126, 65_535, 65_536):
            [frame] = client_frames(BytesMessage(b"y" * size))
            self.assertEqual(frame_end(bytearray(frame), 0), len(frame), size)
            self.assertIsNone(frame_end(bytearray(frame[:1]), 0))
        [long] = client_frames(BytesMessage(b"y" * 65_536))
        self.assertIsNone(frame_end(bytearray(long[:9]), 0))
