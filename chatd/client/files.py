"""File transfers in the bundled client: ``/send``, ``/accept``, ``/decline``, ``/cancel``, ``/files``.

``Transfers`` sits beside the link (connection.py): it takes the commands
above before they reach the server, and the server's file objects
(docs/PROTOCOL.md, "Files") before the renderer, drives one ``Upload`` or
``Download`` per file, and says in one line what each offer, end, failure
or cancellation means. Every transfer has a small number (1, 2, 3) to type
instead of its 16-digit id; a command without one means the latest. While
transfers run, its ``bars`` (chatd.client.filebars) draw their progress on
the terminal. After a drop it offers the uploads again and re-accepts the
downloads from their part files; started afresh, it finds the part files
left in the downloads folder and offers to resume them (``/files``).
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from twisted.internet.interfaces import IReactorTime

from chatd.client.download import RETRIES, Download
from chatd.client.download import Stage as Down
from chatd.client.filebars import Transfer, TransferBars
from chatd.client.filecommands import COMMANDS
from chatd.client.fileevents import FOLLOWERS
from chatd.client.filerefusals import error
from chatd.client.filewords import quoted
from chatd.client.pages import NextPage
from chatd.client.partfile import Offer, PartFile
from chatd.client.shown import Message, Shown
from chatd.client.style import Look, View, compose
from chatd.client.upload import Stage as Up
from chatd.client.upload import Upload
from chatd.client.worker import Worker
from chatd.text import scrub, size_words


class Outlet(Protocol):
    """What transfers need of the link: send a line to the server, show lines, know who the user is."""

    @property
    def connected(self) -> bool:
        """True while a connection to the server is up."""
        ...

    @property
    def named(self) -> bool:
        """True once the server has accepted a nickname on that connection: file commands before it are refused."""
        ...

    @property
    def view(self) -> View:
        """How lines are rendered now."""
        ...

    def send_line(self, text: str) -> bool:
        """Send ``text`` to the server as it is; False with no connection."""
        ...

    def show_lines(self, shown: Shown) -> None:
        """Put lines of the client's own on screen."""
        ...


