"""chatd's IRC listener on a real twistd over loopback, spoken to by real IRC clients beside nc users (issue 15).

The clients are jaraco's ``irc`` library (``tests/e2e/ircclient.py``) and
Debian's WeeChat (``tests/e2e/weechat.py``), so the daemon's lines are read
by parsers that are not ours; the nc users are the raw sockets of
``tests/e2e/daemon.py``. Each test runs its own daemon on ephemeral ports.
"""

import re
import signal
import time
from collections.abc import Callable
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import Daemon, LineClient, opers_file
from tests.e2e.ircclient import Heard, IRCClient, irc_port
from tests.e2e.lobby import LOOPBACK, NAME, PROMPT, SHUTDOWN, WELCOME, Lobby
from tests.e2e.weechat import Shown, WeeChat
from tests.helpers import new_database, quick_hash, refuse_on_accounts

PASSWORD = "hunter22"
REGISTERED = "*** The nickname alice is registered to you, and you are identified to it."


def start(case: SynchronousTestCase, db: str, port: int = 0) -> Daemon:
    """A daemon on loopback with its IRC listener on ``port`` (0: any free one) and ``db`` as its --db."""
    return Daemon.start(case, [*LOOPBACK, "--irc-port", str(port), "--db", db])


DATED = re.compile(rb"\[\d{4}-\d\d-\d\d \d\d:\d\d\] (?P<rest>.*)\r\n", re.DOTALL)
"""A history line as the line front end replays it: ``[YYYY-MM-DD HH:MM] `` then the line, then CRLF."""


def expect_dated(client: LineClient, line: str) -> None:
    """The next line ``client`` reads is ``line`` replayed from history, dated."""
    received = client.read_line()
    found = DATED.fullmatch(received)
    if found is None:
        client.daemon.case.fail(f"{received!r} is not [YYYY-MM-DD HH:MM] {line!r} CRLF")
    client.daemon.case.assertEqual(found.group("rest"), line.encode("utf-8"))


def welcome(nick: str) -> Heard:
    """The 001 that tells ``nick`` registration is done."""
    return Heard("welcome", NAME, nick, (f"Welcome to the chatd IRC network, {nick}!{nick}@chatd",))


def history_reader(daemon: Daemon) -> IRCClient:
    """bob on the IRC port with message tags, batches and CHATHISTORY, in #lobby: a client that reads back by msgid."""
    bob = IRCClient(daemon, irc_port(daemon), "bob")
    bob.registered()
    bob.send("CAP REQ :message-tags batch draft/chathistory")
    bob.next("cap")
    bob.join("#lobby")
    return bob


class LobbyTalkTests(SynchronousTestCase):
    """An IRC client and an nc user talk in #lobby through one daemon."""

    def setUp(self) -> None:
        self.daemon = start(self, ":memory:")
        self.port = irc_port(self.daemon)
        self.lobby = Lobby(self.daemon)

    def test_irc_client_and_nc_user_hear_each_other_in_lobby(self) -> None:
        """An IRC client joins #lobby itself, and each side reads the other's lines exactly, UTF-8 included."""
        alice = self.lobby.enter("alice")
        bob = IRCClient(self.daemon, self.port, "bob")
        self.assertEqual(bob.registered(), welcome("bob"))
        self.assertEqual(bob.join("#lobby"), ["alice", "bob"])
        # The first thing alice hears of bob is his JOIN: registering put him in no room.
        alice.expect_stamped("#lobby -- bob joined")
        alice.say("hello from nc, café ☕")
        self.assertEqual(bob.next("pubmsg"), Heard("pubmsg", "alice", "#lobby", ("hello from nc, café ☕",)))
        alice.expect_stamped("#lobby <alice> hello from nc, café ☕")
        bob.say("#lobby", "hello from IRC, naïve ☕")
        alice.expect_stamped("#lobby <bob> hello from IRC, naïve ☕")

    def test_nc_user_sees_irc_client_quit_with_its_reason(self) -> None:
        """An IRC client's QUIT reaches the room as the line front end's quit line, with the reason given."""
        alice = self.lobby.enter("alice")
        bob = IRCClient(self.daemon, self.port, "bob")
        bob.registered()
        bob.join("#lobby")
        alice.expect_stamped("#lobby -- bob joined")
        bob.quit("gone home")
        alice.expect_stamped("-- bob quit (gone home)")

    def test_a_long_quit_reason_is_cut_to_200_characters_on_either_front_end(self) -> None:
        """lenny's /quit of 250 accented letters reaches bob on IRC as the first 200, whole characters; bob's QUIT
        of 300 characters reaches alice on nc as its first 200."""
        alice = self.lobby.enter("alice")
        lenny = self.lobby.enter("lenny")
        bob = IRCClient(self.daemon, self.port, "bob")
        bob.registered()
        bob.join("#lobby")
        self.lobby.hear("#lobby -- bob joined")
        lenny.say("/quit " + "é" * 250)
        self.assertEqual(bob.next("quit"), Heard("quit", "lenny", None, ("Quit: " + "é" * 200,)))
        alice.expect_stamped("-- lenny quit (" + "é" * 200 + ")")
        bob.quit("why " * 75)
        alice.expect_stamped("-- bob quit (" + "why " * 50 + ")")


