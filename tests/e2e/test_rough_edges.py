"""The rough edges a newcomer met in the first ten minutes (issue 12), and the replies a user trial found
confusing, on a real daemon over loopback."""

import hashlib
import socket

from twisted.trial.unittest import SynchronousTestCase

from chatd import __version__
from chatd.line.table import COMMANDS
from tests.e2e.daemon import SharedDaemon
from tests.e2e.lobby import NAME, PROMPT, SHARED_LOBBY, WELCOME, Lobby, start_chatd
from tests.e2e.test_files_restart import enter
from tests.e2e.test_web_files import next_of, upload


class FirstMinutesTests(SynchronousTestCase):
    """One daemon started with ``--default-room lobby``, as a newcomer would type it."""

    shared = SharedDaemon([*SHARED_LOBBY, "--default-room", "lobby", "--motd", "Be kind."])

    @classmethod
    def tearDownClass(cls) -> None:
        cls.shared.stop()

    def setUp(self) -> None:
        self.daemon = self.shared.lend(self)
        self.lobby = Lobby(self.daemon)

    def test_bare_default_room_is_the_lobby_and_bare_part_leaves_it(self) -> None:
        """--default-room lobby puts users in #lobby; /part lobby then leaves #lobby, not with reason "lobby"."""
        alice = self.lobby.enter("alice", motd=["Be kind."])
        alice.say("/join dev")
        alice.expect_stamped("#dev -- alice joined")
        alice.expect("*** In #dev (1): @alice")
        alice.say("/part lobby")
        alice.expect_stamped("#lobby -- alice left")

    def test_a_last_line_without_newline_is_said_when_the_client_half_closes(self) -> None:
        """printf 'alice\\nhi' | nc -N: the last line, unended, is said once the client shuts its side (SHUT_WR); its
        replies reach it, then the server closes, alice leaving as a dropped connection does."""
        bob = self.lobby.enter("bob", motd=["Be kind."])
        alice = self.daemon.connect()
        alice.send(b"alice\nhi")
        alice.socket.shutdown(socket.SHUT_WR)
        told = alice.read_to_end()
        self.assertIn(b"*** You are alice.\r\n", told)
        self.assertTrue(told.endswith(b"#lobby <alice> hi\r\n"), told)
        bob.expect_stamped("#lobby -- alice joined", "#lobby <alice> hi", "-- alice quit (connection closed)")

    def test_message_to_oneself_arrives_once(self) -> None:
        """/msg to one's own nickname arrives once: the next line is the reply to the next command."""
        alice = self.lobby.enter("alice", motd=["Be kind."])
        alice.say("/msg alice note to self")
        alice.expect_stamped("<alice -> alice> note to self")
        alice.say("/away")
        alice.expect("*** You were not marked as away.")

    def test_prompt_repeats_only_after_a_refused_nickname(self) -> None:
        """Before a nickname, an unknown command is one ERR line; a taken nickname is asked again."""
        self.lobby.enter("alice", motd=["Be kind."])
        newcomer = self.daemon.connect()
        newcomer.expect(WELCOME, "*** Be kind.", PROMPT)
        newcomer.say("/join dev")
        newcomer.say("alice")
        newcomer.expect(
            "ERR need-nick choose a nickname first",
            "ERR nick-in-use alice is already taken; choose another nickname",
            PROMPT,
        )

    def test_program_asking_for_json_first_gets_the_greeting_as_json(self) -> None:
        """A first line /format json is answered with the welcome, MOTD and prompt as JSON, after the text greeting."""
        bot = self.daemon.connect()
        bot.say("/format json")
        bot.expect(WELCOME, "*** Be kind.", PROMPT)
        self.assertEqual(
            [bot.expect_json() for _ in range(4)],
            [
                {"type": "notice", "kind": "format", "format": "json", "text": "Lines are now json."},
                {
                    "type": "notice",
                    "kind": "welcome",
                    "server": NAME,
                    "version": __version__,
                    "file_max_size": 100 * 1024 * 1024,
                    "text": WELCOME.removeprefix("*** "),
                },
                {"type": "notice", "kind": "motd", "text": "Be kind."},
                {"type": "notice", "kind": "prompt", "text": "Choose a nickname:"},
            ],
        )
        bot.say("bot")
        named = bot.expect_json()
        # The takeover token is a secret of its own each time: its shape is what can be checked.
        self.assertRegex(named.pop("token"), "^[A-Za-z0-9_-]{24}$")
        self.assertEqual(named, {"type": "notice", "kind": "nick", "nick": "bot", "text": "You are bot."})


