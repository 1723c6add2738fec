"""Answers to one user's question, as plain data.

Unlike events these go to the asker alone and carry no timestamp of their
own (bar ``ServerTime``); front ends render them like events.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Members:
    """Who is in ``room``, in the order they joined."""

    room: str
    nicks: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Topic:
    """The topic of ``room``; empty when none is set."""

    room: str
    topic: str


@dataclass(frozen=True, slots=True)
class RoomSummary:
    """One room in a listing: its name, how many are in it, its topic."""

    room: str
    members: int
    topic: str


@dataclass(frozen=True, slots=True)
class RoomList:
    """Every room, by name."""

    rooms: tuple[RoomSummary, ...]


@dataclass(frozen=True, slots=True)
class UserList:
    """Everyone online, by nickname."""

    nicks: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ServerTime:
    """The server's clock, in seconds since the Unix epoch."""

    at: float


Reply = Members | Topic | RoomList | UserList | ServerTime
