"""SEARCH over IRC, soju.im/search (chatd.irc.search): /search's question and rules, as the extension answers."""

from tests.irc import IRCTestCase


class SearchTests(IRCTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.bob, _ = self.connect(b"bob")
        for text in ("the release is on Friday", "lunch at noon", "release notes are up"):
            self.clock.advance(60)
            self.bob.dataReceived(f"{text}\n".encode())
            self.end_pass()

    def test_cap_ls_offers_the_extension(self) -> None:
        """CAP LS lists soju.im/search, and a client may take it."""
        client, wire = self.irc_connect()
        self.send(client, "CAP LS 302", "CAP REQ soju.im/search")
        lines = self.lines(wire)
        self.assertIn("soju.im/search", b" ".join(lines).decode().split())
        self.assertEqual(lines[-1], b":testhost CAP * ACK :soju.im/search")

    def test_a_search_gives_the_lines_holding_every_word_oldest_first_in_a_batch(self) -> None:
        """SEARCH in=#lobby;text=release: the two lines with the word, as the PRIVMSGs they were, with their times,
        in a soju.im/search batch; the line without it is left out."""
        alice, wire = self.irc_user("alice", "server-time", "batch", "soju.im/search")
        self.send(alice, "JOIN #lobby")
        self.lines(wire)
        self.send(alice, "SEARCH in=#lobby;text=release")
        lines = self.lines(wire)
        self.assertRegex(lines[0], rb"^:testhost BATCH \+(\w+) soju.im/search$")
        reference = lines[0].split()[2][1:].decode()
        self.assertEqual(
            lines[1:],
            [
                f"@time=1970-01-01T00:01:00.000Z;batch={reference} :bob!bob@chatd PRIVMSG #lobby :the release is on Friday".encode(),
                f"@time=1970-01-01T00:03:00.000Z;batch={reference} :bob!bob@chatd PRIVMSG #lobby :release notes are up".encode(),
                f":testhost BATCH -{reference}".encode(),
            ],
        )

    def test_from_and_limit_narrow_the_hits_and_escaped_words_are_read(self) -> None:
        """text=release\\snotes (a space escaped, as gamja writes it) finds one line; from=carol none of them;
        limit=1 keeps the newest; nine words are refused as /search refuses them. Without batch the lines come
        bare."""
        alice, wire = self.irc_user("alice")
        self.send(alice, "JOIN #lobby")
        self.lines(wire)
        self.send(alice, r"SEARCH in=#lobby;text=release\snotes")
        self.assertEqual(self.lines(wire), [b":bob!bob@chatd PRIVMSG #lobby :release notes are up"])
        self.clock.advance(1)
        self.send(alice, "SEARCH in=#lobby;text=release;from=carol")
        self.assertEqual(self.lines(wire), [])
        self.clock.advance(1)
        self.send(alice, "SEARCH in=#lobby;text=release;limit=1;from=BOB")
        self.assertEqual(self.lines(wire), [b":bob!bob@chatd PRIVMSG #lobby :release notes are up"])
        self.clock.advance(1)
        self.send(alice, r"SEARCH in=#lobby;text=one\stwo\sthree\sfour\sfive\ssix\sseven\seight\snine")
        self.assertEqual(
            self.lines(wire),
            [b":testhost FAIL SEARCH INVALID_PARAMS text :A search looks for 1 to 8 words, not 9"],
        )

    def test_before_the_oldest_hit_shown_pages_back_and_after_bounds_the_search(self) -> None:
        """Of 25 lines holding "match" SEARCH answers the newest 20; before= the time of the oldest of them, the
        other 5 (limit=2: the newest two of those); after= a hit's time, the hits after it alone.

        before= and after= narrowed the newest 20 and searched no further
        back: before= the oldest shown answered nothing, and the first
        five lines could never be found.
        """
        for n in range(1, 26):
            self.clock.advance(60)
            self.bob.dataReceived(f"match {n}\n".encode())
            self.end_pass()
        alice, wire = self.irc_user("alice", "server-time")
        self.send(alice, "JOIN #lobby")
        self.lines(wire)

        def found(asked: str) -> list[tuple[str, str]]:
            self.clock.advance(10)
            self.send(alice, f"SEARCH in=#lobby;text=match{asked}")
            return [(line[6:30].decode(), line.rsplit(b" :", 1)[1].decode()) for line in self.lines(wire)]

        newest = found("")
        self.assertEqual([text for _, text in newest], [f"match {n}" for n in range(6, 26)])
        oldest = newest[0][0]
        self.assertEqual(oldest, "1970-01-01T00:09:00.000Z")
        self.assertEqual(
            [text for _, text in found(f";before={oldest}")], [f"match {n}" for n in range(1, 6)]
        )
        self.assertEqual([text for _, text in found(f";before={oldest};limit=2")], ["match 4", "match 5"])
        after = newest[-3][0]
        self.assertEqual([text for _, text in found(f";after={after}")], ["match 24", "match 25"])
        self.assertEqual(
            [text for _, text in found(f";after={oldest};before={after}")],
            [f"match {n}" for n in range(7, 23)],
        )

    def test_only_members_search_a_room_and_bad_attributes_are_refused(self) -> None:
        """Outside the room, with no words, with no target or a nickname while not identified, an unknown attribute or a bad time: one FAIL
        SEARCH INVALID_PARAMS each, naming the attribute, and nothing read."""
        alice, wire = self.irc_user("alice")
        for asked, refused in (
            ("in=#lobby;text=release", b"in :Join #lobby first: only its members search it"),
            ("in=;text=release", b"in :Name what to search: in=#room, or in=nick for your private messages"),
            (
                "in=bob;text=release",
                b"in :Identify first: private messages are searched by their two identified accounts alone",
            ),
            ("in=#lobby", b"text :Give the words to look for: text=words"),
            ("in=#lobby;text=x;sort=new", b"sort :SEARCH takes in, text, from, after, before and limit"),
            ("in=#lobby;text=x;after=yesterday", b"after :A time is written YYYY-MM-DDThh:mm:ss.sssZ"),
            (
                "in=#lobby;text=x;before=2026-13-01T00:00:00Z",
                b"before :A time is written YYYY-MM-DDThh:mm:ss.sssZ",
            ),
            ("in=#lobby;text=x;limit=ten", b"limit :The limit must be a number above 0"),
            ("in=#lobby;text=x;limit=0", b"limit :The limit must be a number above 0"),
        ):
            self.clock.advance(1)
            self.send(alice, f"SEARCH {asked}")
            self.assertEqual(self.lines(wire), [b":testhost FAIL SEARCH INVALID_PARAMS " + refused], asked)

    def test_a_search_scanning_for_a_short_word_costs_a_burst_of_flood_budget(self) -> None:
        """A word under three characters scans the room's last lines, as /search does: right after one such
        search the client's next line waits its turn (fakelag) instead of being answered at once."""
        alice, wire = self.irc_user("alice")
        self.send(alice, "JOIN #lobby")
        self.lines(wire)
        self.send(alice, "SEARCH in=#lobby;text=on")
        self.assertEqual(
            self.lines(wire),
            [
                b":bob!bob@chatd PRIVMSG #lobby :the release is on Friday",
                b":bob!bob@chatd PRIVMSG #lobby :lunch at noon",
            ],
        )
        self.send(alice, "TIME")
        self.assertEqual(self.lines(wire), [])
        self.clock.advance(10)
        self.assertEqual(len(self.lines(wire)), 1)


class PrivateSearchTests(IRCTestCase):
    """SEARCH in=nick: alice's private messages with carol, both identified; bob's with carol are not hers."""

    def setUp(self) -> None:
        super().setUp()
        self.alice, _ = self.connect(b"alice")
        self.alice.dataReceived(b"/register sesame12\n")
        self.bob, _ = self.connect(b"bob", host="10.0.0.2")
        self.bob.dataReceived(b"/register sesame34\n")
        self.carol, _ = self.connect(b"carol", host="10.0.0.3")
        self.carol.dataReceived(b"/register sesame56\n")
        self.clock.advance(60)
        self.alice.dataReceived(b"/msg carol the release is Friday\n")
        self.carol.dataReceived(b"/msg alice release notes?\n/msg alice lunch\n")
        self.bob.dataReceived(b"/msg carol release secret\n")
        self.end_pass()
        self.clock.advance(60)

    def test_in_nick_gives_the_pairs_messages_holding_the_words_oldest_first(self) -> None:
        """SEARCH in=carol;text=release: alice's and carol's messages with the word, as the PRIVMSGs they were, in a
        soju.im/search batch; bob's to carol and the one without the word are left out."""
        client, wire = self.irc_connect()
        self.send(client, "CAP LS 302", "CAP REQ :batch soju.im/search", "PASS sesame12", "NICK alice")
        self.send(client, "USER a 0 * :A", "CAP END")
        self.lines(wire)
        self.send(client, "SEARCH in=carol;text=release")
        lines = self.lines(wire)
        self.assertRegex(lines[0], rb"^:testhost BATCH \+(\w+) soju.im/search$")
        reference = lines[0].split()[2][1:].decode()
        self.assertEqual(
            lines[1:],
            [
                f"@batch={reference} :alice!alice@chatd PRIVMSG carol :the release is Friday".encode(),
                f"@batch={reference} :carol!carol@chatd PRIVMSG alice :release notes?".encode(),
                f":testhost BATCH -{reference}".encode(),
            ],
        )

    def test_before_and_after_bound_a_search_of_private_messages(self) -> None:
        """Past a later message holding the word, before= its time finds the two before it, and after= the first two's
        time finds it alone: the bounds are the conversation's search's, as a room's."""
        self.carol.dataReceived(b"/msg alice release moved to Monday\n")
        self.end_pass()
        self.clock.advance(60)
        client, wire = self.irc_connect()
        self.send(client, "PASS sesame12", "NICK alice", "USER a 0 * :A")
        self.lines(wire)
        self.send(client, "SEARCH in=carol;text=release;before=1970-01-01T00:02:00.000Z")
        self.assertEqual(
            self.lines(wire),
            [
                b":alice!alice@chatd PRIVMSG carol :the release is Friday",
                b":carol!carol@chatd PRIVMSG alice :release notes?",
            ],
        )
        self.clock.advance(10)
        self.send(client, "SEARCH in=carol;text=release;after=1970-01-01T00:01:00.000Z")
        self.assertEqual(self.lines(wire), [b":carol!carol@chatd PRIVMSG alice :release moved to Monday"])