class UserTrialTests(SynchronousTestCase):
    """Replies a user trial found confusing, each read as an nc user reads it."""

    shared = SharedDaemon(SHARED_LOBBY)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.shared.stop()

    def setUp(self) -> None:
        self.daemon = self.shared.lend(self)
        self.lobby = Lobby(self.daemon)

    def test_a_refused_room_name_quotes_each_character_it_may_hold(self) -> None:
        """A room name's characters are listed one by one, quoted: the "." of "-_." read as the sentence's end."""
        alice = self.lobby.enter("alice")
        alice.say("/join ##x")
        alice.expect(
            "ERR bad-room '##x' is not a valid room name: a room name holds only letters, digits, '-', '_' and '.'"
        )
        alice.say("/join #a.b")
        alice.expect_stamped("#a.b -- alice joined")

    def test_a_refused_nickname_quotes_each_character_it_may_hold(self) -> None:
        """A nickname's punctuation is listed one character at a time, quoted, before the prompt comes again."""
        newcomer = self.daemon.connect()
        newcomer.expect(WELCOME, PROMPT)
        newcomer.say("bad*nick")
        newcomer.expect(
            "ERR bad-nick 'bad*nick' is not a valid nickname: a nickname holds only letters, digits, "
            "'-', '_', '[', ']', '{', '}', '\\', '|', '^' and '`'",
            PROMPT,
        )

    def test_a_private_message_to_a_room_says_how_to_talk_there(self) -> None:
        """/msg to a #name is refused as a room's, not as nobody online: in the current room the line alone says it
        there; in another, /join first."""
        alice = self.lobby.enter("alice")
        alice.say("/msg #lobby hi")
        alice.expect(
            "ERR msg-to-room #lobby names a room, not a nickname: type the line without /msg to say it there"
        )
        alice.say("/msg #dev hi")
        alice.expect(
            "ERR msg-to-room #dev names a room, not a nickname: /join #dev, then type the line without /msg "
            "to say it there"
        )

    def test_history_of_a_word_names_what_it_read_for_someone_not_identified(self) -> None:
        """/history WORD out of #WORD: not identified, a word no account has is the room #WORD when there is one
        (join it first); else the private messages with WORD, which the refusal names."""
        alice = self.lobby.enter("alice")
        bob = self.lobby.enter("bob")
        bob.say("/join #craft")
        bob.expect_stamped("#craft -- bob joined")
        alice.say("/history craft")
        alice.expect("ERR members-only only members of #craft may read its history; /join #craft first")
        alice.say("/history carol")
        alice.expect(
            "ERR not-identified /history carol reads your private messages with carol, which needs you identified; "
            "/register PASSWORD or /identify PASSWORD first"
        )

    def test_help_typed_for_a_nickname_helps_choose_one(self) -> None:
        """At the prompt, help alone is a one-line hint, not the nickname; /help ends on choosing one, not on the
        current room; /nick help still takes the nickname help."""
        newcomer = self.daemon.connect()
        newcomer.expect(WELCOME, PROMPT)
        newcomer.say("Help")
        newcomer.expect(
            "*** Type the nickname you want to use; /help lists the commands (/nick help, if you want to be called help)."
        )
        newcomer.say("/help")
        listed = [newcomer.read_line() for _ in COMMANDS]
        self.assertEqual(listed[0], b"*** /help [command] - list the commands, or explain one\r\n")
        newcomer.expect(
            "*** You have no nickname yet: type the one you want (NICK PASSWORD for a registered one); "
            "/help nick says what it may hold."
        )
        newcomer.say("/nick help")
        newcomer.expect("*** You are help.")

    def test_a_second_room_given_to_join_is_refused_not_taken_for_a_key(self) -> None:
        """/join #art #dev is one usage line and joins neither room (#dev was silently #art's key); a room whose key
        starts with # is still joined with it."""
        alice = self.lobby.enter("alice")
        alice.say("/join #art #dev")
        alice.expect("ERR usage usage: /join #room [KEY], one room at a time: /join #art, then /join #dev")
        alice.say("/who #dev")
        alice.expect("ERR no-such-room there is no room #dev")
        alice.say("/join #art")
        alice.expect_stamped("#art -- alice joined")
        alice.expect("*** In #art (1): @alice")
        alice.say("/mode #art +k #dev")
        alice.expect_stamped("#art -- alice set the room's key to #dev")
        bob = self.lobby.enter("bob")
        bob.say("/join #art #dev")
        bob.expect_stamped("#art -- bob joined")

    def test_the_seventeenth_file_waiting_for_one_person_is_refused_in_one_line(self) -> None:
        """Sessions from one address (one user to the limits) leave bob 16 files; a 17th, offered from nc there, is
        refused in one line saying what to do, and bob still has the 16 alone. From addresses of this test's own, so
        that nothing it leaves open counts for another test's users."""
        bob = enter(self.daemon, "bob", "127.0.0.62")
        files = []
        for n in range(6):  # a few files a session, within each one's flood budget
            sender = enter(self.daemon, f"alice{n}", "127.0.0.61")
            files += [
                upload(sender, "bob", f"{n}-{k}.txt", b"%d-%d" % (n, k)) for k in range(3 if n < 4 else 2)
            ]
        carol = self.daemon.connect(source="127.0.0.61")
        carol.expect(WELCOME, PROMPT)
        carol.say("carol")
        while not carol.read_line().startswith(b"*** In #lobby"):
            pass
        carol.say(f"/file offer bob 2 {hashlib.sha256(b'17').hexdigest()} text/plain 17.txt")
        carol.expect(
            "ERR file-too-many you have 16 files waiting for bob, the most at once; wait until they fetch or decline "
            "one, or withdraw one with /file cancel ID"
        )
        bob.say("/file list")
        self.assertEqual([entry["file"] for entry in next_of(bob, "file_list")["files"]], files)

    def test_a_user_offered_many_files_declines_every_one_in_one_line(self) -> None:
        """bob, on nc, ignores alice1; alice0 and alice1 offer him two files each: /file decline * declines the four,
        alice1's hidden from him too, each sender told; bob reads a line for each he was shown, then the count, and
        has nothing left to list. From addresses of this test's own, as the test above."""
        bob = self.daemon.connect(source="127.0.0.64")
        bob.expect(WELCOME, PROMPT)
        bob.say("bob")
        bob.say("/ignore alice1")
        while not bob.read_line().startswith(b"*** You now ignore alice1"):
            pass
        senders = [enter(self.daemon, f"alice{n}", "127.0.0.63") for n in range(2)]
        files = [[upload(sender, "bob", f"{k}.txt", b"%d" % k) for k in range(2)] for sender in senders]
        bob.say("/file decline *")
        declined = []
        while (line := bob.read_line().decode().rstrip("\r\n")) != "*** You declined 4 file offers.":
            if line.startswith("*** bob declined"):
                declined.append(line)
        self.assertEqual(declined, [f"*** bob declined {file}." for file in files[0]])
        for sender, theirs in zip(senders, files, strict=True):
            told = [next_of(sender, "file_declined") for _ in theirs]
            self.assertEqual(
                [(item["file"], item["nick"]) for item in told], [(file, "bob") for file in theirs]
            )
        bob.say("/file list")
        while bob.read_line() != b"*** Files (0):\r\n":
            pass


