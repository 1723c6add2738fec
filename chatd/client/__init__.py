"""``python -m chatd.client``: a terminal client for chatd that speaks only the wire protocol.

It asks the server for JSON lines and renders every event itself: local
times, colours, bells and a line editor that incoming lines never garble.
It imports nothing of the server but ``chatd.text``, whose pure
``scrub`` and ``fold`` are the protocol's own rules for safe text and names.
"""
