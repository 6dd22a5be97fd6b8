"""The server's own floor: a WSGI app that does nothing, without Paste."""

_BODY = b'{}'
_HEADERS = [('Content-Type', 'application/json'),
            ('Content-Length', str(len(_BODY)))]


def application(environ, start_response):
    start_response('200 OK', list(_HEADERS))
    return [_BODY]
