"""The client's idea of its nickname and rooms, kept from JSON events, and how it comes back to them."""

from twisted.trial.unittest import SynchronousTestCase

from chatd.client.presence import ROOMS_KEPT, Answer, Presence
from chatd.client.shown import Message

AT = 100.0


def notice(kind: str, text: str = "") -> Message:
    return {"type": "notice", "kind": kind, "text": text}


def you_are(nick: str = "alice") -> Message:
    """The server's answer to a nickname it accepts, before it puts the user in any room."""
    return {"type": "notice", "kind": "nick", "nick": nick, "text": f"You are {nick}."}


def joined(room: str, nick: str = "alice") -> Message:
    return {"type": "joined", "at": AT, "room": room, "nick": nick}


def parted(room: str, nick: str = "alice") -> Message:
    return {"type": "parted", "at": AT, "room": room, "nick": nick, "reason": ""}


def kicked(room: str, nick: str = "alice", by: str = "boss") -> Message:
    return {"type": "kicked", "at": AT, "room": room, "nick": nick, "by": by, "reason": ""}


def members(room: str, *nicks: str) -> Message:
    return {"type": "members", "room": room, "nicks": list(nicks) or ["alice"]}


def own_join(room: str, nick: str = "alice") -> tuple[Message, Message]:
    """A join of this connection's: the event every connection of the account sees, then the room's members, sent to
    this connection alone."""
    return joined(room, nick), members(room, nick)


def elsewhere(room: str) -> Message:
    """What another connection's join of the account's is here: the notice that this one is in the room too."""
    return {
        "type": "notice",
        "kind": "in_room",
        "room": room,
        "text": f"You are in {room} with your other connections.",
    }


def talking(room: str | None) -> Message:
    """The server's word on where this connection's plain lines go now."""
    text = f"Now talking in {room}." if room else "You are in no room; /join #room to talk."
    return {"type": "notice", "kind": "room", "room": room, "text": text}


def feed(presence: Presence, *messages: Message) -> None:
    """``presence`` follows ``messages``, in order."""
    for message in messages:
        presence.received(message)


def registered(nick: str = "alice", default: str = "#lobby") -> Presence:
    """A presence that has just chosen ``nick`` and landed in ``default``, as the server answers."""
    presence = Presence()
    feed(presence, you_are(nick), *own_join(default, nick))
    return presence


