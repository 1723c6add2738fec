"""chatd's tests; run by ``python -m pytest`` or ``trial tests``.

Hypothesis runs without its per-example deadline: these tests assert
behaviour, not speed, and on a shared machine (or a cold first run that
builds Hypothesis's Unicode tables) one slow example would fail a run.
"""

from hypothesis import settings

settings.register_profile("chatd", deadline=None)
settings.load_profile("chatd")
