"""chatd.tac's CHATD_* variables: one for every option, read as the command line is."""

import dataclasses

from twisted.trial.unittest import SynchronousTestCase

from chatd.environment import environment, from_environment
from chatd.opers import Opers
from chatd.start import StartError
from chatd.tap import Options
from tests.helpers import Terminal
from tests.test_tap import parse


class EnvironmentTests(SynchronousTestCase):
    def test_every_option_has_its_variable(self) -> None:
        """Each option but --help and --version has CHATD_ and its name in capitals, - as _."""
        names = {name.removesuffix("=") for name in Options().longOpt} - {"help", "version"}
        self.assertEqual(set(environment().values()), names)
        self.assertEqual(environment()["CHATD_MAX_PER_IP"], "max-per-ip")
        for name, option in environment().items():
            self.assertEqual(name, "CHATD_" + option.upper().replace("-", "_"))

    def test_variables_mean_their_options(self) -> None:
        """Values, flags and repeatable options from the environment equal the same command line."""
        options = from_environment(
            {
                "CHATD_PORT": "6000",
                "CHATD_MAX_PER_IP": "3",
                "CHATD_LISTEN": "tcp:7000  tcp:7001",
                "CHATD_CONSOLE": "0",
                "OTHER": "ignored",
            }
        )
        line = parse("--port", "6000", "--max-per-ip", "3", "--listen", "tcp:7000", "--listen", "tcp:7001")
        nobody = Opers({})  # Opers compare by identity; neither names operators
        self.assertEqual(
            dataclasses.replace(options.config(), operators=nobody),
            dataclasses.replace(line.config(), operators=nobody),
        )

    def test_flag_is_one_or_zero(self) -> None:
        """A flag's variable is 1 or 0; anything else stops the start by naming the variable."""
        self.patch(Options, "stdin", Terminal())
        self.assertTrue(from_environment({"CHATD_CONSOLE": "1"})["console"])
        error = self.assertRaises(StartError, from_environment, {"CHATD_CONSOLE": "true"})
        self.assertEqual(error.code, "chatd: CHATD_CONSOLE must be 1 (--console) or 0, not 'true'.")

    def test_unknown_chatd_variable_is_refused_naming_the_nearest(self) -> None:
        """A CHATD_ name that is no option's stops the start, as an unknown option does, naming the nearest one
        where one is near; other names are not chatd's and are left alone."""
        rule = "each option of twistd chatd --help but --help and --version has one, CHATD_ and its name in capitals with - as _."
        error = self.assertRaises(StartError, from_environment, {"CHATD_PROT": "5139", "CHATD_PORT": "6000"})
        self.assertEqual(error.code, f"chatd: CHATD_PROT names no option (the nearest is CHATD_PORT); {rule}")
        error = self.assertRaises(StartError, from_environment, {"CHATD_MAXPERIP": "3"})
        self.assertEqual(
            error.code, f"chatd: CHATD_MAXPERIP names no option (the nearest is CHATD_MAX_PER_IP); {rule}"
        )
        error = self.assertRaises(StartError, from_environment, {"CHATD_HELP": "1"})
        self.assertEqual(error.code, f"chatd: CHATD_HELP names no option; {rule}")
        self.assertEqual(from_environment({"CHATD": "x", "PORT": "1", "chatd_prot": "2"})["port"], 5000)

    def test_bad_value_is_one_sentence_naming_the_option(self) -> None:
        """A bad value stops the start with the command line's sentence."""
        error = self.assertRaises(StartError, from_environment, {"CHATD_MAX_NICK": "0"})
        self.assertEqual(error.code, "chatd: --max-nick must be more than 0, not 0.")
