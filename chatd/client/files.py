"""File transfers in the bundled client: ``/send``, ``/accept``, ``/decline``, ``/cancel``, ``/files``.

``Transfers`` sits beside the link (connection.py): it takes the commands
above before they reach the server, and the server's file objects
(docs/PROTOCOL.md, "Files") before the renderer, drives one ``Upload`` or
``Download`` per file, and says in one line what each offer, end, failure
or cancellation means. Every transfer has a small number (1, 2, 3) to type
instead of its 16-digit id; a command without one means the latest. While
transfers run it hands progress bars to a ``Display`` (the terminal) every
half second. After a drop it offers the uploads again and re-accepts the
downloads from their part files; started afresh, it finds the part files
left in the downloads folder and offers to resume them (``/files``).
"""

import mimetypes
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from twisted.internet.interfaces import IDelayedCall, IReactorTime

from chatd.client.download import Download
from chatd.client.download import Stage as Down
from chatd.client.filenames import safe_name
from chatd.client.partfile import Offer, PartFile
from chatd.client.progress import SHOWN_AFTER_SECONDS, Bar, Meter, size_text
from chatd.client.render import Message, Shown
from chatd.client.style import Look, View, compose, is_me
from chatd.client.upload import Hashed, Upload, hash_file
from chatd.client.upload import Stage as Up
from chatd.client.worker import Worker
from chatd.text import scrub

TICK_SECONDS = 0.5
"""How often the progress bars are redrawn while a transfer runs."""

OCTET_STREAM = "application/octet-stream"

OFFER_REFUSALS = frozenset(
    {
        "file-too-big",
        "file-day-limit",
        "file-too-many",
        "file-store-full",
        "bad-file-offer",
        "no-such-nick",
        "not-in-room",
        "file-to-self",
    }
)
"""Error codes that answer a ``/file offer`` (docs/PROTOCOL.md): the offer is refused, nothing else changes."""

UPLOAD_FAILURES = frozenset({"bad-file-chunk", "file-corrupt"})
"""Error codes that end an upload on the server's side."""

_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ/")

Transfer = Upload | Download


class Outlet(Protocol):
    """What transfers need of the link: send a line to the server, show lines, know who the user is."""

    @property
    def connected(self) -> bool:
        """True while a connection to the server is up."""
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


class Display(Protocol):
    """Where progress bars are drawn: above the input line."""

    def progress(self, bars: Sequence[Bar]) -> None:
        """Draw ``bars`` (none: take them away)."""


def mime_type(path: str) -> str:
    """The MIME type the standard library guesses from ``path``'s name; octet-stream if none, or not a token."""
    guessed, _ = mimetypes.guess_type(path, strict=False)
    if guessed is None or not set(guessed) <= _TOKEN:
        return OCTET_STREAM
    return guessed


def quoted(name: str) -> str:
    """A file name as shown: its safe form, scrubbed, in quotes."""
    return f'"{scrub(safe_name(name))}"'


