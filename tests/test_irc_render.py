"""Events as IRC lines (chatd.irc.render): the short way for one line said is the long way's bytes."""

from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.events import (
    Acted,
    Actor,
    MessageNotKept,
    Quit,
    RoomOperatorAdded,
    RoomOperatorRemoved,
    RoomRegistrationNotKept,
    Said,
    Whispered,
)
from chatd.domain.ids import EventIds
from chatd.irc.lines import Shape, line, timestamp
from chatd.irc.message import Message, parse
from chatd.irc.pieces import privmsgs
from chatd.irc.render import EventLines

TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=600)
SHAPES = st.sampled_from([Shape(value) for value in range(16)])


class OneLineTests(SynchronousTestCase):
    @given(TEXT, SHAPES, st.sampled_from(["", "alice"]))
    def test_one_line_is_what_the_general_rendering_gives(
        self, text: str, shape: Shape, account: str
    ) -> None:
        """For any text, shape and actor, a line said renders to the same bytes the short way and the long way."""
        lines = EventLines("testhost")
        actor = Actor("bob", "10.0.0.1", account or None)
        for event in (
            Said(id="01a2", at=12.5, actor=actor, room="#lobby", seq=3, text=text),
            Whispered(id="01a3", at=12.5, actor=actor, to="carol", text=text),
        ):
            general = b"".join(map(line, lines._renderers[type(event)](event, shape)))
            self.assertEqual(lines.render(event, shape), general)

    def test_long_line_still_splits(self) -> None:
        """A line too long for one PRIVMSG takes the long way and is split."""
        text = "word " * 150
        event = Said(id="01a2", at=0.0, actor=Actor("bob"), room="#lobby", seq=1, text=text)
        lines = EventLines("testhost").render(event, Shape.PLAIN).split(b"\r\n")[:-1]
        self.assertGreater(len(lines), 1)
        self.assertTrue(all(len(each) + 2 <= 512 for each in lines))
        self.assertEqual("".join(each.decode().split(" :", 1)[1] for each in lines), text)


class PiecesTests(SynchronousTestCase):
    @given(st.lists(TEXT, min_size=1, max_size=3), SHAPES, st.sampled_from(["#lobby", "#" + "r" * 49]))
    def test_a_line_s_count_is_the_privmsgs_it_is_sent_as(
        self, texts: list[str], shape: Shape, room: str
    ) -> None:
        """``privmsgs``, by which a deletion counts the REDACTs it needs, is how many PRIVMSGs every client reads a
        line said or acted (a paste among them) as, whatever its shape."""
        lines = EventLines("testhost")
        text = "\n".join(texts)
        for event in (
            Said(id="01a2", at=12.5, actor=Actor("bob"), room=room, seq=3, text=text),
            Acted(id="01a3", at=12.5, actor=Actor("bob"), room=room, seq=4, text=text),
        ):
            self.assertEqual(lines.render(event, shape).count(b" PRIVMSG "), privmsgs(event))


class ServerTimeTests(SynchronousTestCase):
    @given(st.floats(min_value=0, max_value=4e9))
    def test_server_time_names_the_millisecond_of_the_events_id(self, at: float) -> None:
        """An event's server-time is the millisecond its id holds (rounded, not cut), so a ``timestamp=`` a client
        gives back from a line it was shown names that line's place in history."""
        written = timestamp(at)
        shown_ms = round(
            datetime.fromisoformat(written.removesuffix("Z")).replace(tzinfo=UTC).timestamp() * 1000
        )
        self.assertEqual(f"{shown_ms:012x}", EventIds()(at)[:12], written)

    def test_a_time_past_half_a_millisecond_reads_as_the_next(self) -> None:
        """0.6 ms past a minute is written as its first millisecond, as the id of an event then holds it."""
        self.assertEqual(timestamp(60.0006), "1970-01-01T00:01:00.001Z")
        self.assertEqual(timestamp(59.9996), "1970-01-01T00:01:00.000Z")


