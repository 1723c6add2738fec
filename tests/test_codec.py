"""The JSON codec of events: the whole event for the bus, and what a client reads."""

from dataclasses import fields

from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.encoding import (
    UndecodableEventError,
    ban_rows,
    change_rows,
    decode_event,
    encode_event,
    json_bytes,
    type_name,
)
from chatd.domain.events import (
    EVENTS,
    Actor,
    CrowdTallied,
    Event,
    ModeChange,
    RoomModesChanged,
    Said,
    Setting,
)
from chatd.frontend.codec import client_fields
from tests.test_render import events


class BusCodecTests(SynchronousTestCase):
    @settings(max_examples=300)
    @given(events(st.text(), kinds=EVENTS))
    def test_decode_gives_back_the_encoded_event(self, event: Event) -> None:
        """Any event, whatever its text, comes back from its encoding equal, actor and all."""
        self.assertEqual(decode_event(encode_event(event)), event)

    @settings(max_examples=300)
    @given(events(st.text(), kinds=EVENTS))
    def test_an_event_is_its_type_then_its_fields_in_order(self, event: Event) -> None:
        """An encoded event is an object of its type's name, then each field in the class's order, the actor as
        [nick, address, account], a room's changes and ban masks as rows: what the files and pass logs of earlier
        versions hold, so what is kept reads the same whichever version wrote it."""
        expected: dict[str, object] = {"type": type_name(type(event))}
        for field in fields(event):
            value = getattr(event, field.name)
            if isinstance(value, Actor):
                value = [value.nick, value.address, value.account]
            elif field.name == "changes":
                value = change_rows(value)
            elif field.name == "restored":
                value = ban_rows(value)
            expected[field.name] = value
        self.assertEqual(encode_event(event), json_bytes(expected).decode())

    @given(events(st.text(), kinds=EVENTS))
    def test_encoding_is_one_line(self, event: Event) -> None:
        """An encoded event holds no newline, so a line-based transport can carry it."""
        self.assertNotIn("\n", encode_event(event))

    def test_a_rooms_changes_are_kept_as_lists(self) -> None:
        """Each change of a room is [setting, on, argument] in the text, and a ModeChange again decoded."""
        event = RoomModesChanged(
            id="1",
            at=1.0,
            actor=Actor("alice"),
            room="#dev",
            seq=3,
            changes=(ModeChange(Setting.KEY, True, "k"), ModeChange(Setting.SECRET, False)),
        )
        text = encode_event(event)
        self.assertIn('"changes":[["key",true,"k"],["secret",false,""]]', text)
        decoded = decode_event(text)
        self.assertEqual(decoded, event)
        assert isinstance(decoded, RoomModesChanged)
        self.assertIs(decoded.changes[0].setting, Setting.KEY)
        self.assertRaises(UndecodableEventError, decode_event, text.replace('"key"', '"bogus"'))

    def test_what_is_not_an_event_is_refused_in_one_error(self) -> None:
        """Garbage, an unknown type or missing fields raise UndecodableEventError, nothing else."""
        for text in ("", "[]", "{}", '{"type":"said"}', '{"type":"nope","actor":["a","",null]}', "{"):
            self.assertRaises(UndecodableEventError, decode_event, text)


class ClientFieldsTests(SynchronousTestCase):
    @given(events(st.text(), kinds=EVENTS))
    def test_address_and_account_never_reach_a_client(self, event: Event) -> None:
        """A client's object names the actor by nickname only: its keys are the event's own fields, bar the actor,
        the account a private message went to, whether a kill's operator was apart, whom a kick's wait holds (an
        account or an address), whether a join made its room anew and where a deleted line was (the store's to know), how
        many PRIVMSGs it went out as (IRC's to know); a tally, which nobody made, names nobody; the masks a room's
        settings put back are left to its ban list."""
        hidden = {"actor", "to_account", "apart", "restored", "person", "made", "line_seq", "parts"}
        own = {f.name for f in fields(event)} - hidden
        actor = set() if isinstance(event, CrowdTallied) else {"by" if "nick" in own else "nick"}
        self.assertEqual(set(client_fields(event)), {"type"} | actor | own)

    def test_said_has_its_id_and_sequence(self) -> None:
        """A said object carries the event's id and its room's sequence number."""
        event = Said(
            id="00000000000f0001", at=1.0, actor=Actor("bob", "10.0.0.2"), room="#dev", seq=12, text="hi"
        )
        self.assertEqual(
            client_fields(event),
            {
                "type": "said",
                "id": "00000000000f0001",
                "at": 1.0,
                "room": "#dev",
                "seq": 12,
                "nick": "bob",
                "text": "hi",
            },
        )
