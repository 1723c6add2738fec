"""The IRC front end: chat for IRC clients, on the same rooms and nicknames (issue 15)."""
