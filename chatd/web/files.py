"""``GET /files/TOKEN`` on the web port: a file offered through chatd, fetched once by HTTP (issue 16); ``HEAD``
gives the same headers and spends nothing.

``/file link ID`` (or the NOTICE an IRC user is sent) makes a token: 128
random bits from ``secrets``, good for one complete download by the
recipient it was made for (``chatd.domain.people.person_key``, followed
through their renames), or for ``LINK_SECONDS``, whichever ends first.
Asked again while it is good, it is given again: one a recipient a transfer.
With ``--db FILE`` it outlives a restart, for the rest of its hour.
The response streams the spool's copy as Twisted's ``static.File`` does
(one ``Range`` honoured, so a browser or ``curl -C -`` resumes; several
are the whole file, which spends the link; never the whole file in memory), as ``application/octet-stream``, an attachment
under the file's safe name, never cached; but each chunk is read on the
spool's thread (chatd.web.threaded_file), so a cold disk never stalls the
chat, and sent no faster than ``--file-rate``: its bytes are spent from the
recipient's budget down, the one their ``/file accept`` downloads spend
(chatd.frontend.downloads), however many requests they make at once. While
a GET's response is sent it is one of the recipient's ``--file-transfers``,
as a ``/file accept`` download is; past them it is refused, 429 with one
``ERR file-too-many`` line, and the link stays good. A token unknown, used
or expired, whose transfer is over, or whose recipient is done with it
(fetched, declined or stopped it elsewhere) is 404 with one line saying the
link is no good (``ENDED``), the same for each. A file
whose bytes are gone from the spool (removed or cut short in ``--files`` by
hand) is let go as a ``/file accept`` download would let it go
(``Transfers.lose``: every transfer of those bytes ends, its people told
``the server lost its bytes``): a request that finds them gone is answered
410 with the ``file_expired`` line a text session reads, and a response
whose bytes go while it is sent ends its connection short of the end.
"""

import hashlib
import os
import secrets
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IReactorTime
from twisted.python.failure import Failure
from twisted.web.pages import notFound
from twisted.web.resource import IResource, Resource
from twisted.web.server import Request
from typing_extensions import override

from chatd.domain.errors import FileTooManyError
from chatd.domain.file_replies import FileExpired
from chatd.domain.files import KeptLink
from chatd.failures import reason
from chatd.frontend.downloads import SHORT
from chatd.frontend.transfer_expiry import LOST
from chatd.frontend.transfer_parts import LinkStore, Transfer
from chatd.frontend.transfers import Transfers
from chatd.web.threaded_file import Pace, ThreadedFile

LINK_SECONDS = 3600.0
"""How long a link is good for, if nobody downloads the whole file with it first."""

FILES_PATH = b"files"
"""The links' path under the page: ``/files/TOKEN``."""


ENDED = "No file here: this link was used, ran out (a link lasts an hour), or its offer is over."
"""The one line a link that is no good (unknown, spent, run out, its offer over or no longer the recipient's) is
answered, as a 404: the same for each, so it tells nobody which tokens there were."""


@dataclass
class _Link:
    """A link's file, and whom it is for: their ``person_key`` and the nickname they go by, as they change; its token
    itself, if this daemon made it (one kept from before a restart is known by its digest alone)."""

    file: str
    key: str
    nick: str
    until: float
    token: str | None


