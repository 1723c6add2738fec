"""How the chat's events reach other daemons: behind the Bus port (chatd.domain.ports)."""
