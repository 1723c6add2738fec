"""``FlakyProxy`` in a process of its own, for tests that block their own reactor (a browser driven by Selenium).

``python -m tests.e2e.flaky_process TARGET`` forwards a free loopback port
to 127.0.0.1 TARGET, prints ``entry PORT``, and reads commands on stdin:
``strand``, ``stall`` and ``release`` (as ``FlakyProxy``'s), each answered with a
line once done. ``FlakyProxyProcess`` runs it for a test and kills it at
cleanup.
"""

import subprocess
import sys

from twisted.internet import reactor, stdio
from twisted.internet.defer import ensureDeferred
from twisted.protocols.basic import LineReceiver
from twisted.trial.unittest import SynchronousTestCase
from typing_extensions import override

from tests.e2e.daemon import DEADLINE_SECONDS, ROOT
from tests.e2e.flaky import FlakyProxy


class FlakyProxyProcess:
    """The proxy's process; ``entry`` is where clients connect."""

    def __init__(self, case: SynchronousTestCase, target: int) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.flaky_process", str(target)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        case.addCleanup(self._stop)
        self.entry = int(self._answer().removeprefix("entry "))

    def strand(self) -> None:
        """Strand every connection through the proxy (``FlakyProxy.strand``)."""
        self._command("strand")

    def stall(self) -> None:
        """Stall every connection through the proxy (``FlakyProxy.stall``)."""
        self._command("stall")

    def release(self) -> None:
        """Close the stranded server sides, once closed (``FlakyProxy.release``)."""
        self._command("release")

    def _command(self, name: str) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(name + "\n")
        self._process.stdin.flush()
        self._answer()

    def _answer(self) -> str:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise AssertionError("the proxy's process ended")
        return line.strip()

    def _stop(self) -> None:
        self._process.kill()
        self._process.communicate(timeout=DEADLINE_SECONDS)


class _Commands(LineReceiver):
    """stdin's commands to the proxy; each answered once carried out."""

    delimiter = b"\n"

    def __init__(self, proxy: FlakyProxy) -> None:
        self._proxy = proxy

    @override
    def lineReceived(self, line: bytes) -> None:
        if line == b"strand":
            self._proxy.strand()
            self.sendLine(b"stranded")
        elif line == b"stall":
            self._proxy.stall()
            self.sendLine(b"stalled")
        elif line == b"release":
            ensureDeferred(self._proxy.release()).addCallback(lambda _: self.sendLine(b"released"))


class _Owner(SynchronousTestCase):
    """What ``FlakyProxy.listen`` adds its cleanups to: the process ends with them unrun, its sockets with it."""


async def _main(target: int) -> None:
    proxy = await FlakyProxy.listen(_Owner(), target)
    print(f"entry {proxy.entry}", flush=True)
    stdio.StandardIO(_Commands(proxy))


if __name__ == "__main__":
    ensureDeferred(_main(int(sys.argv[1])))
    reactor.run()
