"""Registered rooms on the real daemon over loopback TCP: alice registers #dev and makes bob a room operator,
the daemon is killed with SIGKILL, and after the restart the owner, the operator and the topic are all there;
someone else cannot /op, and nobody unidentified registers a room."""

import signal
import sqlite3
import time
from contextlib import closing

from tests.e2e.daemon import Daemon, LineClient, SharedDaemon
from tests.e2e.ircclient import IRC_AT, Heard, IRCClient
from tests.e2e.lobby import LOOPBACK, NAME, SHARED_LOBBY
from tests.e2e.test_accounts import PASSWORD, SHARED_DB, AccountTestCase


class RegisteredRoomTestCase(AccountTestCase):
    """A daemon with its --db in a temporary directory (the accounts tests' set-up and reading), speaking IRC too."""

    def start(self) -> Daemon:
        return Daemon.start(self, [*LOOPBACK, "--irc-port", "0", "--db", self.db])

    def irc_port(self) -> int:
        """The daemon's IRC port, from the line it logged at its start (read already, if the daemon is shared)."""
        return int(self.daemon.first_logged(IRC_AT).group("port"))

    def on_irc(self, nick: str, room: str) -> IRCClient:
        """``nick`` on the daemon's IRC port through a real IRC client, registered and in ``room``."""
        client = IRCClient(self.daemon, self.irc_port(), nick)
        client.registered()
        client.join(room)
        return client

    def refuse(self, table: str) -> None:
        """Have the daemon's --db file refuse every new row of ``table`` from now on, as a full disk would; until
        ``take_back``, or the test's end (a shared daemon's next test finds its file whole)."""
        with closing(sqlite3.connect(self.db)) as other, other:
            other.execute(
                f"CREATE TRIGGER full BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'full'); END"
            )
        self.addCleanup(self.take_back, "IF EXISTS")

    def take_back(self, if_exists: str = "") -> None:
        """The --db file keeps what it is given again."""
        with closing(sqlite3.connect(self.db)) as other, other:
            other.execute(f"DROP TRIGGER {if_exists} full")

    def registered(self, nick: str, source: str, room: str = "#dev") -> LineClient:
        """``nick`` online from ``source``, with a registered nickname, in ``room``."""
        client = self.connect(source, nick)
        client.say(f"/register {PASSWORD}")
        self.until(client, f"*** The nickname {nick} is registered to you, and you are identified to it.")
        client.say(f"/join {room}")
        self.until(client, f"{room} -- {nick} joined")
        return client

    def owned_room(
        self, owner: str = "alice", member: str = "bob", room: str = "#dev"
    ) -> tuple[LineClient, LineClient]:
        """``owner`` and ``member``, registered and in ``room``, which ``owner`` has registered (``member`` saw it)."""
        alice = self.registered(owner, "127.0.0.1", room)
        bob = self.registered(member, "127.0.0.2", room)
        alice.say(f"/register {room}")
        self.until(bob, f"{room} -- {owner} registered the room to the account {owner}")
        return alice, bob

    def identified(self, nick: str, source: str) -> LineClient:
        """``nick`` back after a restart, identified, in #dev."""
        client = self.connect(source, f"{nick} {PASSWORD}")
        self.until(client, f"*** You are identified as {nick}.")
        client.say("/join #dev")
        self.until(client, f"#dev -- {nick} joined")
        return client