class SearchTests(SynchronousTestCase):
    """An IRC client searches #lobby with SEARCH (soju.im/search), answered by the store's search /search uses."""

    def test_search_finds_the_lines_holding_the_word_in_the_sqlite_index(self) -> None:
        """An nc user says two lines; the IRC client's SEARCH for a word of one reads that line alone, as the
        PRIVMSG it was, then the end of the batch; outside a room it is refused with FAIL SEARCH INVALID_PARAMS."""
        daemon = start(self, ":memory:")
        alice = Lobby(daemon).enter("alice")
        alice.say("the release is on Friday")
        alice.expect_stamped("#lobby <alice> the release is on Friday")
        alice.say("lunch at noon")
        alice.expect_stamped("#lobby <alice> lunch at noon")
        bob = IRCClient(daemon, irc_port(daemon), "bob")
        bob.registered()
        bob.send("SEARCH in=#lobby;text=release")
        self.assertEqual(
            bob.next("fail"),
            Heard(
                "fail",
                NAME,
                "SEARCH",
                ("INVALID_PARAMS", "in", "Join #lobby first: only its members search it"),
            ),
        )
        bob.join("#lobby")
        bob.send("SEARCH in=#lobby;text=release")
        self.assertEqual(
            bob.next("pubmsg"), Heard("pubmsg", "alice", "#lobby", ("the release is on Friday",))
        )
        bob.send("SEARCH in=#lobby;text=noon")
        self.assertEqual(bob.next("pubmsg"), Heard("pubmsg", "alice", "#lobby", ("lunch at noon",)))


class ModeTests(SynchronousTestCase):
    """An IRC client changes a room's modes while an nc user is in it."""

    def test_more_changes_than_modes_allows_are_refused_whole_saying_why(self) -> None:
        """bob's MODE of five +v, past MODES=4, is one FAIL naming the limit and changes nothing alice sees; a
        MODE within it reaches her."""
        daemon = start(self, ":memory:")
        bob = IRCClient(daemon, irc_port(daemon), "bob")
        bob.registered()
        bob.join("#mm")
        alice = Lobby(daemon).enter("alice")
        alice.say("/join #mm")
        bob.next("join", where=lambda event: event.nick == "alice")
        bob.send("MODE #mm +vvvvv alice alice alice alice alice")
        self.assertEqual(
            bob.next("fail"),
            Heard(
                "fail",
                NAME,
                "MODE",
                (
                    "TOO_MANY_MODES",
                    "At most 4 mode changes with a parameter in one MODE (MODES=4); nothing changed",
                ),
            ),
        )
        bob.send("MODE #mm +v alice")
        bob.next("mode")
        self.assertNotIn(" 461 ", "\n".join(bob.received))
        # alice's first line from bob is the MODE within the limit: the refused one told her nothing.
        line = alice.read_line()
        while b"-- bob " not in line:
            line = alice.read_line()
        self.assertTrue(line.endswith(b"#mm -- bob gave alice voice\r\n"), line)


class NameRefusalTests(SynchronousTestCase):
    """A refused nickname or channel name is said to an IRC client in the words nc users read."""

    def test_a_refused_nickname_and_channel_name_say_the_rule_in_words(self) -> None:
        """432 and 403 give the rule as a sentence, not chatd's code for it (bad-character, too-long)."""
        daemon = start(self, ":memory:")
        client = IRCClient(daemon, irc_port(daemon), "bad*nick")
        self.assertEqual(
            client.next("erroneusnickname").arguments[-1],
            "Erroneous nickname: a nickname holds only letters, digits, "
            "'-', '_', '[', ']', '{', '}', '\\', '|', '^' and '`'",
        )
        client.send("NICK " + "a" * 30)
        self.assertEqual(
            client.next("erroneusnickname").arguments[-1],
            "Erroneous nickname: a nickname is at most 24 characters",
        )
        client.send("NICK alice")
        client.registered()
        client.send("JOIN ##x")
        self.assertEqual(
            client.next("nosuchchannel").arguments,
            ("##x", "Bad channel name: a room name holds only letters, digits, '-', '_' and '.'"),
        )


