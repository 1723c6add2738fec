"""The twistd command-line options."""

import dataclasses
import io
import os
import re
import socket

from twisted.internet.ssl import CertificateOptions
from twisted.python import usage
from twisted.scripts._twistd_unix import ServerOptions
from twisted.trial.unittest import SynchronousTestCase

from chatd.config import Config, ConsoleConfig, FilesConfig, LineConfig, WebConfig
from chatd.domain.files import FileLimits
from chatd.domain.limits import Limits
from chatd.line.limits import LineLimits
from chatd.opers import Opers
from chatd.start import StartError
from chatd.tap import Options
from chatd.tap.bounds import LIMIT_LEAST, LIMIT_MOST, NUMBER_SPANS
from chatd.tap.limits import LIMIT_OPTIONS, SIZE_OPTIONS
from tests.certificates import write_self_signed
from tests.helpers import Terminal, new_folder, quick_hash, under_twistd

HELP_COLUMN = 28
"""Where --help's descriptions begin on each line (Twisted's ``docMakeChunks``): before it, option and gap."""


def parse(*arguments: str) -> Options:
    options = Options()
    options.parseOptions(list(arguments))
    return options


def _takes(name: str, value: str) -> bool:
    """Whether ``--name`` takes ``value`` on its own (every other option at its default)."""
    try:
        parse(f"--{name}", value)
    except usage.UsageError:
        return False
    return True


