"""The parts chatd.service puts together into one daemon, a module for each purpose.

Each is on its own so that ``service.build`` reads as the wiring it is: the
stores ``--db`` names (stores), the files folder and its transfers (files),
what every front end shares, made once for the daemon (shared), the browser
and IRC front ends, imported only when asked for (web_and_irc),
the services that tie a resource's lifetime to the daemon's (lifetimes),
the layers that start in order and stop in reverse (layers), and the
listeners bound before the daemon starts (listeners).
"""
