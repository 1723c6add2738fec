"""Run chatd with ``twistd -ny chatd.tac``, configured by environment variables.

Every option of ``twistd chatd`` has one, named by one rule: CHATD_, then
the option's name in capitals with - as _ (--port is CHATD_PORT,
--max-per-ip is CHATD_MAX_PER_IP); README.md lists them all. A flag's
variable (CHATD_CONSOLE) is 1 or 0; CHATD_LISTEN holds endpoint
descriptions separated by whitespace, each as --listen takes it. The same
options parser checks them and the same ``makeService`` builds the daemon,
so a bad value stops it with the sentence the plugin gives, and a good
one runs the same daemon. A CHATD_ name that is no option's (CHATD_PROT)
stops it too, as an unknown option stops the plugin.
"""

import os

from twisted.application.service import Application

from chatd.environment import from_environment
from chatd.tap import makeService

application = Application("chatd")
makeService(from_environment(os.environ)).setServiceParent(application)