class ChatHistoryTests(SynchronousTestCase):
    """An IRC client reads #lobby's history by msgid, as one paging back from what it was shown."""

    def test_a_msgid_the_room_keeps_no_line_of_is_answered_fail_not_an_empty_batch(self) -> None:
        """alice pastes two lines; bob's client reads them in a batch, tagged ID and ID.1. An unknown msgid is one
        FAIL MESSAGE_ERROR, as the spec has it for history that cannot be given; msgid=ID.1 (the second line's
        tag, the last line the client saw) reads as msgid=ID."""
        daemon = start(self, ":memory:")
        alice = Lobby(daemon).enter("alice")
        alice.send(b"first line\nsecond line\n")
        alice.expect_stamped("#lobby <alice> first line")
        bob = history_reader(daemon)
        bob.send("CHATHISTORY LATEST #lobby * 10")
        bob.next("pubmsg", where=lambda event: event.arguments == ("second line",))
        tagged = [line for line in bob.received if line.endswith("PRIVMSG #lobby :second line")]
        found = re.match(r"@(?:\S*;)?msgid=(\w+)\.1[; ]", tagged[-1])
        assert found is not None, tagged
        event_id = found[1]
        sentence = "#lobby keeps no line with that msgid"
        bob.send("CHATHISTORY AFTER #lobby msgid=nosuchline 10")
        self.assertEqual(
            bob.next("fail"),
            Heard(
                "fail",
                NAME,
                "CHATHISTORY",
                ("MESSAGE_ERROR", "AFTER", "#lobby", "msgid=nosuchline", sentence),
            ),
        )
        alice.say("third line")
        bob.next("pubmsg", where=lambda event: event.arguments == ("third line",))
        bob.send(f"CHATHISTORY AFTER #lobby msgid={event_id}.1 10")
        self.assertEqual(bob.next("pubmsg"), Heard("pubmsg", "alice", "#lobby", ("third line",)))

    def test_between_reads_the_lines_between_two_msgids_from_the_first(self) -> None:
        """alice says four lines; bob's client reads their msgids, then BETWEEN the first and the last gives the
        two between, and with a limit of 1 the one nearest the first reference, forward or back; an unknown
        msgid and a limit of 0 are FAILs, and nothing else comes before them."""
        daemon = start(self, ":memory:")
        alice = Lobby(daemon).enter("alice")
        for text in ("one", "two", "three", "four"):
            alice.say(text)
            alice.expect_stamped(f"#lobby <alice> {text}")
        bob = history_reader(daemon)
        bob.send("CHATHISTORY LATEST #lobby * 10")
        bob.next("pubmsg", where=lambda event: event.arguments == ("four",))
        ids = {}
        for line in bob.received:
            found = re.match(r"@(?:\S*;)?msgid=(\w+)[; ].* PRIVMSG #lobby :(\w+)$", line)
            if found is not None:
                ids[found[2]] = found[1]
        one, four = f"msgid={ids['one']}", f"msgid={ids['four']}"

        def heard(text: str) -> Heard:
            return Heard("pubmsg", "alice", "#lobby", (text,))

        def failed(*arguments: str) -> Heard:
            return Heard("fail", NAME, "CHATHISTORY", arguments)

        sentence = "#lobby keeps no line with that msgid"
        bob.send(f"CHATHISTORY BETWEEN #lobby {one} {four} 10")
        self.assertEqual([bob.next("pubmsg", "fail") for _ in range(2)], [heard("two"), heard("three")])
        bob.send(f"CHATHISTORY BETWEEN #lobby {one} msgid=nosuchline 10")
        self.assertEqual(
            bob.next("pubmsg", "fail"),
            failed("MESSAGE_ERROR", "BETWEEN", "#lobby", "msgid=nosuchline", sentence),
        )
        bob.send(f"CHATHISTORY BETWEEN #lobby {four} {one} 1")
        self.assertEqual(bob.next("pubmsg", "fail"), heard("three"))
        bob.send(f"CHATHISTORY BETWEEN #lobby {one} {four} 0")
        self.assertEqual(
            bob.next("pubmsg", "fail"),
            failed("INVALID_PARAMS", "BETWEEN", "0", "The limit must be a number above 0"),
        )
        bob.send(f"CHATHISTORY BETWEEN #lobby {one} {four} 1")
        self.assertEqual(bob.next("pubmsg", "fail"), heard("two"))
        bob.send(f"CHATHISTORY BETWEEN #lobby {one} {four} ten")
        self.assertEqual(
            bob.next("pubmsg", "fail"),
            failed("INVALID_PARAMS", "BETWEEN", "ten", "The limit must be a number above 0"),
        )
        # A superscript two: a digit to str.isdigit, none to int(), which raised (FAIL ... INTERNAL).
        bob.send(f"CHATHISTORY BETWEEN #lobby {one} {four} \u00b2")
        self.assertEqual(
            bob.next("pubmsg", "fail"),
            failed("INVALID_PARAMS", "BETWEEN", "\u00b2", "The limit must be a number above 0"),
        )


