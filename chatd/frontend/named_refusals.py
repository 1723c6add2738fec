"""Refusals of a ``/file offer``, a ``/file accept`` or a ``/file withdraw`` that name what they answer (issue 16).

An offer has no id until the server answers it, and its refusals
(``no-such-nick``, ``file-too-many``, ...) are codes other commands are
refused with too: a client that sent a ``/msg`` to someone who had just
left, then an offer, took the message's ``no-such-nick`` for the offer's
refusal. A refusal of an offer therefore names it, as IRCv3's
labeled-response has a reply name the command it answers, but with what
the client sent rather than a label it must invent: the offer's target,
size, SHA-256 and name. An offer made again to go on with an upload (after
a drop) is refused leaving that upload open, and the refusal names it too
(``file``), so the client gives it up by its id even when the answer that
gave the id was lost.

An accept names its file, but most of its refusals (``file-too-many``,
``file-resume-mismatch``) did not: a client with two accepts out took one
for the oldest's, and the other's download waited for chunks that never
came. Each refusal of an accept names the file it answers (``file``), and
so does a take-down's (``/file withdraw`` of someone else's room offer):
its ``not-owner`` or ``not-operator`` is a ``/kick``'s or a ``/delete``'s
too, which a page with both out could not tell apart.

Front ends add these to the refusal's JSON (docs/PROTOCOL.md "Files"); its
text line stays the refusal's: a person reads it under the line they typed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from chatd.domain.errors import ChatError


@dataclass(eq=False)
class OfferRefusedError(Exception):
    """``refusal``, the answer to the offer of ``size`` bytes (-1: no number) hashing to ``sha256``, named ``name``,
    to ``target``, each as the offer gave it; ``file`` the upload open for the same offer, if any, which the refusal
    leaves open.

    Not a ChatError, whose code is its class's: it carries one, and a
    session sends it as it would that one (``LineSession._failed``), its
    text line the refusal's and its JSON the refusal's with these keys
    (chatd.line.error_fields ``offer_fields``).
    """

    refusal: ChatError
    target: str
    size: int
    sha256: str
    name: str
    file: str | None = None


@dataclass(eq=False)
class FileRefusedError(Exception):
    """``refusal``, the answer to the accept or the withdrawal of the file ``file``: sent as the refusal, its JSON
    naming ``file`` (as ``OfferRefusedError`` is sent)."""

    refusal: ChatError
    file: str


NamedRefusal = OfferRefusedError | FileRefusedError
"""A refusal that names the command it answers."""

Named = TypeVar("Named", OfferRefusedError, FileRefusedError)


def named_refusals(
    doing: "Callable[[], Deferred[None]]", naming: Callable[[ChatError], Named]
) -> "Deferred[None]":
    """``doing()``, each refusal of it, raised at once or failing its Deferred later (an offer that waited for a
    check of its content's bytes, an accept that waited for one of the bytes it goes on after), the refusal
    ``naming`` makes of it."""
    try:
        done = doing()
    except ChatError as refusal:
        raise naming(refusal) from None

    def named(failure: Failure) -> Failure:
        return Failure(naming(failure.value)) if isinstance(failure.value, ChatError) else failure

    return done.addErrback(named)