class FileLinks:
    """The single-use links of ``transfers``' files, on ``reactor``'s clock; ``base`` the web port's URL once it listens.

    ``kept`` keeps them across a restart (``--db FILE``), by their tokens'
    SHA-256 (``digest``): a link an IRC user was sent is their one way to the
    file, and nobody offered it as it was made is sent the offer again, so a
    restart that forgot the links left the file out of their reach while the
    offer went on. Each is good after a restart for the rest of its hour, if
    its recipient may still fetch the transfer; kept hashed, a copy of the
    ``--db`` file (a backup) fetches nothing. Rejected: tokens signed with a
    secret the store keeps, which would need the secret kept all the same,
    and could not follow a recipient who renamed or identified before the
    restart.
    """

    def __init__(
        self,
        transfers: Transfers,
        reactor: IReactorTime,
        words: Callable[[FileTooManyError | FileExpired], bytes],
        kept: LinkStore | None = None,
    ) -> None:
        """``words``: the line a refused download, or one of a file the server lost, is answered, as the line front
        end words it (``text_line``, handed in: chatd.web does not import chatd.line)."""
        self._transfers = transfers
        self._reactor = reactor
        self.words = words
        self._kept = kept
        self._links: dict[str, _Link] = {}
        """Each link by its token's ``digest``, in the order they run out."""
        self._made: dict[tuple[str, str], str] = {}
        """The link (its digest) made for each recipient (their ``person_key``) of each file, by (file, key): asked
        for again, it is given again while it is good, so at most one is kept a recipient a transfer."""
        self.base: str | None = None
        """The web port's URL (``http://HOST:PORT/``), set when it listens: links are made under it."""
        transfers.follow(self._moved)
        self._restore()

    def _restore(self) -> None:
        """Take up the links kept from before a restart that are still good; forget the rest."""
        if self._kept is None:
            return
        now = self._reactor.seconds()
        for kept in self._kept.links():
            if kept.until <= now or self._transfers.transfer(kept.file) is None:
                self._kept.forget_link(kept.digest)
                continue
            self._links[kept.digest] = _Link(kept.file, kept.key, kept.nick, kept.until, None)
            self._made[kept.file, kept.key] = kept.digest

    def heard(self, url: str) -> None:
        """The web port listens at ``url``: links are made under the first such."""
        if self.base is None:
            self.base = url

    def make(self, transfer: Transfer, key: str, nick: str) -> str:
        """A URL with which the recipient ``key``, who goes by ``nick``, fetches ``transfer``'s file, once, within
        the hour: the one made for them before, while it is good, else a fresh one (one kept from before a restart
        stays good beside it: its token is not known to give again).

        A fresh link each time kept one more token for an hour per ``/file
        link`` line: some 7,200 an hour a connection at the default flood
        budget, 2.5 MB, and every rename walked them all.
        """
        now = self._reactor.seconds()
        # Links are made in the order they run out (each lasts LINK_SECONDS): the run-out ones are the
        # first, so a room's offer, a link per IRC member, costs no scan of every link kept.
        while self._links:
            digest, link = next(iter(self._links.items()))
            if link.until > now:
                break
            self._drop(digest)
        made = self._links.get(self._made.get((transfer.file, key), ""))
        if made is not None and made.token is not None:
            if made.nick != nick:
                made.nick = nick
                self._keep(_digest(made.token), made)
            return self._url(made.token)
        token = secrets.token_urlsafe(16)
        digest = _digest(token)
        self._links[digest] = link = _Link(transfer.file, key, nick, now + LINK_SECONDS, token)
        self._made[transfer.file, key] = digest
        self._keep(digest, link)
        return self._url(token)

    def _url(self, token: str) -> str:
        return f"{self.base or '/'}{FILES_PATH.decode()}/{token}"

    def _keep(self, digest: str, link: _Link) -> None:
        """Have the store keep ``link`` as it is now, if one does."""
        if self._kept is not None:
            self._kept.keep_link(KeptLink(digest, link.file, link.key, link.nick, link.until))

    def _drop(self, digest: str) -> _Link | None:
        """Forget the link whose token hashes to ``digest`` (spent or run out); the link it was, if any."""
        link = self._links.pop(digest, None)
        if link is None:
            return None
        if self._made.get((link.file, link.key)) == digest:
            del self._made[link.file, link.key]
        if self._kept is not None:
            self._kept.forget_link(digest)
        return link

    def path(self, transfer: Transfer) -> str:
        """Where ``transfer``'s checked bytes are in the spool."""
        return self._transfers.spool.path(transfer.key)

    def pace(self, token: str) -> Pace:
        """The budget a download through ``token`` (a good one: ``open``) spends: its recipient's, down, as they are
        when each chunk goes (they may identify meanwhile)."""
        link = self._links[_digest(token)]
        return Pace(lambda size: self._transfers.spend(link.key, size), self._reactor)

    def begin(self, token: str) -> Callable[[], None]:
        """A download through ``token`` (a good one: ``open``) starts: one of its recipient's transfers going
        (``--file-transfers``) until the call this answers is made; raises FileTooManyError if they have as many
        going already (``Transfers.by_link``)."""
        return self._transfers.by_link(self._links[_digest(token)].key)

    def read(self, file: IO[bytes], offset: int, length: int) -> "Deferred[bytes]":
        """Up to ``length`` bytes from ``offset`` of a download's open spool file, on the spool's thread."""
        return self._transfers.spool.read_from(file, offset, length)

    def resource(self) -> IResource:
        """What answers ``/files``: each good token's file, a 404 of one line (``ENDED``) for anything else."""
        return _Downloads(self)

    def _moved(self, old: str, new: str, nick: str) -> None:
        """The recipient ``old`` is ``new`` now, and goes by ``nick``: their links are still theirs."""
        for digest, link in self._links.items():
            if link.key == old:
                if self._made.get((link.file, old)) == digest:
                    del self._made[link.file, old]
                    # One of the account's other connections may have made one already: either link is good.
                    self._made.setdefault((link.file, new), digest)
                link.key, link.nick = new, nick
                self._keep(digest, link)

    def open(self, token: str) -> Transfer | None:
        """The transfer behind ``token``, if it is good now: its recipient may still fetch it."""
        link = self._links.get(_digest(token))
        if link is None or link.until <= self._reactor.seconds():
            return None
        transfer = self._transfers.transfer(link.file)
        if transfer is None or not transfer.offered_to(link.key):
            return None
        return transfer

    def lose(self, transfer: Transfer, why: str) -> None:
        """``transfer``'s bytes cannot be read back, for ``why``: it is let go with every transfer of them
        (``Transfers.lose``), unless it is over already (another download found them gone first)."""
        if self._transfers.transfer(transfer.file) is transfer:
            self._transfers.lose(transfer, why)

    def used(self, token: str, transfer: Transfer) -> None:
        """``token`` fetched the whole file: it is spent, and its recipient (as they are now) is done with the
        transfer."""
        link = self._drop(_digest(token))
        if link is not None:
            self._transfers.fetched(transfer, link.key, link.nick)