class ChatHistoryFromAJoinTests(SynchronousTestCase):
    """An IRC client whose last line seen was its own JOIN reads from there, the history in a SQLite file."""

    def test_the_msgid_of_a_join_reads_the_lines_before_and_after_it(self) -> None:
        """bob joins #lobby with message-tags and keeps his JOIN's msgid; alice said a line before it and says one
        after: BEFORE and AFTER that msgid read each, from the --db file, where it was a FAIL MESSAGE_ERROR."""
        daemon = start(self, new_database(self))
        alice = Lobby(daemon).enter("alice")
        alice.say("before bob came")
        alice.expect_stamped("#lobby <alice> before bob came")
        bob = history_reader(daemon)
        joins = [line for line in bob.received if line.endswith(":bob!bob@chatd JOIN #lobby")]
        found = re.match(r"@(?:\S*;)?msgid=(\w+)[; ]", joins[-1])
        assert found is not None, joins
        alice.expect_stamped("#lobby -- bob joined")
        alice.say("after bob came")
        self.assertEqual(bob.next("pubmsg"), Heard("pubmsg", "alice", "#lobby", ("after bob came",)))
        bob.send(f"CHATHISTORY BEFORE #lobby msgid={found[1]} 10")
        self.assertEqual(bob.next("pubmsg", "fail"), Heard("pubmsg", "alice", "#lobby", ("before bob came",)))
        bob.send(f"CHATHISTORY AFTER #lobby msgid={found[1]} 10")
        self.assertEqual(bob.next("pubmsg", "fail"), Heard("pubmsg", "alice", "#lobby", ("after bob came",)))


TAGGED = re.compile(r"@(?P<tags>\S+) :(?P<nick>[^!]+)!\S+ PRIVMSG #lobby :(?P<text>.*)$")
"""A history line as the IRC client read it: its tags, who said it and what."""


class PointsInHistoryTests(SynchronousTestCase):
    """An IRC client pages #lobby's history from a QUIT's msgid and by server-time, in each store."""

    db = ":memory:"

    def test_a_quits_msgid_and_timestamps_read_the_lines_after_before_and_between(self) -> None:
        """carol says a line and QUITs; alice then says four. bob (message-tags, server-time) keeps the QUIT's
        msgid, which no room keeps: AFTER it reads alice's four lines. Then BEFORE, AFTER and BETWEEN the
        server-times he was shown read the lines strictly before, after and between those times, as the spec
        has it, where ``timestamp=`` was an INVALID_MSGREFTYPE."""
        daemon = start(self, self.database())
        port = irc_port(daemon)
        bob = IRCClient(daemon, port, "bob")
        bob.registered()
        bob.send("CAP REQ :message-tags batch draft/chathistory server-time")
        bob.next("cap")
        bob.join("#lobby")
        carol = IRCClient(daemon, port, "carol")
        carol.registered()
        carol.join("#lobby")
        carol.say("#lobby", "carol was here")
        bob.next("pubmsg", where=lambda event: event.nick == "carol")
        carol.quit("bye")
        bob.next("quit", where=lambda event: event.nick == "carol")
        quits = [line for line in bob.received if " :carol!carol@chatd QUIT " in line]
        found = re.match(r"@(?:\S*;)?msgid=(\w+)[; ]", quits[-1])
        assert found is not None, quits
        alice = IRCClient(daemon, port, "alice")
        alice.registered()
        alice.join("#lobby")
        said = ["one", "two", "three", "four"]
        for text in said:
            alice.say("#lobby", text)
            bob.next("pubmsg", where=lambda event, text=text: event.arguments == (text,))  # type: ignore[misc]
        self.assertEqual(self.batch(bob, f"AFTER #lobby msgid={found[1]} 10"), said)
        lines = self.batch(bob, "LATEST #lobby * 10", tagged=True)
        shown = {text: tags["time"] for tags, text in lines}
        self.assertEqual(list(shown), ["carol was here", *said])

        def strictly(keep: Callable[[str], bool]) -> list[str]:
            return [text for text, at in shown.items() if keep(at)]

        three, one, four = shown["three"], shown["one"], shown["four"]
        self.assertEqual(
            self.batch(bob, f"BEFORE #lobby timestamp={three} 10"), strictly(lambda at: at < three)
        )
        self.assertEqual(self.batch(bob, f"AFTER #lobby timestamp={one} 10"), strictly(lambda at: at > one))
        self.assertEqual(
            self.batch(bob, f"BETWEEN #lobby timestamp={one} timestamp={four} 10"),
            strictly(lambda at: one < at < four),
        )
        self.assertEqual(
            self.batch(bob, f"BEFORE #lobby timestamp={three} 1"), strictly(lambda at: at < three)[-1:]
        )
        self.assertIn("MSGREFTYPES=timestamp,msgid", " ".join(bob.received))

    def database(self) -> str:
        """The --db the daemon is given."""
        return self.db

    def batch(self, client: IRCClient, asked: str, *, tagged: bool = False) -> Any:
        """The lines (texts, or with ``tagged`` each line's tags and text) of the chathistory batch that
        ``CHATHISTORY asked`` is answered with; the test fails on a FAIL."""
        client.send(f"CHATHISTORY {asked}")
        end = client.next(
            "batch", "fail", where=lambda event: event.kind == "fail" or (event.target or "").startswith("-")
        )
        if end.kind == "fail" or end.target is None:
            client.fail(f"CHATHISTORY {asked} failed: {end}")
        reference = end.target[1:]
        closing = max(
            index for index, line in enumerate(client.received) if line.endswith(f"BATCH -{reference}")
        )
        opening = max(
            index for index, line in enumerate(client.received[:closing]) if f" BATCH +{reference} " in line
        )
        found = []
        for line in client.received[opening + 1 : closing]:
            match = TAGGED.match(line)
            assert match is not None, line
            tags = dict(tag.partition("=")[::2] for tag in match["tags"].split(";"))
            found.append((tags, match["text"]) if tagged else match["text"])
        return found


