"""The client's side of file transfers, against a fake server speaking docs/PROTOCOL.md's "Files" lines.

The link runs on a fake endpoint and a ``Clock`` (test_client_connection's
kit); file work runs at once on an ``InlineWorker``, in a temporary
downloads folder. The server's end is a ``Peer``: what the client sends is
read as lines, what the server sends is JSON objects.
"""

import base64
import hashlib
import os
from collections.abc import Callable, Sequence
from datetime import UTC
from typing import ParamSpec, TypeVar

from twisted.internet.defer import Deferred, fail, succeed
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from chatd.client.connection import Link
from chatd.client.filecommands import mime_type
from chatd.client.files import Transfers
from chatd.client.liveness import Watch
from chatd.client.presence import Presence
from chatd.client.progress import Bar
from chatd.client.reach import Server
from chatd.client.upload import CHUNK, WINDOW, put_lines
from tests.helpers import new_folder
from tests.test_client_connection import START, FakeEndpoint, Peer, RecordingScreen

P = ParamSpec("P")
T = TypeVar("T")

FILE_ID = "1a2b3c4d5e6f7a8b"


class InlineWorker:
    """A Worker that runs the work at once, on the test's thread."""

    def __call__(self, work: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> "Deferred[T]":
        try:
            return succeed(work(*args, **kwargs))
        except Exception:
            return fail()


class ReadsHeldWorker(InlineWorker):
    """An InlineWorker that, once ``holding``, holds the reading of chunks to put (``put_lines``) until ``release``: a
    read still on its way, on a thread, when the connection drops."""

    def __init__(self) -> None:
        self.holding = False
        self._held: list[tuple[Callable[[], object], Deferred[object]]] = []

    def __call__(self, work: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> "Deferred[T]":
        if not self.holding or work is not put_lines:
            return super().__call__(work, *args, **kwargs)
        held: Deferred[T] = Deferred()
        self._held.append((lambda: work(*args, **kwargs), held))  # type: ignore[arg-type]  # one list of any T
        return held

    def release(self) -> None:
        """Do the reads held, in order, each answering its caller."""
        held, self._held = self._held, []
        for read, answer in held:
            super().__call__(read).chainDeferred(answer)


class RecordingDisplay:
    """A Display that keeps each set of bars it is given."""

    def __init__(self) -> None:
        self.drawn: list[list[Bar]] = []

    def progress(self, bars: Sequence[Bar]) -> None:
        self.drawn.append(list(bars))


def put(offset: int, data: bytes, file_id: str = FILE_ID) -> str:
    return f"/file put {file_id} {offset} {base64.b64encode(data).decode()}"


def chunk(offset: int, data: bytes, file_id: str = FILE_ID) -> dict[str, object]:
    return {
        "type": "file_chunk",
        "file": file_id,
        "offset": offset,
        "data": base64.b64encode(data).decode(),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def offered(
    data: bytes, name: str = "photo.jpg", to: str = "alice", sha256: str | None = None
) -> dict[str, object]:
    return {
        "type": "file_offered",
        "id": "e1",
        "at": START,
        "file": FILE_ID,
        "nick": "bob",
        "to": to,
        "name": name,
        "size": len(data),
        "mime": "image/jpeg",
        "sha256": sha256 or hashlib.sha256(data).hexdigest(),
    }


def refusal(
    code: str, text: str, target: str, data: bytes, name: str = "holiday photo.jpg"
) -> dict[str, object]:
    """The server's refusal ``code`` of an offer of ``data`` as ``name`` to ``target``, naming it."""
    offer = {"target": target, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "name": name}
    return {"type": "error", "code": code, "text": text, "offer": offer}


class FilesTestCase(SynchronousTestCase):
    """alice's link, registered, with transfers into a fresh downloads folder."""

    def setUp(self) -> None:
        self.top = new_folder(self)
        self.folder = os.path.join(self.top, "Downloads")
        self.start_client()

    def start_client(self) -> None:
        """A new client process, as it were: a new link and transfers over the same downloads folder."""
        self.clock = Clock()
        self.clock.advance(START)
        self.endpoint = FakeEndpoint()
        self.link = Link(
            self.endpoint,
            self.clock,
            Presence("alice"),
            Server("chat.example", 5000),
            policy=lambda attempt: 1.0,
            zone=UTC,
        )
        self.display = RecordingDisplay()
        self.link.files = self.transfers()
        self.screen = RecordingScreen()
        self.link.start(self.screen)
        self.peer = self.online()

    def transfers(self) -> Transfers:
        self.worker = ReadsHeldWorker()
        files = Transfers(self.link, self.clock, self.worker, self.folder)
        files.bars.watch(self.display)
        return files

    def online(self) -> Peer:
        peer = self.endpoint.accept()
        peer.register()
        self.greeted = peer.sent()
        """What the client sent on connecting, up to and just after the server accepted its nickname."""
        self.screen.take()
        self.noted = [line[6:] for line in self.screen.take_notes()]
        """The client's own lines up to being back online."""
        return peer

    def drop(self) -> None:
        self.peer.close()
        self.clock.advance(1)
        self.peer = self.online()

    def file(self, data: bytes, name: str = "holiday photo.jpg") -> str:
        path = os.path.join(self.top, name)
        with open(path, "wb") as out:
            out.write(data)
        return path

    def receive(self, data: bytes, start: int = 0) -> list[str]:
        """The server sends ``data`` from ``start`` in chunks; what the client sent back."""
        self.peer.send(*[chunk(at, data[at : at + CHUNK]) for at in range(start, len(data), CHUNK)])
        return self.peer.sent()

    def lines(self) -> list[str]:
        """Everything drawn since the last call, server lines and the client's own, without the time."""
        return [line[6:] for line in [*self.screen.take(), *self.screen.take_notes()]]


class SendTests(FilesTestCase):
    """``/send``: hash once, offer, upload in order with a window of 8 chunks."""

    def start(self, data: bytes, have: int = 0, tail: str = "") -> str:
        path = self.file(data)
        self.link.send(f"/send bob {path}")
        digest = hashlib.sha256(data).hexdigest()
        self.assertEqual(
            self.peer.sent(), [f"/file offer bob {len(data)} {digest} image/jpeg holiday photo.jpg"]
        )
        self.peer.send(
            {
                "type": "file_upload",
                "file": FILE_ID,
                "target": "bob",
                "name": "holiday photo.jpg",
                "size": len(data),
                "sha256": digest,
                "have": have,
                "chunk": CHUNK,
                "tail": tail,
            }
        )
        return path

    def test_send_offers_the_file_with_its_size_hash_and_type(self) -> None:
        """The offer line carries the whole file's SHA-256 and the guessed MIME type; one line says it started."""
        self.start(b"abc")
        self.assertEqual(
            self.lines(), ['~ Reading "holiday photo.jpg" to send it to bob; /cancel 1 stops it.']
        )

    def test_at_most_8_chunks_are_unacknowledged(self) -> None:
        """20 chunks: 8 go at once, then one more per acknowledged chunk, in order."""
        data = os.urandom(CHUNK * 19 + 100)
        self.start(data)
        sent = self.peer.sent()
        self.assertEqual(sent, [put(at, data[at : at + CHUNK]) for at in range(0, WINDOW * CHUNK, CHUNK)])
        self.peer.send({"type": "file_progress", "file": FILE_ID, "have": CHUNK, "size": len(data)})
        self.assertEqual(self.peer.sent(), [put(WINDOW * CHUNK, data[WINDOW * CHUNK : (WINDOW + 1) * CHUNK])])
        self.peer.send({"type": "file_progress", "file": FILE_ID, "have": 9 * CHUNK, "size": len(data)})
        self.assertEqual(len(self.peer.sent()), 8)
        self.peer.send({"type": "file_progress", "file": FILE_ID, "have": 17 * CHUNK, "size": len(data)})
        self.assertEqual(self.peer.sent()[-1], put(19 * CHUNK, data[19 * CHUNK :]))
        self.peer.send({"type": "file_progress", "file": FILE_ID, "have": len(data), "size": len(data)})
        self.assertEqual(self.peer.sent(), [])
        self.peer.send({"type": "file_uploaded", "file": FILE_ID})
        self.assertIn(
            '* Sent "holiday photo.jpg" (311.4 kB) to the server, checked: bob is offered it; /cancel 1 withdraws it.',
            self.lines(),
        )

    def test_have_with_a_matching_tail_goes_on_from_there(self) -> None:
        """The server holds 3 chunks whose last matches the file's: the upload starts at the fourth."""
        data = os.urandom(CHUNK * 5)
        self.start(data, 3 * CHUNK, hashlib.sha256(data[2 * CHUNK : 3 * CHUNK]).hexdigest())
        self.assertEqual(
            self.peer.sent(), [put(3 * CHUNK, data[3 * CHUNK : 4 * CHUNK]), put(4 * CHUNK, data[4 * CHUNK :])]
        )
        self.assertIn(
            '* The server holds 60% of "holiday photo.jpg" already: going on from there.', self.lines()
        )

    def test_have_with_a_partial_last_chunk_is_checked_by_reading_it(self) -> None:
        """A tail of fewer than 16 KiB is hashed from the file itself."""
        data = os.urandom(CHUNK * 2)
        have = CHUNK + 500
        self.start(data, have, hashlib.sha256(data[CHUNK:have]).hexdigest())
        self.assertEqual(self.peer.sent(), [put(have, data[have:])])

    def test_a_tail_that_differs_restarts_the_upload(self) -> None:
        """Other bytes on the server: ``/file restart ID``, and nothing put until the new ``file_upload``."""
        data = os.urandom(CHUNK * 3)
        self.start(data, 2 * CHUNK, hashlib.sha256(b"other").hexdigest())
        self.assertEqual(self.peer.sent(), [f"/file restart {FILE_ID}"])

    def test_a_restart_refused_as_the_file_is_whole_already_is_taken_quietly(self) -> None:
        """The tail differs, and the restart it sends is answered ``ERR file-uploaded`` naming the upload, taken
        whole meanwhile by another of the file: nothing more is put, the line ``file_uploaded`` brings says it is
        offered, and no error is shown; one naming no upload of the user's is shown as it is. Both were shown, the
        first reading as if something had gone wrong with the file offered."""
        data = os.urandom(CHUNK * 3)
        self.start(data, 2 * CHUNK, hashlib.sha256(b"other").hexdigest())
        self.assertEqual(self.peer.sent(), [f"/file restart {FILE_ID}"])
        self.lines()
        whole = "the server already has every byte of {}; nothing to upload"
        self.peer.send(
            {"type": "error", "code": "file-uploaded", "text": whole.format(FILE_ID), "file": FILE_ID}
        )
        self.assertEqual((self.peer.sent(), self.lines()), ([], []))
        self.link.send("/files")
        self.assertIn("being checked", self.lines()[1])
        self.peer.send(
            {"type": "file_uploaded", "file": FILE_ID},
            {"type": "error", "code": "file-uploaded", "text": whole.format(FILE_ID), "file": FILE_ID},
            {"type": "error", "code": "file-uploaded", "text": whole.format("2b3c4d5e6f7a8b9c")},
        )
        self.assertEqual(
            self.lines(),
            [
                '* Sent "holiday photo.jpg" (49.2 kB) to the server, checked: bob is offered it; /cancel 1 withdraws '
                "it.",
                f"! {whole.format('2b3c4d5e6f7a8b9c')} (file-uploaded)",
            ],
        )

    def test_a_wrong_offset_sends_again_from_what_the_server_holds(self) -> None:
        """``ERR file-offset`` with ``have``: the next put is at ``have``."""
        data = os.urandom(CHUNK * 10)
        self.start(data)
        self.peer.sent()
        self.peer.send(
            {"type": "file_progress", "file": FILE_ID, "have": CHUNK, "size": len(data)},
            {"type": "error", "code": "file-offset", "text": "wrong offset", "file": FILE_ID, "have": CHUNK},
        )
        sent = self.peer.sent()
        self.assertEqual(sent[1:], [put(at, data[at : at + CHUNK]) for at in range(CHUNK, 9 * CHUNK, CHUNK)])

    def test_the_same_file_to_two_people_at_once_is_told_apart_by_the_target_each_answer_names(self) -> None:
        """The same file to bob and to carol: the answer naming carol's offer, come first, is her upload's, and
        ``/cancel 1`` withdraws bob's. By the file alone the first answer was taken for the first offer's, bob's, and
        the cancel withdrew carol's."""
        data = b"x" * 10
        path = self.file(data)
        self.link.send(f"/send bob {path}")
        self.link.send(f"/send carol {path}")
        self.assertEqual([line.split()[2] for line in self.peer.sent()], ["bob", "carol"])
        answer = {"type": "file_upload", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        self.peer.send(
            {**answer, "file": "2b3c4d5e6f7a8b9c", "target": "carol", "have": 0, "chunk": CHUNK, "tail": ""},
            {**answer, "file": FILE_ID, "target": "bob", "have": 0, "chunk": CHUNK, "tail": ""},
        )
        self.assertEqual(self.peer.sent(), [put(0, data, "2b3c4d5e6f7a8b9c"), put(0, data)])
        self.link.send("/cancel 1")
        self.assertEqual(self.peer.sent(), [f"/file cancel {FILE_ID}"])

    def test_a_refused_offer_is_one_line_naming_the_file(self) -> None:
        """``ERR file-too-big`` naming the offer ends the upload with one line."""
        path = self.file(b"x" * 10)
        self.link.send(f"/send bob {path}")
        self.lines()
        self.peer.send(refusal("file-too-big", "Files may be up to 100 MiB.", "bob", b"x" * 10))
        self.assertEqual(
            self.lines(), ['! "holiday photo.jpg" was not sent: Files may be up to 100 MiB. (file-too-big)']
        )
        self.link.send("/files")
        self.assertEqual(self.lines(), ["~ No transfers here."])

    def test_an_error_with_an_offers_code_that_names_no_offer_is_shown_as_it_is(self) -> None:
        """``ERR no-such-nick`` naming no offer (a /msg to bob, gone, sent before the offer) is the plain error it
        is, and the upload still awaits its answer: a refusal naming the offer to another ends nothing either, and
        the one naming it ends it. The first was taken for the offer's refusal."""
        path = self.file(b"x" * 10)
        self.link.send(f"/send #lobby {path}")
        self.lines()
        self.peer.send({"type": "error", "code": "no-such-nick", "text": "nobody called bob is online"})
        self.peer.send(refusal("not-in-room", "you are not in #lobby", "bob", b"x" * 10))
        self.assertEqual(
            self.lines(),
            ["! nobody called bob is online (no-such-nick)", "! you are not in #lobby (not-in-room)"],
        )
        self.link.send("/files")
        self.assertIn("offering", self.lines()[1])
        self.peer.send(refusal("not-in-room", "you are not in #lobby", "#lobby", b"x" * 10))
        self.assertEqual(
            self.lines(), ['! "holiday photo.jpg" was not sent: you are not in #lobby (not-in-room)']
        )

    def test_a_lying_checksum_is_one_line(self) -> None:
        """``ERR file-corrupt`` after the last chunk: one line naming the file, the upload gone."""
        self.start(b"abc")
        self.peer.send({"type": "file_progress", "file": FILE_ID, "have": 3, "size": 3})
        self.peer.sent()
        self.lines()
        self.peer.send(
            {
                "type": "error",
                "code": "file-corrupt",
                "text": f"The SHA-256 of {FILE_ID} is not the one announced; it was refused.",
                "file": FILE_ID,
            }
        )
        self.assertEqual(
            self.lines(),
            [
                f'! "holiday photo.jpg" was not sent: The SHA-256 of {FILE_ID} is not the one announced; it was refused. (file-corrupt)'
            ],
        )
        # The server dropped it: there is nothing of it to cancel there.
        self.assertEqual(self.peer.sent(), [])

    def test_a_refused_chunk_ends_the_upload_here_and_on_the_server(self) -> None:
        """``ERR bad-file-chunk`` (nothing stored; the server holds the upload still): one line naming the file, and
        ``/file cancel`` lets the server's go. It held it for an hour, with one of the user's transfers at once."""
        data = os.urandom(CHUNK * 10)
        self.start(data)
        self.peer.sent()
        self.lines()
        text = f"a chunk of {FILE_ID} is standard base64 of 1 to 16384 bytes, within the file's size"
        self.peer.send({"type": "error", "code": "bad-file-chunk", "text": text, "file": FILE_ID})
        self.assertEqual(self.peer.sent(), [f"/file cancel {FILE_ID}"])
        self.assertEqual(self.lines(), [f'! "holiday photo.jpg" was not sent: {text} (bad-file-chunk)'])
        self.peer.send({"type": "file_progress", "file": FILE_ID, "have": CHUNK, "size": len(data)})
        self.assertEqual(self.peer.sent(), [])
        self.link.send("/files")
        self.assertEqual(self.lines()[0], "~ No transfers here.")

    def test_after_a_drop_the_file_is_offered_again_and_goes_on(self) -> None:
        """Reconnected: the same offer; the server's ``have`` says where to go on."""
        data = os.urandom(CHUNK * 10)
        self.start(data)
        self.peer.sent()
        self.drop()
        self.assertEqual(
            self.greeted[-1:],
            [f"/file offer bob {len(data)} {hashlib.sha256(data).hexdigest()} image/jpeg holiday photo.jpg"],
        )

    def test_a_file_unreadable_while_disconnected_ends_once_back_on_both_sides(self) -> None:
        """The file goes while a read of it is on its way and the connection drops: the upload waits, is offered again
        once back, reads again, and only then ends, in one line and with ``/file cancel``. Ended at once, while no
        line could reach the server, it was kept there for its idle hour, one of the user's transfers."""
        self.worker.holding = True
        data = os.urandom(CHUNK * 10)
        path = self.start(data)
        self.peer.sent()
        self.lines()
        os.remove(path)
        self.peer.close()
        self.worker.release()
        self.assertEqual([line for line in self.lines() if "was not sent" in line or "failed" in line], [])
        self.clock.advance(1)
        self.peer = self.online()
        offer = f"/file offer bob {len(data)} {hashlib.sha256(data).hexdigest()} image/jpeg holiday photo.jpg"
        self.assertEqual(self.greeted[-1:], [offer])
        self.lines()
        tail = hashlib.sha256(data[CHUNK * 3 : CHUNK * 4]).hexdigest()
        self.peer.send(
            {
                "type": "file_upload",
                "file": FILE_ID,
                "target": "bob",
                "name": "holiday photo.jpg",
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "have": CHUNK * 4,
                "chunk": CHUNK,
                "tail": tail,
            }
        )
        self.worker.release()
        self.assertEqual(self.peer.sent(), [f"/file cancel {FILE_ID}"])
        self.assertEqual(
            self.lines(),
            [
                '* The server holds 40% of "holiday photo.jpg" already: going on from there.',
                '! Sending "holiday photo.jpg" failed: it cannot be read (No such file or directory).',
            ],
        )

    def test_a_missing_file_is_said_at_once(self) -> None:
        """Nothing is offered for a path that is no file."""
        self.link.send(f"/send bob {self.top}/nothing")
        self.assertEqual(self.lines(), [f"! There is no file {self.top}/nothing."])
        self.assertEqual(self.peer.sent(), [])

    def test_cancel_withdraws_the_upload(self) -> None:
        """``/cancel`` with no number: the latest transfer; the server is told."""
        self.start(os.urandom(CHUNK * 10))
        self.peer.sent()
        self.lines()
        self.link.send("/cancel")
        self.assertEqual(self.peer.sent(), [f"/file cancel {FILE_ID}"])
        self.assertEqual(self.lines(), ['~ Cancelled sending "holiday photo.jpg" to bob.'])
        self.peer.send({"type": "file_progress", "file": FILE_ID, "have": CHUNK, "size": CHUNK * 10})
        self.assertEqual(self.peer.sent(), [])

    def offered_to(self, target: str) -> None:
        """``/send`` of three bytes to ``target``, uploaded and offered; the lines so far taken."""
        path = self.file(b"abc")
        self.link.send(f"/send {target} {path}")
        digest = hashlib.sha256(b"abc").hexdigest()
        self.peer.send(
            {
                "type": "file_upload",
                "file": FILE_ID,
                "target": target,
                "name": "holiday photo.jpg",
                "size": 3,
                "sha256": digest,
                "have": 3,
                "chunk": CHUNK,
                "tail": hashlib.sha256(b"abc").hexdigest(),
            },
            {"type": "file_uploaded", "file": FILE_ID},
        )
        self.peer.sent()
        self.lines()

    def test_a_fetch_by_the_last_recipient_is_said_and_ends_the_transfer(self) -> None:
        """``file_fetched`` with nobody left: one line, and neither /files nor /cancel offers it any more."""
        self.offered_to("erin")
        self.peer.send({"type": "file_fetched", "file": FILE_ID, "nick": "erin", "left": 0})
        self.assertEqual(self.lines(), ['* erin has fetched "holiday photo.jpg".'])
        self.link.send("/files")
        self.assertEqual(self.lines(), ["~ No transfers here."])
        self.link.send("/cancel 1")
        self.assertEqual(self.lines(), ["! There is no transfer 1 to cancel; /files lists the transfers."])
        self.assertEqual(self.peer.sent(), ["/file list"])

    def test_a_room_offer_stays_open_once_nobody_is_left_to_fetch_it(self) -> None:
        """Offered to #lobby: a fetch with others left keeps it listed; the last one's decline says it stays offered
        to whoever joins, and it is still listed, to withdraw with /cancel."""
        self.offered_to("#lobby")
        self.peer.send({"type": "file_fetched", "file": FILE_ID, "nick": "erin", "left": 2})
        self.assertEqual(
            self.lines(), ['* erin has fetched "holiday photo.jpg"; 2 other recipients may still fetch it.']
        )
        self.peer.send({"type": "file_fetched", "file": FILE_ID, "nick": "bob", "left": 1})
        self.assertEqual(
            self.lines(), ['* bob has fetched "holiday photo.jpg"; 1 other recipient may still fetch it.']
        )
        self.link.send("/files")
        self.assertEqual(
            self.lines(),
            ["~ Transfers here (1):", '~   [1] to #lobby: "holiday photo.jpg" (3 B, 100%) offered'],
        )
        self.peer.send({"type": "file_declined", "file": FILE_ID, "nick": "carol", "left": 0})
        self.assertEqual(
            self.lines(),
            [
                '* carol declined "holiday photo.jpg"; it stays offered to whoever joins #lobby until you /cancel 1.'
            ],
        )
        self.link.send("/files")
        self.assertEqual(
            self.lines(),
            ["~ Transfers here (1):", '~   [1] to #lobby: "holiday photo.jpg" (3 B, 100%) offered'],
        )
        self.peer.send({"type": "file_fetched", "file": FILE_ID, "nick": "dave", "left": 0})
        self.assertEqual(
            self.lines(),
            [
                '* dave has fetched "holiday photo.jpg"; it stays offered to whoever joins #lobby until you /cancel 1.'
            ],
        )

    def test_the_last_recipient_stopping_ends_the_transfer(self) -> None:
        """A recipient's cancel with nobody left: said, and the upload is no longer listed."""
        self.offered_to("erin")
        self.peer.send(
            {"type": "file_cancelled", "file": FILE_ID, "nick": "erin", "reason": "no room", "left": 0}
        )
        self.assertEqual(self.lines(), ['* erin stopped fetching "holiday photo.jpg" (no room).'])
        self.link.send("/files")
        self.assertEqual(self.lines(), ["~ No transfers here."])

    def test_an_offer_that_expired_on_the_server_leaves_the_list(self) -> None:
        """``file_expired``: one line saying why, and neither /files nor /cancel offers it any more."""
        self.offered_to("erin")
        self.peer.send({"type": "file_expired", "file": FILE_ID, "reason": "offers wait 7d at most"})
        self.assertEqual(
            self.lines(),
            [
                '* "holiday photo.jpg" to erin expired on the server (offers wait 7d at most); nobody can fetch it now.'
            ],
        )
        self.link.send("/files")
        self.assertEqual(self.lines(), ["~ No transfers here."])
        self.link.send("/cancel 1")
        self.assertEqual(self.lines(), ["! There is no transfer 1 to cancel; /files lists the transfers."])
        self.assertEqual(self.peer.sent(), ["/file list"])

    def test_an_offer_withdrawn_in_another_session_leaves_the_list(self) -> None:
        """``file_cancelled`` by the user's own nickname: another session withdrew it; said so, and no longer listed."""
        self.offered_to("erin")
        self.peer.send(
            {
                "type": "file_cancelled",
                "file": FILE_ID,
                "nick": "alice",
                "reason": "withdrawn by the sender",
                "left": 0,
            }
        )
        self.assertEqual(
            self.lines(),
            [
                '* Your offer of "holiday photo.jpg" to erin was withdrawn on another connection; nobody can fetch it now.'
            ],
        )
        self.link.send("/files")
        self.assertEqual(self.lines(), ["~ No transfers here."])

    def test_an_upload_cancelled_in_another_session_stops_sending(self) -> None:
        """Cancelled by another session while chunks still go up: said so, and no chunk more is put."""
        data = os.urandom(CHUNK * 10)
        self.start(data)
        self.peer.sent()
        self.lines()
        self.peer.send(
            {
                "type": "file_cancelled",
                "file": FILE_ID,
                "nick": "Alice",
                "reason": "withdrawn by the sender",
                "left": 0,
            },
            {"type": "file_progress", "file": FILE_ID, "have": CHUNK, "size": len(data)},
        )
        self.assertEqual(
            self.lines(), ['* Sending "holiday photo.jpg" to bob was cancelled on another connection.']
        )
        self.assertEqual(self.peer.sent(), [])

    def test_a_command_with_nothing_to_act_on_says_so_in_words(self) -> None:
        """With no transfer, each command names what it looked for, with the number typed if any; nothing is sent."""
        for typed in ("/accept", "/decline", "/cancel", "/accept 3", "/cancel 1a2b3c4d5e6f7a8b"):
            self.link.send(typed)
        self.assertEqual(
            self.lines(),
            [
                "! There is no offer to accept; /files lists the transfers.",
                "! There is no offer to decline; /files lists the transfers.",
                "! There is no transfer to cancel; /files lists the transfers.",
                "! There is no offer 3 to accept; /files lists the transfers.",
                f"! There is no transfer {FILE_ID} to cancel; /files lists the transfers.",
            ],
        )
        self.assertEqual(self.peer.sent(), [])


class MimeTests(SynchronousTestCase):
    """The type offered is the standard library's guess from the name."""

    def test_types_by_name(self) -> None:
        self.assertEqual(mime_type("a.jpg"), "image/jpeg")
        self.assertEqual(mime_type("a.unknownext"), "application/octet-stream")
        self.assertEqual(mime_type("noextension"), "application/octet-stream")


class ReceiveTests(FilesTestCase):
    """Offers, ``/accept``, chunks checked, written and acknowledged, the whole checked at the end."""

    def offer(self, data: bytes, **fields: object) -> None:
        self.peer.send({**offered(data), **fields})

    def saved(self, name: str = "photo.jpg") -> bytes:
        with open(os.path.join(self.folder, name), "rb") as saved:
            return saved.read()

    def test_an_offer_is_one_line_with_sender_name_size_type_and_short_hash(self) -> None:
        """Numbered for typing, with the commands that answer it; the bell rings for an offer to the user."""
        data = b"x" * 2_100_000
        self.offer(data)
        self.assertEqual(
            self.screen.take(),
            [
                f'09:00 * bob offers "photo.jpg" to you (2.1 MB, image/jpeg, sha256 {hashlib.sha256(data).hexdigest()[:12]}): '
                "/accept 1 or /decline 1"
            ],
        )
        self.assertEqual(self.screen.bells, 1)

    def test_a_hostile_name_is_shown_and_saved_safely(self) -> None:
        """``../../etc/passwd`` with an escape in it lands as ``passwd`` in the downloads folder."""
        data = b"root:x:0:0"
        self.offer(data, name="../../etc/\x1b[2Jpasswd")
        self.assertIn('bob offers "[2Jpasswd" to you', self.lines()[0])
        self.link.send("/accept")
        self.receive(data)
        self.peer.send({"type": "file_sent", "file": FILE_ID})
        self.assertEqual(os.listdir(self.folder), ["[2Jpasswd"])

    def test_accept_fetches_checks_each_chunk_acknowledges_and_saves(self) -> None:
        """Byte-identical, each chunk acknowledged after it is written, the part file renamed into place."""
        data = os.urandom(CHUNK * 3 + 7)
        self.offer(data)
        self.lines()
        self.link.send("/accept 1")
        self.assertEqual(self.peer.sent(), [f"/file accept {FILE_ID}"])
        self.assertEqual(sorted(os.listdir(self.folder)), ["photo.jpg.part", "photo.jpg.part.json"])
        self.assertEqual(
            self.receive(data),
            [f"/file ack {FILE_ID} {end}" for end in (CHUNK, 2 * CHUNK, 3 * CHUNK, len(data))],
        )
        self.peer.send({"type": "file_sent", "file": FILE_ID})
        self.assertEqual(self.saved(), data)
        self.assertEqual(os.listdir(self.folder), ["photo.jpg"])
        self.assertEqual(
            self.lines()[-1],
            f'~ Saved "photo.jpg" (49.2 kB) from bob as {self.folder}/photo.jpg; SHA-256 checked.',
        )

    def test_a_second_file_of_the_same_name_does_not_overwrite_the_first(self) -> None:
        """``photo.jpg`` exists: the next is ``photo (1).jpg``."""
        os.makedirs(self.folder)
        with open(os.path.join(self.folder, "photo.jpg"), "wb") as first:
            first.write(b"first")
        data = b"second"
        self.offer(data)
        self.link.send("/accept")
        self.receive(data)
        self.peer.send({"type": "file_sent", "file": FILE_ID})
        self.assertEqual((self.saved(), self.saved("photo (1).jpg")), (b"first", b"second"))

    def test_a_whole_file_whose_hash_lies_is_deleted_and_said(self) -> None:
        """Chunks fine, the whole not the offer's SHA-256: deleted, the server told, one line."""
        data = os.urandom(CHUNK + 1)
        self.offer(data, sha256=hashlib.sha256(b"something else").hexdigest())
        self.link.send("/accept")
        self.receive(data)
        self.lines()
        self.peer.send({"type": "file_sent", "file": FILE_ID})
        self.assertEqual(self.peer.sent(), [f"/file cancel {FILE_ID}"])
        self.assertEqual(os.listdir(self.folder), [])
        self.assertEqual(
            self.lines(),
            ['! "photo.jpg" from bob failed: its SHA-256 is not the one offered, so it was deleted.'],
        )

    def damage(self, piece: dict[str, object]) -> dict[str, object]:
        """``piece`` with a hash that is not its data's."""
        return {**piece, "sha256": hashlib.sha256(b"not this").hexdigest()}

    def test_a_damaged_chunk_is_fetched_again_from_the_last_good_one(self) -> None:
        """What came before is kept and acknowledged; the chunks already on their way after it are ignored."""
        data = os.urandom(CHUNK * 4)
        self.offer(data)
        self.link.send("/accept")
        self.peer.sent()
        self.lines()
        self.peer.send(
            chunk(0, data[:CHUNK]),
            chunk(CHUNK, data[CHUNK : 2 * CHUNK]),
            self.damage(chunk(2 * CHUNK, data[2 * CHUNK : 3 * CHUNK])),
            chunk(3 * CHUNK, data[3 * CHUNK :]),
        )
        last = hashlib.sha256(data[CHUNK : 2 * CHUNK]).hexdigest()
        self.assertEqual(
            self.peer.sent(),
            [
                f"/file ack {FILE_ID} {CHUNK}",
                f"/file ack {FILE_ID} {2 * CHUNK}",
                f"/file accept {FILE_ID} {2 * CHUNK} {last}",
            ],
        )
        self.assertEqual(
            self.lines(),
            [
                '~ Part of "photo.jpg" arrived damaged (bytes 32768 on): fetching it again from there (retry 1 of 3).'
            ],
        )
        self.assertEqual(
            self.receive(data, 2 * CHUNK), [f"/file ack {FILE_ID} {end}" for end in (3 * CHUNK, 4 * CHUNK)]
        )
        self.peer.send({"type": "file_sent", "file": FILE_ID})
        self.assertEqual(self.saved(), data)
        self.assertEqual(
            self.lines()[-1],
            f'~ Saved "photo.jpg" (65.5 kB) from bob as {self.folder}/photo.jpg; SHA-256 checked.',
        )

    def test_a_damaged_first_chunk_is_accepted_again_from_the_start(self) -> None:
        """Nothing good held yet: a plain ``/file accept ID``."""
        data = os.urandom(CHUNK + 10)
        self.offer(data)
        self.link.send("/accept")
        self.peer.sent()
        self.peer.send(self.damage(chunk(0, data[:CHUNK])))
        self.assertEqual(self.peer.sent(), [f"/file accept {FILE_ID}"])
        self.receive(data)
        self.peer.send({"type": "file_sent", "file": FILE_ID})
        self.assertEqual(self.saved(), data)

    def test_a_fourth_damaged_chunk_ends_the_download_in_one_line(self) -> None:
        """Three retries; the fourth damaged chunk cancels it on the server and deletes what came."""
        data = os.urandom(CHUNK * 3)
        self.offer(data)
        self.link.send("/accept")
        self.peer.send(chunk(0, data[:CHUNK]))
        self.peer.sent()
        self.lines()
        last = hashlib.sha256(data[:CHUNK]).hexdigest()
        for retry in (1, 2, 3):
            self.peer.send(self.damage(chunk(CHUNK, data[CHUNK : 2 * CHUNK])))
            self.assertEqual(self.peer.sent(), [f"/file accept {FILE_ID} {CHUNK} {last}"])
            self.assertEqual(
                self.lines(),
                [
                    f'~ Part of "photo.jpg" arrived damaged (bytes 16384 on): fetching it again from there (retry {retry} of 3).'
                ],
            )
        self.peer.send(self.damage(chunk(CHUNK, data[CHUNK : 2 * CHUNK])))
        self.assertEqual(self.peer.sent(), [f"/file cancel {FILE_ID}"])
        self.assertEqual(
            self.lines(),
            [
                '! "photo.jpg" from bob failed: pieces of it arrived damaged 4 times (the last at bytes 16384 on), so it was cancelled.'
            ],
        )
        self.assertEqual(os.listdir(self.folder), [])
        self.link.send("/files")
        self.assertEqual(self.lines(), ["~ No transfers here."])

    def test_after_a_drop_the_download_goes_on_from_the_part_file(self) -> None:
        """Reconnected: ``/file accept ID OFFSET HASH`` from the last whole chunk held, then the rest."""
        data = os.urandom(CHUNK * 4)
        self.offer(data)
        self.link.send("/accept")
        self.peer.sent()
        self.peer.send(chunk(0, data[:CHUNK]), chunk(CHUNK, data[CHUNK : 2 * CHUNK]))
        self.drop()
        last = hashlib.sha256(data[CHUNK : 2 * CHUNK]).hexdigest()
        self.assertEqual(self.greeted[-1], f"/file accept {FILE_ID} {2 * CHUNK} {last}")
        self.assertEqual(self.noted[-1], '~ Going on with "photo.jpg" from 50% (32.8 kB of 65.5 kB held).')
        self.receive(data, 2 * CHUNK)
        self.peer.send({"type": "file_sent", "file": FILE_ID})
        self.assertEqual(self.saved(), data)

    def test_a_resume_the_server_refuses_starts_again_from_0(self) -> None:
        """``ERR file-resume-mismatch`` naming the download: the part file is emptied and accepted from the start.
        One naming no file refuses no accept of the user's: it is shown as it is, and changes nothing."""
        data = os.urandom(CHUNK * 2)
        self.offer(data)
        self.link.send("/accept")
        self.peer.send(chunk(0, b"y" * CHUNK))
        self.drop()
        self.lines()
        self.peer.send({"type": "error", "code": "file-resume-mismatch", "text": "no"})
        self.assertEqual(self.lines(), ["! no (file-resume-mismatch)"])
        self.assertEqual(self.peer.sent(), [])
        self.peer.send({"type": "error", "code": "file-resume-mismatch", "text": "no", "file": FILE_ID})
        self.assertEqual(self.peer.sent(), [f"/file accept {FILE_ID}"])
        self.receive(data)
        self.peer.send({"type": "file_sent", "file": FILE_ID})
        self.assertEqual(self.saved(), data)

    def test_a_refused_accept_names_its_download_which_waits_to_be_accepted_again(self) -> None:
        """``ERR file-too-many`` naming the second of two downloads accepted: its line says it was not fetched and
        how to try again, and the first goes on; ``/accept 2`` then goes on with it. The refusal was shown as it was,
        and the second said "accepting" for good."""
        first, second = os.urandom(CHUNK * 2), b"abc"
        self.offer(first)
        self.offer(second, file="2b3c4d5e6f7a8b9c", name="notes.txt")
        self.link.send("/accept 1")
        self.link.send("/accept 2")
        self.peer.sent()
        self.lines()
        self.peer.send(
            {
                "type": "error",
                "code": "file-too-many",
                "text": "you have 1 transfer going, the most at once; wait for one to end",
                "file": "2b3c4d5e6f7a8b9c",
            }
        )
        self.assertEqual(
            self.lines(),
            [
                '! "notes.txt" from bob was not fetched: you have 1 transfer going, the most at once; wait for one '
                "to end (file-too-many); /accept 2 tries again."
            ],
        )
        self.link.send("/files")
        self.assertEqual(
            self.lines()[1:],
            [
                '~   [1] from bob: "photo.jpg" (32.8 kB) accepting',
                '~   [2] from bob: "notes.txt" (3 B) unfinished: /accept 2',
            ],
        )
        self.receive(first)
        self.peer.send({"type": "file_sent", "file": FILE_ID})
        self.assertEqual(self.saved(), first)
        self.link.send("/accept 2")
        self.assertEqual(self.peer.sent()[-1], "/file accept 2b3c4d5e6f7a8b9c")

    def test_a_restarted_client_finds_its_part_files_and_resumes_on_accept(self) -> None:
        """The sidecar names the offer: a new client lists it under /files and goes on with /accept."""
        data = os.urandom(CHUNK * 3)
        self.offer(data)
        self.link.send("/accept")
        self.peer.send(chunk(0, data[:CHUNK]), chunk(CHUNK, data[CHUNK : 2 * CHUNK]))
        self.link.leave()
        self.link.leave()

        self.start_client()
        self.assertEqual(
            self.noted[-1:],
            [f"~ Unfinished downloads in {self.folder}: 1 (/files lists them; /accept 1 goes on with one)."],
        )
        self.link.send("/files")
        self.assertEqual(
            self.lines(),
            ["~ Transfers here (1):", '~   [1] from bob: "photo.jpg" (49.2 kB) unfinished: /accept 1'],
        )
        self.assertEqual(self.peer.sent(), ["/file list"])
        self.link.send("/accept 1")
        last = hashlib.sha256(data[CHUNK : 2 * CHUNK]).hexdigest()
        self.assertEqual(self.peer.sent(), [f"/file accept {FILE_ID} {2 * CHUNK} {last}"])
        self.receive(data, 2 * CHUNK)
        self.peer.send({"type": "file_sent", "file": FILE_ID})
        self.assertEqual(self.saved(), data)

    def test_decline_and_cancel(self) -> None:
        """``/decline`` refuses an offer; a sender's cancel removes what arrived and says so."""
        self.offer(b"abc")
        self.link.send("/decline")
        self.assertEqual(self.peer.sent(), [f"/file decline {FILE_ID}"])
        self.offer(os.urandom(CHUNK * 2))
        self.link.send("/accept 2")
        self.peer.send(chunk(0, b"z" * CHUNK))
        self.lines()
        self.peer.send({"type": "file_cancelled", "file": FILE_ID, "nick": "bob", "reason": "oops"})
        self.assertEqual(self.lines(), ['! bob cancelled "photo.jpg" (oops); nothing of it was kept.'])
        self.assertEqual(os.listdir(self.folder), [])

    def test_an_offer_that_expired_leaves_the_list_with_what_arrived_of_it(self) -> None:
        """``file_expired`` for an offer part fetched: one line, the part file gone, nothing to /accept."""
        self.offer(os.urandom(CHUNK * 2))
        self.link.send("/accept")
        self.peer.send(chunk(0, b"z" * CHUNK))
        self.peer.sent()
        self.lines()
        self.peer.send({"type": "file_expired", "file": FILE_ID, "reason": "offers wait 7d at most"})
        self.assertEqual(
            self.lines(),
            ['* bob\'s offer of "photo.jpg" expired (offers wait 7d at most); it can no longer be fetched.'],
        )
        self.assertEqual(os.listdir(self.folder), [])
        self.link.send("/accept")
        self.assertEqual(self.lines(), ["! There is no offer to accept; /files lists the transfers."])
        self.assertEqual(self.peer.sent(), [])

    def test_server_list_registers_offers_to_accept(self) -> None:
        """``file_list`` rows from others get numbers; the user's own are listed."""
        data = b"abc"
        row = {key: offered(data)[key] for key in ("file", "nick", "to", "name", "size", "mime", "sha256")}
        mine = {**row, "file": "ffff000011112222", "nick": "alice", "to": "#lobby", "name": "mine.txt"}
        self.peer.send(
            {"type": "file_list", "files": [{**row, "state": "offered"}, {**mine, "state": "uploading"}]}
        )
        short = hashlib.sha256(data).hexdigest()[:12]
        self.assertEqual(
            self.lines(),
            [
                "* Files on the server (2):",
                f'*   [1] from bob: "photo.jpg" (3 B, image/jpeg, sha256 {short}) offered',
                f'*   to #lobby: "mine.txt" (3 B, image/jpeg, sha256 {short}) uploading',
            ],
        )
        self.link.send("/accept 1")
        self.assertEqual(self.peer.sent(), [f"/file accept {FILE_ID}"])

    def test_a_server_list_page_with_a_cursor_asks_for_the_next_and_the_last_for_none(self) -> None:
        """A ``file_list`` page naming ``next`` is shown and the page after it asked for at once; the last is shown
        as ever, and asks for nothing; a cursor that would make another command is not sent back."""
        data = b"abc"
        row = {key: offered(data)[key] for key in ("file", "nick", "to", "name", "size", "mime", "sha256")}
        self.peer.sent()
        self.peer.send(
            {"type": "file_list", "files": [{**row, "state": "offered"}], "next": "5-00000000000000aa"}
        )
        short = hashlib.sha256(data).hexdigest()[:12]
        self.assertEqual(
            self.lines(),
            [
                "* Files on the server (1 here, more to come):",
                f'*   [1] from bob: "photo.jpg" (3 B, image/jpeg, sha256 {short}) offered',
            ],
        )
        self.assertEqual(self.peer.sent(), ["/file list after 5-00000000000000aa"])
        other = {**row, "file": "ffff000011112222", "name": "more.jpg"}
        self.peer.send({"type": "file_list", "files": [{**other, "state": "offered"}], "next": None})
        self.assertEqual(
            self.lines(),
            [
                "* Files on the server (1):",
                f'*   [2] from bob: "more.jpg" (3 B, image/jpeg, sha256 {short}) offered',
            ],
        )
        self.peer.send({"type": "file_list", "files": [], "next": "5-00 /quit"})
        self.assertEqual(self.peer.sent(), [])


class ProgressTests(FilesTestCase):
    """Bars for what takes more than a moment, gone when it ends."""

    def test_a_bar_appears_after_a_moment_with_rate_and_goes_at_the_end(self) -> None:
        """Nothing in the first second; then the bytes done and the rate; an empty set once saved."""
        data = os.urandom(CHUNK * 4)
        self.peer.send(offered(data))
        self.link.send("/accept")
        self.clock.advance(0.5)
        self.assertEqual(self.display.drawn, [])
        self.peer.send(chunk(0, data[:CHUNK]))
        self.clock.advance(0.5)
        self.peer.send(chunk(CHUNK, data[CHUNK : 2 * CHUNK]))
        self.clock.advance(0.5)
        self.assertEqual(
            self.display.drawn[-1], [Bar("↓ photo.jpg from bob", 2 * CHUNK, 4 * CHUNK, 2.0 * CHUNK)]
        )
        self.receive(data, 2 * CHUNK)
        self.peer.send({"type": "file_sent", "file": FILE_ID})
        self.assertEqual(self.display.drawn[-1], [])
        self.clock.advance(5)
        # The connection's own quiet (chatd.client.liveness) is timed as long as it is up: only the bar's must go.
        calls = [
            call
            for call in self.clock.getDelayedCalls()
            if not isinstance(getattr(getattr(call, "func", None), "__self__", None), Watch)
        ]
        self.assertEqual(calls, [])


class SentLines:
    """An Outlet's one part a cancel uses: the lines sent, each reaching the server."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send_line(self, line: str) -> bool:
        self.sent.append(line)
        return True


class CancelAfterDropTests(SynchronousTestCase):
    def test_a_cancel_a_drop_may_have_lost_is_sent_again_when_wanted(self) -> None:
        """One cancel on its way is enough, on one connection: after a drop, whose connection took the answer (or the
        cancel itself) with it, the same upload's cancel is sent again, not taken as still on its way."""
        link = SentLines()
        files = Transfers(link, Clock(), InlineWorker(), new_folder(self))  # type: ignore[arg-type]  # send_line alone
        files.cancel_on_server(FILE_ID)
        files.cancel_on_server(FILE_ID)
        files.offline()
        files.cancel_on_server(FILE_ID)
        self.assertEqual(link.sent, [f"/file cancel {FILE_ID}"] * 2)
