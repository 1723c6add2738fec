"""The browser front end: the page chatd serves and the WebSocket it talks through (issue 14)."""
