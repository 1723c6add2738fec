"""The command table's rows (chatd.line.table), a module for each group of commands: presence, talk, session,
accounts and moderation; the table puts them together, in that order, as ``/help`` lists them.

Apart from the table, so that each group of commands is read, and
changed, beside its like, and each module imports only the parsers,
handlers and limits its own rows name.
"""