class LongNumberTests(SynchronousTestCase):
    """A daemon whose host let lines of 20,000 bytes in (``--max-line``, and the bytes a second to send a few),
    with its SQLite file, as a host runs it."""

    def setUp(self) -> None:
        self.daemon = start_chatd(self, "--max-line", "20000", "--flood-bytes", "65536")
        self.lobby = Lobby(self.daemon)

    def test_a_number_of_5000_digits_gets_the_commands_own_refusal(self) -> None:
        """A member limit, a count, a page and a key log seq of 5000 digits (past the 4300 Python's int() reads),
        and a seq of 19 (past what SQLite keeps): each command's own one-line refusal, not ERR internal."""
        alice = self.lobby.enter("alice")
        alice.say("/join #dev")
        alice.expect_stamped("#dev -- alice joined")
        alice.expect("*** In #dev (1): @alice")
        long = "9" * 5000
        alice.say(f"/mode #dev +l {long}")
        alice.expect(
            f"ERR bad-room-limit '{long}' is not a member limit: write a whole number from 1 to 100000"
        )
        for line, usage in (
            (f"/history {long}", "/history [#room|NICK|@NICK] [N|around ID|before ID [N]]"),
            (f"/rooms {long}", "/rooms [PAGE]"),
            (f"/key log {long}", "/key publish KEY|drop KEY|get NICK|log [FROM]"),
            (f"/key log {'9' * 19}", "/key publish KEY|drop KEY|get NICK|log [FROM]"),
        ):
            alice.say(line)
            alice.expect(f"ERR usage usage: {usage}")
        alice.say(f"/mode #dev +l {'0' * 5000}5")
        alice.expect_stamped("#dev -- alice set the room's member limit to 5")
