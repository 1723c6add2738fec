"""The client's config file and its account's password: read once at start, never from argv.

``~/.config/chatd/client.toml`` (``$XDG_CONFIG_HOME`` if set; ``--config``
names another) may say ``host``, ``port``, ``nick``, ``identify`` (true:
identify as ``nick``), ``password_file`` and ``downloads`` (the folder
received files are saved in); what the command line says wins. The password is the first line of the password file, or is asked
on the terminal (``getpass``, which does not echo it): a password on the
command line would be in every ``ps`` listing and the shell's history.
"""

import getpass
import os
import tomllib
from collections.abc import Mapping
from typing import Any

from chatd.password_file import PasswordFileError, password_in

KEYS = {"host": str, "port": int, "nick": str, "identify": bool, "password_file": str, "downloads": str}
"""What the config file may say, and the type of each."""

KINDS = {str: "text in quotes", int: "a whole number", bool: "true or false"}
"""Each type of ``KEYS`` as its user writes it in TOML: Python's names (a str, an int) say nothing to them."""


class SettingsError(Exception):
    """The config file or password cannot be used; the text is one sentence naming it."""


def default_path(environment: Mapping[str, str]) -> str:
    """Where the config file is unless ``--config`` says: under ``$XDG_CONFIG_HOME``, else ``~/.config``."""
    base = environment.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "chatd", "client.toml")


def load(path: str, required: bool) -> dict[str, Any]:
    """The settings in the TOML file ``path``; none if it is missing and not ``required``. Raises SettingsError."""
    try:
        with open(path, "rb") as file:
            found = tomllib.load(file)
    except FileNotFoundError:
        if required:
            raise SettingsError(f"--config {path} does not exist.") from None
        return {}
    except OSError as error:
        raise SettingsError(f"cannot read the config file {path}: {error.strerror}.") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"the config file {path} is not TOML: {error}.") from None
    except UnicodeDecodeError:
        raise SettingsError(f"the config file {path} is not TOML: TOML is UTF-8 text.") from None
    except ValueError:
        # tomllib reads an integer with int(), which refuses one of more than 4300 digits with a ValueError.
        raise SettingsError(f"the config file {path} holds a number too long to read.") from None
    for key, value in found.items():
        kind = KEYS.get(key)
        if kind is None:
            raise SettingsError(f"the config file {path} says {key}, which is none of {', '.join(KEYS)}.")
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise SettingsError(f"{key} in the config file {path} must be {KINDS[kind]}, not {value!r}.")
    return found


def password(path: str | None, interactive: bool, nick: str) -> str:
    """The account's password: the first line of the file ``path``, else asked on the terminal. Raises SettingsError."""
    if path is None:
        if not interactive:
            raise SettingsError("--identify needs --password-file when stdin is not a terminal.")
        return getpass.getpass(f"Password for {nick}: ")
    try:
        return password_in(path)
    except PasswordFileError as error:
        raise SettingsError(f"{error}.") from None