class PointsInAFileTests(PointsInHistoryTests):
    """The same, the history in a SQLite file: the points placed by bisection of its index."""

    def database(self) -> str:
        return new_database(self)


class AccountLoginTests(SynchronousTestCase):
    """IRC clients log in to an account an nc user registered: SASL PLAIN, PASS, and a wrong password."""

    def setUp(self) -> None:
        self.daemon = start(self, ":memory:")
        self.port = irc_port(self.daemon)
        alice = self.daemon.connect()
        alice.expect(WELCOME, PROMPT)
        alice.say("alice")
        alice.expect("*** You are alice.")
        alice.expect_stamped("#lobby -- alice joined")
        alice.expect("*** In #lobby (1): alice")
        alice.say(f"/register {PASSWORD}")
        alice.expect(REGISTERED)
        alice.say("/quit")
        self.assertEqual(alice.read_to_end(), b"*** Goodbye.\r\n")
        self.carol = Lobby(self.daemon).enter("carol")

    def test_sasl_plain_logs_in_to_the_account_an_nc_user_registered(self) -> None:
        """SASL PLAIN with the account's password: 900 and 903 before the welcome, then alice is alice in #lobby."""
        alice = IRCClient(self.daemon, self.port, "alice", sasl=("alice", PASSWORD))
        self.assertEqual(
            alice.next("loggedin"),
            Heard(
                "loggedin", NAME, "alice", ("alice!alice@chatd", "alice", "You are now logged in as alice")
            ),
        )
        self.assertEqual(
            alice.next("saslsuccess"),
            Heard("saslsuccess", NAME, "alice", ("SASL authentication successful",)),
        )
        self.assertEqual(alice.registered(), welcome("alice"))
        self.assertEqual(alice.join("#lobby"), ["carol", "alice"])
        self.carol.expect_stamped("#lobby -- alice joined")
        alice.say("#lobby", "it is me")
        self.carol.expect_stamped("#lobby <alice> it is me")

    def test_pass_before_nick_logs_in_to_the_account(self) -> None:
        """PASS with the account's password before NICK alice registers the connection as alice."""
        alice = IRCClient(self.daemon, self.port, "alice", password=PASSWORD)
        self.assertEqual(alice.registered(), welcome("alice"))

    def test_weechat_logs_in_with_sasl_to_the_account_an_nc_user_registered(self) -> None:
        """WeeChat set up with the account's name and password shows it logged in as alice!alice@chatd (900, 903)
        and joins #lobby as alice."""
        weechat = WeeChat(self.daemon, self.port, "alice", sasl=("alice", PASSWORD))
        logged = weechat.next_shown(lambda line: "irc_900" in line.tags, "900")
        # The mask alice will have, as every line shows her, not a host of "*".
        self.assertEqual(logged.message, "You are now logged in as alice (alice!alice@chatd)")
        success = weechat.next_shown(lambda line: "irc_903" in line.tags, "903")
        self.assertEqual(success.message, "SASL authentication successful")
        weechat.joined("#lobby")
        self.carol.expect_stamped("#lobby -- alice joined")

    def test_wrong_sasl_password_is_answered_904_and_the_nickname_stays_refused(self) -> None:
        """A wrong password gets 904, and registering as alice anyway is refused with 433."""
        mallory = IRCClient(self.daemon, self.port, "alice", sasl=("alice", "not-" + PASSWORD))
        self.assertEqual(
            mallory.next("saslfail", "saslsuccess"),
            Heard("saslfail", NAME, "alice", ("SASL authentication failed",)),
        )
        self.assertEqual(
            mallory.next("nicknameinuse", "welcome"),
            Heard(
                "nicknameinuse",
                NAME,
                "*",
                (
                    "alice",
                    "Nickname is registered as alice; log in with SASL or PASS, or /msg NickServ IDENTIFY alice PASSWORD",
                ),
            ),
        )

    def test_weechat_logs_in_with_the_msg_nickserv_identify_it_sends_on_connect(self) -> None:
        """WeeChat set up as for another network, its command option sending /msg NickServ IDENTIFY PASSWORD:
        refused alice at connect (433), it registers under another nickname, the IDENTIFY logs it in (900) as
        alice, and it joins #lobby as alice."""
        weechat = WeeChat(self.daemon, self.port, "alice", command=f"/msg NickServ IDENTIFY {PASSWORD}")
        logged = weechat.next_shown(lambda line: "irc_900" in line.tags, "900")
        self.assertIn("You are now logged in as alice", logged.message)
        self.carol.expect_stamped("#lobby -- alice joined")
        self.assertNotIn(PASSWORD.encode(), b"".join(self.daemon.logged_so_far()))