class OptionsTests(SynchronousTestCase):
    def test_defaults(self) -> None:
        """Defaults: port 5000 on '::', #lobby, no MOTD, the host's name."""
        options = parse()
        self.assertEqual(
            (
                options["port"],
                options["interface"],
                options["default-room"],
                options["motd"],
                options["listen"],
            ),
            (5000, "::", "#lobby", "", []),
        )
        self.assertTrue(options["server-name"])

    def test_help_shows_every_option_as_one_run_of_words(self) -> None:
        """--help's text has no gap where a docstring of an option's method went on to an indented line."""
        described = [line[HELP_COLUMN:] for line in str(Options()).splitlines()]
        self.assertEqual([line for line in described if re.search(r"\S {2,}\S", line)], [])

    def test_listen_is_repeatable_and_drops_default_port(self) -> None:
        """Each --listen adds an endpoint; alone they replace the default port."""
        options = parse("--listen", "tcp:1", "--listen", "tcp:2")
        self.assertEqual((options["port"], options["listen"]), (None, ["tcp:1", "tcp:2"]))

    def test_listen_must_be_an_endpoint(self) -> None:
        """A --listen that is not an endpoint is refused in one sentence in the host's words, naming the value as
        given and what in it is wrong: Python's words (``invalid literal for int()``, ``_parseTCP() got multiple
        values``) were what the host read, each with a hint about colons that fitted one of them."""
        for given, wrong in (
            ("bogus:1", "there is no endpoint type 'bogus'; begin it with tcp:, ssl: or unix:"),
            ("irc:tcp:abc", "the port must be a number, not 'abc'"),
            ("web:ssl:x", "the port must be a number, not 'x'"),
            ("tcp", "give a port after tcp:, e.g. tcp:5000"),
            ("tcp:", "give a port after tcp:, e.g. tcp:5000"),
            ("tcp:99999", "the port must be 0 to 65535, not 99999"),
            ("irc:tcp6:-1", "the port must be 0 to 65535, not -1"),
            ("tcp:0:backlog=x", "the backlog must be a number, not 'x'"),
            ("tcp:0:foo=1", "tcp: takes interface=, backlog=, not foo="),
            (
                "tcp:5000:interface=::1",
                "write each colon inside a value as \\:, e.g. tcp:5000:interface=\\:\\:1",
            ),
            (
                "tcp:0:127.0.0.1:5:6",
                "write each colon inside a value as \\:, e.g. tcp:5000:interface=\\:\\:1",
            ),
            (
                "unix:/s:mode=x",
                "Twisted cannot read this unix: endpoint; see its endpoint syntax, e.g. "
                "tcp:5000:interface=127.0.0.1",
            ),
        ):
            error = self.assertRaises(usage.UsageError, parse, "--listen", given)
            self.assertEqual(str(error), f"--listen {given!r}: {wrong}.")

    def test_listen_takes_escaped_colons_and_named_ports(self) -> None:
        """An IPv6 interface with its colons escaped, a port given by name, and an interface given by place are
        endpoints."""
        for given in (
            "tcp:0:interface=\\:\\:1",
            "tcp:port=0",
            "tcp:0:127.0.0.1:5",
            "tcp6:0:interface=\\:\\:1",
        ):
            self.assertEqual(parse("--listen", given)["listen"], [given])

    def test_limits_default_to_the_enforcing_classes(self) -> None:
        """Each limit option defaults to what LineLimits, Admission and Limits hold."""
        options = parse()
        self.assertEqual((options["flood-rate"], options["sendq"], options["max-rooms"]), (2.0, 262144, 20))
        self.assertEqual((options["max-connections"], options["max-per-ip"]), (10000, 50))

    def test_limits_must_be_positive(self) -> None:
        """A limit of zero or less is refused, except keepalive 0 (off)."""
        error = self.assertRaises(usage.UsageError, parse, "--max-rooms", "0")
        self.assertEqual(str(error), "--max-rooms must be more than 0, not 0.")
        self.assertRaises(usage.UsageError, parse, "--max-per-ip", "-1")
        self.assertEqual(parse("--keepalive", "0")["keepalive"], 0)

    def test_keepalive_below_zero_says_zero_is_allowed(self) -> None:
        """--keepalive -1 says 0 (off) or more, as --help does: "more than 0" sent a host away from the 0 it takes."""
        error = self.assertRaises(usage.UsageError, parse, "--keepalive", "-1")
        self.assertEqual(str(error), "--keepalive must be 0 (off) or more, not -1.")

    def test_a_limit_that_is_not_a_number_is_refused(self) -> None:
        """--flood-rate nan is refused as a word is: Python's float takes it, it compares as neither more nor less
        than 0, and the daemon ran with no flood control at all (40 commands at once all answered)."""
        for name in (
            "flood-rate",
            "flood-disconnect",
            "register-timeout",
            "kick-rejoin",
            "handshake-timeout",
            "http-timeout",
        ):
            error = self.assertRaises(usage.UsageError, parse, f"--{name}", "nan")
            self.assertEqual(str(error), f"--{name} must be a number, not 'nan'.")

    def test_an_infinite_number_is_refused_by_every_option_that_takes_a_number(self) -> None:
        """inf, -inf and 1e999 (too large for a float: infinite) are refused as a word is, by each option that
        takes a number with a fraction. Python's float takes them: --flood-rate inf turned flood control off, as
        nan did (a bucket that refills infinitely fast is always full), and --file-keep inf failed each idle
        upload's expiry (a wait of inf cannot be said in days and hours)."""
        fractions = [row[0] for row in Options.optParameters if len(row) > 4 and row[4] is not None]
        fractions = [name for name in fractions if _takes(name, "0.5")]
        self.assertIn("file-keep", fractions)
        self.assertIn("retain-days", fractions)
        for name in fractions:
            for given in ("inf", "-inf", "1e999", "Infinity"):
                error = self.assertRaises(usage.UsageError, parse, f"--{name}", given)
                self.assertEqual(str(error), f"--{name} must be a number, not {given!r}.")

    def test_a_whole_number_of_more_than_15_digits_is_refused_by_every_option_that_takes_one(self) -> None:
        """1 and 400 zeros is refused in one sentence by each whole-number option, as is one of 16 digits (leading
        zeros aside) or of more than Python reads (4300), and one below 0: --flood-burst took it, and the first
        line anyone sent was an OverflowError (a float holds no number of 309 digits), --keepalive's own most
        was a traceback saying it. 15 digits are taken."""
        wholes = [row[0] for row in Options.optParameters if len(row) > 4 and _takes(row[0], "1")]
        wholes = [name for name in wholes if not _takes(name, "1.5") and name not in NUMBER_SPANS]
        self.assertIn("flood-burst", wholes)
        self.assertIn("keepalive", wholes)
        self.assertIn("file-transfers", wholes)
        for name in wholes:
            for given, digits in (("1" + "0" * 400, 401), ("-1" + "0" * 400, 401), ("1" * 5000, 5000)):
                error = self.assertRaises(usage.UsageError, parse, f"--{name}", given)
                self.assertEqual(
                    str(error), f"--{name} must be a whole number of at most 15 digits, not one of {digits}."
                )
        error = self.assertRaises(usage.UsageError, parse, "--flood-burst", "0001000000000000000")
        self.assertEqual(
            str(error), "--flood-burst must be a whole number of at most 15 digits, not one of 16."
        )
        self.assertEqual(parse("--flood-burst", "999999999999999")["flood-burst"], 999999999999999)

    def test_a_number_too_long_for_a_span_is_refused_with_the_span(self) -> None:
        """A port (or --replay) of 16 digits or more is told the span it must be in, as 70000 is, not that it has
        too many digits; the number itself is not shown, being perhaps thousands of digits long."""
        self.assertIn("irc-tls-port", NUMBER_SPANS)
        for name, (least, most) in NUMBER_SPANS.items():
            for given, digits in (("1234567890123456", 16), ("-1" + "0" * 400, 401), ("1" * 5000, 5000)):
                error = self.assertRaises(usage.UsageError, parse, f"--{name}", given)
                self.assertEqual(
                    str(error), f"--{name} must be {least} to {most}, not a number of {digits} digits."
                )
        error = self.assertRaises(usage.UsageError, parse, "--port", "1234567890123456")
        self.assertEqual(str(error), "--port must be 0 to 65535, not a number of 16 digits.")
        error = self.assertRaises(usage.UsageError, parse, "--port", "123456789012345")
        self.assertEqual(str(error), "--port must be 0 to 65535, not 123456789012345.")

    def test_every_size_is_512_tib_at_most(self) -> None:
        """Each size option takes up to 512T; past it (1e296T, a float still; 1e308T, whose bytes are too many for
        one; 513T) is one sentence naming the option and the most. 1e296T started, and the welcome gave every
        client the largest file as a number of 309 digits; a file offer's size has 15 at most."""
        sizes = [row[0] for row in Options.optParameters if len(row) > 4 and _takes(row[0], "1T")]
        self.assertEqual(sizes, ["file-max-size", "file-day-bytes", "file-rate", "file-store-bytes"])
        for name in sizes:
            self.assertEqual(parse(f"--{name}", "512T")[name], 512 * 1024**4)
            self.assertEqual(parse(f"--{name}", str(512 * 1024**4))[name], 562_949_953_421_312)
            for given in ("1e296T", "1e308T", "513T", "512.001T", "562949953421313", "1e300"):
                error = self.assertRaises(usage.UsageError, parse, f"--{name}", given)
                self.assertEqual(str(error), f"--{name} must be at most 512T (512 TiB), not {given!r}.")
            self.assertIn("at most 512T (512 TiB)", Options().docs[name])

    def test_kick_rejoin_is_a_day_at_most(self) -> None:
        """--kick-rejoin takes up to a day; past it (6000000, a typo for 600) is one sentence: every kick was a ban
        of months, which no operator could lift."""
        self.assertEqual(parse("--kick-rejoin", "86400").config().chat.kick_rejoin, 86400)
        for given, shown in (("86400.5", "86400.5"), ("6000000", "6000000")):
            error = self.assertRaises(usage.UsageError, parse, "--kick-rejoin", given)
            self.assertEqual(str(error), f"--kick-rejoin must be at most 86400 (a day), not {shown}.")

    def test_every_option_that_takes_a_fraction_has_a_most(self) -> None:
        """1e300 is refused in one sentence by each option that takes a number with a fraction, and its most is
        taken: Python's float takes 1e300, with which --register-timeout's timer never fired, and a --file-keep of
        1e300 days was a wait told in 301 digits."""
        fractions = [row[0] for row in Options.optParameters if len(row) > 4 and _takes(row[0], "0.5")]
        self.assertEqual(
            sorted(fractions),
            sorted(
                [
                    "flood-rate",
                    "connect-rate",
                    "flood-disconnect",
                    "register-timeout",
                    "handshake-timeout",
                    "http-timeout",
                    "kick-rejoin",
                    "big-room-tally",
                    "file-keep",
                    "retain-days",
                ]
            ),
        )
        for name in fractions:
            most, words = LIMIT_MOST[name]
            self.assertEqual(parse(f"--{name}", f"{most:.15g}")[name], most)
            error = self.assertRaises(usage.UsageError, parse, f"--{name}", "1e300")
            self.assertEqual(str(error), f"--{name} must be at most {most:.15g} ({words}), not 1e+300.")
            self.assertIn(f"at most {most:.15g} ({words})", Options().docs[name])
        error = self.assertRaises(usage.UsageError, parse, "--register-timeout", "1e300")
        self.assertEqual(str(error), "--register-timeout must be at most 86400 (a day), not 1e+300.")
        error = self.assertRaises(usage.UsageError, parse, "--flood-rate", "2000000")
        self.assertEqual(
            str(error), "--flood-rate must be at most 1000000 (a million lines a second), not 2000000."
        )
        error = self.assertRaises(usage.UsageError, parse, "--retain-days", "40000")
        self.assertEqual(
            str(error), "--retain-days must be at most 36500 (about a hundred years), not 40000."
        )

    def test_flood_rate_is_a_line_a_day_at_least(self) -> None:
        """--flood-rate takes down to a line a day, whose wait for a line is a wait's most (a day); below it, 0 and
        the smallest floats included, is one sentence saying the least. 1e-320 started, and the wait for a line
        was infinite (1/1e-320 is inf): a connection past its burst was never read again, nor cut off."""
        self.assertEqual(LIMIT_LEAST["flood-rate"], (1 / 86400, "1/86400", "a line a day"))
        for given in ("1e-320", "5e-324", "0.00001", "0", "-1"):
            error = self.assertRaises(usage.UsageError, parse, "--flood-rate", given)
            self.assertEqual(
                str(error), f"--flood-rate must be at least 1/86400 (a line a day), not {float(given)}."
            )
        self.assertEqual(parse("--flood-rate", "0.0000116").config().line.limits.flood_rate, 0.0000116)
        self.assertEqual(parse("--flood-rate", f"{1 / 86400!r}").config().irc.limits.flood_rate, 1 / 86400)
        self.assertIn("at least 1/86400 (a line a day) and at most 1000000", Options().docs["flood-rate"])

    def test_every_wait_in_seconds_is_a_millisecond_at_least(self) -> None:
        """Each option that is a wait in seconds takes down to a millisecond, the least wait the reactor tells
        apart; below it, 0 and the smallest floats included, is one sentence saying the least. --register-timeout
        1e-320 started, and closed every connection "within 9.99989e-321 s"."""
        waits = [name for name, (_, _, words) in LIMIT_LEAST.items() if words == "a millisecond"]
        self.assertEqual(
            waits,
            [
                "flood-disconnect",
                "register-timeout",
                "handshake-timeout",
                "http-timeout",
                "kick-rejoin",
                "big-room-tally",
            ],
        )
        for name in waits:
            self.assertEqual(parse(f"--{name}", "0.001")[name], 0.001)
            for given in ("1e-320", "5e-324", "0.0009", "0", "-0", "-1"):
                error = self.assertRaises(usage.UsageError, parse, f"--{name}", given)
                self.assertEqual(
                    str(error), f"--{name} must be at least 0.001 (a millisecond), not {float(given)}."
                )
            self.assertIn("at least 0.001 (a millisecond) and at most 86400 (a day)", Options().docs[name])

    def test_each_option_in_days_has_a_least_in_its_own_words(self) -> None:
        """--retain-days takes down to an hour (1/24 of a day), the round of forgetting; --file-keep down to a second,
        an offer's wait told in seconds. Below it, 0 and the smallest floats included, is one sentence saying the
        least. 1e-9 days started, and acted at once: every offer went as it was made ("offers wait 1s at most"), and
        every round of forgetting deleted all history."""
        self.assertEqual(parse("--file-keep", f"{1 / 86400!r}").config().files.limits.keep, 1.0)
        self.assertEqual(parse("--retain-days", f"{1 / 24!r}").config().retain_days, 1 / 24)
        for name, least, below in (
            ("file-keep", "1/86400 (a second)", ("1e-9", "5e-324", "1.1e-5", "0", "-0", "-1")),
            ("retain-days", "1/24 (an hour)", ("1e-9", "5e-324", "0.0416", "0", "-0", "-1")),
        ):
            for given in below:
                error = self.assertRaises(usage.UsageError, parse, f"--{name}", given)
                self.assertEqual(str(error), f"--{name} must be at least {least}, not {float(given)}.")
            self.assertIn(f"at least {least} and at most", Options().docs[name])

    def test_keepalive_is_at_most_what_linux_takes(self) -> None:
        """--keepalive takes up to 32767 seconds, Linux's most; past it is one sentence. The daemon started, and
        every connection then failed as it was accepted (setting TCP_KEEPIDLE: EINVAL), logged as a traceback."""
        self.assertEqual(parse("--keepalive", "32767").config().line.limits.keepalive, 32767)
        error = self.assertRaises(usage.UsageError, parse, "--keepalive", "40000")
        self.assertEqual(
            str(error), "--keepalive must be at most 32767 (the most Linux takes, about 9 hours), not 40000."
        )

    def test_http_timeout_is_30_by_default_and_reaches_the_web_ports_limits(self) -> None:
        """--http-timeout SECONDS times the web port's HTTP connections: it is the line front end's limits', which
        the web port's connections have (IRC's, spoken over one of them, take it from the connection)."""
        self.assertEqual(parse().config().line.limits.http_timeout, 30.0)
        self.assertEqual(parse("--http-timeout", "2.5").config().line.limits.http_timeout, 2.5)
        error = self.assertRaises(usage.UsageError, parse, "--http-timeout", "0")
        self.assertEqual(str(error), "--http-timeout must be at least 0.001 (a millisecond), not 0.0.")

    def test_big_room_is_200_by_default_0_for_never_and_reaches_the_chat(self) -> None:
        """--big-room N is the size from which a room's comings and goings are tallied; below 0 is one sentence."""
        self.assertEqual(parse().config().chat.big_room, 200)
        self.assertEqual(parse("--big-room", "0").config().chat.big_room, 0)
        self.assertEqual(parse("--big-room", "5000").config().chat.big_room, 5000)
        error = self.assertRaises(usage.UsageError, parse, "--big-room", "-1")
        self.assertEqual(str(error), "--big-room must be 0 (never) or more, not -1.")

    def test_replay_is_0_to_100_and_reaches_the_chat(self) -> None:
        """--replay N is how many lines a join shows, 20 by default and 0 for none; past 100 is one sentence."""
        self.assertEqual(parse().config().chat.replay, 20)
        self.assertEqual(parse("--replay", "0").config().chat.replay, 0)
        self.assertEqual(parse("--replay", "100").config().chat.replay, 100)
        error = self.assertRaises(usage.UsageError, parse, "--replay", "101")
        self.assertEqual(str(error), "--replay must be 0 to 100, not 101.")
        error = self.assertRaises(usage.UsageError, parse, "--replay", "-1")
        self.assertEqual(str(error), "--replay must be 0 to 100, not -1.")

    def test_retain_days_is_a_positive_number_or_forever(self) -> None:
        """--retain-days keeps history forever by default, takes days (fractions too), and refuses 0 in one sentence."""
        self.assertIsNone(parse().config().retain_days)
        self.assertEqual(parse("--retain-days", "1.5").config().retain_days, 1.5)
        error = self.assertRaises(usage.UsageError, parse, "--retain-days", "0")
        self.assertEqual(str(error), "--retain-days must be at least 1/24 (an hour), not 0.0.")
        error = self.assertRaises(usage.UsageError, parse, "--retain-days", "a week")
        self.assertEqual(str(error), "--retain-days must be a number, not 'a week'.")

    def test_port_must_be_a_port_number(self) -> None:
        """A port outside 0-65535 or not a number is refused with one sentence."""
        error = self.assertRaises(usage.UsageError, parse, "--port", "70000")
        self.assertEqual(str(error), "--port must be 0 to 65535, not 70000.")
        error = self.assertRaises(usage.UsageError, parse, "--port", "five")
        self.assertEqual(str(error), "--port must be a whole number, not 'five'.")

    def test_every_number_option_names_itself_when_not_a_number(self) -> None:
        """Each number option refuses a word with its own name, not Twisted's "Parameter type enforcement"."""
        numbers = [row[0] for row in Options.optParameters if len(row) > 4]
        self.assertIn("max-per-ip", numbers)
        for name in numbers:
            error = self.assertRaises(usage.UsageError, parse, f"--{name}", "lots")
            self.assertRegex(str(error), f"^--{name} must be a ((whole )?number|size: .*), not 'lots'[.]$")

    def test_mistake_under_twistd_is_one_sentence_to_exit_with(self) -> None:
        """Under twistd a mistake is a SystemExit carrying one sentence, so twistd prints no usage."""
        error = self.assertRaises(SystemExit, under_twistd, "-n", "chatd", "--port", "five")
        self.assertEqual(error.code, "chatd: --port must be a whole number, not 'five'.")

    def test_no_short_option_is_one_of_twistds(self) -> None:
        """No chatd option has a letter twistd has: -n after chatd read the next word as the server's name."""
        letters = {letter for letter in Options().shortOpt if letter != ":"}
        self.assertEqual(letters & {letter for letter in ServerOptions().shortOpt if letter != ":"}, set())
        self.assertEqual(letters, {"i", "m"})

    def test_twistds_option_after_chatd_is_named_as_twistds(self) -> None:
        """An option of twistd's given after chatd is one sentence saying whose it is and where it goes."""
        error = self.assertRaises(SystemExit, under_twistd, "-n", "chatd", "-n", "--console")
        self.assertEqual(
            error.code,
            "chatd: option -n (--nodaemon) is twistd's, not chatd's, and goes before the word chatd; "
            "twistd chatd --help lists chatd's options.",
        )
        error = self.assertRaises(SystemExit, under_twistd, "chatd", "--logfile", "chatd.log")
        self.assertEqual(
            error.code,
            "chatd: option --logfile is twistd's, not chatd's, and goes before the word chatd; "
            "twistd chatd --help lists chatd's options.",
        )
        error = self.assertRaises(SystemExit, under_twistd, "chatd", "--help=all")
        self.assertEqual(
            error.code,
            "chatd: option --help must not have an argument; twistd chatd --help lists the options.",
        )
        error = self.assertRaises(SystemExit, under_twistd, "chatd", "--prot", "5000")
        self.assertEqual(
            error.code, "chatd: option --prot not recognized; twistd chatd --help lists the options."
        )

    def test_a_word_left_over_is_named_with_the_option_before_it(self) -> None:
        """A word that is neither an option nor an option's value (an unquoted value of several words) is named,
        with the option before it where there is one, and the fix: quotes."""
        fix = "was not taken: chatd takes only options, so give an option's words in quotes."
        for arguments, named in (
            (("--motd", "Welcome", "to", "class", "7B"), "'to' after --motd"),
            (("--port", "0", "--default-room", "foo", "bar"), "'bar' after --default-room"),
            (("--motd=Welcome", "to"), "'to' after --motd"),
            (("-mWelcome", "to"), "'to' after -m"),
            (("--console", "yes"), "'yes' after --console"),
            (("lobby",), "'lobby'"),
        ):
            error = self.assertRaises(usage.UsageError, parse, *arguments)
            self.assertEqual(str(error), f"the word {named} {fix}")
        self.assertEqual(parse("--motd", "Welcome to class 7B")["motd"], "Welcome to class 7B")

    def test_default_room_must_be_a_room_name(self) -> None:
        """--default-room is checked by the same rules as /join."""
        error = self.assertRaises(usage.UsageError, parse, "--default-room", "lob by")
        self.assertIn("not a valid room name", str(error))
        self.assertEqual(parse("--default-room", "#Main")["default-room"], "#Main")

    def test_default_room_without_hash_means_the_same_as_in_join(self) -> None:
        """--default-room lobby means #lobby, as /join lobby does."""
        self.assertEqual(parse("--default-room", "lobby")["default-room"], "#lobby")

    def test_room_is_repeatable_and_checked(self) -> None:
        """Each --room names one more server room, in normal form; a bad name is one sentence naming the option."""
        config = parse("--room", "#help", "--room", "#\uff2eews").config()
        self.assertEqual(config.rooms, ("#help", "#News"))
        error = self.assertRaises(usage.UsageError, parse, "--room", "#no room")
        self.assertEqual(
            str(error),
            "--room: '#no room' is not a valid room name: a room name holds only letters, digits, '-', '_' and '.'.",
        )

    def test_server_rooms_are_checked_against_max_room_name(self) -> None:
        """A --default-room or --room longer than --max-room-name stops the start, naming the option and the fix;
        one longer than the default limit is taken when --max-room-name allows it."""
        error = self.assertRaises(usage.UsageError, parse, "--default-room", "lobby2", "--max-room-name", "6")
        self.assertEqual(
            str(error),
            "--default-room: '#lobby2' is not a valid room name: a room name is at most 6 characters; "
            "give a shorter name or a larger --max-room-name.",
        )
        error = self.assertRaises(usage.UsageError, parse, "--room", "#toolongname", "--max-room-name", "6")
        self.assertEqual(
            str(error),
            "--room: '#toolongname' is not a valid room name: a room name is at most 6 characters; "
            "give a shorter name or a larger --max-room-name.",
        )
        long = "#" + "a" * 39
        config = parse("--default-room", long, "--room", long + "b", "--max-room-name", "41").config()
        self.assertEqual((config.default_room, config.rooms), (long, (long + "b",)))

    def test_server_name_must_be_a_host_name(self) -> None:
        """--server-name is a host name of at most 63 characters, as IRC's source and the page's links need; anything
        else stops the start with one sentence naming the option."""
        sentence = (
            "is not a host name, as IRC and the page's links need: give --server-name as parts separated by '.', "
            "each of letters, digits, '-' and '_' and beginning and ending with a letter or digit, at most 63 "
            "characters in all, e.g. chat.example.org."
        )
        for bad in (
            "Class 7B",
            "",
            "chat.example.org.",
            "-chat",
            "a-.b",
            "chat..example",
            "caf\u00e9",
            "a" * 64,
            "chat:5000",
        ):
            error = self.assertRaises(usage.UsageError, parse, "--server-name", bad)
            self.assertEqual(str(error), f"--server-name {bad!r} {sentence}")
        for good in ("Class-7B", "chat.example.org", "my_host", "192.0.2.1", "a" * 63):
            self.assertEqual(parse("--name", good)["server-name"], good)

    def test_a_name_refused_is_named_by_the_option_typed(self) -> None:
        """--name is --server-name's other name: refused, the sentence names the one the host typed."""
        error = self.assertRaises(usage.UsageError, parse, "--name", "Class 7B")
        self.assertTrue(str(error).startswith("--name 'Class 7B' is not a host name"), str(error))
        self.assertIn("give --name as parts", str(error))
        self.assertNotIn("--server-name", str(error))

    def test_name_s_help_says_it_is_another_name_for_server_name(self) -> None:
        """--help's line for --name says in plain words that it is --server-name by an older name: "its first name,
        still taken" left a new host guessing whose first name."""
        shown = " ".join(str(Options()).split())
        self.assertIn("--name= Another name for --server-name (its older one, still taken).", shown)

    def test_a_machine_name_that_is_no_host_name_gives_way_to_chatd(self) -> None:
        """None given, the machine's own name is the server's if it can be one, else "chatd": a name the host never
        typed does not stop README's one-line start."""
        self.patch(socket, "gethostname", lambda: "Class 7B")
        self.assertEqual(parse()["server-name"], "chatd")
        self.patch(socket, "gethostname", lambda: "build-7.example")
        self.assertEqual(parse()["server-name"], "build-7.example")
        self.assertEqual(parse("--server-name", "chat.example.org")["server-name"], "chat.example.org")

    def test_motd_from_file(self) -> None:
        """--motd naming a file shows the file's text."""
        directory = new_folder(self)
        path = os.path.join(directory, "motd.txt")
        with open(path, "w", encoding="utf-8") as motd:
            motd.write("line one\nline two\n")
        self.assertEqual(parse("--motd", path)["motd"], "line one\nline two\n")

    def test_motd_text(self) -> None:
        """--motd that names no file is the text itself."""
        self.assertEqual(parse("--motd", "Be kind")["motd"], "Be kind")

    def test_an_empty_db_is_an_error(self) -> None:
        """--db '' names no file: one sentence saying what --db takes."""
        error = self.assertRaises(usage.UsageError, parse, "--db", "")
        self.assertEqual(str(error), "--db needs a file's path, or :memory: to keep nothing.")

    def test_a_missing_motd_file_is_an_error_not_the_greeting(self) -> None:
        """--motd that can only be a path (one word, a / or .txt) but names no file stops the start in one sentence;
        a word alone, or text with a /, is still text."""
        error = self.assertRaises(usage.UsageError, parse, "--motd", "/etc/chatd/motd.txt")
        self.assertEqual(
            str(error),
            "--motd: there is no file /etc/chatd/motd.txt; give a file that exists, or the text itself.",
        )
        self.assertRaises(usage.UsageError, parse, "--motd", "motd.txt")
        self.assertEqual(parse("--motd", "Welcome")["motd"], "Welcome")
        self.assertEqual(
            parse("--motd", "Be kind to each other, and/or patient")["motd"],
            "Be kind to each other, and/or patient",
        )

    def test_unreadable_motd_file_is_an_error(self) -> None:
        """A MOTD file that is not UTF-8 stops startup with a clear message."""
        directory = new_folder(self)
        path = os.path.join(directory, "motd.txt")
        with open(path, "wb") as motd:
            motd.write(b"\xff\xfe bad")
        error = self.assertRaises(usage.UsageError, parse, "--motd", path)
        self.assertIn("--motd: cannot read", str(error))


class OperatorOptionsTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.directory = new_folder(self)

    def test_opers_file_is_read_at_start(self) -> None:
        """--opers names a file of NAME HASH lines; its operators' passwords verify."""
        path = os.path.join(self.directory, "opers")
        with open(path, "w", encoding="utf-8") as opers:
            opers.write("boss " + quick_hash("pw") + "\n")
        self.assertTrue(parse("--opers", path)["operators"].verify("boss", "pw"))

    def test_bad_opers_file_stops_the_start_in_one_sentence(self) -> None:
        """A bad line stops the daemon, naming the option, the file and the line."""
        path = os.path.join(self.directory, "opers")
        with open(path, "w", encoding="utf-8") as opers:
            opers.write("boss plaintext-password\n")
        error = self.assertRaises(usage.UsageError, parse, "--opers", path)
        self.assertEqual(
            str(error), f"--opers: {path} line 1: not an Argon2 hash made by python -m chatd.passwd."
        )

    def test_without_opers_file_nobody_becomes_operator_by_password(self) -> None:
        """No --opers: every /oper fails."""
        self.assertFalse(parse()["operators"].verify("boss", "pw"))

    def test_console_needs_twistd_n(self) -> None:
        """Under twistd, --console is refused when twistd would run in the background."""
        self.patch(Options, "stdin", Terminal())
        error = self.assertRaises(StartError, under_twistd, "chatd", "--console")
        self.assertEqual(
            str(error), "chatd: --console needs twistd -n: a daemon in the background has no terminal."
        )

    def test_console_outside_twistd_needs_only_a_terminal(self) -> None:
        """chatd.tac cannot see twistd's -n, so outside twistd only the terminal is checked."""
        self.patch(Options, "stdin", Terminal())
        self.assertTrue(parse("--console")["console"])

    def test_console_needs_a_terminal(self) -> None:
        """--console with standard input that is not a terminal is refused."""
        self.patch(Options, "stdin", io.StringIO())
        error = self.assertRaises(StartError, under_twistd, "-n", "chatd", "--console")
        self.assertEqual(str(error), "chatd: --console needs a terminal on standard input.")
        self.assertRaises(usage.UsageError, parse, "--console")

    def test_console_under_twistd_n_on_a_terminal(self) -> None:
        """twistd -n chatd --console on a terminal is accepted, with the host called host by default."""
        self.patch(Options, "stdin", Terminal())
        options = under_twistd("-n", "chatd", "--console")
        self.assertEqual((options["console"], options["console-nick"]), (1, "host"))
        self.assertFalse(parse()["console"])

    def test_console_nick_must_be_a_nickname(self) -> None:
        """--console-nick follows the nickname rules."""
        self.patch(Options, "stdin", Terminal())
        error = self.assertRaises(usage.UsageError, parse, "--console", "--console-nick", "the host")
        self.assertIn("--console-nick: 'the host' is not a valid nickname", str(error))

    def test_console_nick_is_checked_against_max_nick_when_there_is_a_console(self) -> None:
        """With --console, a --console-nick longer than --max-nick stops the start, naming the option and the fix,
        and one longer than the default limit is taken when --max-nick allows it; without --console, where it is
        not used, --max-nick 3 takes the default "host"."""
        self.patch(Options, "stdin", Terminal())
        error = self.assertRaises(usage.UsageError, parse, "--console", "--max-nick", "3")
        self.assertEqual(
            str(error),
            "--console-nick: 'host' is not a valid nickname: a nickname is at most 3 characters; "
            "give a shorter name or a larger --max-nick.",
        )
        long = "h" * 30
        self.assertEqual(parse("--console", "--console-nick", long, "--max-nick", "30")["console-nick"], long)
        self.assertIsNone(parse("--max-nick", "3").config().console)


