"""RPL_ISUPPORT (005): what this server supports, honestly, from the chat's own limits.

CASEMAPPING: chatd compares names by Unicode case folding and NFKC
(chatd.text.fold), which no classic mapping describes; ``rfc7613`` (PRECIS)
is the nearest name a client knows. UTF8ONLY: every line must be UTF-8
(others are answered ``FAIL * INVALID_UTF8``).
"""

from collections.abc import Iterator

from chatd.domain.limits import Limits
from chatd.domain.modes import ROOM_BANS_MOST
from chatd.irc.channels import KICK_TARGETS_MOST
from chatd.irc.history import CHATHISTORY_MOST
from chatd.irc.modes import MODES_MOST
from chatd.irc.talk import TARGETS_MOST

TOKENS_PER_LINE = 12
"""Tokens in one 005 line, as servers keep it (Modern IRC: at most 13 parameters besides the nick)."""


def isupport_tokens(limits: Limits, network: str) -> list[str]:
    """Every token this server advertises."""
    return [
        "AWAYLEN=200",
        "CASEMAPPING=rfc7613",
        f"CHATHISTORY={CHATHISTORY_MOST}",
        f"CHANLIMIT=#:{limits.rooms_per_user}",
        "CHANMODES=b,k,l,MRimnst",
        f"CHANNELLEN={limits.room_name}",
        "CHANTYPES=#",
        "CLIENTTAGDENY=*",
        "ELIST=U",
        f"KICKLEN={limits.reason}",
        f"MAXLIST=b:{ROOM_BANS_MOST}",
        f"MODES={MODES_MOST}",
        "MSGREFTYPES=timestamp,msgid",
        f"NETWORK={network}",
        f"NICKLEN={limits.nickname}",
        "PREFIX=(ov)@+",
        f"TARGMAX=JOIN:,KICK:{KICK_TARGETS_MOST},NAMES:1,NOTICE:{TARGETS_MOST},PART:,PRIVMSG:{TARGETS_MOST},WHOIS:1",
        f"TOPICLEN={limits.topic}",
        "UTF8ONLY",
        "WHOX",
    ]


def isupport_lines(limits: Limits, network: str) -> Iterator[list[str]]:
    """The tokens in 005 lines of ``TOKENS_PER_LINE``."""
    tokens = isupport_tokens(limits, network)
    for start in range(0, len(tokens), TOKENS_PER_LINE):
        yield tokens[start : start + TOKENS_PER_LINE]
