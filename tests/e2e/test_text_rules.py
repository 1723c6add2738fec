"""The rules for names and text on the real daemon, over real TCP (issue 12)."""

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import LineClient
from tests.e2e.lobby import PROMPT, WELCOME, start_chatd
from tests.e2e.test_abuse import named

CYRILLIC_ALICE = "\u0430lice"
"""alice with a Cyrillic a (U+0430) first: on screen, alice."""

FILLER = "\u3164"
"""HANGUL FILLER: a letter to Unicode, a blank on screen."""


def refused_nick(client: LineClient, nick: str, error: str) -> None:
    """``client``, before a nickname, asks for ``nick`` and is told ``error`` and asked again."""
    client.say(nick)
    client.expect(error, PROMPT)


class LookAlikeTests(SynchronousTestCase):
    def test_cyrillic_and_latin_alice_are_never_online_together(self) -> None:
        """alice with a Cyrillic a is refused while alice is on, alice while her look-alike is on, and a look-alike room too."""
        daemon = start_chatd(self)
        alice = named(daemon, "alice")
        mallory = daemon.connect()
        mallory.expect(WELCOME, PROMPT)
        refused_nick(
            mallory,
            CYRILLIC_ALICE,
            f"ERR nick-look-alike {CYRILLIC_ALICE} looks like alice, who is online; choose another nickname",
        )
        mallory.say("mallory")
        mallory.expect("*** You are mallory.")
        while not mallory.read_line().startswith(b"*** In #lobby"):
            pass
        alice.read_line()  # mallory joined

        alice.say(f"/nick {CYRILLIC_ALICE}")  # her own look: allowed
        alice.expect_stamped(f"-- alice is now known as {CYRILLIC_ALICE}")
        mallory.expect_stamped(f"-- alice is now known as {CYRILLIC_ALICE}")
        mallory.say("/nick alice")
        mallory.expect(
            f"ERR nick-look-alike alice looks like {CYRILLIC_ALICE}, who is online; choose another nickname"
        )

        alice.say("/join #dev")
        alice.expect_stamped(f"#dev -- {CYRILLIC_ALICE} joined")
        mallory.say("/join #d\u0435v")
        mallory.expect(
            "ERR room-look-alike #d\u0435v looks like the room #dev; join it or choose another name"
        )


class TextRuleTests(SynchronousTestCase):
    def test_invisible_characters_go_towers_and_blanks_are_refused(self) -> None:
        """Over TCP: a zero-width space and hidden tags are dropped, a zalgo tower, a blank
        message of fillers and a nickname of 24 marks are refused."""
        daemon = start_chatd(self)
        newcomer = daemon.connect()
        newcomer.expect(WELCOME, PROMPT)
        tower = "z" + "\u0336" * 23
        refused_nick(
            newcomer,
            tower,
            f"ERR bad-nick {tower!r} is not a valid nickname: a nickname has at most 3 combining marks on one letter",
        )
        refused_nick(
            newcomer,
            FILLER,
            # NFKC makes the compatibility filler the conjoining one, U+1160, quoted escaped: it shows as nothing.
            "ERR bad-nick '\\u1160' is not a valid nickname: a nickname cannot hold invisible characters",
        )
        alice = named(daemon, "alice")
        bob = named(daemon, "bob")
        alice.read_line()  # bob joined

        hidden = "".join(chr(0xE0000 + ord(char)) for char in "rm -rf ~")
        alice.say(f"hel\u200blo{hidden} \u00adworld\ufeff")
        for client in (alice, bob):
            client.expect_stamped("#lobby <alice> hello world")

        alice.say("a" + "\u0336" * 5 + " stacked")
        alice.expect("ERR bad-text not sent: at most 4 combining marks on one character")
        alice.say(f"{FILLER}\u200b{FILLER}")
        alice.expect("ERR bad-text not sent: nothing in it would show")
        alice.say("/topic \u2060fine\u2060")
        for client in (alice, bob):
            client.expect_stamped("#lobby -- alice set the topic: fine")
        bob.say("next")  # bob saw nothing of what alice's refused lines held
        bob.expect_stamped("#lobby <bob> next")
