"""The command table: one row per command, and how a line of text becomes a row and its command.

A line starting with ``/`` names a command (case-insensitive); ``//`` sends
a line that starts with ``/``; ``exit`` or ``quit`` alone leaves, as nc
users expect; anything else is a plain line (``LINE``), said to the
current room or, before a nickname is chosen, taken as the nickname.
``COMMANDS`` is the table that parsing, the checks before a command runs,
running it, ``/help`` and docs/PROTOCOL.md all follow: each row names its
parser (chatd.line.commands, chatd.line.moderation_commands) and its
handler (chatd.line.talk, chatd.line.history, chatd.line.accounts,
chatd.line.moderation).
"""

from typing import TYPE_CHECKING, NamedTuple

from chatd.domain.accounts import MIN_PASSWORD
from chatd.domain.chat import HISTORY_MOST
from chatd.domain.envelopes import EMSG_LINE_MOST
from chatd.domain.keylog import KEYS_MOST, LOG_PAGE
from chatd.domain.listing import PAGE_SIZE
from chatd.domain.masks import MASK_MAX
from chatd.domain.modes import KEY_MAX, LIMIT_MOST, ROOM_BANS_MOST
from chatd.domain.offline import MAILBOX_MOST
from chatd.domain.resume import RESUME_MOST
from chatd.domain.search import MOST_WORDS, SCAN_CHARACTERS, SCAN_LINES, SEARCH_HITS, SHORTEST_INDEXED
from chatd.frontend.text_rules import NICKNAME_CHARACTERS
from chatd.line import account_commands as acct
from chatd.line import accounts, files, history, keys, moderation, modes, rooms, takeover, talk
from chatd.line import commands as cmd
from chatd.line import mode_commands as mode_cmd
from chatd.line import moderation_commands as mod
from chatd.line import room_commands as room_cmd
from chatd.line.errors import UnknownCommandError
from chatd.line.render import Notice
from chatd.line.syntax import (
    Command,
    Spec,
    no_arguments,
    one_word,
    optional_word,
    required_text,
    word_and_duration,
)
from chatd.text import EXIT_WORDS

if TYPE_CHECKING:
    from chatd.line.session import LineSession

HELP_FOOTER = "Other lines go to the current room; start one with // to begin it with /."

NAMING_FOOTER = (
    "You have no nickname yet: type the one you want (NICK PASSWORD for a registered one); "
    "/help nick says what it may hold."
)
"""The last line of ``/help`` before a nickname, when a plain line chooses one rather than going to a room."""

NAMING_HINT = (
    "Type the nickname you want to use; /help lists the commands (/nick help, if you want to be called help)."
)
"""The answer to ``chatd.text.HELP_WORD`` alone where a nickname was asked for: one line, not the nickname."""


class Request(NamedTuple):
    """A parsed line: the row it follows and the command it gives."""

    row: Spec
    command: Command


def _help(session: "LineSession", command: cmd.Help) -> None:
    if command.bare:
        session.send(Notice("help", NAMING_HINT))
        return
    if command.command is None:
        for row in COMMANDS.values():
            session.send(Notice("help", f"{row.usage} - {row.summary}", _help_fields(row)))
        session.send(Notice("help", HELP_FOOTER if session.user is not None else NAMING_FOOTER))
        return
    asked = COMMANDS.get(command.command)
    if asked is None:
        raise UnknownCommandError(command.command)
    fields = {**_help_fields(asked), "details": asked.details, "example": asked.example}
    more = (asked.details, f"Example: {asked.example}")
    session.send(Notice("help", f"{asked.usage} - {asked.summary}", fields, more))


def _help_fields(row: Spec) -> dict[str, object]:
    return {"command": row.name, "usage": row.usage, "summary": row.summary}


LINE = Spec(
    "",
    "text",
    "say a line in the current room",
    cmd.Say,
    talk.say,
    details="Any line that is not a command goes to the room you last joined.",
    example="hello everyone",
)
"""The row of a plain line, not a command: /help does not list it."""

