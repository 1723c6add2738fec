"""Twisted's own IRC server (twisted.words) as a bench peer: ``twistd -n --pidfile= -y bench/twisted_words.tac``.

It listens on 127.0.0.1, port 0; Twisted logs "IRCFactory starting on
PORT" and the bench reads the port from there. twisted.words logs users
in through twisted.cred: this checker takes any password (the bench's
clients send PASS), and rooms are made on first JOIN, as on the other
servers. Everything else is twisted.words as shipped.
"""

from twisted.application import service, strports
from twisted.cred import credentials, portal
from twisted.cred.checkers import ICredentialsChecker
from twisted.internet import defer
from twisted.words import service as words
from zope.interface import implementer


@implementer(ICredentialsChecker)
class AnyPassword:
    """Accepts every nickname with any password: the bench measures chat, not auth."""

    credentialInterfaces = (credentials.IUsernamePassword,)

    def requestAvatarId(self, given: credentials.IUsernamePassword) -> "defer.Deferred[bytes]":  # noqa: N802 (cred's name)
        return defer.succeed(given.username)


realm = words.InMemoryWordsRealm("bench.twisted.words")
realm.createGroupOnRequest = True
factory = words.IRCFactory(realm, portal.Portal(realm, [AnyPassword()]))
application = service.Application("twisted.words bench peer")
strports.service("tcp:0:interface=127.0.0.1", factory).setServiceParent(application)