class RegisteredRoomTests(RegisteredRoomTestCase):
    """What a registered room keeps across a restart, on a daemon of each test's own."""

    def test_owner_ops_and_topic_survive_kill_9(self) -> None:
        """alice registers #dev, ops bob, locks a topic; SIGKILL; back, bob sets the locked topic and carol cannot."""
        alice, bob = self.owned_room()
        alice.say("/op bob")
        self.until(bob, "#dev -- alice made bob a room operator (account bob)")
        before = time.time()
        alice.say("/topic release friday")
        self.until(alice, "#dev -- alice set the topic: release friday")
        minutes = {time.strftime("%Y-%m-%d %H:%M", time.gmtime(at)) for at in (before, time.time())}
        alice.say("/lock")
        self.until(bob, "#dev -- alice locked the topic")
        self.assertEqual(self.daemon.signal(signal.SIGKILL), -signal.SIGKILL)
        self.daemon = self.start()

        carol = self.connect("127.0.0.3", "carol")
        carol.say("/join #dev")
        topic = carol.read_line()
        while not topic.startswith(b"*** Topic of #dev"):
            topic = carol.read_line()
        shown = {
            f"*** Topic of #dev (set by alice, {minute} UTC): release friday\r\n".encode()
            for minute in minutes
        }
        self.assertIn(topic, shown)
        carol.say("/topic mine now")
        self.until(
            carol, "ERR topic-locked the topic of #dev is locked; only its owner and operators may change it"
        )
        carol.say("/op carol")
        self.until(carol, "ERR not-owner only the owner of #dev and operators may do that")
        bob = self.identified("bob", "127.0.0.2")
        bob.say("/topic bob was here")
        self.until(carol, "#dev -- bob set the topic: bob was here")
        alice = self.identified("alice", "127.0.0.1")
        alice.say("/deop bob")
        self.until(carol, "#dev -- alice took room operator from bob (account bob)")
        bob.say("/topic again")
        self.until(
            bob, "ERR topic-locked the topic of #dev is locked; only its owner and operators may change it"
        )

    def test_a_change_the_file_cannot_keep_is_undone_for_everyone_and_after_a_kill_9(self) -> None:
        """The --db file refuses room operators (as a full disk would): alice's /op bob is shown, then undone for
        both, alice told in one line; bob may not lock the topic, before a SIGKILL or after it."""
        alice, bob = self.owned_room()
        carol = self.on_irc("carol", "#dev")
        self.refuse("room_operators")
        alice.say("/op bob")
        undone = (
            "#dev -- alice's change to its registration could not be saved: registered to alice; "
            "room operator standing taken from bob"
        )
        for client in (alice, bob):
            self.until(client, "#dev -- alice made bob a room operator (account bob)")
            self.until(client, undone)
        # An IRC client's list of who holds @ follows: the server takes back the +o it passed on.
        self.assertEqual(carol.next("mode").arguments, ("+o", "bob"))
        carol.next("pubnotice")
        self.assertEqual(carol.next("mode"), Heard("mode", NAME, "#dev", ("-o", "bob")))
        self.until(
            alice,
            "ERR room-not-saved the server could not save the change to #dev's registration; nothing changed",
        )
        bob.say("/lock")
        self.until(bob, "ERR not-owner only the owner of #dev and operators may do that")
        self.assertEqual(self.daemon.signal(signal.SIGKILL), -signal.SIGKILL)
        self.daemon = self.start()
        bob = self.identified("bob", "127.0.0.2")
        bob.say("/lock")
        self.until(bob, "ERR not-owner only the owner of #dev and operators may do that")
        self.take_back()
        alice = self.identified("alice", "127.0.0.1")
        alice.say("/op bob")
        self.until(bob, "#dev -- alice made bob a room operator (account bob)")
        bob.say("/lock")
        self.until(alice, "#dev -- bob locked the topic")

    def made_again(self) -> None:
        """alice's registered #dev, its topic set and locked, given up and left, so gone; made again by alice and
        registered again with no topic: what the trial found coming back after a restart with the old topic."""
        alice = self.registered("alice", "127.0.0.1")
        alice.say("/register #dev")
        self.until(alice, "#dev -- alice registered the room to the account alice")
        alice.say("/topic old news")
        self.until(alice, "#dev -- alice set the topic: old news")
        alice.say("/lock")
        self.until(alice, "#dev -- alice locked the topic")
        alice.say("/unregister #dev")
        self.until(alice, "#dev -- alice unregistered the room")
        alice.say("/part #dev")
        self.until(alice, "#dev -- alice left")
        alice.say("/join #dev")
        self.until(alice, "#dev -- alice joined")
        alice.say("/register #dev")
        self.until(alice, "#dev -- alice registered the room to the account alice")
        alice.say("/topic")
        self.until(alice, "*** #dev has no topic")

    def as_made_again(self) -> None:
        """After a restart, #dev has no topic and no lock, as when the daemon stopped: carol, who joins, sets one."""
        carol = self.connect("127.0.0.3", "carol")
        carol.say("/topic #dev")
        self.until(carol, "*** #dev has no topic")
        carol.say("/join #dev")
        self.until(carol, "#dev -- carol joined")
        carol.say("/topic mine now")
        self.until(carol, "#dev -- carol set the topic: mine now")

    def test_a_room_made_again_comes_back_without_the_old_rooms_topic_after_sigterm(self) -> None:
        """#dev made again after its old registration's topic and lock went with it has neither after a SIGTERM."""
        self.made_again()
        self.assertEqual(self.daemon.signal(signal.SIGTERM), -signal.SIGTERM)
        self.daemon = self.start()
        self.as_made_again()

    def test_a_room_made_again_comes_back_without_the_old_rooms_topic_after_kill_9(self) -> None:
        """The same after a SIGKILL, which leaves the last passes to the pass log."""
        self.made_again()
        self.assertEqual(self.daemon.signal(signal.SIGKILL), -signal.SIGKILL)
        self.daemon = self.start()
        self.as_made_again()

    def classroom(self, alice: LineClient) -> None:
        """After a restart, #dev is as alice set it: shown so, refusing the uninvited, the masked, the keyless, and
        the unvoiced's lines; an IRC client reads the same letters."""
        carol = self.connect("127.0.0.3", "carol")
        carol.say("/mode #dev")
        self.until(carol, "*** Settings of #dev: invite-only, key, limit 30, moderated")
        carol.say("/join #dev homework")
        self.until(carol, "ERR invite-only #dev is invite-only; ask one of its operators to /invite you")
        dave = IRCClient(self.daemon, self.irc_port(), "dave")
        dave.registered()
        dave.send("MODE #dev")
        self.assertEqual(dave.next("channelmodeis").arguments, ("#dev", "+nimkl", "*", "30"))
        alice = self.identified("alice", "127.0.0.1")
        alice.say("/mode #dev")
        self.until(alice, "*** Settings of #dev: invite-only, key homework, limit 30, moderated")
        badkid = self.connect("127.0.0.4", "badkid")
        alice.say("/invite badkid")
        alice.say("/invite carol")
        badkid.say("/join #dev homework")
        self.until(badkid, "ERR banned-from-room you are banned from #dev")
        # alice's invite reaches carol on another socket: her join before it would be refused as uninvited.
        self.until(carol, "#dev -- alice invited carol")
        carol.say("/join #dev")
        self.until(carol, "ERR room-key #dev takes a key to join; /join #dev KEY")
        carol.say("/join #dev homework")
        self.until(carol, "#dev -- carol joined")
        carol.say("hello")
        self.until(carol, "ERR moderated #dev is moderated: only its operators and voiced members speak")
        for client in (alice, carol, badkid):
            client.say("/quit")
        dave.quit()

    def test_settings_and_masks_survive_sigterm_and_kill_9(self) -> None:
        """The classroom trial: alice's registered #dev made moderated, invite-only, keyed, limited, badkid masked;
        a SIGTERM restart and a SIGKILL one each find it so, on nc and on IRC."""
        alice, bob = self.owned_room()
        alice.say("/mode #dev +mk homework")
        self.until(bob, "#dev -- alice made the room moderated, set the room's key to homework")
        alice.say("/mode #dev +b badkid")
        self.until(bob, "#dev -- alice banned badkid!*@*")
        alice.say("/mode #dev +il 30")
        self.until(bob, "#dev -- alice made the room invite-only, set the room's member limit to 30")
        self.assertEqual(self.daemon.signal(signal.SIGTERM), -signal.SIGTERM)
        self.daemon = self.start()
        self.classroom(alice)
        self.assertEqual(self.daemon.signal(signal.SIGKILL), -signal.SIGKILL)
        self.daemon = self.start()
        self.classroom(alice)

    def test_registered_only_survives_kill_9_and_lets_in_once_registered(self) -> None:
        """alice's registered #dev made +RM; after a SIGKILL carol (nc) and dave (IRC), identified to no account,
        are refused it; carol, once registered, joins and speaks."""
        alice, bob = self.owned_room()
        alice.say("/mode #dev +RM")
        self.until(bob, "#dev -- alice let only registered users in, let only registered members speak")
        self.assertEqual(self.daemon.signal(signal.SIGKILL), -signal.SIGKILL)
        self.daemon = self.start()
        carol = self.connect("127.0.0.3", "carol")
        carol.say("/mode #dev")
        self.until(carol, "*** Settings of #dev: registered only, registered speech")
        carol.say("/join #dev")
        self.until(
            carol,
            "ERR registered-only #dev lets in only users identified to an account: /register or /identify first",
        )
        dave = IRCClient(self.daemon, self.irc_port(), "dave")
        dave.registered()
        dave.send("JOIN #dev")
        self.assertEqual(
            dave.next("nochanmodes").arguments,  # the library's name for 477, RFC 1459's use of it
            ("#dev", "Cannot join channel (+R) - you must be identified to an account"),
        )
        dave.send("MODE #dev")
        self.assertEqual(dave.next("channelmodeis").arguments, ("#dev", "+nRM"))
        carol.say(f"/register {PASSWORD}")
        self.until(carol, "*** The nickname carol is registered to you, and you are identified to it.")
        carol.say("/join #dev")
        self.until(carol, "#dev -- carol joined")
        carol.say("hello")
        self.until(carol, "#dev <carol> hello")
        dave.quit()

    def test_settings_the_file_cannot_keep_are_undone_and_stay_undone_after_a_kill_9(self) -> None:
        """The file refuses room settings: alice's +m is shown, then taken back by the server for everyone, she is
        told in one line, and bob speaks; after a SIGKILL #dev is still not moderated."""
        alice, bob = self.owned_room()
        alice.say("/mode #dev")  # answered once the registration, which writes the settings too, is kept
        self.until(alice, "*** Settings of #dev: none")
        self.refuse("room_settings")
        alice.say("/mode #dev +m")
        for client in (alice, bob):
            self.until(client, "#dev -- alice made the room moderated")
            self.until(client, "#dev -- the server let every member speak")
        self.until(
            alice,
            "ERR room-not-saved the server could not save the change to #dev's settings; nothing changed",
        )
        bob.say("still here")
        self.until(alice, "#dev <bob> still here")
        self.assertEqual(self.daemon.signal(signal.SIGKILL), -signal.SIGKILL)
        self.take_back()
        self.daemon = self.start()
        carol = self.connect("127.0.0.3", "carol")
        carol.say("/mode #dev")
        self.until(carol, "*** Settings of #dev: none")


