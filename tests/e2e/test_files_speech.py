"""An offer is said as a line is, on a real daemon over TCP: refused to the muted, and in a room to whoever may not
speak there (issue 16). Its name is the sender's text shown to everyone offered it, and a room's offer reaches whoever
joins for a week: a mute or a moderated room that let offers through let a troll write to everyone all the same, and
so did an offer made before the mute, shown to every late joiner after it."""

import hashlib
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import LineClient, opers_file
from tests.e2e.lobby import start_chatd
from tests.e2e.test_files_ignored import next_offer_or_line
from tests.e2e.test_web_files import json_user, next_of, upload
from tests.helpers import quick_hash

PASSWORD = "tr0ub4dor &3"

DATA = b"buy now at spam.example"


def refused_offer(client: LineClient, target: str) -> dict[str, Any]:
    """``client``'s offer of ``DATA`` to ``target``, which must be refused: the error."""
    client.say(f"/file offer {target} {len(DATA)} {hashlib.sha256(DATA).hexdigest()} text/plain spam.txt")
    return next_of(client, "error")


class OfferSpeechTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.daemon = start_chatd(self, "--opers", opers_file(self, quick_hash(PASSWORD)))
        self.boss = json_user(self.daemon, "boss")
        self.boss.say(f"/oper boss {PASSWORD}")
        next_of(self.boss, "notice", kind="oper")

    def test_a_muted_user_offers_nothing_to_a_room_nor_a_person(self) -> None:
        """troll, muted, is refused an offer to #lobby and one to boss with the mute's ERR, as a line is; boss's
        next line is troll's own refusal seen nowhere, and an offer made once the mute is lifted goes through."""
        troll = json_user(self.daemon, "troll")
        self.boss.say("/mute troll 10m")
        next_of(troll, "muted", nick="troll")
        self.assertEqual(refused_offer(troll, "#lobby")["code"], "muted")
        self.assertEqual(refused_offer(troll, "boss")["code"], "muted")
        self.boss.say("/unmute troll")
        next_of(troll, "unmuted", nick="troll")
        file_id = upload(troll, "#lobby", "fine.txt", b"fine now")
        self.assertEqual(next_of(self.boss, "file_offered")["file"], file_id)

    def test_a_room_offer_is_refused_where_a_line_would_be(self) -> None:
        """In #maths set +m, guest may not say a line nor offer the room a file (ERR moderated); set -m+M, the same
        with ERR registered-speech; voiced, guest offers it, and boss in the room is offered that file first."""
        guest = json_user(self.daemon, "guest")
        for nick, client in (("boss", self.boss), ("guest", guest)):
            client.say("/join #maths")
            next_of(client, "joined", room="#maths", nick=nick)
        self.boss.say("/mode #maths +m")
        next_of(guest, "room_modes_changed", room="#maths")
        self.assertEqual(refused_offer(guest, "#maths")["code"], "moderated")
        self.boss.say("/mode #maths -m+M")
        next_of(guest, "room_modes_changed", room="#maths")
        self.assertEqual(refused_offer(guest, "#maths")["code"], "registered-speech")
        self.boss.say("/mode #maths +v guest")
        next_of(guest, "room_modes_changed", room="#maths")
        file_id = upload(guest, "#maths", "voiced.txt", b"with voice")
        self.assertEqual(next_of(self.boss, "file_offered")["file"], file_id)

    def test_a_room_offer_reaches_late_joiners_only_while_its_sender_may_still_offer_it(self) -> None:
        """guest offers #maths a file with boss there. Muted, then with #maths set +m, then gone from the chat with a
        ban mask on them, their offer is shown to none of carol, dave and erin joining #maths (each's next offer or
        line is boss's after their join); with all that lifted, frank joining is offered it."""
        guest = json_user(self.daemon, "guest")
        for nick, client in (("boss", self.boss), ("guest", guest)):
            client.say("/join #maths")
            next_of(client, "joined", room="#maths", nick=nick)
        file_id = upload(guest, "#maths", "worksheet.txt", b"for the class")
        next_of(self.boss, "file_offered", file=file_id)

        def joiner_not_offered(nick: str) -> None:
            client = json_user(self.daemon, nick)
            client.say("/join #maths")
            next_of(client, "notice", kind="history_end", room="#maths")
            self.boss.say(f"after {nick} came")  # in #maths, the room boss joined last
            self.assertEqual(next_offer_or_line(client), ("said", f"after {nick} came"))

        self.boss.say("/mute guest 10m")
        next_of(guest, "muted", nick="guest")
        joiner_not_offered("carol")
        self.boss.say("/unmute guest")
        next_of(guest, "unmuted", nick="guest")
        self.boss.say("/mode #maths +m")
        next_of(guest, "room_modes_changed", room="#maths")
        joiner_not_offered("dave")
        self.boss.say("/mode #maths -m+b guest")
        next_of(guest, "room_modes_changed", room="#maths")
        guest.say("/quit")
        next_of(self.boss, "quit", nick="guest")
        joiner_not_offered("erin")
        self.boss.say("/mode #maths -b guest")
        next_of(self.boss, "room_modes_changed", room="#maths")
        frank = json_user(self.daemon, "frank")
        frank.say("/join #maths")
        next_of(frank, "file_offered", file=file_id)

    def test_an_operator_withdraws_someone_elses_room_offer_and_a_member_may_not(self) -> None:
        """guest offers #art, made by carol, a file with boss and dave there: dave is refused its /file withdraw
        (ERR not-owner, naming the file); carol, its owner, withdraws it, and guest, dave and carol are told with
        carol's nickname, why, and the room it was taken down from; erin joining after is not offered it, and guest's
        next offer there is boss's to withdraw, as an operator."""
        guest = json_user(self.daemon, "guest")
        carol = json_user(self.daemon, "carol")
        dave = json_user(self.daemon, "dave")
        for nick, client in (("carol", carol), ("boss", self.boss), ("guest", guest), ("dave", dave)):
            client.say("/join #art")
            next_of(client, "joined", room="#art", nick=nick)
        file_id = upload(guest, "#art", "poster.txt", b"come to the show")
        next_of(dave, "file_offered", file=file_id)
        dave.say(f"/file withdraw {file_id}")
        refused = next_of(dave, "error")
        self.assertEqual((refused["code"], refused["file"]), ("not-owner", file_id))
        carol.say(f"/file withdraw {file_id}")
        withdrawn = {
            "type": "file_cancelled",
            "file": file_id,
            "nick": "carol",
            "reason": "withdrawn from #art by an operator",
            "left": 0,
            "left_room": None,
            "taken_down_from": "#art",
        }
        for client in (carol, guest, dave):
            self.assertEqual(next_of(client, "file_cancelled", file=file_id), withdrawn)
        erin = json_user(self.daemon, "erin")
        erin.say("/join #art")
        next_of(erin, "notice", kind="history_end", room="#art")
        carol.say("after erin came")  # in #art, the room carol joined last
        self.assertEqual(next_offer_or_line(erin), ("said", "after erin came"))
        again = upload(guest, "#art", "poster2.txt", b"come to the show again")
        self.boss.say(f"/file withdraw {again}")
        self.assertEqual(next_of(guest, "file_cancelled", file=again)["nick"], "boss")