class _Downloads(Resource):
    def __init__(self, links: FileLinks) -> None:
        super().__init__()
        self._links = links

    @override
    def getChild(self, path: bytes, request: Request) -> IResource:
        token = path.decode("ascii", "replace")
        transfer = self._links.open(token)
        if transfer is None or request.postpath:
            return _Ended()
        return _Download(self._links, token, transfer)


class _Download(ThreadedFile):
    """One file, streamed as ``static.File`` does under the transfer's safe name; its token is spent once it is all sent."""

    def __init__(self, links: FileLinks, token: str, transfer: Transfer) -> None:
        super().__init__(links.path(transfer), links.read, links.pace(token), self._lost_while_sent)
        self.type = "application/octet-stream"
        self.encoding = None
        self._links = links
        self._token = token
        self._transfer = transfer

    @override
    def render_GET(self, request: Request) -> bytes | int:
        """The file; or a 410 of one line if its bytes are gone from the spool, which lets it go; or for a GET past
        its recipient's ``--file-transfers`` a 429 of one line (a HEAD sends no file)."""
        why = _unreadable(self.path, self._transfer.offered.size)
        if why is not None:
            # static.File answered a file removed by hand 404, the transfer left offered, and served one cut short as
            # a whole 200 of fewer bytes, which spent the link and told the sender it was fetched.
            self._links.lose(self._transfer, why)
            return self._line(request, 410, FileExpired(self._transfer.file, LOST))
        if request.method == b"GET":
            try:
                ended = self._links.begin(self._token)
            except FileTooManyError as error:
                return self._line(request, 429, error)
            # Asked before rendering, as below; whether the response ended or its connection went.
            request.notifyFinish().addBoth(lambda _: ended())
        name = urllib.parse.quote(self._transfer.offered.name, safe="")
        request.setHeader(b"content-disposition", f"attachment; filename*=UTF-8''{name}".encode("ascii"))
        request.setHeader(b"cache-control", b"no-store")
        # Asked before rendering: a response whose reads answer at once is over before render_GET returns,
        # and a Deferred asked for after that never fires. Whether it reached the end is known by then.
        request.notifyFinish().addCallbacks(lambda _: self._finished(request), lambda _: None)
        return super().render_GET(request)

    def _line(self, request: Request, code: int, item: FileTooManyError | FileExpired) -> bytes:
        """A response of ``code`` whose body is ``item`` as a text session reads it, one line."""
        request.setResponseCode(code)
        request.setHeader(b"content-type", b"text/plain; charset=utf-8")
        return self._links.words(item)

    def _lost_while_sent(self, failure: Failure) -> None:
        """A read of the response's bytes failed (``OSError``) or found the file cut short (``EOFError``): the
        response's connection ends short of the end, and the file is let go."""
        error = failure.value
        self._links.lose(self._transfer, reason(error) if isinstance(error, OSError) else SHORT)

    def _finished(self, request: Request) -> None:
        if request.method == b"GET" and _reaches_end(request, self._transfer.offered.size):
            self._links.used(self._token, self._transfer)

    @override
    def directoryListing(self) -> IResource:
        return notFound()


class _Ended(Resource):
    """A link that is no good, for any method: 404 with ``ENDED``, not twisted.web's page of HTML, which said nothing
    of links to someone who fetched one with curl."""

    @override
    def getChild(self, path: bytes, request: Request) -> IResource:
        # /files/TOKEN/MORE is no link either: the same line, not twisted.web's page.
        return self

    @override
    def render(self, request: Request) -> bytes:
        request.setResponseCode(404)
        request.setHeader(b"content-type", b"text/plain; charset=utf-8")
        request.setHeader(b"cache-control", b"no-store")
        return f"{ENDED}\n".encode()


def _digest(token: str) -> str:
    """What a link is known by to its store, and in memory: its token's SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def _unreadable(path: str, size: int) -> str | None:
    """Why the spool's copy at ``path`` cannot be sent whole as ``size`` bytes, in the words a download's read gives
    (gone from ``--files``, or cut short there, by hand); None if it can."""
    try:
        held = os.stat(path).st_size
    except OSError as error:
        return reason(error)
    return SHORT if held < size else None


def _reaches_end(request: Request, size: int) -> bool:
    """Whether the response sends the file's last byte: a whole 200, or a 206 whose range ends at the end."""
    if request.code == 200:
        return True
    if request.code != 206:
        return False
    sent = request.responseHeaders.getRawHeaders(b"content-range", [b""])[0]
    _, _, span = sent.partition(b" ")
    ends = span.partition(b"/")[0].partition(b"-")[2]
    return ends.isdigit() and int(ends) == size - 1
