"""The rows of one's own session: the time, pings, leaving, the format lines come in, being away, looking someone
up, ignoring people, and files.
"""

from chatd.line import commands as cmd
from chatd.line import files, talk
from chatd.line.syntax import Spec, no_arguments, one_word, optional_word

SESSION: tuple[Spec, ...] = (
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
        "decline ID refuses it (decline * every one offered to you); cancel ID stops a transfer; withdraw ID takes your offer down, or, as an operator "
        "or the room's owner or room operator, anyone's offer to a room; list shows the open ones; link ID gives a "
        "single-use HTTP link (when the server has a web port). docs/PROTOCOL.md says how it goes.",
        example="/file decline 1a2b3c4d5e6f7a8b",
    ),
)
