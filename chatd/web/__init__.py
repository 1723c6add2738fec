"""The browser's page: its files (``static/``) and the site that serves them beside the WebSocket (issue 14).

The line protocol spoken over that WebSocket is chatd.line's (``web_session``,
``web_factory``, ``web_frontend``); what any front end needs to be spoken
over a WebSocket is chatd.frontend.websocket's. So this package imports
neither front end: only the shared plumbing.
"""
