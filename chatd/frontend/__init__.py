"""What every front end shares: output batching and socket writes, socket tuning, limits on
connections across front ends, the flood driver, waiting on slow commands, the operator login
throttle, the JSON codec, what a front end is handed (``wiring``) and what its factory sets up like
every other's (``factory``), and how a front end's connections end when the daemon stops.

Imports point ``line -> frontend -> domain``: nothing here knows a wire protocol (its
``ruff.toml`` bans ``chatd.line``), so the IRC and browser front ends can use it as it is.
"""
