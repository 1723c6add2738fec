"""chatd.tac's configuration: every option of ``twistd chatd`` from one environment variable.

One rule names them all, so a new option has its variable without anyone
keeping a list: CHATD_, then the option's name in capitals with - as _
(--max-per-ip is CHATD_MAX_PER_IP). README.md lists them, checked by a
test against ``environment()``. The values go through the same
``chatd.tap.Options`` as a command line, so they are checked the same way,
and a CHATD_ name that is no option's is refused as an unknown option is.
"""

import difflib
from collections.abc import Mapping

from twisted.python import usage

from chatd.start import StartError
from chatd.tap import Options

PREFIX = "CHATD_"

_ACTIONS = ("help", "version")
"""Options that do something instead of setting something, so they have no variable."""


def variable(option: str) -> str:
    """The variable for ``--option``: the prefix, then the name in capitals with - as _."""
    return PREFIX + option.upper().replace("-", "_")


def environment() -> dict[str, str]:
    """Every option's variable, in the order usage lists the options (flags first), and the option it sets."""
    names = (name.removesuffix("=") for name in Options().longOpt)
    return {variable(name): name for name in names if name not in _ACTIONS}


def from_environment(environ: Mapping[str, str]) -> Options:
    """The options ``environ``'s variables give, parsed and checked as twistd chatd's are.

    A flag's variable is 1 (on) or 0 (off); a repeatable option's (--listen)
    holds its values separated by whitespace. Raises ``StartError``.
    """
    _refuse_unknown(environ)
    options = Options()
    arguments: list[str] = []
    for name in options.longOpt:
        option = name.removesuffix("=")
        value = environ.get(variable(option))
        if option in _ACTIONS or value is None:
            continue
        if option == name:  # a flag: usage lists those without "="
            if value not in ("0", "1"):
                raise StartError(f"{variable(option)} must be 1 (--{option}) or 0, not {value!r}.")
            arguments += [f"--{option}"] if value == "1" else []
        elif option in options.defaults:
            arguments.append(f"--{option}={value}")
        else:
            arguments += [f"--{option}={each}" for each in value.split()]
    try:
        options.parseOptions(arguments)
    except usage.UsageError as error:
        raise StartError.from_usage(error) from None
    return options


def _refuse_unknown(environ: Mapping[str, str]) -> None:
    """Raise ``StartError`` for a variable of ``environ`` named CHATD_ that is no option's, with the nearest that is.

    A misspelt one was ignored: ``CHATD_PROT=5139`` started on the default
    port, on every interface. Refused, not warned about, as twistd chatd
    refuses ``--prot``: a warning goes to the log, which a daemon in the
    background writes to a file nobody reads at start.
    """
    known = environment()
    unknown = sorted(name for name in environ if name.startswith(PREFIX) and name not in known)
    if not unknown:
        return
    name = unknown[0]
    # Compared without the prefix every name shares, which would make any two look alike.
    nearest = difflib.get_close_matches(
        name.removeprefix(PREFIX), [key.removeprefix(PREFIX) for key in known], 1
    )
    hint = f" (the nearest is {PREFIX}{nearest[0]})" if nearest else ""
    raise StartError(
        f"{name} names no option{hint}; each option of twistd chatd --help but --help and --version has one, "
        f"{PREFIX} and its name in capitals with - as _."
    )