class Transfers:
    """Every file going up or down on one link, numbered for typing."""

    def __init__(self, link: Outlet, reactor: IReactorTime, worker: Worker, folder: str) -> None:
        self.folder = folder
        self._link = link
        self._reactor = reactor
        self._worker = worker
        self._numbers = 0
        self._all: dict[int, Transfer] = {}
        self._meters: dict[int, Meter] = {}
        self._display: Display | None = None
        self._ticking: IDelayedCall | None = None
        self._drawn = False
        self._looked = False

    def watch(self, display: Display) -> None:
        """Draw progress bars on ``display``."""
        self._display = display

    def transfers(self) -> list[Transfer]:
        """The open transfers, oldest first."""
        return [self._all[number] for number in sorted(self._all)]

    # What the user types.

    def command(self, text: str) -> bool:
        """Carry out ``text`` if it is one of the file commands; False if it is not (it goes to the server)."""
        words = text.split(maxsplit=1)
        run = _COMMANDS.get(words[0].lower()) if words else None
        if run is None:
            return False
        run(self, words[1].strip() if len(words) > 1 else "")
        return True

    def _send(self, rest: str) -> None:
        words = rest.split(maxsplit=1)
        if len(words) < 2:
            self._say("Usage: /send NICK|#room PATH sends a file.")
            return
        target, path = words[0], os.path.expanduser(words[1].strip())
        if not os.path.isfile(path):
            self._say(f"There is no file {scrub(path)}.", Look.ERROR)
            return
        number = self._number()
        name = safe_name(os.path.basename(path))
        upload = Upload(
            number, target, path, name, mime_type(path), self._put, self._worker, self._upload_failed
        )
        self._all[number] = upload
        self._say(f"Reading {quoted(name)} to send it to {scrub(target)}; /cancel {number} stops it.")
        self._worker(hash_file, path).addCallbacks(
            lambda hashed: self._hashed(upload, hashed),
            lambda failure: self._upload_failed(upload, f"it cannot be read ({failure.getErrorMessage()})"),
        )

    def _hashed(self, upload: Upload, hashed: Hashed) -> None:
        if upload.stage is not Up.HASHING:
            return
        if hashed.size == 0:
            self._drop(upload)
            self._say(f"{quoted(upload.name)} is empty: there is nothing to send.", Look.ERROR)
            return
        upload.hashed = hashed
        if self._link.connected:
            upload.offer()
        else:
            upload.stage = Up.WAITING
        self._tick_soon()

    def _accept(self, rest: str) -> None:
        download = self._pick(rest, Download, (Down.OFFERED, Down.PAUSED), "an offer to accept")
        if not isinstance(download, Download):
            return
        if not self._link.connected:
            self._say("Not connected: accept once the client is back.", Look.ERROR)
            return
        said = "Going on with" if download.part is not None else "Fetching"
        download.accept()
        offer = download.offer
        self._say(
            f"{said} {quoted(offer.name)} ({size_text(offer.size)}) from {scrub(offer.nick)} into "
            f"{scrub(self.folder)}; /cancel {download.number} stops it."
        )
        self._tick_soon()

    def _decline(self, rest: str) -> None:
        download = self._pick(rest, Download, (Down.OFFERED,), "an offer to decline")
        if isinstance(download, Download):
            download.decline()
            self._drop(download)
            self._say(f"Declined {quoted(download.offer.name)} from {scrub(download.offer.nick)}.")

    def _cancel(self, rest: str) -> None:
        transfer = self._pick(rest, (Upload, Download), None, "a transfer to cancel")
        if transfer is None:
            return
        self._drop(transfer)
        if isinstance(transfer, Download):
            transfer.cancel()
            self._say(f"Cancelled {quoted(transfer.offer.name)} from {scrub(transfer.offer.nick)}.")
            return
        if transfer.file_id is not None:
            self._put(f"/file cancel {transfer.file_id}")
        transfer.end()
        self._say(f"Cancelled sending {quoted(transfer.name)} to {scrub(transfer.target)}.")

    def _files(self, rest: str) -> None:
        rows = [self._row(transfer) for transfer in self.transfers()]
        lines = [f"Transfers here ({len(rows)}):", *rows] if rows else ["No transfers here."]
        self._say_lines(lines)
        self._put("/file list")

    def _row(self, transfer: Transfer) -> str:
        if isinstance(transfer, Upload):
            done = f", {transfer.held * 100 // transfer.size}%" if transfer.size else ""
            return (
                f"  [{transfer.number}] to {scrub(transfer.target)}: {quoted(transfer.name)}"
                f" ({size_text(transfer.size)}{done}) {transfer.stage.value}"
            )
        offer, stage = transfer.offer, transfer.stage
        done = f", {transfer.held * 100 // offer.size}%" if offer.size and transfer.held else ""
        hint = f": /accept {transfer.number}" if stage in (Down.OFFERED, Down.PAUSED) else ""
        return (
            f"  [{transfer.number}] from {scrub(offer.nick)}: {quoted(offer.name)}"
            f" ({size_text(offer.size)}{done}) {stage.value}{hint}"
        )

    def _pick(
        self,
        rest: str,
        kind: type[Upload] | type[Download] | tuple[type[Upload], type[Download]],
        stages: tuple[Down, ...] | None,
        what: str,
    ) -> Transfer | None:
        """The transfer ``rest`` names (a number or a file id), or the latest that fits; says why if none."""
        fits = [
            transfer
            for transfer in self.transfers()
            if isinstance(transfer, kind) and (stages is None or transfer.stage in stages)
        ]
        if not rest:
            if not fits:
                self._say(f"There is no {what}; /files lists the transfers.", Look.ERROR)
            return fits[-1] if fits else None
        for transfer in fits:
            if rest == str(transfer.number) or rest == _file_id(transfer):
                return transfer
        self._say(f"{scrub(rest)} is not {what}; /files lists the transfers.", Look.ERROR)
        return None

    # What the server sends.

    def received(self, message: Message) -> Shown | None:
        """Follow one server object; the lines to show for it, or None if it is no file object of ours."""
        kind = message.get("type")
        if kind == "error":
            return self._error(message)
        follow = _FOLLOWERS.get(kind) if isinstance(kind, str) else None
        return follow(self, message) if follow is not None else None

    def _upload_for(self, message: Message, stages: tuple[Up, ...]) -> Upload | None:
        """The upload ``message`` is about: by its ``file``, else the oldest in one of ``stages``."""
        file_id = message.get("file")
        for transfer in self.transfers():
            if isinstance(transfer, Upload) and (
                transfer.file_id == file_id if isinstance(file_id, str) else transfer.stage in stages
            ):
                return transfer
        return None

    def _download_for(self, message: Message) -> Download | None:
        file_id = message.get("file")
        for transfer in self.transfers():
            if isinstance(transfer, Download) and transfer.offer.file == file_id:
                return transfer
        return None

    def _upload_started(self, message: Message) -> Shown:
        file_id, have, chunk = message.get("file"), _number(message, "have"), _number(message, "chunk")
        tail = message.get("tail")
        upload = next(
            (t for t in self.transfers() if isinstance(t, Upload) and t.matches(dict(message))), None
        )
        if upload is None or not isinstance(file_id, str) or not isinstance(tail, str) or chunk <= 0:
            return Shown(())
        upload.started(file_id, have, tail, chunk)
        self._tick_soon()
        if have > 0:
            share = have * 100 // upload.size if upload.size else 100
            return self._lines(
                [f"The server holds {share}% of {quoted(upload.name)} already: going on from there."]
            )
        return Shown(())

    def _upload_progressed(self, message: Message) -> Shown:
        upload = self._upload_for(message, ())
        if upload is not None:
            upload.progressed(_number(message, "have"))
        return Shown(())

    def _uploaded(self, message: Message) -> Shown:
        upload = self._upload_for(message, ())
        if upload is None:
            return Shown(())
        upload.uploaded()
        self._refresh()
        return self._lines(
            [
                f"Sent {quoted(upload.name)} ({size_text(upload.size)}) to the server, checked: "
                f"{scrub(upload.target)} is offered it; /cancel {upload.number} withdraws it."
            ]
        )

    def _offered(self, message: Message) -> Shown:
        offer = Offer.read(dict(message))
        if offer is None:
            return Shown(())
        view = self._link.view
        if is_me(offer.nick, view):
            # The echo of the user's own offer: file_uploaded said it already.
            if self._upload_for(message, ()) is not None:
                return Shown(())
            return self._lines([f"You offer {quoted(offer.name)} to {scrub(offer.to)} ({_facts(offer)})."])
        download = self._download_for(message)
        if download is None:
            download = self._register(offer)
        number = download.number
        to = "you" if is_me(offer.to, view) else scrub(offer.to)
        waited = " (it waited for you)" if message.get("waited") is True else ""
        body = (
            f"{scrub(offer.nick)} offers {quoted(offer.name)} to {to}{waited} ({_facts(offer)}): "
            f"/accept {number} or /decline {number}"
        )
        return Shown((compose(view, self._reactor.seconds(), Look.NOTICE, body),), bell=to == "you")

    def _register(self, offer: Offer, part: PartFile | None = None) -> Download:
        number = self._number()
        download = Download(number, offer, self.folder, self._put, self._worker, self._download_ended, part)
        self._all[number] = download
        return download

    def _chunk(self, message: Message) -> Shown:
        download = self._download_for(message)
        data, sha256 = message.get("data"), message.get("sha256")
        if download is not None and isinstance(data, str) and isinstance(sha256, str):
            download.chunk(_number(message, "offset"), data, sha256)
        return Shown(())

    def _sent(self, message: Message) -> Shown:
        download = self._download_for(message)
        if download is not None:
            download.sent()
        return Shown(())

    def _declined(self, message: Message) -> Shown:
        upload = self._upload_for(message, ())
        name = quoted(upload.name) if upload is not None else "your file"
        return self._lines([f"{_text(message, 'nick')} declined {name}."])

    def _cancelled(self, message: Message) -> Shown:
        reason = _text(message, "reason")
        because = f" ({reason})" if reason else ""
        download = self._download_for(message)
        if download is not None:
            self._drop(download)
            download.cancel(tell_server=False)
            offer = download.offer
            return self._lines(
                [f"{scrub(offer.nick)} cancelled {quoted(offer.name)}{because}; nothing of it was kept."],
                Look.ERROR,
            )
        upload = self._upload_for(message, ())
        if upload is None:
            return Shown(())
        return self._lines([f"{_text(message, 'nick')} stopped fetching {quoted(upload.name)}{because}."])

    def _listed(self, message: Message) -> Shown:
        files = message.get("files")
        rows = []
        for entry in files if isinstance(files, list) else []:
            offer = Offer.read(entry)
            if offer is None or not isinstance(entry, dict):
                continue
            state = _text(entry, "state")
            if is_me(offer.nick, self._link.view):
                rows.append(f"  to {scrub(offer.to)}: {quoted(offer.name)} ({_facts(offer)}) {state}")
                continue
            download = self._download_for({"file": offer.file})
            if download is None:
                if state not in ("offered", "downloading"):
                    continue
                download = self._register(offer)
            rows.append(
                f"  [{download.number}] from {scrub(offer.nick)}: {quoted(offer.name)} ({_facts(offer)}) {state}"
            )
        return self._lines(
            [f"Files on the server ({len(rows)}):", *rows] if rows else ["No files on the server."]
        )

    def _linked(self, message: Message) -> Shown:
        return self._lines([f"Link (one download, for an hour): {_text(message, 'url')}"])

    def _error(self, message: Message) -> Shown | None:
        code = message.get("code")
        text = _text(message, "text")
        if code in OFFER_REFUSALS:
            upload = self._upload_for(message, (Up.OFFERING,))
            if upload is not None and upload.file_id is None:
                self._drop(upload)
                upload.end()
                return self._lines([f"{quoted(upload.name)} was not sent: {text} ({code})"], Look.ERROR)
        elif code == "file-offset":
            upload = self._upload_for(message, (Up.SENDING,))
            if upload is not None:
                upload.wrong_offset(_number(message, "have"))
                return Shown(())
        elif code in UPLOAD_FAILURES:
            upload = self._upload_for(message, (Up.SENDING, Up.CHECKING))
            if upload is not None:
                self._drop(upload)
                upload.end()
                return self._lines([f"{quoted(upload.name)} was not sent: {text} ({code})"], Look.ERROR)
        elif code == "no-such-file":
            download = self._download_for(message)
            if download is not None and download.stage is not Down.ENDED:
                self._drop(download)
                download.cancel(tell_server=False)
                return self._lines(
                    [f"The server no longer has {quoted(download.offer.name)} ({code})."], Look.ERROR
                )
        elif code == "file-resume-mismatch":
            download = self._download_for(message) or next(
                (t for t in self.transfers() if isinstance(t, Download) and t.stage is Down.ACCEPTING), None
            )
            if download is not None:
                download.mismatch()
                return self._lines(
                    [
                        f"The server's {quoted(download.offer.name)} does not go on from the part file: fetching it from the start."
                    ]
                )
        return None

    # Ends.

    def _upload_failed(self, upload: Upload, why: str) -> None:
        self._drop(upload)
        if upload.file_id is not None:
            self._put(f"/file cancel {upload.file_id}")
        upload.end()
        self._say(f"Sending {quoted(upload.name)} failed: {why}.", Look.ERROR)

    def _download_ended(self, download: Download, path: str | None, why: str) -> None:
        self._drop(download)
        offer = download.offer
        if path is None:
            self._say(f"{quoted(offer.name)} from {scrub(offer.nick)} failed: {why}.", Look.ERROR)
            return
        self._say(
            f"Saved {quoted(offer.name)} ({size_text(offer.size)}) from {scrub(offer.nick)} as {scrub(path)}; SHA-256 checked."
        )

    def _drop(self, transfer: Transfer) -> None:
        self._all.pop(transfer.number, None)
        self._refresh()

    # The connection.

    def online(self) -> None:
        """The user has a nickname on a new connection: go on with every transfer the drop stopped."""
        for transfer in self.transfers():
            if isinstance(transfer, Upload) and transfer.stage is Up.WAITING:
                transfer.offer()
            elif isinstance(transfer, Download) and transfer.stage is Down.WAITING:
                transfer.accept()
        if not self._looked:
            self._looked = True
            self._worker(PartFile.found, self.folder).addCallback(self._found)
        self._tick_soon()

    def _found(self, parts: list[tuple[PartFile, Offer]]) -> None:
        known = {t.offer.file for t in self.transfers() if isinstance(t, Download)}
        fresh = [self._register(offer, part).number for part, offer in parts if offer.file not in known]
        if fresh:
            numbers = ", ".join(map(str, fresh))
            self._say(
                f"Unfinished downloads in {scrub(self.folder)}: {len(fresh)} (/files lists them; /accept {numbers.split(', ')[0]} goes on with one)."
            )

    def offline(self) -> None:
        """The connection dropped: every transfer waits for the next one."""
        for transfer in self.transfers():
            transfer.offline()
        self._refresh()

    # Progress bars.

    def _active(self) -> list[Transfer]:
        return [
            transfer
            for transfer in self.transfers()
            if (isinstance(transfer, Upload) and transfer.stage in (Up.SENDING, Up.CHECKING))
            or (
                isinstance(transfer, Download)
                and transfer.stage in (Down.ACCEPTING, Down.RECEIVING, Down.CHECKING)
            )
        ]

    def _tick_soon(self) -> None:
        if self._ticking is None or not self._ticking.active():
            self._ticking = self._reactor.callLater(TICK_SECONDS, self._tick)

    def _tick(self) -> None:
        self._ticking = None
        self._refresh()
        if self._active():
            self._tick_soon()

    def _refresh(self) -> None:
        """Measure the running transfers and redraw their bars; take the bars of ended ones away."""
        now = self._reactor.seconds()
        bars = []
        active = self._active()
        for transfer in active:
            meter = self._meters.get(transfer.number)
            if meter is None:
                meter = self._meters[transfer.number] = Meter(now, transfer.held)
            else:
                meter.sample(now, transfer.held)
            if now - meter.since >= SHOWN_AFTER_SECONDS:
                bars.append(Bar(_label(transfer), transfer.held, _size(transfer), meter.rate))
        for number in set(self._meters) - {transfer.number for transfer in active}:
            del self._meters[number]
        if self._display is not None and (bars or self._drawn):
            self._display.progress(bars)
            self._drawn = bool(bars)

    # Helpers.

    def _number(self) -> int:
        self._numbers += 1
        return self._numbers

    def _put(self, text: str) -> None:
        self._link.send_line(text)

    def _lines(self, bodies: Sequence[str], look: Look = Look.NOTICE) -> Shown:
        now = self._reactor.seconds()
        return Shown(tuple(compose(self._link.view, now, look, body) for body in bodies))

    def _say(self, body: str, look: Look = Look.STATUS) -> None:
        self._link.show_lines(self._lines([body], look))

    def _say_lines(self, bodies: Sequence[str]) -> None:
        self._link.show_lines(self._lines(bodies, Look.STATUS))


