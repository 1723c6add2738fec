"""The chat domain: plain Python with no I/O, shared by every front end."""
