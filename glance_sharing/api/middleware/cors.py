"""oslo.middleware's CORS, from the service's own [cors], real preflights only.

The stock filter turns the response to any OPTIONS request into an empty
200, Origin or not, so every path answered OPTIONS with 200 before
authentication. Here only a CORS preflight (Origin and
Access-Control-Request-Method, per the Fetch standard) gets that
treatment; any other OPTIONS goes on like any request: 401 without an
identity, then 405 with Allow from the router.
"""

from oslo_middleware import cors

from glance_sharing.api.middleware import base


def is_preflight(request):
    return (request.method == 'OPTIONS'
            and 'Origin' in request.headers
            and 'Access-Control-Request-Method' in request.headers)


class CORS(cors.CORS):

    def __call__(self, environ, start_response):
        # Without an Origin the stock filter changes nothing, in the
        # request or the response: skip its two webob layers.
        if 'HTTP_ORIGIN' not in environ:
            return self.application(environ, start_response)
        return super().__call__(environ, start_response)

    def process_response(self, response, request=None):
        if (request is not None and request.method == 'OPTIONS'
                and not is_preflight(request)):
            return response
        return super().process_response(response, request)


filter_factory = base.oslo_filter_factory(CORS)
