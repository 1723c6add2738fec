"""``Wiring``: what every front end of one chat is handed, whatever protocol it speaks.

A frozen dataclass of its own, here, rather than chatd.daemon.shared's
``Shared``: that one sits above the front ends (they may not import the
daemon), is made before the chat and the transfers it would have to hold,
and holds what no front end touches (the password threads, a backing
service of the daemon). This is the daemon's ``Shared`` as a front end sees
it, with the chat, the clock, the server's name and MOTD, the store's
``keep`` and the transfer engine beside it: so each factory and builder
takes one argument for all of it, and the line, web and IRC ones cannot
drift apart in what they are given or what they default to.

The session tokens the line and web ports share are not in it: they are the
line protocol's (chatd.line.takeover), which nothing here may import.
"""

from dataclasses import dataclass
from typing import Any

from chatd.domain.chat import Chat
from chatd.frontend.accounts import AccountLogin, on_calling_thread
from chatd.frontend.admission import Admission
from chatd.frontend.logs import BoundedLog
from chatd.frontend.oper import OperatorLogin, no_operators
from chatd.frontend.sinks import Keep
from chatd.frontend.transfers import Transfers
from chatd.turns import Turns


@dataclass(frozen=True, slots=True)
class Wiring:
    """What a front end is handed; the daemon hands every front end the same one (``Shared.wiring``)."""

    chat: Chat
    reactor: Any
    """Provides ``IReactorTime``; a builder's also ``IReactorTCP`` and whatever the ``--listen`` endpoints need."""
    server_name: str
    motd: str
    admission: Admission
    """Counts connections across every front end of the daemon."""
    login: OperatorLogin
    """Checks ``/oper`` passwords and budgets failures, across front ends."""
    accounts: AccountLogin
    """Hashes and checks account passwords and budgets failures, across front ends."""
    search_turns: Turns
    """Each host's searches, one at a time, across front ends."""
    keep: Keep | None
    """Output goes once this (the SQLite store's) has made a pass's events safe from a crash; None: at once."""
    files: Transfers | None
    """The transfer engine files are carried through; None: files are not carried."""

    @classmethod
    def alone(
        cls,
        chat: Chat,
        reactor: Any,
        server_name: str,
        *,
        motd: str = "",
        admission: Admission | None = None,
        login: OperatorLogin | None = None,
        accounts: AccountLogin | None = None,
        search_turns: Turns | None = None,
        keep: Keep | None = None,
        files: Transfers | None = None,
    ) -> "Wiring":
        """A front end's wiring with no daemon behind it (a test's, or one tried at the Python console): what is not
        given is made for it alone.

        The defaults are the least a front end runs with: the daemon's
        connection limits, logged at a bounded rate; nobody becomes an
        operator by password; account passwords hashed on the calling thread;
        no store to wait for and no files.
        """
        if admission is None:
            admission = Admission(bounded=BoundedLog(reactor), now=reactor.seconds)
        bounded = admission.bounded
        return cls(
            chat=chat,
            reactor=reactor,
            server_name=server_name,
            motd=motd,
            admission=admission,
            login=login or OperatorLogin(no_operators, reactor, bounded=bounded),
            accounts=accounts or AccountLogin(*on_calling_thread(), reactor, bounded=bounded),
            search_turns=search_turns or Turns(),
            keep=keep,
            files=files,
        )