class FollowingTests(SynchronousTestCase):
    """What the server says moves the presence, and nothing else does."""

    def test_greeting_asks_for_json_then_the_nickname(self) -> None:
        """Every connection starts with /format json, then /nick when a nickname is known."""
        self.assertEqual(Presence().greeting(), ["/format json"])
        self.assertEqual(Presence("exit").greeting(), ["/format json", "/nick exit"])
        # The server shows names after NFKC; so does the client.
        self.assertEqual(Presence("\uff41lice").greeting(), ["/format json", "/nick alice"])

    def test_with_a_password_every_connection_identifies_as_the_account(self) -> None:
        """--identify: /identify NICK PASSWORD instead of /nick, not in the greeting but once the server is known to
        be chatd, and as the account again after a reconnection under another nickname."""
        presence = Presence("alice", "hunter22")
        self.assertEqual(presence.greeting(), ["/format json"])
        self.assertEqual(presence.asked, "alice")
        self.assertEqual(presence.identification(), ["/identify alice hunter22"])
        feed(
            presence,
            you_are("alice"),
            *own_join("#lobby"),
            {"type": "nick_changed", "nick": "alice", "new": "ally"},
        )
        presence.lost()
        self.assertEqual(presence.greeting(), ["/format json", "/resume #lobby"])
        self.assertEqual(presence.asked, "alice")
        self.assertEqual(presence.identification(), ["/identify alice hunter22"])

    def test_without_a_password_nothing_waits_for_the_server(self) -> None:
        """No --identify: the greeting holds the nickname, and nothing is sent once the server is known."""
        self.assertEqual(Presence("alice").identification(), [])
        self.assertEqual(Presence().identification(), [])

    def test_nickname_is_the_one_you_are_says(self) -> None:
        """ "You are Alice." names the user as the server spells it, before any join; the joins then place them."""
        presence = Presence("alice")
        feed(presence, notice("prompt"), joined("#lobby", "bob"))
        self.assertIsNone(presence.nick)
        feed(presence, you_are("Alice"))
        self.assertEqual((presence.nick, presence.wanted, presence.rooms), ("Alice", "Alice", []))
        feed(presence, *own_join("#lobby", "Alice"))
        self.assertEqual((presence.rooms, presence.current), (["#lobby"], "#lobby"))

    def test_joins_and_parts_of_others_change_nothing(self) -> None:
        """Only the user's own joins and parts move the user."""
        presence = registered()
        feed(presence, joined("#dev", "bob"), parted("#lobby", "bob"))
        self.assertEqual((presence.rooms, presence.current), (["#lobby"], "#lobby"))

    def test_join_makes_current_and_part_falls_back_to_last_joined(self) -> None:
        """As the server does: the last joined room is current, and after parting it the last one left."""
        presence = registered()
        feed(presence, *own_join("#dev"), *own_join("#ops"))
        self.assertEqual((presence.rooms, presence.current), (["#lobby", "#dev", "#ops"], "#ops"))
        feed(presence, parted("#OPS"))
        self.assertEqual((presence.rooms, presence.current), (["#lobby", "#dev"], "#dev"))
        feed(presence, parted("#lobby"), parted("#dev"))
        self.assertEqual((presence.rooms, presence.current), ([], None))

    def test_a_server_that_joins_the_user_to_endless_rooms_is_remembered_in_part(self) -> None:
        """A hostile server's thousands of joins: the newest ``ROOMS_KEPT`` rooms are remembered, the last current."""
        presence = registered()
        feed(presence, *(message for n in range(ROOMS_KEPT + 10) for message in own_join(f"#r{n}")))
        self.assertEqual(len(presence.rooms), ROOMS_KEPT)
        self.assertEqual((presence.rooms[0], presence.current), ("#r10", f"#r{ROOMS_KEPT + 9}"))

    def test_join_of_a_room_already_in_switches_to_it(self) -> None:
        """ "Now talking in #lobby.", the answer to /join of a room the user is in, makes that room current."""
        presence = registered()
        feed(presence, *own_join("#dev"))
        feed(presence, talking("#lobby"), members("#lobby"))
        self.assertEqual((presence.rooms, presence.current), (["#lobby", "#dev"], "#lobby"))

    def test_part_notice_then_who_does_not_switch(self) -> None:
        """The members answering a /who after a part are not taken for a switch."""
        presence = registered()
        feed(presence, *own_join("#dev"), *own_join("#ops"), parted("#ops"))
        feed(presence, talking("#dev"), members("#lobby"))
        self.assertEqual(presence.current, "#dev")

    def test_kick_takes_the_room_away(self) -> None:
        """Kicked from the current room, the user talks in the last joined room left, as the server says."""
        presence = registered()
        feed(presence, *own_join("#dev"), *own_join("#ops"), talking("#dev"))
        feed(presence, kicked("#DEV"), talking("#ops"))
        self.assertEqual((presence.rooms, presence.current), (["#lobby", "#ops"], "#ops"))
        # The /who answered next is no switch.
        feed(presence, members("#lobby"))
        self.assertEqual(presence.current, "#ops")
        feed(presence, kicked("#ops", "bob"))
        self.assertEqual(presence.rooms, ["#lobby", "#ops"])

    def test_history_moves_nothing(self) -> None:
        """The user's own joins, parts and kicks shown from history are old news: they move nobody."""
        presence = registered()
        feed(presence, *own_join("#dev"))
        past = [
            {**message, "history": True} for message in (parted("#dev"), kicked("#lobby"), joined("#ops"))
        ]
        feed(presence, *past, notice("history_end", "End of history of #dev."))
        self.assertEqual((presence.rooms, presence.current), (["#lobby", "#dev"], "#dev"))

    def test_kicked_room_not_rejoined(self) -> None:
        """After a kick and a reconnection, the client does not go back to the room it was put out of."""
        presence = registered()
        feed(presence, *own_join("#dev"), kicked("#dev"))
        presence.lost()
        self.assertEqual(presence.greeting(), ["/format json", "/resume #lobby", "/nick alice"])

    def test_ban_forgets_where_the_user_was(self) -> None:
        """Banned, the user is off the server: a later connection starts afresh, asking for the same name."""
        presence = registered()
        feed(
            presence, joined("#dev"), {"type": "banned", "at": AT, "nick": "bob", "by": "boss", "until": None}
        )
        self.assertEqual(presence.nick, "alice")
        feed(presence, {"type": "banned", "at": AT, "nick": "Alice", "by": "boss", "until": None})
        self.assertEqual((presence.nick, presence.rooms, presence.current), (None, [], None))
        presence.lost()
        self.assertEqual(presence.greeting(), ["/format json", "/nick alice"])

    def test_a_kill_forgets_where_the_user_was(self) -> None:
        """Killed, the user is off the server as a ban takes them: coming back, the client starts afresh."""
        presence = registered()
        feed(
            presence, joined("#dev"), {"type": "killed", "at": AT, "nick": "bob", "by": "boss", "reason": ""}
        )
        self.assertEqual(presence.rooms, ["#lobby", "#dev"])
        feed(presence, {"type": "killed", "at": AT, "nick": "ALICE", "by": "boss", "reason": "flooding"})
        self.assertEqual((presence.nick, presence.rooms, presence.current), (None, [], None))
        presence.lost()
        self.assertEqual(presence.greeting(), ["/format json", "/nick alice"])

    def test_own_rename_followed(self) -> None:
        """nick_changed for the user (compared folded) renames the user; for another, nothing."""
        presence = registered()
        feed(presence, {"type": "nick_changed", "at": AT, "nick": "bob", "new": "rob"})
        self.assertEqual(presence.nick, "alice")
        feed(presence, {"type": "nick_changed", "at": AT, "nick": "ALICE", "new": "alicia"})
        self.assertEqual((presence.nick, presence.wanted), ("alicia", "alicia"))

    def test_hostile_room_names_never_sent_back(self) -> None:
        """A room name that is not one word starting with # is not kept, so it is never in a /resume."""
        presence = registered()
        hostile = ("#dev\n/msg bob hi", "lobby", "#a b", "#x\x1b[2J")
        feed(presence, *(message for room in hostile for message in own_join(room)))
        self.assertEqual(presence.rooms, ["#lobby", "#x\ufffd[2J"])
        presence.lost()
        self.assertEqual(presence.greeting()[1:3], ["/resume #lobby", "/resume #x\ufffd[2J"])


