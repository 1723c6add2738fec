"""The rows of talking: private and end-to-end messages and their keys, actions, topics, history, search and
deleting a line.
"""

from chatd.domain.envelopes import EMSG_LINE_MOST
from chatd.domain.keylog import KEYS_MOST, LOG_PAGE
from chatd.domain.offline import MAILBOX_MOST
from chatd.domain.reads import HISTORY_MOST
from chatd.domain.search import MOST_WORDS, SCAN_CHARACTERS, SCAN_LINES, SEARCH_HITS, SHORTEST_INDEXED
from chatd.line import commands as cmd
from chatd.line import history, keys, moderation, search, talk
from chatd.line import history_commands as hist
from chatd.line import moderation_commands as mod
from chatd.line.syntax import Spec, required_text

TALK: tuple[Spec, ...] = (
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
        hist.parse_history,
        history.history,
        details=f"#room: a room you are in (default: the current one), # optional; N: how many lines, "
        f"1 to {HISTORY_MOST} (default {hist.HISTORY_LINES}; a number alone is N, so write #2 for the "
        "room #2). /history again, with no other command between and within two minutes, shows the "
        "lines before those; around ID shows the lines around the one with that id (JSON lines carry ids), before ID the N "
        "lines before it, whatever came between; a time like 2026-12-04T15:04:05Z (UTC) serves as ID. A word without # "
        "that is no room you are in is a nickname: your last N private messages with them (before ID: the N before it), kept "
        "only if you both had identified (and you must have now; until then, a word no account has "
        "is the room of that name, if there is one). @NICK is always the private messages, even with a "
        "room of that name.",
        example="/history #dev 50",
    ),
    Spec(
        "search",
        "[#room|@NICK] [before ID] words",
        "find a room's past lines, or your private messages with @NICK, holding some words, with their ids",
        hist.parse_search,
        search.search,
        details=f"#room: a room you are in, written with its # (default: the current one); words: "
        f"what each line must hold, as words (any case or accents: cafe finds Café) or as text "
        f"(wen3.6 finds qwen3.6, a piece of a URL); up to {MOST_WORDS}. The newest {SEARCH_HITS} "
        f"come first, each with its id: /history #room around ID shows it in context; before ID (a line's id "
        f"or a time like 2026-12-04T15:04:05Z, right before the words) searches only older lines, and a full page "
        f"ends naming the /search before its oldest that shows the next ones. A word under "
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
)