class SharedRegisteredRoomTests(RegisteredRoomTestCase):
    """What registering a room does while the daemon runs, on one the class's tests share (``SharedDaemon``): its
    --db file outlives each test's users, so each test registers nicknames and rooms of its own."""

    shared = SharedDaemon([*SHARED_LOBBY, "--irc-port", "0", "--db", SHARED_DB])

    @classmethod
    def tearDownClass(cls) -> None:
        cls.shared.stop()

    def setUp(self) -> None:
        self.borrow(self.shared)

    def test_a_non_owner_cannot_op_and_the_unidentified_cannot_register(self) -> None:
        """ben (identified, in amy's #den) gets not-owner; dave, not identified, in a room he made, not-identified."""
        amy = self.registered("amy", "127.0.0.1", "#den")
        ben = self.registered("ben", "127.0.0.2", "#den")
        amy.say("/register #den")
        self.until(amy, "#den -- amy registered the room to the account amy")
        ben.say("/op ben")
        self.until(ben, "ERR not-owner only the owner of #den and operators may do that")
        dave = self.connect("127.0.0.4", "dave")
        dave.say("/join #mine")
        self.until(dave, "#mine -- dave joined")
        dave.say("/register #mine")
        self.until(
            dave, "ERR not-identified you are not identified; /register PASSWORD or /identify PASSWORD first"
        )
        dave.say("/register #lobby")
        self.until(
            dave, "ERR not-identified you are not identified; /register PASSWORD or /identify PASSWORD first"
        )
        amy.say("/join #lobby")
        amy.say("/register #lobby")
        self.until(
            amy,
            "ERR server-room #lobby belongs to the server; nobody may register it nor name its operators",
        )

    def test_registering_again_after_unregister_names_the_reason(self) -> None:
        """ann gives #desk up and asks for it back: she is told nobody owns it now, and bo sees nothing."""
        ann, bo = self.owned_room("ann", "bo", "#desk")
        ann.say("/unregister #desk")
        self.until(bo, "#desk -- ann unregistered the room")
        ann.say("/register #desk")
        self.until(
            ann,
            "ERR room-unowned nobody owns #desk now (it was unregistered, or its maker left the chat); "
            "only operators may register it",
        )
        ann.say("quiet")
        bo.expect_stamped("#desk <ann> quiet")

    def test_an_irc_clients_at_signs_follow_every_change_of_standing_as_names_lists_them(self) -> None:
        """carol on IRC reads a MODE for each change of who holds @ in #deck (ada's /op and /deop of bert, and a
        MODE -o from ada's own IRC client); bert giving his account up and ada giving the room up take no
        standing, and no MODE comes. After each, NAMES lists what the MODEs left carol's client holding."""
        ada, bert = self.owned_room("ada", "bert", "#deck")
        port = self.irc_port()
        carol = IRCClient(self.daemon, port, "carol")
        carol.registered()
        self.assertEqual(carol.join("#deck"), ["@ada", "bert", "carol"])
        ada.say("/op bert")
        self.assertEqual(carol.next("mode"), Heard("mode", "ada", "#deck", ("+o", "bert")))
        ada.say("/deop bert")
        self.assertEqual(carol.next("mode"), Heard("mode", "ada", "#deck", ("-o", "bert")))
        self.assertEqual(carol.names("#deck"), ["@ada", "bert", "carol"])
        ada.say("/op bert")
        self.assertEqual(carol.next("mode"), Heard("mode", "ada", "#deck", ("+o", "bert")))
        bert.say(f"/unregister {PASSWORD}")
        self.until(
            bert, "*** The nickname bert is no longer registered; anyone may take it once you leave it."
        )
        self.assertEqual(carol.names("#deck"), ["@ada", "@bert", "carol"])
        ada.say("/unregister #deck")
        self.assertEqual(carol.next("pubnotice").arguments, ("#deck is no longer registered",))
        self.assertEqual(carol.names("#deck"), ["@ada", "@bert", "carol"])
        on_irc = IRCClient(self.daemon, port, "ada", sasl=("ada", PASSWORD))
        on_irc.registered()
        on_irc.send("MODE #deck -o bert")
        self.assertEqual(carol.next("mode"), Heard("mode", "ada", "#deck", ("-o", "bert")))
        self.assertEqual(carol.names("#deck"), ["@ada", "bert", "carol"])
        modes = [line.split(" ", 1)[1] for line in carol.received if " MODE " in line]
        self.assertEqual(
            modes, ["MODE #deck +o bert", "MODE #deck -o bert", "MODE #deck +o bert", "MODE #deck -o bert"]
        )

    def test_a_registration_the_file_cannot_keep_leaves_the_room_its_makers(self) -> None:
        """The file refuses abe's /register #dock: undone, #dock is still his, and he registers it once it may."""
        abe = self.registered("abe", "127.0.0.1", "#dock")
        bea = self.registered("bea", "127.0.0.2", "#dock")
        self.refuse("registered_rooms")
        abe.say("/register #dock")
        self.until(bea, "#dock -- abe registered the room to the account abe")
        self.until(bea, "#dock -- abe's change to its registration could not be saved: not registered")
        self.until(
            abe,
            "ERR room-not-saved the server could not save the change to #dock's registration; nothing changed",
        )
        abe.say("/kick bea")
        self.until(bea, "#dock -- bea was kicked by abe")
        self.take_back()
        abe.say("/register #dock")
        self.until(abe, "#dock -- abe registered the room to the account abe")

    def test_identifying_in_the_room_gives_the_standing_irc_clients_see(self) -> None:
        """alma owns #dune; back as al, she joins it with no standing, and /identify gives it: the server's change,
        seen on the line port and by a real IRC client as a MODE from the server."""
        alma = self.registered("alma", "127.0.0.1", "#dune")
        alma.say("/register #dune")
        self.until(alma, "#dune -- alma registered the room to the account alma")
        carol = self.on_irc("carol", "#dune")
        alma.say("/quit")
        al = self.connect("127.0.0.1", "al")
        al.say("/join #dune")
        self.until(al, "#dune -- al joined")
        al.say(f"/identify alma {PASSWORD}")
        self.until(al, "#dune -- the server gave alma operator")
        self.assertEqual(carol.next("nick"), Heard("nick", "al", "alma", ()))
        self.assertEqual(carol.next("mode"), Heard("mode", NAME, "#dune", ("+o", "alma")))