class SeveralConnectionsTests(SynchronousTestCase):
    """Another connection of the account (a terminal, the page, IRC) moves the account, not this connection's room.

    A join of the account's is sent to the connection that asked for it
    alone; the others are told ``in_room``, then shown the room. Parts and
    kicks reach them all.
    """

    def test_a_join_from_another_connection_adds_the_room_and_keeps_the_current_one(self) -> None:
        """The account joined #dev elsewhere: this connection is in #dev too, and its lines still go to #lobby."""
        presence = registered()
        feed(
            presence,
            elsewhere("#dev"),
            members("#dev", "alice", "bob"),
            said("#lobby", 3, "00000000000000a3"),
        )
        self.assertEqual((presence.rooms, presence.current), (["#lobby", "#dev"], "#lobby"))

    def test_own_join_makes_the_room_current(self) -> None:
        """This connection's join: #dev is current, a big room's too."""
        presence = registered()
        feed(presence, *own_join("#dev"))
        self.assertEqual((presence.rooms, presence.current), (["#lobby", "#dev"], "#dev"))
        big = {"type": "notice", "kind": "big_room", "room": "#big", "members": 500, "text": "..."}
        feed(presence, joined("#big"), big, members("#big"))
        self.assertEqual(presence.current, "#big")

    def test_own_join_of_a_room_another_connection_joined_first(self) -> None:
        """The other connection's join came first, so this connection's /join #dev is of a room the account is in:
        "Now talking in #dev." answers it, and #dev is current."""
        presence = registered()
        feed(presence, elsewhere("#dev"), members("#dev"), talking("#dev"), members("#dev"))
        self.assertEqual((presence.rooms, presence.current), (["#lobby", "#dev"], "#dev"))

    def test_a_refused_join_moves_nothing(self) -> None:
        """/join #dev refused (its ERR) while the account joined #dev from elsewhere: current stays #lobby."""
        presence = registered()
        feed(presence, elsewhere("#dev"), {"type": "error", "code": "bad-key", "text": "#dev needs its key"})
        self.assertEqual((presence.rooms, presence.current), (["#lobby", "#dev"], "#lobby"))

    def test_another_connection_parting_the_current_room_follows_the_server(self) -> None:
        """The account left #lobby from elsewhere: this connection talks where the server's notice says."""
        presence = registered()
        feed(presence, *own_join("#dev"), *own_join("#ops"), talking("#lobby"))
        feed(presence, parted("#lobby"))
        self.assertEqual((presence.rooms, presence.current), (["#dev", "#ops"], "#ops"))
        feed(presence, talking("#dev"))
        self.assertEqual(presence.current, "#dev")

    def test_another_connection_parting_another_room_keeps_the_current_one(self) -> None:
        """The account left #dev, not this connection's room: only the rooms change."""
        presence = registered()
        feed(presence, elsewhere("#dev"), parted("#dev"))
        self.assertEqual((presence.rooms, presence.current), (["#lobby"], "#lobby"))

    def test_the_room_notice_says_where_lines_go(self) -> None:
        """ "Now talking in" names the room, or none (``null``): the client takes the server's word."""
        presence = registered()
        feed(presence, elsewhere("#dev"), talking("#dev"))
        self.assertEqual(presence.current, "#dev")
        feed(presence, parted("#dev"), parted("#lobby"), talking(None))
        self.assertEqual((presence.rooms, presence.current), ([], None))

    def test_identifying_to_an_account_online_elsewhere_makes_the_connection_that_user(self) -> None:
        """guest in #ops types /identify alice PASSWORD while alice is online: "You are alice.", and alice's rooms
        follow; guest's rooms are no longer this connection's, and alice's joins are its own."""
        presence = registered("guest")
        feed(presence, *own_join("#ops", "guest"))
        feed(
            presence,
            notice("account"),
            you_are("alice"),
            elsewhere("#lobby"),
            members("#lobby"),
            talking("#lobby"),
        )
        self.assertEqual(
            (presence.nick, presence.wanted, presence.rooms, presence.current),
            ("alice", "alice", ["#lobby"], "#lobby"),
        )
        feed(presence, *own_join("#dev"))
        self.assertEqual((presence.rooms, presence.current), (["#lobby", "#dev"], "#dev"))

    def test_the_nickname_held_already_changes_nothing(self) -> None:
        """ "You are alice already." answers /nick alice: the rooms stay."""
        presence = registered()
        feed(presence, *own_join("#dev"), {"type": "notice", "kind": "nick", "nick": "alice", "text": "..."})
        self.assertEqual(
            (presence.nick, presence.rooms, presence.current), ("alice", ["#lobby", "#dev"], "#dev")
        )


