"""MemoryBus: each event goes to the subscribers of its kind, in the order they subscribed, until they stop."""

from collections.abc import Callable

from twisted.trial.unittest import SynchronousTestCase

from chatd.bus.memory import MemoryBus
from chatd.domain.events import CHAT, ROOM_EVENTS, Event, Joined, NickChanged, Said


def said(text: str) -> Said:
    return Said(id=text, at=0.0, actor=CHAT, room="#lobby", seq=1, text=text)


def renamed(new: str) -> NickChanged:
    return NickChanged(id=new, at=0.0, actor=CHAT, new=new)


class MemoryBusTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.bus = MemoryBus()
        self.heard: list[tuple[str, Event]] = []

    def hear(self, name: str, kinds: tuple[type[Event], ...] | None = None) -> Callable[[], None]:
        return self.bus.subscribe(lambda event: self.heard.append((name, event)), kinds)

    def test_a_subscriber_to_kinds_hears_those_alone(self) -> None:
        """One to the room events hears a line and a join; one to ``NickChanged`` neither."""
        self.hear("rooms", ROOM_EVENTS)
        self.hear("names", (NickChanged,))
        line, rename = said("hi"), renamed("bob")
        join = Joined(id="j", at=0.0, actor=CHAT, room="#lobby", seq=2)
        for event in (line, rename, join, said("again")):
            self.bus.publish(event)
        self.assertEqual(
            [(name, event.id) for name, event in self.heard],
            [("rooms", "hi"), ("names", "bob"), ("rooms", "j"), ("rooms", "again")],
        )

    def test_every_kind_without_kinds_in_the_order_subscribed(self) -> None:
        self.hear("first")
        self.hear("second", (Said,))
        self.hear("third")
        self.bus.publish(said("hi"))
        self.bus.publish(renamed("bob"))
        self.assertEqual(
            [(name, event.id) for name, event in self.heard],
            [("first", "hi"), ("second", "hi"), ("third", "hi"), ("first", "bob"), ("third", "bob")],
        )

    def test_a_subscriber_after_a_kind_was_published_hears_it_too(self) -> None:
        """The routes made for a kind already published are made again when someone subscribes or stops."""
        self.bus.publish(said("before"))
        stop = self.hear("late", (Said,))
        self.bus.publish(said("after"))
        stop()
        self.bus.publish(said("stopped"))
        self.assertEqual([event.id for _, event in self.heard], ["after"])
