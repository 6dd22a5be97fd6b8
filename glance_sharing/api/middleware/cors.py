"""oslo.middleware's CORS, from the service's own [cors], real preflights only.

The stock filter turns the response to any OPTIONS request into an empty
200, Origin or not, so every path answered OPTIONS with 200 before
authentication. Here only a CORS preflight (Origin and
Access-Control-Request-Method, per the Fetch standard) gets that
treatment; any other OPTIONS goes on like any request: 401 without an
identity, then 405 with Allow from the router.
"""

from oslo_middleware import cors

from glance_sharing import deploy


def is_preflight(request):
    return (request.method == 'OPTIONS'
            and 'Origin' in request.headers
            and 'Access-Control-Request-Method' in request.headers)


class CORS(cors.CORS):

    def process_response(self, response, request=None):
        if (request is not None and request.method == 'OPTIONS'
                and not is_preflight(request)):
            return response
        return super().process_response(response, request)


def filter_factory(global_config, **local_config):
    """CORS reading [cors] from the configuration the service parsed.

    oslo.middleware's own Paste factory, given oslo_config_project, parses
    the project's default files again (~/.glance-sharing/,
    /etc/glance-sharing/) instead of the files this process was started
    with, and given nothing it reads the Paste section.
    """
    def make_filter(application):
        return CORS(application, deploy.building_conf())
    return make_filter
