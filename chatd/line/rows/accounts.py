"""The rows of accounts: registering a nickname, identifying, changing the password, the account's settings,
and giving the account or a device up.
"""

from chatd.domain.accounts import MIN_PASSWORD
from chatd.line import account_commands as acct
from chatd.line import accounts, rooms
from chatd.line import room_commands as room_cmd
from chatd.line.syntax import Spec

ACCOUNTS: tuple[Spec, ...] = (
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
)