class LengthTests(SynchronousTestCase):
    def test_a_long_reason_is_cut_where_a_character_ends_to_fit_512_bytes(self) -> None:
        """A quit reason of 200 four-byte characters (800 bytes) is cut so the QUIT fits IRC's 512 bytes, at a
        character's end: what is left reads as the reason's beginning."""
        reason = "\U0001f600" * 200
        event = Quit(id="01a2", at=0.0, actor=Actor("bob"), reason=reason)
        [quit_line] = EventLines("testhost").render(event, Shape.PLAIN).split(b"\r\n")[:-1]
        self.assertLessEqual(len(quit_line) + 2, 512)
        shown = parse(quit_line.decode("utf-8")).params[-1]
        self.assertTrue(f"Quit: {reason}".startswith(shown))
        self.assertGreater(len(shown), 100)

    def test_a_long_word_echoed_before_the_text_is_star_when_cutting_the_text_cannot_fit_it(self) -> None:
        """A client's own word echoed before a reply's text (``NICK`` of 505 letters, refused 432) that would take
        the line past 512 bytes even with the text cut away is ``*``, as a word that cannot stand there is, and
        the text is whole: the line was 521 bytes, over what IRC lets a server send."""
        text = "Erroneous nickname: a nickname is at most 24 characters"
        numeric = Message(source="testhost", command="432", params=("bob", "n" * 505, text), trailing=True)
        self.assertEqual(line(numeric), b":testhost 432 bob * :" + text.encode() + b"\r\n")
        fits = Message(source="testhost", command="432", params=("bob", "n" * 400, text), trailing=True)
        self.assertEqual(
            line(fits), b":testhost 432 bob " + b"n" * 400 + b" :" + text.encode()[:73] + b"\r\n"
        )

    def test_tags_have_room_of_their_own(self) -> None:
        """Tags do not count: a line whose text fits is not cut however long its tags; a numeric's text is cut
        to fit after them."""
        tags = {"time": "2026-12-04T15:04:05.123Z", "msgid": "x" * 600}
        short = Message(tags=tags, source="testhost", command="NOTICE", params=("bob", "hi"))
        self.assertEqual(parse(line(short).decode().rstrip("\r\n")).params[-1], "hi")
        topic = "\u00e9" * 300
        numeric = Message(
            tags=tags, source="testhost", command="332", params=("bob", "#dev", topic), trailing=True
        )
        rendered = line(numeric)
        body = rendered.split(b" ", 1)[1]
        self.assertEqual(len(body), 512)
        self.assertTrue(topic.startswith(parse(rendered.decode().rstrip("\r\n")).params[-1]))


class RoomOperatorTests(SynchronousTestCase):
    def test_a_member_is_a_mode_and_an_account_away_a_notice(self) -> None:
        """/op of a member is MODE +o, which clients mark; of an account not in the room a NOTICE to the
        channel, as a MODE naming someone absent would be a stray line."""
        lines = EventLines("testhost")
        alice = Actor("alice", account="alice")
        event = RoomOperatorAdded(
            id="01a5", at=0.0, actor=alice, room="#dev", seq=4, nick="bob", account="bob"
        )
        self.assertEqual(
            lines.render(event, Shape.PLAIN),
            b":testhost NOTICE #dev :alice made bob a room operator (account bob)\r\n",
        )
        self.assertEqual(
            lines.render(replace(event, member=True), Shape.PLAIN), b":alice!alice@chatd MODE #dev +o bob\r\n"
        )
        removed = RoomOperatorRemoved(
            id="01a6", at=0.0, actor=alice, room="#dev", seq=5, nick="bob", account="bob"
        )
        self.assertEqual(
            lines.render(removed, Shape.PLAIN),
            b":testhost NOTICE #dev :alice took room operator from bob (account bob)\r\n",
        )


class RegistrationUndoneTests(SynchronousTestCase):
    def test_standing_given_and_taken_is_a_server_mode_each(self) -> None:
        """After the NOTICE, a MODE from the server for each member whose ``@`` the undo gives or takes."""
        event = RoomRegistrationNotKept(
            id="01a4",
            at=0.0,
            actor=Actor("alice", account="alice"),
            room="#dev",
            owner="alice",
            operators=("bob",),
            given=("Bob",),
            taken=("carol", "dave"),
        )
        lines = EventLines("testhost").render(event, Shape.TAGS).decode().split("\r\n")
        self.assertEqual(
            lines,
            [
                "@msgid=01a4 :testhost NOTICE #dev :#dev: alice's change to its registration could not be saved: "
                "registered to alice, operators bob",
                "@msgid=01a4.1 :testhost MODE #dev +o Bob",
                "@msgid=01a4.2 :testhost MODE #dev -o carol",
                "@msgid=01a4.3 :testhost MODE #dev -o dave",
                "",
            ],
        )


class MessageNotKeptTests(SynchronousTestCase):
    def test_the_sender_reads_a_notice_from_the_server_naming_whom_and_why(self) -> None:
        """A message for an offline account the store lost after its receipt: a NOTICE to the sender alone."""
        event = MessageNotKept(
            id="01a5",
            at=0.0,
            actor=Actor("bob", account="bob"),
            to="alice",
            message="01a4",
            reason="the server's disk is full",
        )
        self.assertEqual(
            EventLines("testhost").render(event, Shape.TAGS),
            b"@msgid=01a5 :testhost NOTICE bob :Your message for alice was not kept after all (the server's disk is "
            b"full); send it again later\r\n",
        )
