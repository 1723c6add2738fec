"""The line front end: chat over nc or telnet, one UTF-8 line at a time."""