class WeeChatTests(SynchronousTestCase):
    """WeeChat talks with an nc user in #lobby, and again by itself after the daemon restarts."""

    def setUp(self) -> None:
        self.db = new_database(self)

    def test_weechat_talks_with_nc_user_and_again_after_a_restart_on_the_same_port(self) -> None:
        """WeeChat joins #lobby and talks both ways; after SIGTERM and a new daemon on the same IRC port and
        --db it reconnects and rejoins by itself, and talks both ways again."""
        first = start(self, self.db)
        port = irc_port(first)
        alice = Lobby(first).enter("alice")
        weechat = WeeChat(first, port, "wee")
        weechat.joined("#lobby")
        alice.expect_stamped("#lobby -- wee joined")
        said = self.talk(alice, weechat, "before the restart")

        self.assertEqual(first.signal(signal.SIGTERM), -signal.SIGTERM)
        self.assertEqual(alice.read_to_end(), SHUTDOWN)
        closing = weechat.next_shown(lambda line: "irc_error" in line.tags, "ERROR line")
        self.assertEqual(closing.message, "Closing Link: 127.0.0.1 (Server shutting down)")
        weechat.disconnected()

        second = start(self, self.db, port)
        self.assertEqual(irc_port(second), port)
        weechat.daemon = second  # whose log a failure shows from now on
        weechat.joined("#lobby")
        # The same --db: on rejoining, WeeChat (which took server-time) is
        # replayed the room's lines from before the restart, stamped with
        # when they were said, and so is alice when she comes back, dated.
        replayed = weechat.heard("#lobby")
        self.assertEqual((replayed.prefix, replayed.message), ("alice", "hello WeeChat, before the restart"))
        self.assertEqual(replayed.server_time, said.server_time)
        replayed = weechat.heard("#lobby")
        self.assertEqual((replayed.prefix, replayed.message), ("wee", "hello alice, before the restart ☕"))
        alice = second.connect()
        alice.expect(WELCOME, PROMPT)
        alice.say("alice")
        alice.expect("*** You are alice.")
        alice.expect_stamped("#lobby -- alice joined")
        alice.expect("*** In #lobby (2): wee alice")
        expect_dated(alice, "#lobby <alice> hello WeeChat, before the restart")
        expect_dated(alice, "#lobby <wee> hello alice, before the restart ☕")
        alice.expect("*** End of history of #lobby: nothing earlier is kept.")
        self.talk(alice, weechat, "after the restart")

    def talk(self, alice: LineClient, weechat: WeeChat, when: str) -> Shown:
        """alice says a line WeeChat shows as hers (returned); WeeChat's user types one alice reads as wee's."""
        alice.say(f"hello WeeChat, {when}")
        alice.expect_stamped(f"#lobby <alice> hello WeeChat, {when}")
        heard = weechat.heard("#lobby")
        self.assertEqual((heard.prefix, heard.message), ("alice", f"hello WeeChat, {when}"))
        self.assertIn("nick_alice", heard.tags)
        self.assertIsNotNone(heard.server_time)
        weechat.say("#lobby", f"hello alice, {when} ☕")
        alice.expect_stamped(f"#lobby <wee> hello alice, {when} ☕")
        return heard