def _file_id(transfer: Transfer) -> str | None:
    return transfer.file_id if isinstance(transfer, Upload) else transfer.offer.file


def _label(transfer: Transfer) -> str:
    if isinstance(transfer, Upload):
        return f"↑ {scrub(transfer.name)} to {scrub(transfer.target)}"
    return f"↓ {scrub(safe_name(transfer.offer.name))} from {scrub(transfer.offer.nick)}"


def _size(transfer: Transfer) -> int:
    return transfer.size if isinstance(transfer, Upload) else transfer.offer.size


def _facts(offer: Offer) -> str:
    return f"{size_text(offer.size)}, {scrub(offer.mime)}, sha256 {offer.sha256[:12]}"


def _number(message: Mapping[str, object], key: str) -> int:
    value = message.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _text(message: Mapping[str, object], key: str) -> str:
    value = message.get(key)
    return scrub(value) if isinstance(value, str) else ""


_COMMANDS: dict[str, Callable[[Transfers, str], None]] = {
    "/send": Transfers._send,
    "/accept": Transfers._accept,
    "/decline": Transfers._decline,
    "/cancel": Transfers._cancel,
    "/files": Transfers._files,
}

_FOLLOWERS: dict[str, Callable[[Transfers, Message], Shown]] = {
    "file_upload": Transfers._upload_started,
    "file_progress": Transfers._upload_progressed,
    "file_uploaded": Transfers._uploaded,
    "file_offered": Transfers._offered,
    "file_chunk": Transfers._chunk,
    "file_sent": Transfers._sent,
    "file_declined": Transfers._declined,
    "file_cancelled": Transfers._cancelled,
    "file_list": Transfers._listed,
    "file_link": Transfers._linked,
}