class Transfers:
    """Every file going up or down on one link, numbered for typing."""

    def __init__(self, link: Outlet, reactor: IReactorTime, worker: Worker, folder: str) -> None:
        self.folder = folder
        self.link = link
        self.reactor = reactor
        self.worker = worker
        self._numbers = 0
        self.all: dict[int, Transfer] = {}
        self.bars = TransferBars(reactor, self.transfers)
        """The progress bars (chatd.client.filebars), redrawn as the transfers go on."""
        self._looked = False
        self._ended: set[str] = set()
        """The files of downloads that ended here, whose late answers stay quiet (``late_answer``)."""
        self._cancelling: set[str] = set()
        """The uploads ``cancel_on_server`` cancelled on the server whose answer has yet to come."""
        self.declining_every = False
        """Whether a ``/decline *`` of the user's awaits its answer: the offers the server says they declined meanwhile
        were declined here, not on another connection (chatd.client.fileends.declined)."""
        self._unanswered: list[Upload] = []
        """The uploads whose ``/file offer`` on this connection the server has yet to answer, in the order sent, the
        order of its answers: an answer or a refusal is the first's of the offer it names (an error naming none
        answers another line). One cancelled meanwhile stays until its answer comes: an upload the server opens for
        it is cancelled there too."""
        self.list_next = NextPage(reactor)
        """The ``/file list after CURSOR`` of the listing shown, waiting the seconds its last page said (``wait``)."""

    def transfers(self) -> list[Transfer]:
        """The open transfers, oldest first."""
        return [self.all[number] for number in sorted(self.all)]

    # What the user types.

    def command(self, text: str) -> bool:
        """Carry out ``text`` if it is one of the file commands; False if it is not (it goes to the server)."""
        words = text.split(maxsplit=1)
        run = COMMANDS.get(words[0].lower()) if words else None
        if run is None:
            self._typed(text)
            return False
        run(self, words[1].strip() if len(words) > 1 else "")
        return True

    # What the server sends.

    def received(self, message: Message) -> Shown | None:
        """Follow one server object; the lines to show for it, or None if it is no file object of ours."""
        kind = message.get("type")
        if kind == "error":
            return error(self, message)
        if kind == "notice" and message.get("kind") == "files_declined":
            self.declining_every = False  # shown as any notice is
            return None
        follow = FOLLOWERS.get(kind) if isinstance(kind, str) else None
        return follow(self, message) if follow is not None else None

    def upload_for(self, message: Message) -> Upload | None:
        """The open upload ``message`` is about, by its ``file``: the id the server gave it on this connection."""
        file_id = message.get("file")
        for transfer in self.transfers():
            if isinstance(transfer, Upload) and isinstance(file_id, str) and transfer.file_id == file_id:
                return transfer
        return None

    def offered_again(self, message: Message) -> Upload | None:
        """The upload whose offer, made again after a drop, is on its way, that the server held as ``message``'s
        ``file`` before the drop; None if none is.

        Ended for good (``stop_upload``), it is still awaited: an upload the
        server opens for that offer is cancelled there (``upload_started``).
        """
        file_id = message.get("file")
        for upload in self._unanswered:
            if upload.file_id is None and isinstance(file_id, str) and upload.server_id == file_id:
                return upload
        return None

    def download_for(self, message: Message) -> Download | None:
        file_id = message.get("file")
        for transfer in self.transfers():
            if isinstance(transfer, Download) and transfer.offer.file == file_id:
                return transfer
        return None

    # Ends.

    def register(self, offer: Offer, part: PartFile | None = None) -> Download:
        """A new numbered download of ``offer`` (going on from ``part``, if any)."""
        number = self.number()
        download = Download(
            number, offer, self.folder, self.put, self.worker, self.download_ended, self._resumed, part
        )
        self.all[number] = download
        return download

    def offer(self, upload: Upload) -> None:
        """Offer ``upload`` (hashed) on this connection, and await the answer."""
        upload.offer()
        self._unanswered.append(upload)

    def offer_answered(self, message: Message) -> Upload | None:
        """The upload whose offer ``file_upload`` ``message`` answers (the first awaited it names: its target, and
        its file's size and SHA-256: ``Upload.answered_by``), no longer awaited; None if it answers none (a ``/file
        restart``)."""
        return self._first_unanswered(lambda upload: upload.answered_by(message))

    def offer_refused(self, offer: Mapping[str, object]) -> Upload | None:
        """The upload whose offer a refusal naming ``offer`` answers (the first awaited it names), no longer
        awaited; None if it names none."""
        return self._first_unanswered(lambda upload: upload.answered_by(offer))

    def _first_unanswered(self, matches: Callable[[Upload], bool]) -> Upload | None:
        for upload in self._unanswered:
            if matches(upload):
                self._unanswered.remove(upload)
                return upload
        return None

    def stop_upload(self, upload: Upload, tell_server: bool) -> None:
        """``upload`` ends here for good. With ``tell_server`` (the server may hold it still, by the id it gave it
        last, on this connection or before a drop), it ends there too (``cancel_on_server``)."""
        self.drop(upload)
        if tell_server and upload.server_id is not None:
            self.cancel_on_server(upload.server_id)
        upload.end()

    def cancel_on_server(self, file_id: str) -> None:
        """``/file cancel`` an upload the server holds as ``file_id`` that is over here: else the server kept it until
        its idle hour was up, with one of the user's ``--file-transfers``, its room in the server's store and its
        day's bytes. Its answer is awaited (``cancel_answered``), and one cancel on its way is enough."""
        if file_id not in self._cancelling and self.link.send_line(f"/file cancel {file_id}"):
            self._cancelling.add(file_id)

    def cancelling(self, file_id: object) -> bool:
        """Whether the upload ``file_id`` was cancelled on the server by ``cancel_on_server``, and not answered yet."""
        return file_id in self._cancelling

    def cancel_answered(self, message: Message) -> bool:
        """Whether ``message`` (``file_cancelled``, or ``ERR no-such-file``) answers a cancel of ``stop_upload``'s,
        which is then no longer awaited.

        A server that let the upload go while the connection was down
        (expired, or restarted without ``--db``) answers ``ERR
        no-such-file``: the user was told how the upload ended already, and
        that line would tell them nothing.
        """
        file_id = message.get("file")
        if not isinstance(file_id, str) or file_id not in self._cancelling:
            return False
        self._cancelling.discard(file_id)
        return True

    def late_answer(self, message: Message) -> bool:
        """Whether ``message`` (``ERR no-such-file``) answers a line the client sent about a download that has ended
        here since: an ack of a chunk written, or a cancel, that crossed the sender's withdrawal, a stop or an expiry
        on its way. The user was told how the download ended already, and that line would tell them nothing. One
        still under way is refused as ever, and so is a ``/file`` line the user typed about it since (``_typed``)."""
        file_id = message.get("file")
        return file_id in self._ended and self.download_for(message) is None

    def _typed(self, text: str) -> None:
        """``text`` goes to the server as typed: a ``/file`` line naming an ended download has its answer shown, and
        a ``/file list`` starts a listing anew (``list_anew``)."""
        words = text.split()
        if len(words) > 2 and words[0].lower() == "/file":
            self._ended.discard(words[2])
        if len(words) > 1 and words[0].lower() == "/file" and words[1].lower() == "list":
            self.list_anew()

    def list_anew(self) -> None:
        """A listing starts: the page the last one waited to ask for is not asked as well (each would be followed)."""
        self.list_next.cancel()

    def unheard(self, verb: str) -> bool:
        """Whether a file command of the user's could not reach the server now; if so, says in one line to ``verb``
        later, and nothing is done.

        With no connection the line is lost; on a connection whose nickname
        is not accepted yet the server answers ``need-nick``. Either way a
        transfer ended here alone was kept there (a download one of the
        user's ``--file-transfers``, an offer open to its sender, an upload
        until its idle hour was up).
        """
        if self.link.named:
            return False
        if self.link.connected:
            self.say(f"No nickname yet: {verb} once the server has accepted one.", Look.ERROR)
        else:
            self.say(f"Not connected: {verb} once the client is back.", Look.ERROR)
        return True

    def upload_failed(self, upload: Upload, why: str) -> None:
        self.stop_upload(upload, tell_server=True)
        self.say(f"Sending {quoted(upload.name)} failed: {why}.", Look.ERROR)

    def _resumed(self, download: Download, held: int) -> None:
        offer = download.offer
        if download.repairing:
            self.say(
                f"Part of {quoted(offer.name)} arrived damaged (bytes {held} on): fetching it again from there "
                f"(retry {download.damaged} of {RETRIES})."
            )
            return
        share = held * 100 // offer.size if offer.size else 100
        self.say(
            f"Going on with {quoted(offer.name)} from {share}% ({size_words(held)} of {size_words(offer.size)} held)."
        )

    def download_ended(self, download: Download, path: str | None, why: str) -> None:
        self.drop(download)
        offer = download.offer
        if path is None:
            self.say(f"{quoted(offer.name)} from {scrub(offer.nick)} failed: {why}.", Look.ERROR)
            return
        self.say(
            f"Saved {quoted(offer.name)} ({size_words(offer.size)}) from {scrub(offer.nick)} as {scrub(path)}; SHA-256 checked."
        )

    def drop(self, transfer: Transfer) -> None:
        if isinstance(transfer, Download):
            self._ended.add(transfer.offer.file)
        self.all.pop(transfer.number, None)
        self.bars.refresh()

    # The connection.

    def online(self) -> None:
        """The user has a nickname on a new connection: go on with every transfer the drop stopped."""
        for transfer in self.transfers():
            if isinstance(transfer, Upload) and transfer.stage is Up.WAITING:
                self.offer(transfer)
            elif isinstance(transfer, Download) and transfer.stage is Down.WAITING:
                transfer.accept()
        if not self._looked:
            self._looked = True
            self.worker(PartFile.found, self.folder).addCallback(self._found)
        self.bars.tick_soon()

    def _found(self, parts: list[tuple[PartFile, Offer]]) -> None:
        known = {t.offer.file for t in self.transfers() if isinstance(t, Download)}
        fresh = [self.register(offer, part).number for part, offer in parts if offer.file not in known]
        if fresh:
            numbers = ", ".join(map(str, fresh))
            self.say(
                f"Unfinished downloads in {scrub(self.folder)}: {len(fresh)} (/files lists them; /accept {numbers.split(', ')[0]} goes on with one)."
            )

    def offline(self) -> None:
        """The connection dropped: every transfer waits for the next one; no offer or cancel made on this one is
        answered, and a cancel the drop may have lost is sent again when wanted (``cancel_on_server``)."""
        self._unanswered.clear()
        self._cancelling.clear()
        self.list_next.cancel()
        for transfer in self.transfers():
            transfer.offline()
        self.bars.refresh()

    # Helpers.

    def number(self) -> int:
        self._numbers += 1
        return self._numbers

    def put(self, text: str) -> None:
        self.link.send_line(text)

    def lines(self, bodies: Sequence[str], look: Look = Look.NOTICE) -> Shown:
        now = self.reactor.seconds()
        return Shown(tuple(compose(self.link.view, now, look, body) for body in bodies))

    def say(self, body: str, look: Look = Look.STATUS) -> None:
        self.link.show_lines(self.lines([body], look))

    def say_lines(self, bodies: Sequence[str]) -> None:
        self.link.show_lines(self.lines(bodies, Look.STATUS))
