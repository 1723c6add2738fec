"""chatd: a chat daemon on Twisted with IRC-style rooms and nicknames."""

__version__ = "0.1.0"
