"""The documents say what the code does."""

import os
import re

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain import errors as domain_errors
from chatd.domain.errors import ChatError
from chatd.domain.limits import Limits
from chatd.environment import environment
from chatd.frontend import errors as frontend_errors
from chatd.irc import numerics
from chatd.irc.caps import CAPS
from chatd.irc.commands import COMMANDS as IRC_COMMANDS
from chatd.irc.isupport import isupport_tokens
from chatd.line import errors as line_errors
from chatd.line.table import COMMANDS
from chatd.start import SIZE_MOST_WORDS
from chatd.tap import Options
from chatd.tap.bounds import LIMIT_LEAST, LIMIT_MOST
from chatd.tap.limits import FILE_OPTIONS, LIMIT_OPTIONS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read(*path: str) -> str:
    with open(os.path.join(ROOT, *path), encoding="utf-8") as document:
        return document.read()


class DocsTests(SynchronousTestCase):
    def test_ci_runs_readme_test_line(self) -> None:
        """.ci/run's command is README's test line, word for word."""
        command = read(".ci", "run").strip().splitlines()[-1]
        self.assertIn("    " + command + "\n", read("README.md"))

    def test_every_command_documented(self) -> None:
        """docs/PROTOCOL.md has a row for each command, with its arguments."""
        protocol = read("docs", "PROTOCOL.md")
        for spec in COMMANDS.values():
            self.assertIn(f"| `{spec.usage.replace('|', chr(92) + '|')}` |", protocol)

    def test_every_error_code_documented(self) -> None:
        """docs/PROTOCOL.md explains every error code the server can send."""
        protocol = read("docs", "PROTOCOL.md")
        codes = {
            kind.code
            for module in (domain_errors, frontend_errors, line_errors)
            for kind in vars(module).values()
            if isinstance(kind, type) and issubclass(kind, ChatError) and kind is not ChatError
        }
        self.assertGreaterEqual(len(codes), 15)
        for code in codes:
            self.assertTrue(f"| `{code}` |" in protocol, code)

    def test_every_option_in_readme(self) -> None:
        """README.md names every option of twistd chatd but the limits."""
        readme = read("README.md")
        limits = {row[0] for row in LIMIT_OPTIONS}
        names = [row[0] for row in Options.optParameters if row[0] not in limits] + ["listen"]
        for name in names:
            self.assertTrue(re.search(f"`--{name}[ `]", readme), name)

    def test_every_limit_in_security_with_its_default(self) -> None:
        """docs/SECURITY.md has a row for each limit option giving its real default."""
        security = read("docs", "SECURITY.md")
        for name, _, default, *_ in LIMIT_OPTIONS:
            shown = f"{default:g}" if isinstance(default, float) else str(default)
            self.assertTrue(re.search(rf"\| `--{name} [A-Z]+` \| {shown} \|", security), name)

    def test_every_file_limit_in_security_with_its_default(self) -> None:
        """docs/SECURITY.md has a row for each --file-* limit giving its real default (sizes may say it in MiB too)."""
        security = read("docs", "SECURITY.md")
        for name, _, default, *_ in FILE_OPTIONS:
            shown = f"{default:g}" if isinstance(default, float) else str(default)
            self.assertTrue(re.search(rf"\| `--{name} [A-Z]+` \| {shown}( \([^)]*\))? \|", security), name)

    def test_every_limits_most_in_its_security_row(self) -> None:
        """docs/SECURITY.md's row for each limit that has a most (LIMIT_MOST) says it, as --help does."""
        security = read("docs", "SECURITY.md")
        rows = [row[0] for row in [*LIMIT_OPTIONS, *FILE_OPTIONS] if row[0] in LIMIT_MOST]
        self.assertIn("register-timeout", rows)
        for name in rows:
            most = f"{LIMIT_MOST[name][0]:.15g}"
            self.assertTrue(re.search(rf"\| `--{name} [A-Z]+` \|[^\n]* at most {most} \(", security), name)

    def test_every_limits_least_in_its_security_row(self) -> None:
        """docs/SECURITY.md's row for each limit that has a least (LIMIT_LEAST) says it, as --help does."""
        security = read("docs", "SECURITY.md")
        self.assertIn("flood-rate", LIMIT_LEAST)
        rows = [row[0] for row in [*LIMIT_OPTIONS, *FILE_OPTIONS] if row[0] in LIMIT_LEAST]
        self.assertEqual(set(LIMIT_LEAST) - set(rows), {"retain-days"})  # told in words below
        for name in rows:
            _, shown, words = LIMIT_LEAST[name]
            self.assertTrue(
                re.search(rf"\| `--{name} [A-Z]+` \|[^\n]* at least {re.escape(shown)} \({words}", security),
                name,
            )

    def test_retain_days_bounds_in_readme_and_security(self) -> None:
        """README and docs/SECURITY.md say --retain-days' least and most, as --help does, in their prose (it has no
        row of limits)."""
        _, shown, words = LIMIT_LEAST["retain-days"]
        most, most_words = LIMIT_MOST["retain-days"]
        said = f"at least {shown}, {words}, and at most {most:.15g}, {most_words}"
        for document in (read("README.md"), read("docs", "SECURITY.md")):
            self.assertIn(said, " ".join(document.split()))

    def test_the_most_of_every_size_in_security(self) -> None:
        """docs/SECURITY.md says the most every size option takes (SIZE_MOST), as --help does."""
        self.assertIn(
            f"sizes take K, M, G or T after the number (binary units), each at most {SIZE_MOST_WORDS}:",
            " ".join(read("docs", "SECURITY.md").split()),
        )

    def test_readme_lists_every_variable_of_the_tac(self) -> None:
        """README.md's list of chatd.tac's variables is exactly one for each option, in order."""
        listed = re.search(
            r"The variables \(tests/test_docs.py holds this list to the options\):\n(.+?)\.\n",
            read("README.md"),
            re.DOTALL,
        )
        assert listed is not None, "README.md has the list of variables"
        self.assertEqual(re.findall(r"`(CHATD_\w+)`", listed.group(1)), list(environment()))

    def test_readme_commands_run_from_the_venv(self) -> None:
        """After the set-up lines, README runs twistd and python from the venv the set-up made."""
        readme = read("README.md")
        self.assertEqual(re.findall(r"(?<![/\w])(?:twistd|python) -\w+", readme), [])
        self.assertGreaterEqual(readme.count(".venv/bin/twistd -n"), 4)

    def test_s_client_and_telnet_are_shown_in_forms_that_work(self) -> None:
        """openssl s_client is shown with -quiet (else R and Q renegotiate and quit); telnet as HOST PORT."""
        for document in (read("README.md"), read("docs", "PROTOCOL.md")):
            commands = re.findall(r"openssl\s+s_client[^`]*", document)
            self.assertTrue(commands)
            for command in commands:
                self.assertIn("-quiet", command)
            self.assertNotRegex(document, r"telnet \S+ -\w")
        self.assertIn("`telnet localhost 5000`", read("README.md"))

    def test_irc_md_lists_every_command_capability_token_and_numeric(self) -> None:
        """docs/IRC.md has a row for each IRC command, capability and ISUPPORT token, and names every numeric."""
        irc = read("docs", "IRC.md")
        for row in IRC_COMMANDS.values():
            self.assertTrue(f"| `{row.usage.replace('|', chr(92) + '|')}` |" in irc, row.usage)
        for cap in CAPS:
            self.assertTrue(f"| `{cap}` |" in irc, cap)
        for token in isupport_tokens(Limits(), "testhost"):
            self.assertTrue(f"| `{token.split('=')[0]}` |" in irc, token)
        for name, value in vars(numerics).items():
            if name.isupper():
                self.assertTrue(f"`{value}`" in irc, name)
