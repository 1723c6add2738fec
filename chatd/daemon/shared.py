"""What every front end of one daemon shares: the bounded log, connection limits, password checks, search turns
and session tokens.

On its own because each is one for the whole daemon, whatever the port or
kind of client: a host's connections, failed passwords, searches and wrong
takeover tokens count the same wherever they come from, so the front ends
are all handed the same objects, made once here.
"""

from dataclasses import dataclass
from typing import Any

from twisted.python.threadpool import ThreadPool

from chatd.config import Config
from chatd.domain.chat import Chat
from chatd.frontend.accounts import AccountLogin, on_threads
from chatd.frontend.admission import Admission
from chatd.frontend.logs import BoundedLog
from chatd.frontend.oper import OperatorLogin, in_thread_pool, password_pool
from chatd.frontend.sinks import Keep
from chatd.frontend.transfers import Transfers
from chatd.frontend.wiring import Wiring
from chatd.line.takeover import SessionTokens
from chatd.turns import Turns

PASSWORD_THREADS = 1
"""Password checks (Argon2id at argon2-cffi's default cost) that may run at once.

One, measured with bench/password_load.py (20 wrong /oper at once while
two users talk) on the shared 2-core host chatd is developed on, where each
check takes about 0.25 s of one core and 64 MiB. With one thread the
talkers' p99 was 4.7-7.8 ms and the 20 answers took 3.6-6.0 s; with two,
p99 was 8.5-9.0 ms for answers in 3.2 s: the second thread takes the core
the reactor would have had, for little gain. (On the reactor thread, as
before issue 11: p99 5.4 s.) More threads would buy attackers faster
answers with everyone else's latency; the failure budgets, not the pool,
bound how much checking a stranger can ask for, and each host has one
check on the pool at a time (``Turns``), so it waits behind one check of
each other host at most, not behind every check one host asks for.
"""


@dataclass(frozen=True)
class Shared:
    """The daemon's one of each thing its front ends share; ``bounded`` and ``passwords`` are also backing
    services (the log's rate and the threads start and stop with the daemon).

    Made before the chat and the transfers, and holding what no front end
    touches (the threads), it is not what a front end is handed: that is the
    ``Wiring`` (chatd.frontend.wiring) made of it by ``wiring``.
    """

    bounded: BoundedLog
    """What strangers can repeat is logged at a bounded rate."""
    admission: Admission
    """Every front end's connections count against the same limits."""
    passwords: ThreadPool
    """Password checks run here, never on the reactor thread."""
    login: OperatorLogin
    accounts_login: AccountLogin
    search_turns: Turns
    """Each host's searches go one at a time, whatever the port."""
    tokens: SessionTokens
    """A wrong takeover token costs the same budget on the line and web ports."""

    def wiring(self, config: Config, chat: Chat, reactor: Any, keep: Keep | None, files: Transfers) -> Wiring:
        """What every front end of the daemon ``config`` describes is handed: these, with ``chat`` on ``reactor``,
        output waiting on ``keep`` and files carried by ``files``."""
        return Wiring(
            chat=chat,
            reactor=reactor,
            server_name=config.server_name,
            motd=config.motd,
            admission=self.admission,
            login=self.login,
            accounts=self.accounts_login,
            search_turns=self.search_turns,
            keep=keep,
            files=files,
        )


def shared_by_front_ends(config: Config, reactor: Any) -> Shared:
    """The ``Shared`` things of the daemon ``config`` describes, on ``reactor`` (``IReactorTime`` and
    ``IReactorFromThreads``)."""
    bounded = BoundedLog(reactor)
    admission = Admission(
        config.max_connections,
        config.max_per_ip,
        bounded=bounded,
        now=reactor.seconds,
        connect_rate=config.connect_rate,
        connect_burst=config.connect_burst,
    )
    passwords = password_pool(PASSWORD_THREADS)
    # Each host's checks, whatever the port or kind (/oper or an account's), one at a time.
    password_turns = Turns()
    login = OperatorLogin(
        in_thread_pool(reactor, passwords, config.operators.verify),
        reactor,
        bounded=bounded,
        turns=password_turns,
    )
    accounts_login = AccountLogin(
        *on_threads(reactor, passwords), reactor, bounded=bounded, turns=password_turns
    )
    return Shared(
        bounded=bounded,
        admission=admission,
        passwords=passwords,
        login=login,
        accounts_login=accounts_login,
        search_turns=Turns(),
        tokens=SessionTokens(reactor, bounded=bounded),
    )
