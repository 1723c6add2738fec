"""Run chatd with ``twistd -ny chatd.tac``, configured by environment variables.

CHATD_PORT, CHATD_INTERFACE, CHATD_MOTD, CHATD_DEFAULT_ROOM, CHATD_NAME and
CHATD_OPERS mean what --port, --interface, --motd, --default-room, --name and
--opers mean;
CHATD_LISTEN holds endpoint descriptions separated by whitespace, each as
--listen takes it, and CHATD_ROOMS room names, each as --room takes it. The same options parser checks them and makes the same
typed configuration (chatd.config), so a bad value stops the daemon with
the same message the plugin gives, and a good one runs the same daemon.
"""

import os

from twisted.application.service import Application
from twisted.internet import reactor

from chatd.service import build
from chatd.tap import Options

_FLAGS = {
    "CHATD_PORT": "--port",
    "CHATD_INTERFACE": "--interface",
    "CHATD_MOTD": "--motd",
    "CHATD_DEFAULT_ROOM": "--default-room",
    "CHATD_NAME": "--name",
    "CHATD_OPERS": "--opers",
}

arguments = [f"{flag}={os.environ[name]}" for name, flag in _FLAGS.items() if name in os.environ]
arguments += [f"--listen={description}" for description in os.environ.get("CHATD_LISTEN", "").split()]
arguments += [f"--room={name}" for name in os.environ.get("CHATD_ROOMS", "").split()]
options = Options()
options.parseOptions(arguments)

application = Application("chatd")
build(options.config(), reactor).setServiceParent(application)