BIG = 20_000
"""Larger than the default of any limit no option sets, so a value from the command line stands out; and below
the most of every limit that has one (``LIMIT_MOST``)."""


class ConfigTests(SynchronousTestCase):
    """Options produce the typed configuration the service is built from."""

    def test_defaults(self) -> None:
        """With no options: port 5000 on '::', #lobby, no MOTD, the host's name, default limits, no console."""
        config = parse().config()
        # Opers compares by identity, so both sides share one for the comparison.
        nobody = Opers({})
        self.assertEqual(
            dataclasses.replace(config, operators=nobody),
            Config(
                server_name=socket.gethostname(),
                motd="",
                default_room="#lobby",
                interface="::",
                chat=Limits(),
                line=LineConfig(port=5000, tls=None, listen=(), limits=LineLimits()),
                operators=nobody,
                console=None,
                db="chatd.sqlite",
                files=FilesConfig(directory="chatd-files", beside_db=True),
            ),
        )
        self.assertFalse(config.operators.verify("boss", "pw"))

    def test_defaults_are_the_options_defaults(self) -> None:
        """A Config made without arguments but a name equals what the options give by default, bar --db.

        A Config made in code keeps nothing on disk unless told where, so a
        test that builds a daemon leaves no file behind.
        """
        nobody = Opers({})
        made = Config(server_name="testhost", operators=nobody)
        parsed = parse("--name", "testhost").config()
        self.assertEqual(made, dataclasses.replace(parsed, operators=nobody, db=None, files=FilesConfig()))
        self.assertFalse(Config(server_name="testhost").operators.verify("boss", "pw"))

    def test_options_reach_their_fields_with_their_types(self) -> None:
        """Each option lands in one field, converted, and normalised as the options check it."""
        config = parse(
            *("--name", "chat.example", "--motd", "Be kind", "--default-room", "#Main"),
            *(
                "--interface",
                "127.0.0.1",
                "--port",
                "6000",
                "--listen",
                "tcp:7000",
                "--listen",
                "unix:/tmp/s",
            ),
        ).config()
        self.assertEqual(
            (config.server_name, config.motd, config.default_room, config.interface),
            ("chat.example", "Be kind", "#Main", "127.0.0.1"),
        )
        self.assertEqual(config.line.port, 6000)
        self.assertIsInstance(config.line.port, int)
        self.assertEqual(config.line.listen, ("tcp:7000", "unix:/tmp/s"))

    def test_db_names_a_file_or_keeps_nothing(self) -> None:
        """--db names the file (chatd.sqlite in the working directory by default); :memory: keeps nothing."""
        self.assertEqual(parse().config().db, "chatd.sqlite")
        self.assertEqual(parse("--db", "/var/lib/chatd/chat.db").config().db, "/var/lib/chatd/chat.db")
        self.assertIsNone(parse("--db", ":memory:").config().db)

    def test_files_folder_is_kept_beside_the_database_or_temporary(self) -> None:
        """--files names the spool (chatd-files beside the --db file by default); with --db :memory: a temporary folder."""
        self.assertEqual(parse().config().files.directory, "chatd-files")
        self.assertEqual(
            parse("--db", "/var/lib/chatd/c.db").config().files.directory, "/var/lib/chatd/chatd-files"
        )
        self.assertEqual(parse("--files", "/srv/spool").config().files.directory, "/srv/spool")
        self.assertIsNone(parse("--db", ":memory:").config().files.directory)
        self.assertEqual(parse("--db", ":memory:", "--files", "f").config().files.directory, "f")

    def test_files_folder_beside_the_database_is_marked_as_not_given(self) -> None:
        """Only the default folder beside a --db file is marked so: a refusal of it names --db (chatd.daemon.files)."""
        self.assertTrue(parse("--db", "/var/lib/chatd/c.db").config().files.beside_db)
        self.assertFalse(parse("--files", "/var/lib/chatd/chatd-files").config().files.beside_db)
        self.assertFalse(parse("--db", ":memory:").config().files.beside_db)

    def test_file_limits_take_sizes_and_days(self) -> None:
        """Sizes take K, M, G, T (binary) or bytes; --file-keep is days; each reaches one FileLimits field."""
        limits = (
            parse(
                *("--file-max-size", "5M", "--file-day-bytes", "2G", "--file-transfers", "3"),
                *("--file-rate", "1.5K", "--file-keep", "0.5", "--file-store-bytes", "123456"),
            )
            .config()
            .files.limits
        )
        self.assertEqual(
            limits,
            FileLimits(
                max_size=5 * 1024**2,
                day_bytes=2 * 1024**3,
                transfers=3,
                rate=1536,
                keep=43200.0,
                store_bytes=123456,
            ),
        )
        self.assertEqual(parse("--file-max-size", "10MiB").config().files.limits.max_size, 10 * 1024**2)
        self.assertEqual(parse().config().files.limits, FileLimits())

    def test_every_option_that_takes_a_size_says_so_in_the_same_words(self) -> None:
        """Each option that takes 1T says, as the others do, how a size is written, and gives its default in
        binary units; one that says so takes a size."""
        words = "a number of bytes, or with K, M, G or T after it (binary: 100M is 100 MiB), at most 512T (512 TiB)."
        coerced = [row for row in Options().optParameters if len(row) > 4 and row[4] is not None]
        takes_size = []
        for name, _, _, _, coerce in coerced:
            try:
                coerce("1T")
            except usage.UsageError:
                continue
            takes_size.append(name)
        says_size = [name for name, _, _, text, _ in coerced if text.endswith(words)]
        self.assertEqual(takes_size, ["file-max-size", "file-day-bytes", "file-rate", "file-store-bytes"])
        self.assertEqual(says_size, takes_size)
        helps = {name: text for name, _, _, text, *_ in Options().optParameters}
        self.assertEqual(
            [helps[name].split(" (default ")[1].split(")")[0] for name in takes_size],
            ["100 MiB", "1 GiB", "10 MiB", "1 GiB"],
        )
        self.assertEqual(takes_size, list(SIZE_OPTIONS))
        error = self.assertRaises(usage.UsageError, parse, "--file-max-size", "big")
        self.assertEqual(str(error), f"--file-max-size must be a size: {words[:-1]}, not 'big'.")

    def test_help_says_a_size_s_default_once(self) -> None:
        """--help gives a size option's default once, in binary units, not again in bytes as Twisted adds it; the
        option still holds it, and other options keep Twisted's [default: ...]."""
        usage_text = " ".join(str(Options()).split())
        for name, default in (("file-max-size", "100 MiB"), ("file-day-bytes", "1 GiB")):
            described = usage_text.split(f"--{name}=")[1].split(" --")[0]
            self.assertEqual(described.count("default"), 1, described)
            self.assertIn(f"(default {default})", described)
        self.assertNotIn("[default: 104857600]", usage_text)
        self.assertIn("[default: 7.0]", usage_text)
        self.assertEqual(parse()["file-max-size"], 100 * 1024**2)

    def test_file_limits_must_be_more_than_zero(self) -> None:
        """A file limit of 0 is refused in one sentence naming it: a size as less than a byte, with the value as
        given (--file-max-size 0.5 was told "not 0"), --file-keep as less than its least."""
        error = self.assertRaises(usage.UsageError, parse, "--file-transfers", "0")
        self.assertEqual(str(error), "--file-transfers must be more than 0, not 0.")
        error = self.assertRaises(usage.UsageError, parse, "--file-keep", "0")
        self.assertEqual(str(error), "--file-keep must be at least 1/86400 (a second), not 0.0.")
        for name in SIZE_OPTIONS:
            for given in ("0", "0.5", "0.0001K", "1e-300T"):
                error = self.assertRaises(usage.UsageError, parse, f"--{name}", given)
                self.assertEqual(str(error), f"--{name} must be at least 1 byte, not {given!r}.")
            self.assertEqual(parse(f"--{name}", "1.5")[name], 1)
        error = self.assertRaises(usage.UsageError, parse, "--file-rate", "-1M")
        self.assertIn("--file-rate must be a size", str(error))

    def test_listen_alone_leaves_no_port(self) -> None:
        """--listen without --port: the line front end has no plain port of its own."""
        self.assertIsNone(parse("--listen", "tcp:7000").config().line.port)

    def test_every_limit_option_reaches_the_limits_it_names(self) -> None:
        """Each limit option sets exactly one field of LineLimits, Limits or the connection limits, as its type."""
        arguments: list[str] = []
        for number, (name, *_) in enumerate(LIMIT_OPTIONS):
            arguments += [f"--{name}", str(BIG + number)]
        config = parse(*arguments).config()
        given = sorted(
            [
                value
                for limits in (config.line.limits, config.chat)
                for value in dataclasses.asdict(limits).values()
                if value >= BIG
            ]
            + [config.max_connections, config.max_per_ip, config.connect_burst, config.connect_rate]
        )
        self.assertEqual(given, [BIG + number for number in range(len(LIMIT_OPTIONS))])
        self.assertIsInstance(config.line.limits.flood_rate, float)
        self.assertIsInstance(config.line.limits.sendq, int)
        self.assertIsInstance(config.connect_rate, float)

    def test_tls_port_with_its_certificate(self) -> None:
        """--tls-port with its certificate and key is one TLS listener, its certificate loaded."""
        directory = new_folder(self)
        certificate, key = write_self_signed(directory)
        tls = parse("--tls-port", "6697", "--tls-cert", certificate, "--tls-key", key).config().line.tls
        assert tls is not None
        self.assertEqual(tls.port, 6697)
        self.assertIsInstance(tls.certificate.options, CertificateOptions)

    def test_every_tls_port_serves_one_certificate(self) -> None:
        """--tls-port, --web-tls-port and --irc-tls-port are handed one certificate, so one SIGHUP renews it on all."""
        directory = new_folder(self)
        certificate, key = write_self_signed(directory)
        ports = ("--tls-port", "6697", "--web-tls-port", "8443", "--irc-tls-port", "6698")
        config = parse(*ports, "--tls-cert", certificate, "--tls-key", key).config()
        served = [
            config.certificate,
            *(port.certificate for port in (config.line.tls, config.web.tls, config.irc.tls) if port),
        ]
        self.assertEqual(len(served), 4)
        self.assertEqual({id(certificate) for certificate in served}, {id(config.certificate)})

    def test_operators_are_the_loaded_file(self) -> None:
        """--opers reaches the configuration as the operators whose passwords verify."""
        directory = new_folder(self)
        path = os.path.join(directory, "opers")
        with open(path, "w", encoding="utf-8") as opers:
            opers.write("boss " + quick_hash("pw") + "\n")
        self.assertTrue(parse("--opers", path).config().operators.verify("boss", "pw"))

    def test_console_only_when_asked(self) -> None:
        """--console gives console settings with the host's nickname; without it there are none."""
        self.patch(Options, "stdin", Terminal())
        config = under_twistd("-n", "chatd", "--console", "--console-nick", "Boss").config()
        self.assertEqual(config.console, ConsoleConfig(nick="Boss"))
        self.assertIsNone(parse("--console-nick", "Boss").config().console)

    def test_config_is_frozen(self) -> None:
        """Nothing changes a configuration once made."""
        config = parse().config()
        self.assertRaises(dataclasses.FrozenInstanceError, setattr, config, "motd", "changed")
        self.assertRaises(dataclasses.FrozenInstanceError, setattr, config.line, "port", 1)