class RestoreTests(SynchronousTestCase):
    """After a reconnection the greeting names exactly the rooms the user was in, the current one last."""

    def restore(self, rooms: list[str], current: str | None) -> list[str]:
        """The lines naming the rooms to come back to; the server's joins of them then put the user back."""
        presence = registered()
        presence.rooms, presence.current = rooms, current
        presence.lost()
        self.assertEqual((presence.nick, presence.rooms, presence.current), (None, [], None))
        greeting = presence.greeting()
        self.assertEqual((greeting[0], greeting[-1]), ("/format json", "/nick alice"))
        lines = greeting[1:-1]
        rooms = [line.split()[1] for line in lines if line != "/resume"]
        feed(presence, you_are(), *(message for room in rooms for message in own_join(room)))
        self.assertEqual((sorted(presence.rooms), presence.current), (sorted(rooms), current))
        return lines

    def test_other_room_current(self) -> None:
        """Lobby and #dev, #dev current: #dev named last."""
        self.assertEqual(self.restore(["#lobby", "#dev"], "#dev"), ["/resume #lobby", "/resume #dev"])

    def test_default_room_current(self) -> None:
        """Lobby current after #dev: #lobby named last."""
        self.assertEqual(self.restore(["#lobby", "#dev"], "#lobby"), ["/resume #dev", "/resume #lobby"])

    def test_default_room_left(self) -> None:
        """A user who had left #lobby names only the others: the server puts them in no default room to leave."""
        self.assertEqual(self.restore(["#dev", "#ops"], "#dev"), ["/resume #ops", "/resume #dev"])

    def test_no_room(self) -> None:
        """A user in no room says so, and is in no room again."""
        self.assertEqual(self.restore([], None), ["/resume"])

    def test_only_the_default_room(self) -> None:
        """A user only in the default room names it."""
        self.assertEqual(self.restore(["#lobby"], "#lobby"), ["/resume #lobby"])

    def test_rooms_of_an_account_joined_online_elsewhere_are_where_to_come_back_to(self) -> None:
        """--identify to an account online on another device: no join of this connection's own comes, only a
        notice naming each room; a reconnection still comes back to them, the last named current."""
        presence = Presence("alice", "hunter22")
        presence.greeting()
        feed(
            presence,
            notice("account"),
            you_are(),
            {"type": "notice", "kind": "in_room", "room": "#lobby", "text": "..."},
            members("#lobby"),
            {"type": "notice", "kind": "in_room", "room": "#dev", "text": "..."},
            members("#dev"),
            {"type": "notice", "kind": "room", "room": "#dev", "text": "Now talking in #dev."},
        )
        self.assertEqual((presence.rooms, presence.current), (["#lobby", "#dev"], "#dev"))
        presence.lost()
        self.assertEqual(presence.greeting(), ["/format json", "/resume #lobby", "/resume #dev"])

    def test_back_to_an_account_online_elsewhere_the_server_names_the_current_room(self) -> None:
        """The /resume lines named #lobby current, but the account is online elsewhere: the server shows its rooms and
        says "Now talking in #dev.", and #dev is current, whatever members (a /who's) come next."""
        presence = Presence("alice", "hunter22")
        presence.greeting()
        feed(
            presence, notice("account"), you_are(), *own_join("#lobby"), *own_join("#dev"), talking("#lobby")
        )
        presence.lost()
        self.assertEqual(presence.greeting(), ["/format json", "/resume #dev", "/resume #lobby"])
        in_room = [
            {"type": "notice", "kind": "in_room", "room": room, "text": "..."} for room in ("#lobby", "#dev")
        ]
        feed(
            presence, notice("account"), you_are(), in_room[0], members("#lobby"), in_room[1], members("#dev")
        )
        feed(presence, talking("#dev"), members("#lobby", "alice", "bob"))
        self.assertEqual((presence.rooms, presence.current), (["#lobby", "#dev"], "#dev"))

    def test_plan_kept_across_a_second_loss(self) -> None:
        """Lost again before having a nickname again, the client still knows where it was."""
        presence = registered()
        feed(presence, *own_join("#dev"))
        presence.lost()
        feed(presence, notice("prompt"))
        presence.lost()
        self.assertEqual(presence.greeting()[1:3], ["/resume #lobby", "/resume #dev"])

    def test_the_rooms_the_server_puts_the_user_in_make_the_next_plan(self) -> None:
        """Back in #dev alone (#lobby refused the return), the next reconnection names #dev alone."""
        presence = registered()
        feed(presence, *own_join("#dev"))
        presence.lost()
        feed(presence, you_are(), {"type": "error", "code": "banned-room", "text": "no"}, *own_join("#dev"))
        presence.lost()
        self.assertEqual(presence.greeting(), ["/format json", "/resume #dev", "/nick alice"])


