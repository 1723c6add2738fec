"""Where the chat's events are kept: behind the History port (chatd.domain.storage_ports)."""