class WebOptionsTests(SynchronousTestCase):
    def test_browser_front_end_is_off_unless_asked_for(self) -> None:
        """Without --web-port, --web-tls-port or a web: --listen, no page is served."""
        self.assertEqual(parse().config().web, WebConfig())
        self.assertFalse(WebConfig().wanted)

    def test_web_port_and_web_listen(self) -> None:
        """--web-port and --listen web:ENDPOINT reach the web front end; the line port keeps its default."""
        config = parse("--web-port", "8080", "--listen", "web:tcp:8081:interface=127.0.0.1").config()
        self.assertEqual((config.web.port, config.web.listen), (8080, ("tcp:8081:interface=127.0.0.1",)))
        self.assertTrue(config.web.wanted)
        self.assertEqual((config.line.port, config.line.listen), (5000, ()))

    def test_web_listen_must_be_an_endpoint(self) -> None:
        """A web: --listen Twisted cannot parse is refused, named as given."""
        error = self.assertRaises(usage.UsageError, parse, "--listen", "web:bogus:1")
        self.assertEqual(
            str(error),
            "--listen 'web:bogus:1': there is no endpoint type 'bogus'; begin it with tcp:, ssl: or unix:.",
        )

    def test_web_tls_port_shares_the_certificate(self) -> None:
        """--web-tls-port takes --tls-cert and --tls-key, with or without --tls-port."""
        directory = new_folder(self)
        certificate, key = write_self_signed(directory)
        config = parse("--web-tls-port", "8443", "--tls-cert", certificate, "--tls-key", key).config()
        assert config.web.tls is not None
        self.assertEqual(config.web.tls.port, 8443)
        self.assertIsNone(config.line.tls)
        error = self.assertRaises(usage.UsageError, parse, "--web-tls-port", "8443")
        self.assertEqual(
            str(error),
            "--tls-cert and --tls-key go together with --tls-port, --web-tls-port or --irc-tls-port; give both files and a port.",
        )

    def test_ports_must_differ(self) -> None:
        """Two options naming one port are refused, naming both."""
        error = self.assertRaises(usage.UsageError, parse, "--port", "5000", "--web-port", "5000")
        self.assertEqual(str(error), "--web-port must differ from --port; both are 5000.")
        self.assertEqual(parse("--port", "0", "--web-port", "0").config().web.port, 0)
        self.assertRaises(usage.UsageError, parse, "--web-port", "70000")

    def test_the_proxy_protocol_endpoint_is_refused_on_every_port(self) -> None:
        """haproxy: would believe anyone's header: refused in one sentence naming --proxy, for any front end's
        --listen."""
        for given in ("haproxy:tcp:6000", "web:haproxy:tcp:8080", "irc:haproxy:tcp:6667"):
            error = self.assertRaises(usage.UsageError, parse, "--listen", given)
            self.assertEqual(
                str(error),
                f"--listen {given!r} cannot be used: it would believe a PROXY header from anyone; listen on tcp: or "
                "ssl: and name the load balancer with --proxy ADDRESS, whose headers are then read on the line and "
                "IRC ports.",
            )

    def test_proxy_is_repeatable_and_checked(self) -> None:
        """--proxy takes addresses and networks, in one form; anything else is refused in one sentence."""
        self.assertEqual(parse().config().proxies, ())
        self.assertEqual(
            parse("--proxy", "10.1.0.0/16", "--proxy", "::1").config().proxies, ("10.1.0.0/16", "::1")
        )
        error = self.assertRaises(usage.UsageError, parse, "--proxy", "balancer")
        self.assertEqual(
            str(error),
            "--proxy 'balancer' is not an address or a network; give the proxy's, e.g. 127.0.0.1 or 10.0.0.0/8.",
        )

    def test_web_proxy_is_repeatable_and_checked(self) -> None:
        """--web-proxy takes addresses and networks, in one form; anything else is refused in one sentence."""
        self.assertEqual(parse().config().web.proxies, ())
        config = parse(
            "--web-proxy", "127.0.0.1", "--web-proxy", "10.1.0.0/16", "--web-proxy", "::1"
        ).config()
        self.assertEqual(config.web.proxies, ("127.0.0.1", "10.1.0.0/16", "::1"))
        error = self.assertRaises(usage.UsageError, parse, "--web-proxy", "localhost")
        self.assertEqual(
            str(error),
            "--web-proxy 'localhost' is not an address or a network; give the proxy's, e.g. 127.0.0.1 or 10.0.0.0/8.",
        )

    def test_web_origin_is_repeatable_and_checked(self) -> None:
        """--web-origin takes origins as browsers send them, lower-cased; anything else is refused."""
        config = parse(
            "--web-origin", "https://Chat.Example.org", "--web-origin", "http://a.test:8080/"
        ).config()
        self.assertEqual(config.web.origins, ("https://chat.example.org", "http://a.test:8080"))
        for bad in ("chat.example.org", "ftp://x.test", "https://x.test/page", "https://"):
            error = self.assertRaises(usage.UsageError, parse, "--web-origin", bad)
            self.assertIn(f"--web-origin {bad!r} is not an origin", str(error))