class SecondConnectionTests(SynchronousTestCase):
    """An IRC client logs in to an account that is already online on nc: one more connection of that user."""

    def test_irc_client_of_an_account_online_on_nc_is_joined_to_its_rooms(self) -> None:
        """It is sent a JOIN for #lobby before #lobby's NAMES, as a client needs to open the room, and
        then hears what is said there."""
        daemon = start(self, ":memory:")
        lobby = Lobby(daemon)
        alice = lobby.enter("alice")
        alice.say(f"/register {PASSWORD}")
        alice.expect(REGISTERED)
        carol = lobby.enter("carol")
        irc = IRCClient(daemon, irc_port(daemon), "alice", sasl=("alice", PASSWORD))
        self.assertEqual(irc.registered(), welcome("alice"))
        self.assertEqual(irc.next("join", "namreply"), Heard("join", "alice", "#lobby", ()))
        carol.say("hello both alices")
        self.assertEqual(irc.next("pubmsg"), Heard("pubmsg", "carol", "#lobby", ("hello both alices",)))


class KillTests(SynchronousTestCase):
    """An operator on IRC takes someone off the server."""

    def test_an_operator_sharing_no_room_reads_a_notice_and_the_room_reads_the_quit(self) -> None:
        """The victim's roommate reads the kill and the victim is closed; the operator, in none of the victim's
        rooms, reads the server's NOTICE once and no QUIT."""
        opers = opers_file(self, quick_hash(PASSWORD))
        daemon = Daemon.start(self, [*LOOPBACK, "--irc-port", "0", "--opers", opers])
        port = irc_port(daemon)
        carol = Lobby(daemon).enter("carol")
        dave = IRCClient(daemon, port, "dave")
        dave.registered()
        dave.join("#lobby")
        carol.expect_stamped("#lobby -- dave joined")
        boss = IRCClient(daemon, port, "boss")
        boss.registered()
        boss.send(f"OPER boss {PASSWORD}")
        boss.next("youreoper")
        boss.send("KILL dave :spam")
        self.assertEqual(
            boss.next("privnotice"), Heard("privnotice", NAME, "boss", ("dave was killed by boss (spam)",))
        )
        carol.expect_stamped("-- dave was killed by boss (spam)")
        self.assertEqual(
            dave.next("error"), Heard("error", "", "Closing Link: 127.0.0.1 (Killed (boss (spam)))", ())
        )
        # Whatever the kill sent boss came before the answer to a later TIME.
        boss.send("TIME")
        boss.next("time")
        self.assertEqual(
            [text for text in boss.received if "dave" in text],
            [f":{NAME} NOTICE boss :dave was killed by boss (spam)"],
        )


class TargetsTests(SynchronousTestCase):
    """CHATHISTORY TARGETS on a real daemon with a --db file, read by a real IRC client."""

    def test_targets_lists_the_clients_rooms_and_its_accounts_conversations_only(self) -> None:
        """alice talks in #lobby and writes to carol; dave writes to carol too. alice's IRC client asks for the
        targets of the last hour: #lobby and carol, in a draft/chathistory-targets batch, each with the time of
        its latest line; dave, carol's partner and not alice's, is not listed."""
        daemon = start(self, new_database(self))
        lobby = Lobby(daemon)
        people = {nick: lobby.enter(nick) for nick in ("alice", "carol", "dave")}
        for nick, client in people.items():
            client.say(f"/register {PASSWORD}")
            client.expect(f"*** The nickname {nick} is registered to you, and you are identified to it.")
        people["alice"].say("hello all")
        lobby.hear("#lobby <alice> hello all")
        people["alice"].say("/msg carol psst")
        people["dave"].say("/msg carol hey")
        heard = people["carol"].read_line() + people["carol"].read_line()
        self.assertIn(b"psst", heard)
        self.assertIn(b"hey", heard)
        alice = IRCClient(daemon, irc_port(daemon), "alice", password=PASSWORD)
        alice.registered()
        alice.send("CAP REQ :batch draft/chathistory")
        alice.next("cap")
        hour = time.time() + 3600
        later = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(hour))
        earlier = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(hour - 7200))
        alice.send(f"CHATHISTORY TARGETS timestamp={later} timestamp={earlier} 10")
        listed = [alice.next("chathistory") for _ in range(2)]
        self.assertEqual(sorted(event.arguments[0] for event in listed), ["#lobby", "carol"])
        batch = [line for line in alice.received if "BATCH" in line or " CHATHISTORY " in line]
        self.assertRegex(batch[0], rf"^:{NAME} BATCH \+\w+ draft/chathistory-targets$")
        for line in batch[1:3]:
            self.assertRegex(
                line, rf"^@batch=\w+ :{NAME} CHATHISTORY TARGETS (#lobby|carol) \d{{4}}-\d\d-\d\dT[\d:.]+Z$"
            )
        alice.next("batch", where=lambda event: (event.target or "").startswith("-"))
        self.assertNotIn("dave", " ".join(alice.received[-4:]))