COMMANDS: dict[str, Spec] = {
    row.name: row
    for row in (
        Spec(
            "help",
            "[command]",
            "list the commands, or explain one",
            cmd.parse_help,
            _help,
            needs_nick=False,
            details="Alone, one line per command; with a command's name (with or without /), "
            "what its arguments mean and an example.",
            example="/help msg",
        ),
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
            cmd.parse_resume,
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
        Spec(
            "msg",
            "NICK text",
            "send a private message",
            cmd.parse_msg,
            talk.msg,
            details="NICK: who gets it (any case); text: the rest of the line. "
            "It comes back to you as the receipt; if NICK is away you are told why. To a registered "
            f"nickname whose owner is offline it is kept (up to {MAILBOX_MOST}) and shown when they identify.",
            example="/msg bob are you coming to #dev?",
        ),
        Spec(
            "emsg",
            "NICK ENVELOPE",
            "send an encrypted private message (the bundled client and the web page do it for you)",
            keys.parse_emsg,
            keys.run_emsg,
            details="NICK: a registered nickname, online or not; ENVELOPE: base64 of the JSON "
            '{"v":1,"from":KEY,"to":{KEY:"NONCE:CIPHERTEXT",...}}, a NaCl box of the text for each key of '
            "NICK's account and of your own others, from a key your account published. Both must be "
            f"identified. The line may be up to {EMSG_LINE_MOST:,} bytes. The server cannot read it; "
            "docs/PROTOCOL.md says how it goes.",
            example="/emsg bob eyJ2IjoxfQ==",
        ),
        Spec(
            "key",
            "publish KEY|drop KEY|get NICK|log [FROM]",
            "publish your device keys, fetch someone's, read the key log (the bundled client and the web page do it)",
            keys.parse_key,
            keys.run_key,
            details=f"publish KEY adds a public key (base64 of 32 bytes) to your account's, up to {KEYS_MOST}; "
            "drop KEY removes one; get NICK shows the keys of a registered nickname; log [FROM] shows the "
            f"key log's entries from FROM on (default 1), {LOG_PAGE} a page, and its head. Publishing "
            "and dropping need you identified. Every change is an entry of the log, which commits to the one "
            "before it: docs/PROTOCOL.md says how to check it.",
            example="/key get bob",
        ),
        Spec(
            "me",
            "action",
            "act in the current room: /me waves",
            required_text(cmd.Me, "/me action"),
            talk.act,
            details="action: the rest of the line, shown after your nickname.",
            example="/me waves",
        ),
        Spec(
            "topic",
            "[#room] [text|-]",
            "show, set or clear a room's topic",
            cmd.parse_topic,
            talk.topic,
            details="#room: a room, written with its # (default: the current one); alone, shows its topic and who "
            "set it when; text: the new topic (one that starts with # goes after its room; an operator may set "
            "it in a room they are not in); - alone clears it.",
            example="/topic release on Friday",
        ),
        Spec(
            "history",
            "[#room|NICK|@NICK] [N|around ID|before ID [N]]",
            "show a room's earlier lines, or your private messages with NICK",
            cmd.parse_history,
            history.history,
            details=f"#room: a room you are in (default: the current one), # optional; N: how many lines, "
            f"1 to {HISTORY_MOST} (default {cmd.HISTORY_LINES}; a number alone is N, so write #2 for the "
            "room #2). /history again, with no other command between and within two minutes, shows the "
            "lines before those; around ID shows the lines around the one with that id (JSON lines carry ids), before ID the N "
            "lines before it, whatever came between; a time like 2026-12-04T15:04:05Z (UTC) serves as ID. A word without # "
            "that is no room you are in is a nickname: your last N private messages with them, kept "
            "only if you both had identified (and you must have now; until then, a word no account has "
            "is the room of that name, if there is one). @NICK is always the private messages, even with a "
            "room of that name.",
            example="/history #dev 50",
        ),
        Spec(
            "search",
            "[#room|@NICK] words",
            "find a room's past lines, or your private messages with @NICK, holding some words, with their ids",
            cmd.parse_search,
            history.search,
            details=f"#room: a room you are in, written with its # (default: the current one); words: "
            f"what each line must hold, as words (any case or accents: cafe finds Café) or as text "
            f"(wen3.6 finds qwen3.6, a piece of a URL); up to {MOST_WORDS}. The newest {SEARCH_HITS} "
            f"come first, each with its id: /history #room around ID shows it in context. A word under "
            f"{SHORTEST_INDEXED} characters reads only the last {SCAN_LINES:,} lines ({SCAN_CHARACTERS:,} characters). "
            f"@NICK (once you are identified): your kept private messages with that account, alike; end-to-end "
            "encrypted ones are never searched.",
            example="/search #dev qwen3.6 release",
        ),
        Spec(
            "delete",
            "[#room] ID [reason]",
            "delete one line of a room: your own, or anyone's where you are its owner or an operator",
            mod.parse_delete,
            moderation.delete,
            details="#room: the room, written with its # (default: the current one); ID: the line's id, as /search "
            "and JSON lines show it; reason: shown with the deletion. Everyone in the room is told, and the line "
            "is gone from the server's history, /history, /search and what joiners are shown (not from what people "
            "saw already). Your own lines: said while identified to your account, or, as a guest, under the "
            "nickname you hold now from the same address. The room's owner, its operators and server operators "
            "may delete anyone's. Joins, parts and topics are not lines and stay.",
            example="/delete #maths 01a20cc867700000 pasted a password",
        ),
        Spec(
            "time",
            "",
            "show the server's time (UTC)",
            no_arguments(cmd.Time, "time"),
            talk.show_time,
            needs_nick=False,
            details="Takes no arguments.",
            example="/time",
        ),
        Spec(
            "ping",
            "[TEXT]",
            "ask the server to answer PONG TEXT: whether the connection still works",
            cmd.Ping,
            talk.pong,
            needs_nick=False,
            details="TEXT: any words, sent back as they are, so a program tells its own pings' answers apart. "
            "The answer comes after those of the lines sent before it.",
            example="/ping 42",
        ),
        Spec(
            "quit",
            "[reason]",
            "leave the chat (or type exit)",
            cmd.Quit,
            talk.leave,
            needs_nick=False,
            details="reason: shown to everyone who shares a room with you, cut to its first 200 characters.",
            example="/quit off to lunch",
        ),
        Spec(
            "format",
            "text|json",
            "render lines for people (text) or programs (json)",
            cmd.parse_format,
            talk.set_format,
            needs_nick=False,
            details="text or json: how the server's lines to you look from now on; "
            "before a nickname, the greeting comes again in that format.",
            example="/format json",
        ),
        Spec(
            "away",
            "[text]",
            "say you are away (shown to who messages you); no text: back",
            cmd.Away,
            talk.away,
            details="text: told to whoever sends you a private message; /away alone says you are back.",
            example="/away at lunch, back at 2",
        ),
        Spec(
            "whois",
            "NICK",
            "show who someone is: rooms, away, operator",
            one_word(cmd.Whois, "/whois NICK"),
            talk.whois,
            needs_nick=False,
            details="NICK: who to look up (any case); operators also see their address.",
            example="/whois bob",
            shows_chat=True,
        ),
        Spec(
            "ignore",
            "[NICK]",
            "hide someone's messages from you; alone, list who you ignore",
            optional_word(cmd.Ignore, "/ignore [NICK]"),
            talk.ignore,
            details="NICK: whose messages, actions, private messages and file offers to hide from you alone, "
            "online or not, until you /unignore them or leave.",
            example="/ignore bob",
        ),
        Spec(
            "unignore",
            "NICK",
            "see someone's messages again",
            one_word(cmd.Unignore, "/unignore NICK"),
            talk.unignore,
            details="NICK: someone you /ignore.",
            example="/unignore bob",
        ),
        Spec(
            "file",
            "offer|put|restart|accept|ack|decline|cancel|withdraw|list|link ...",
            "send files through the server (the bundled client and the web page do it for you)",
            files.parse_file,
            files.run_file,
            details="offer TARGET SIZE SHA256 TYPE NAME announces a file for a nickname or a #room you are in; "
            "put ID OFFSET BASE64 uploads a chunk; restart ID uploads again from 0; accept ID [OFFSET "
            "CHUNK_SHA256] fetches one offered to you (JSON sessions only); ack ID END says what you hold; "
            "decline ID refuses it; cancel ID stops a transfer; withdraw ID takes your offer down, or, as an operator "
            "or the room's owner or room operator, anyone's offer to a room; list shows the open ones; link ID gives a "
            "single-use HTTP link (when the server has a web port). docs/PROTOCOL.md says how it goes.",
            example="/file decline 1a2b3c4d5e6f7a8b",
        ),
        Spec(
            "register",
            "PASSWORD|#room",
            "register your nickname, so only you may take it, or a room you own",
            room_cmd.parse_register,
            rooms.register,
            details=f"PASSWORD: at least {MIN_PASSWORD} characters (spaces allowed), needed to identify "
            "as this nickname later; you are identified at once. #room: a room you are in and own "
            "(you made it), once identified: it stays yours across restarts, keeps its topic when "
            "empty, and you name its room operators (/op). Not the server's rooms.",
            example="/register correct horse battery staple",
        ),
        Spec(
            "identify",
            "[NICK] PASSWORD",
            "prove a registered nickname is yours",
            acct.parse_identify,
            accounts.identify,
            needs_nick=False,
            details="NICK: the registered nickname (default: yours; needed if PASSWORD holds spaces); "
            "you take it, and if you are online elsewhere this connection joins that one. "
            "Before a nickname, NICK PASSWORD as the first line does the same.",
            example="/identify alice correct horse battery staple",
        ),
        Spec(
            "password",
            "OLD NEW",
            "change your account's password",
            acct.parse_password,
            accounts.password,
            details=f'OLD: the password now (in "double quotes" if it holds spaces); NEW: the new one, at least '
            f"{MIN_PASSWORD} characters.",
            example="/password hunter22 correct horse battery staple",
        ),
        Spec(
            "unregister",
            "PASSWORD|#room",
            "give up your registered nickname, or a room you registered",
            room_cmd.parse_unregister,
            rooms.unregister,
            details="PASSWORD: your account's; the nickname stays yours until you leave it, then is anyone's. "
            "#room: a room registered to you; it becomes nobody's, and goes when it empties.",
            example="/unregister correct horse battery staple",
        ),
        Spec(
            "account",
            "password NICK PASSWORD|drop NICK",
            "give someone's account a new password, or give it up (server operators)",
            acct.parse_account,
            accounts.manage,
            operators=True,
            details=f"NICK: a registered nickname (one that only looks like it is named, never acted on). "
            f"password: a new password for its owner who forgot theirs, at least {MIN_PASSWORD} characters "
            "(spaces allowed); its sessions identified now stay so, and its owner, if online, is told who set "
            "it, never the password: they identify with it, then choose their own with /password OLD NEW. "
            "drop: the account is given up, as its owner's /unregister would, online or not: its rooms with "
            "it, and the nickname anyone's.",
            example="/account password alice first-week-2026",
        ),
        Spec(
            "forget",
            "[confirm]",
            "delete every message you sent, once you confirm",
            acct.parse_forget,
            accounts.forget,
            details="Alone, says what it deletes; with confirm, deletes every message, action and private "
            "message you sent under your account's nickname since you registered it from the server's history, "
            "and says how many. Needs you identified.",
            example="/forget confirm",
        ),
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
}


def parse(text: str) -> Request:
    """The row and command of one line of text; raises UsageError or UnknownCommandError."""
    if text.startswith("//"):
        return Request(LINE, cmd.Say(text[1:]))
    if not text.startswith("/"):
        if text.strip().lower() in EXIT_WORDS:
            return Request(COMMANDS["quit"], cmd.Quit(""))
        return Request(LINE, cmd.Say(text))
    name, *args = text[1:].split(maxsplit=1) or [""]
    row = COMMANDS.get(name.lower())
    if row is None:
        raise UnknownCommandError(name)
    return Request(row, row.parse(args[0].strip() if args else ""))
