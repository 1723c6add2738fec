"""The rows of who one is and where: choosing a nickname, taking a session over, joining, resuming and leaving
rooms, and seeing the rooms and the people in them.
"""

from chatd.domain.listing import PAGE_SIZE
from chatd.domain.resume import RESUME_MOST
from chatd.frontend.text_rules import NICKNAME_CHARACTERS
from chatd.line import commands as cmd
from chatd.line import history_commands as hist
from chatd.line import takeover, talk
from chatd.line.syntax import Spec, one_word

PRESENCE: tuple[Spec, ...] = (
    Spec(
        "nick",
        "NAME",
        "choose or change your nickname",
        one_word(cmd.Nick, "/nick NAME"),
        talk.nick,
        needs_nick=False,
        details=f"NAME: {NICKNAME_CHARACTERS} (not first a digit or '-'); "
        "everyone in your rooms sees the change.",
        example="/nick alice",
    ),
    Spec(
        "takeover",
        "NICK TOKEN",
        "take back your nickname from your connection that dropped",
        cmd.parse_takeover,
        takeover.takeover,
        needs_nick=False,
        details="Before a nickname only. TOKEN: the token the server gave that connection with its "
        "nickname (JSON's nick notice); you then are NICK in its rooms (/resume before it says where you "
        "left off), it is closed, and nobody sees you leave or come back. A wrong token changes nothing.",
        example="/takeover alice 3q2-7wEVn0Vh1Sx5cEl9_Dk_",
    ),
    Spec(
        "join",
        "#room [KEY]",
        "join a room (created if new) and talk there",
        cmd.parse_join,
        talk.join,
        details="#room: the room's name; the # may be left out (dev means #dev). "
        "KEY: the room's key, if it takes one (/mode #room shows whether it does). "
        "One room at a time: /join #art #dev is refused, not read as a key. "
        "Joining a room you are in makes it current.",
        example="/join #dev",
    ),
    Spec(
        "resume",
        "[#room [ID]]",
        "rejoin a room showing what you missed since the line with that id",
        hist.parse_resume,
        talk.resume,
        needs_nick=False,
        details=f"#room: a room you are not in, # optional; ID: the id of the last line of it you saw "
        f"(JSON lines carry ids; any event's id serves, even one the room no longer keeps), or a time "
        f"like 2026-12-04T15:04:05Z (UTC). Shows the lines said after it, up to {RESUME_MOST}, instead "
        "of the last few, then how many you missed; without ID, the last few. Before a nickname, "
        "choosing one then puts you in the rooms you /resume, in that order, not in the default room; "
        "/resume alone names none.",
        example="/resume #dev 01a20cc867700000",
    ),
    Spec(
        "part",
        "[#room] [reason]",
        "leave a room (default: the current one)",
        cmd.parse_part,
        talk.part,
        details="#room: the room to leave (a first word without # is a room if one by that "
        "name exists); reason: shown to the room.",
        example="/part #dev see you tomorrow",
    ),
    Spec(
        "rooms",
        "[PAGE]",
        f"list the rooms with member counts and topics, {PAGE_SIZE} a page",
        cmd.parse_page(cmd.Rooms, "/rooms [PAGE]"),
        talk.list_rooms,
        needs_nick=False,
        details=f"PAGE: which page of {PAGE_SIZE} rooms, sorted by name (default: the first); "
        "a page that is not the last ends saying what to type for the next.",
        example="/rooms 2",
        shows_chat=True,
    ),
    Spec(
        "who",
        "[#room [PAGE]]",
        f"list who is in a room (default: the current one), {PAGE_SIZE} a page",
        cmd.parse_who,
        talk.who,
        needs_nick=False,
        details="#room: the room to list, # optional; members are shown in the order they joined. "
        f"PAGE: which page of {PAGE_SIZE} (name the room to ask for one: /who 2 is the room #2).",
        example="/who #dev 2",
        shows_chat=True,
    ),
    Spec(
        "users",
        "[PAGE]",
        f"list everyone online, {PAGE_SIZE} a page",
        cmd.parse_page(cmd.Users, "/users [PAGE]"),
        talk.list_users,
        needs_nick=False,
        details=f"PAGE: which page of {PAGE_SIZE} people, sorted (default: the first).",
        example="/users 2",
        shows_chat=True,
    ),
)
