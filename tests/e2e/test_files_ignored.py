"""An ignored sender's file offers are hidden as their lines are, on a real daemon over TCP (issue 16): an offer's
name is the sender's text, and a room's reaches whoever joins for a week, so ``/ignore`` that let offers through hid
nothing of what a troll could say with them."""

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import LineClient
from tests.e2e.lobby import start_chatd
from tests.e2e.test_web_files import json_user, next_of, upload


def next_offer_or_line(client: LineClient) -> tuple[str, Any]:
    """The next offer or room line ``client`` is shown, past anything else: its type, and the offer's file or the
    line's text."""
    while True:
        found = client.expect_json()
        if found["type"] in ("file_offered", "said"):
            return found["type"], found.get("file", found.get("text"))


class IgnoredOfferTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.daemon = start_chatd(self)

    def test_an_ignored_senders_offers_are_not_shown_live_nor_to_a_late_joiner(self) -> None:
        """boss ignores troll: troll's offer to #lobby and the one to boss are not shown to boss, whose next offer
        or line is carol's line after them; dave, ignoring troll too, joins #maths after troll offered it a file and
        is shown carol's line there first, while erin joining after him is offered it."""
        boss = json_user(self.daemon, "boss")
        carol = json_user(self.daemon, "carol")
        troll = json_user(self.daemon, "troll")
        boss.say("/ignore troll")
        next_of(boss, "notice", kind="ignore")
        upload(troll, "#lobby", "room.txt", b"to the room")
        upload(troll, "boss", "private.txt", b"to boss")
        carol.say("after the offers")
        self.assertEqual(next_offer_or_line(boss), ("said", "after the offers"))
        troll.say("/join #maths")
        carol.say("/join #maths")
        next_of(carol, "joined", room="#maths", nick="carol")
        file_id = upload(troll, "#maths", "late.txt", b"for late joiners")
        next_of(carol, "file_offered", file=file_id)
        dave = json_user(self.daemon, "dave")
        dave.say("/ignore troll")
        dave.say("/join #maths")
        next_of(dave, "joined", room="#maths", nick="dave")
        carol.say("after dave came")  # in #maths, the room carol joined last
        self.assertEqual(next_offer_or_line(dave), ("said", "after dave came"))
        erin = json_user(self.daemon, "erin")
        erin.say("/join #maths")
        next_of(erin, "file_offered", file=file_id)

    def test_an_ignored_senders_withdrawn_offer_is_not_heard_of(self) -> None:
        """boss ignores troll, carol does not: troll withdraws the offer he made #lobby, carol reads that, and boss's
        next word of any file, or line, is carol's line after it."""
        boss = json_user(self.daemon, "boss")
        carol = json_user(self.daemon, "carol")
        troll = json_user(self.daemon, "troll")
        boss.say("/ignore troll")
        next_of(boss, "notice", kind="ignore")
        file_id = upload(troll, "#lobby", "room.txt", b"to the room")
        next_of(carol, "file_offered", file=file_id)
        troll.say(f"/file cancel {file_id}")
        next_of(carol, "file_cancelled", file=file_id)
        carol.say("after the withdrawal")
        while True:
            found = boss.expect_json()
            if "file" in found or found["type"] == "said":
                break
        self.assertEqual((found["type"], found.get("text")), ("said", "after the withdrawal"))
