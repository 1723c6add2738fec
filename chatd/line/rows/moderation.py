"""The rows of operators, of rooms and of the server: /oper, kicks, room operators, locks and modes, invitations,
bans, kills, mutes, the wall and shutdown.
"""

from chatd.domain.masks import MASK_MAX
from chatd.domain.modes import KEY_MAX, LIMIT_MOST, ROOM_BANS_MOST
from chatd.line import mode_commands as mode_cmd
from chatd.line import moderation, modes, rooms
from chatd.line import moderation_commands as mod
from chatd.line import room_commands as room_cmd
from chatd.line.syntax import Spec, no_arguments, one_word, required_text, word_and_duration

MODERATION: tuple[Spec, ...] = (
    Spec(
        "oper",
        "NAME PASSWORD",
        "become a server operator",
        mod.parse_oper,
        moderation.oper,
        details="NAME and PASSWORD: an operator's, from the host's operators file; "
        "the password may hold spaces.",
        example="/oper boss correct horse battery staple",
    ),
    Spec(
        "kick",
        "NICK [#room] [reason]",
        "put someone out of a room (owner, operators)",
        mod.parse_kick,
        moderation.kick,
        details="NICK: who to put out; #room: which room (default: the current one; a first "
        "word without # is a room if one by that name exists); reason: shown to the room.",
        example="/kick bob #dev please stop shouting",
    ),
    Spec(
        "op",
        "[#room] NICK",
        "make someone a room operator of your registered room",
        room_cmd.parse_op,
        rooms.op,
        details="#room: a room registered to you (default: the current one); NICK: someone identified "
        "online, or a registered nickname (one that only looks like it is named, not made one). "
        "Room operators may kick and set and lock the topic, "
        "whenever they are identified, across restarts.",
        example="/op #dev bob",
    ),
    Spec(
        "deop",
        "[#room] NICK",
        "take room operator from someone",
        room_cmd.parse_deop,
        rooms.op,
        details="#room: a room registered to you (default: the current one); NICK: one of its room operators.",
        example="/deop bob",
    ),
    Spec(
        "lock",
        "",
        "let only the owner and operators set this room's topic",
        no_arguments(lambda: mod.Lock(True), "lock"),
        moderation.lock,
        details="Takes no arguments; acts on the current room.",
        example="/lock",
    ),
    Spec(
        "unlock",
        "",
        "let every member set this room's topic",
        no_arguments(lambda: mod.Lock(False), "unlock"),
        moderation.lock,
        details="Takes no arguments; acts on the current room.",
        example="/unlock",
    ),
    Spec(
        "mode",
        "#room [CHANGES]",
        "show a room's settings, or change them and who is its operator or voiced",
        mode_cmd.parse_mode,
        modes.mode,
        details="#room: the room, # optional. Alone, shows its settings; +b alone lists its ban masks. "
        "CHANGES (its owner, operators and room operators): IRC's letters after + or -, each taking "
        f"its argument from the words that follow: i invite-only, k KEY (1 to {KEY_MAX} characters, "
        f"no spaces; -k takes none), l N (at most N members, up to {LIMIT_MOST:,}; -l takes none), "
        "m moderated (only operators and voiced members speak), s secret (left out of /rooms and "
        "/whois for others), R registered only (only users identified to an account join), "
        "M registered speech (only identified members, operators and the voiced speak), t topic lock, o NICK room operator (-o only of whom you may /kick), "
        "v NICK voice, b MASK ban mask "
        "(nick!user@host with * and ?; as IRC shows everyone as nick!nick@chatd, the user part "
        "matches the nickname and the host part the address or chatd; "
        f"up to {ROOM_BANS_MOST} a room, "
        f"{MASK_MAX} characters each). All are made or none; what holds already is left out.",
        example="/mode #dev +ik-m hunter2",
    ),
    Spec(
        "invite",
        "NICK [#room]",
        "invite someone to a room, past its invite-only",
        mode_cmd.parse_invite,
        modes.invite,
        details="NICK: someone online, not in the room; #room: a room you are in (default: the "
        "current one; # optional). They may join it once even if it is invite-only; in an "
        "invite-only room only its owner and operators invite. They, you and the room's operators see it.",
        example="/invite bob #dev",
    ),
    Spec(
        "ban",
        "[NICK|ADDRESS [duration]]",
        "keep a nickname or address off the server, e.g. 2h; alone, list bans (server operators)",
        mod.parse_ban,
        moderation.ban,
        operators=True,
        details="NICK or ADDRESS (IPv4 or IPv6, or a network of them such as 2001:db8:1:2::/64): who to "
        "keep off; duration: like 90s, 10m, 2h or 1d, none meaning until lifted.",
        example="/ban 192.0.2.7 2h",
    ),
    Spec(
        "kill",
        "NICK [reason]",
        "take someone off the server now; they may come back (server operators)",
        mod.parse_kill,
        moderation.kill,
        operators=True,
        details="NICK: who to take off (not an operator); reason: shown to them and everyone in "
        "their rooms. All their connections close; unlike /ban, nothing stops them coming back.",
        example="/kill bob flooding #lobby",
    ),
    Spec(
        "unban",
        "NICK|ADDRESS",
        "lift a ban (server operators)",
        one_word(mod.Unban, "/unban NICK|ADDRESS"),
        moderation.unban,
        operators=True,
        details="NICK or ADDRESS: as the ban named it; /ban alone lists them.",
        example="/unban 192.0.2.7",
    ),
    Spec(
        "mute",
        "NICK [duration]",
        "refuse someone's messages, e.g. for 10m (server operators)",
        word_and_duration(mod.Mute, "/mute NICK [duration]"),
        moderation.mute,
        operators=True,
        details="NICK: whose messages, actions, private messages and topics to refuse, online or not "
        "(whoever takes it is muted); duration: like 10m, none meaning until /unmute. They, operators "
        "and the owners and operators of their rooms are told.",
        example="/mute bob 10m",
    ),
    Spec(
        "unmute",
        "NICK",
        "lift a mute (server operators)",
        one_word(mod.Unmute, "/unmute NICK"),
        moderation.unmute,
        operators=True,
        details="NICK: someone muted.",
        example="/unmute bob",
    ),
    Spec(
        "wall",
        "text",
        "say something to everyone online (server operators)",
        required_text(mod.Wall, "/wall text"),
        moderation.wall,
        operators=True,
        details="text: the rest of the line, shown to everyone online with your nickname.",
        example="/wall restarting in 5 minutes",
    ),
    Spec(
        "shutdown",
        "[reason]",
        "tell everyone, then stop the server (server operators)",
        mod.Shutdown,
        moderation.shutdown,
        operators=True,
        details="reason: shown to everyone online before the server stops.",
        example="/shutdown new release",
    ),
)