def said(room: str, seq: int, event_id: str, history: bool = False) -> Message:
    return {
        "type": "said",
        "id": event_id,
        "at": AT,
        "room": room,
        "seq": seq,
        "nick": "bob",
        "text": "hi",
        "history": history,
    }


class ResumeTests(SynchronousTestCase):
    """The client keeps the latest line it saw of each room, and coming back says where it left off."""

    def test_the_latest_line_of_each_room_is_kept_live_or_from_history(self) -> None:
        """The highest seq wins, whether live or from history; a page of older history moves nothing back: coming
        back resumes each room from it."""
        presence = registered()
        feed(presence, *own_join("#dev"))
        feed(
            presence,
            said("#lobby", 5, "00000000000000a5", history=True),
            said("#lobby", 7, "00000000000000a7"),
        )
        feed(presence, {**said("#dev", 2, "00000000000000d2"), "type": "acted"})
        feed(presence, said("#lobby", 3, "00000000000000a3", history=True))
        presence.lost()
        self.assertEqual(
            presence.greeting(),
            [
                "/format json",
                "/resume #lobby 00000000000000a7",
                "/resume #dev 00000000000000d2",
                "/nick alice",
            ],
        )

    def test_ids_unfit_to_send_back_are_not_kept(self) -> None:
        """An id with a space, a control character or too long could forge a command: it is ignored, and coming
        back resumes the room without one."""
        presence = registered()
        for hostile in ("a b", "a\n/quit", "x" * 65, "", "é1"):
            feed(presence, said("#lobby", 9, hostile))
        feed(presence, {**said("#lobby", 9, "00000000000000a9"), "seq": "9"})
        presence.lost()
        self.assertEqual(presence.greeting(), ["/format json", "/resume #lobby", "/nick alice"])

    def test_only_ids_of_the_documented_form_are_kept(self) -> None:
        """A word that is no id of 16 lowercase hex digits is not sent back: the server would refuse that /resume
        as bad-id and leave the user out of the room, so the room is resumed without one."""
        presence = registered()
        for other in (
            "alice",
            "history",
            "00000000000000A4",
            "00000000000000a",
            "000000000000000a4",
            "abc123",
        ):
            feed(presence, said("#lobby", 4, other))
        presence.lost()
        self.assertEqual(presence.greeting(), ["/format json", "/resume #lobby", "/nick alice"])

    def test_coming_back_names_each_room_it_returns_to_before_the_nickname(self) -> None:
        """/resume for every room it was in, with the id of the last line seen there if any, then /nick."""
        presence = registered()
        feed(presence, *own_join("#dev"), *own_join("#ops"), said("#lobby", 4, "00000000000000a4"))
        feed(presence, said("#dev", 8, "00000000000000d8"), said("#gone", 1, "00000000000000f1"))
        presence.lost()
        self.assertEqual(
            presence.greeting(),
            [
                "/format json",
                "/resume #lobby 00000000000000a4",
                "/resume #dev 00000000000000d8",
                "/resume #ops",
                "/nick alice",
            ],
        )

    def test_a_first_connection_names_no_room(self) -> None:
        """Before any loss there is nothing to resume."""
        presence = Presence("alice")
        feed(presence, said("#lobby", 4, "00000000000000a4"))
        self.assertEqual(presence.greeting(), ["/format json", "/nick alice"])


