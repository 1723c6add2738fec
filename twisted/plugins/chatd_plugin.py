"""Makes ``twistd chatd`` find the daemon; the work is in chatd.tap."""

from twisted.application.service import ServiceMaker

chatd = ServiceMaker("chatd", "chatd.tap", "A chat daemon with rooms and nicknames.", "chatd")
