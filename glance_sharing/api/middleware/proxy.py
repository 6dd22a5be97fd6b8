"""oslo.middleware's proxy headers filter, at no cost when it is off.

With ``[oslo_middleware] enable_proxy_headers_parsing`` False (the
default) the stock filter changes nothing, but still wraps every request
and response in webob objects; here it is skipped then.
"""

from oslo_middleware import http_proxy_to_wsgi

from glance_sharing.api.middleware import base


class HTTPProxyToWSGI(http_proxy_to_wsgi.HTTPProxyToWSGI):

    def __call__(self, environ, start_response):
        if not self._conf_get('enable_proxy_headers_parsing'):
            return self.application(environ, start_response)
        return super().__call__(environ, start_response)


filter_factory = base.oslo_filter_factory(HTTPProxyToWSGI)