class NamingTests(SynchronousTestCase):
    """Which lines ask for a nickname, and which server object answers one."""

    def asked(self, *lines: str) -> str | None:
        presence = Presence()
        for line in lines:
            presence.sending(line)
        return presence.asked

    def test_lines_that_name_the_user(self) -> None:
        """Before a nickname a plain line, /nick NAME or //text names the user; commands and exit do not."""
        self.assertEqual(self.asked(" alice "), "alice")
        self.assertEqual(self.asked("/NICK alice"), "alice")
        self.assertEqual(self.asked("//x"), "/x")
        self.assertIsNone(self.asked("/users", "/nick", "EXIT", "quit"))
        self.assertEqual(Presence("alice").greeting(), ["/format json", "/nick alice"])

    def test_lines_after_registration_name_nobody(self) -> None:
        """Once the user has a nickname, a plain line is a message."""
        presence = registered()
        presence.sending("hello")
        self.assertIsNone(presence.asked)

    def test_error_refuses_and_registration_accepts(self) -> None:
        """The next error refuses the nickname asked for; "You are" accepts it, whatever comes after."""
        presence = Presence()
        presence.sending("alice")
        error = {"type": "error", "code": "nick-in-use", "text": "alice is\x1b taken"}
        self.assertIsNone(presence.answer(notice("prompt")))
        self.assertEqual(presence.answer(error), Answer("alice", "nick-in-use", "alice is\ufffd taken"))
        self.assertIsNone(presence.answer(error))
        presence.sending("alicia")
        feed(presence, you_are("alicia"))
        self.assertEqual(presence.answer(you_are("alicia")), Answer("alicia"))
        # The return to a room that refuses it is no refusal of the nickname.
        self.assertIsNone(presence.answer(error))


