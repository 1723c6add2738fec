"""A twistd ``--logger`` for end-to-end tests: the usual text on standard output, and every event as JSON.

The text is what ``twistd -n`` writes anyway (tests/e2e/daemon.py reads the
port from it); the JSON goes to the file ``CHATD_E2E_EVENTS`` names, one
event a record with every field, so a test can check the structured form
of what chatd logs, not only its wording.
"""

import os
import sys
from typing import IO

from twisted.logger import ILogObserver, LogEvent, jsonFileLogObserver, textFileLogObserver
from zope.interface import implementer


@implementer(ILogObserver)
class TextAndJSON:
    """Made by twistd (``--logger tests.e2e.jsonlog.TextAndJSON``) before the daemon starts."""

    def __init__(self) -> None:
        self._text = textFileLogObserver(sys.stdout)
        # Line-buffered, so each event is in the file as soon as it is logged.
        self._file: IO[str] = open(os.environ["CHATD_E2E_EVENTS"], "a", buffering=1, encoding="utf-8")  # noqa: SIM115
        self._json = jsonFileLogObserver(self._file)

    def __call__(self, event: LogEvent) -> None:
        self._text(event)
        self._json(event)
