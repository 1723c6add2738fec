"""What the client's parts pass around: one server object (``Message``), and what it puts on screen (``Shown``).

A module of its own because most of the client follows server objects or
draws lines without rendering any: presence, resume and the file transfers
read a ``Message``; the terminal and stdout show a ``Shown``. They depend on
these two types, not on the renderers (render.py) that make one from the other.
"""

from collections.abc import Mapping
from dataclasses import dataclass

Message = Mapping[str, object]
"""One decoded JSON line from the server: an object whose ``type`` names its kind."""


@dataclass(frozen=True, slots=True)
class Shown:
    """What one server line (or client notice) puts on screen: lines without endings, and a bell."""

    lines: tuple[str, ...]
    bell: bool = False