class TakeoverTests(SynchronousTestCase):
    """The takeover token a "You are NICK." hands, sent once on coming back."""

    def named_then_lost(self, token: object) -> Presence:
        presence = Presence("alice")
        presence.greeting()
        presence.received({**you_are("alice"), "token": token})
        presence.lost()
        return presence

    def test_coming_back_takes_the_dropped_connections_place_once(self) -> None:
        """The greeting after a drop presents the token in the place of the nickname; the one after, without a new
        token, asks for the nickname."""
        presence = self.named_then_lost("3q2-7wEVn0Vh1Sx5cEl9_Dk_")
        self.assertEqual(
            presence.greeting(), ["/format json", "/resume", "/takeover alice 3q2-7wEVn0Vh1Sx5cEl9_Dk_"]
        )
        self.assertEqual(presence.asked, "alice")
        presence.lost()
        self.assertEqual(presence.greeting()[-1], "/nick alice")

    def test_a_refused_token_gives_way_to_the_nickname(self) -> None:
        """A refusal of the token is answered with the nickname, asked for as ever; another refusal with nothing."""
        presence = self.named_then_lost("3q2-7wEVn0Vh1Sx5cEl9_Dk_")
        presence.greeting()
        refused = presence.answer({"type": "error", "code": "takeover-failed", "text": "..."})
        assert refused is not None
        self.assertEqual(presence.instead_of_takeover(refused), "/nick alice")
        self.assertEqual(presence.asked, "alice")
        self.assertIsNone(presence.instead_of_takeover(Answer("alice", "nick-in-use")))

    def test_a_token_that_could_break_a_line_is_not_kept(self) -> None:
        """A token with a space or a line ending in it (no chatd's) is not sent back."""
        presence = self.named_then_lost("a b\n/quit")
        self.assertEqual(presence.greeting()[-1], "/nick alice")
