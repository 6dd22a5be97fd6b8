"""Development-only authentication: trust the identity headers as sent.

With [api] auth_strategy = noauth this stands where auth_token would, and
accepts the X-Project-Id, X-User-Id and X-Roles headers that auth_token
would have set from a token. Never use it where untrusted callers can
reach the service.
"""

import webob.exc

from glance_sharing.api.middleware import base
from glance_sharing.api import util
from glance_sharing.i18n import _


class NoAuth(base.Middleware):
    """Take the caller's identity from its headers (development only)."""

    def process(self, req):
        if not req.headers.get('X-Project-Id'):
            return util.error_response(req, webob.exc.HTTPUnauthorized(
                _('No X-Project-Id header: in noauth mode the caller names '
                  'its project (and X-User-Id, X-Roles) in headers.')))
        req.headers.setdefault('X-User-Id', 'noauth-user')
        req.headers.setdefault('X-Roles', 'reader,member')
        req.headers['X-Identity-Status'] = 'Confirmed'
        return None