class AccountRegistrationTests(SynchronousTestCase):
    """An IRC user makes an account with REGISTER on a real daemon with a --db file, and logs in to it after."""

    def setUp(self) -> None:
        self.db = new_database(self)
        self.daemon = start(self, self.db)
        self.port = irc_port(self.daemon)

    def test_register_then_quit_and_log_in_with_sasl_next_time(self) -> None:
        """REGISTER * * PASSWORD: 900 and REGISTER SUCCESS; after QUIT a new connection logs in with SASL PLAIN
        (900, 903) and is welcomed as alice, and a connection without the password is refused the nickname."""
        alice = IRCClient(self.daemon, self.port, "alice")
        alice.registered()
        alice.send(f"REGISTER * * {PASSWORD}")
        self.assertEqual(
            alice.next("loggedin"),
            Heard(
                "loggedin", NAME, "alice", ("alice!alice@chatd", "alice", "You are now logged in as alice")
            ),
        )
        self.assertEqual(
            alice.next("register", "fail"),
            Heard(
                "register", NAME, "SUCCESS", ("alice", "Account alice registered; you are logged in to it")
            ),
        )
        alice.quit()
        again = IRCClient(self.daemon, self.port, "alice", sasl=("alice", PASSWORD))
        self.assertEqual(
            again.next("loggedin"),
            Heard(
                "loggedin", NAME, "alice", ("alice!alice@chatd", "alice", "You are now logged in as alice")
            ),
        )
        self.assertEqual(
            again.next("saslsuccess"),
            Heard("saslsuccess", NAME, "alice", ("SASL authentication successful",)),
        )
        self.assertEqual(again.registered(), welcome("alice"))
        again.quit()
        stranger = IRCClient(self.daemon, self.port, "alice")
        self.assertEqual(stranger.next("nicknameinuse", "welcome").kind, "nicknameinuse")

    def test_an_account_the_file_cannot_keep_is_refused_and_the_login_undone(self) -> None:
        """With the --db file refusing new accounts (a full disk), REGISTER logs in (900), then out (901), and is
        answered TEMPORARILY_UNAVAILABLE; the nickname stays anyone's."""
        refuse_on_accounts(self.db, "INSERT")
        bob = IRCClient(self.daemon, self.port, "bob")
        bob.registered()
        bob.send(f"REGISTER * * {PASSWORD}")
        self.assertEqual(bob.next("loggedin").kind, "loggedin")
        self.assertEqual(
            bob.next("loggedout"),
            Heard("loggedout", NAME, "bob", ("bob!bob@chatd", "You are now logged out")),
        )
        self.assertEqual(
            bob.next("fail", "register"),
            Heard(
                "fail",
                NAME,
                "REGISTER",
                (
                    "TEMPORARILY_UNAVAILABLE",
                    "bob",
                    "The server could not save the account; nothing changed, try again later",
                ),
            ),
        )
        bob.quit()
        self.assertEqual(IRCClient(self.daemon, self.port, "bob").registered(), welcome("bob"))

    def test_weechat_is_told_how_by_nickserv_then_registers_with_it_and_logs_in_with_sasl(self) -> None:
        """WeeChat's user types /msg NickServ HELP and reads how accounts are made here; /msg NickServ REGISTER
        PASSWORD registers; set up for SASL, WeeChat reconnects logged in (903)."""
        weechat = WeeChat(self.daemon, self.port, "alice")
        weechat.joined("#lobby")
        weechat.say("#lobby", "/msg NickServ HELP")
        how = weechat.next_shown(lambda line: "There is no NickServ here" in line.message, "NickServ answer")
        self.assertIn("irc_notice", how.tags)
        self.assertIn("/msg NickServ REGISTER PASSWORD", how.message)
        weechat.say("#lobby", f"/msg NickServ REGISTER {PASSWORD}")
        done = weechat.next_shown(
            lambda line: "registered; you are logged in" in line.message, "NOTICE of the registration"
        )
        # A NOTICE, not REGISTER SUCCESS, which WeeChat shows as an error: 'irc: command "REGISTER" not found'.
        self.assertIn("irc_notice", done.tags)
        self.assertIn("Account alice registered; you are logged in to it", done.message)
        for command in (
            "/set irc.server.chatd.sasl_mechanism plain",
            "/set irc.server.chatd.sasl_username alice",
            f"/set irc.server.chatd.sasl_password {PASSWORD}",
            "/reconnect",
        ):
            weechat.say("#lobby", command)
        success = weechat.next_shown(lambda line: "irc_903" in line.tags, "903")
        self.assertEqual(success.message, "SASL authentication successful")
        weechat.joined("#lobby")
