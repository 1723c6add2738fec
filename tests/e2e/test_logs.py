"""What the real daemon logs about the people it serves, over real TCP: bounded against churn, never what they say."""

import os
import re

from twisted.logger import eventsFromJSONLogFile
from twisted.trial.unittest import SynchronousTestCase

from chatd.audit import AuditLog
from chatd.frontend.admission import Admission
from chatd.frontend.logs import BURST
from chatd.frontend.oper import OperatorLogin
from tests.e2e.daemon import ROOT, Daemon, LineClient, opers_file
from tests.e2e.lobby import LOOPBACK, PROMPT, WELCOME, start_chatd
from tests.helpers import quick_hash

REFUSED = re.compile(rb"\] Refused 127\.0\.0\.1: too many connections$")
LEFT_OUT = re.compile(
    rb"\] Left (?P<dropped>\d+) more lines out of the log like: Refused 127\.0\.0\.1: too many connections$"
)

SECRET = "meet me behind the gym"
"""What people say, kick or shut down with: no log event may hold it."""

PASSWORD = "tr0ub4dor &3"

NAMESPACES = {AuditLog.log.namespace, Admission.log.namespace, OperatorLogin.log.namespace}
"""Where chatd logs about people: who connected, registered, became an operator and moderated."""

FIELDS = ("peer", "nick", "address", "name", "actor", "actor_address", "room", "kind", "target", "what")
"""The fields compared; ``until`` and ``lasting`` depend on the clock, and are checked in tests/test_audit.py."""

REFUSALS = 300
"""Connections refused in a row, as fast as loopback takes them: far more than a second's budget."""


class RefusalLogTests(SynchronousTestCase):
    def test_refusals_are_logged_at_a_bounded_rate_and_counted(self) -> None:
        """300 refused connections write a handful of lines, and summaries that count every one left out, each
        showing one of them as it would have read (not the format with its {peer})."""
        daemon = start_chatd(self, "--max-per-ip", "1")
        holder = daemon.connect()
        holder.read_line()  # the welcome: the one place is taken
        for _ in range(REFUSALS):
            refused = daemon.connect()
            self.assertIn(b"too-many-connections", refused.read_to_end())
            refused.close()
        written = dropped = 0
        while written + dropped < REFUSALS:
            found = daemon.wait_for_log(re.compile(REFUSED.pattern + b"|" + LEFT_OUT.pattern))
            if found.group("dropped") is None:
                written += 1
            else:
                dropped += int(found.group("dropped"))
        self.assertEqual(written + dropped, REFUSALS)
        # The burst, and at most one line a second (summaries included) while they came.
        self.assertLess(written, BURST + 10)
        self.assertGreater(dropped, 0)


class AuditLogTests(SynchronousTestCase):
    """A session over real TCP, and the structured events the real daemon logs about it."""

    def setUp(self) -> None:
        opers = opers_file(self, quick_hash(PASSWORD))
        self.events = os.path.join(os.path.dirname(opers), "events.json")
        self.daemon = Daemon.start(
            self,
            ["--logger", "tests.e2e.jsonlog.TextAndJSON", *LOOPBACK, "--opers", opers],
            env={"PYTHONPATH": ROOT, "CHATD_E2E_EVENTS": self.events},
        )

    def enter(self, nick: str, source: str) -> LineClient:
        """``nick``, connected from ``source`` and in #lobby."""
        client = self.daemon.connect(source=source)
        client.expect(WELCOME, PROMPT)
        client.say(nick)
        until(client, b"*** In #lobby")
        return client

    def test_session_is_logged_by_who_did_what_without_what_was_said(self) -> None:
        """Connect, register, /oper, kick, mute, ban and /shutdown each log a structured event; no text, no password."""
        alice = self.enter("alice", "127.0.0.1")
        bob = self.enter("bob", "127.0.0.2")
        self.enter("carol", "127.0.0.3")
        bob.say(SECRET)
        until(alice, SECRET.encode())
        alice.say("/oper boss wrong")
        until(alice, b"ERR oper-failed")
        alice.say(f"/oper boss {PASSWORD}")
        for command in (f"/kick bob {SECRET}", "/mute carol 10m", "/unmute carol", "/ban 127.0.0.2 1h"):
            alice.say(command)
        alice.say("/unban 127.0.0.2")
        until(alice, b"*** 127.0.0.2 is no longer banned.")
        alice.say(f"/shutdown {SECRET}")
        self.assertEqual(self.daemon.exit_status("after /shutdown"), 0)
        with open(self.events, encoding="utf-8") as records:
            events = list(eventsFromJSONLogFile(records))
        said = [
            (event["log_format"], {key: event.get(key) for key in FIELDS if key in event})
            for event in events
            if event["log_namespace"] in NAMESPACES
        ]
        by_alice = {"actor": "alice", "actor_address": "127.0.0.1"}
        self.assertEqual(
            said,
            [
                ("Connection from {peer}", {"peer": "127.0.0.1"}),
                ("{nick} came online from {address}", {"nick": "alice", "address": "127.0.0.1"}),
                ("Connection from {peer}", {"peer": "127.0.0.2"}),
                ("{nick} came online from {address}", {"nick": "bob", "address": "127.0.0.2"}),
                ("Connection from {peer}", {"peer": "127.0.0.3"}),
                ("{nick} came online from {address}", {"nick": "carol", "address": "127.0.0.3"}),
                (
                    "{nick} from {peer} failed {what} as {name!r}",
                    {"what": "/oper", "name": "boss", "nick": "alice", "peer": "127.0.0.1"},
                ),
                (
                    "{nick} from {peer} is now operator {name!r}",
                    {"nick": "alice", "peer": "127.0.0.1", "name": "boss"},
                ),
                (
                    "{actor} from {actor_address} kicked {nick} from {room}",
                    {**by_alice, "nick": "bob", "room": "#lobby"},
                ),
                ("{actor} from {actor_address} muted {nick} {lasting}", {**by_alice, "nick": "carol"}),
                ("{actor} from {actor_address} unmuted {nick}", {**by_alice, "nick": "carol"}),
                (
                    "{actor} from {actor_address} banned {kind} {target} {lasting}",
                    {**by_alice, "kind": "address", "target": "127.0.0.2"},
                ),
                (
                    "{actor} from {actor_address} put {nick} off the server by a ban {lasting}",
                    {**by_alice, "nick": "bob"},
                ),
                (
                    "{actor} from {actor_address} lifted the ban on {target}",
                    {**by_alice, "target": "127.0.0.2"},
                ),
                ("{actor} from {actor_address} shut the server down", by_alice),
            ],
        )
        with open(self.events, encoding="utf-8") as records:
            everything = records.read()
        self.assertNotIn(SECRET, everything)
        self.assertNotIn(PASSWORD, everything)
        self.assertNotIn("wrong", everything)


def until(client: LineClient, wanted: bytes) -> None:
    """Read ``client``'s lines up to the first that holds ``wanted``."""
    while wanted not in client.read_line():
        pass
