"""Which ``Range`` the web port's files honour: one range, as Twisted's ``static.File`` reads it, or none.

``File`` answers several ranges with a multipart 206 that holds each of
them, however often the same bytes are asked for: ``bytes=0-,0-,0-...`` on
the page's libsodium.js (900 KB) was 90 MB sent for a request of 360 bytes,
of which only the request is charged to the flood budget. A ``Range`` it
cannot parse it answers with the whole file, but logs a line for each
request (``Ignoring malformed Range header``), a line anyone can repeat;
and one that is not UTF-8 fails in writing that line, a 500 and a critical
traceback. RFC 9110 lets a server ignore ``Range``, so such a request is
answered as one without it: the whole file, once, and nothing logged.
"""

from twisted.web.server import Request
from twisted.web.static import File


def ignore_unless_one_range(file: File, request: Request) -> None:
    """Take ``request``'s ``Range`` away, before ``file`` answers it, unless it asks for one range ``file`` can read.

    A ``Range`` of no range at all (``bytes=``) stays, for ``File``'s 416.
    """
    asked = request.getHeader(b"range")
    if asked is None:
        return
    try:
        # File's own parser, so a Range it honours is read here as it reads it.
        file._parseRangeHeader(asked)
    except ValueError:
        honoured = False
    else:
        honoured = b"," not in asked
    if not honoured:
        request.requestHeaders.removeHeader(b"range")
