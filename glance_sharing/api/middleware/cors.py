"""oslo.middleware's CORS, configured from the service's own [cors]."""

from oslo_middleware import cors

from glance_sharing import conf as gs_conf


def filter_factory(global_config, **local_config):
    """CORS reading [cors] from the configuration the service parsed.

    oslo.middleware's own Paste factory, given oslo_config_project, parses
    the project's default files again (~/.glance-sharing/,
    /etc/glance-sharing/) instead of the files this process was started
    with, and given nothing it reads the Paste section.
    """
    def make_filter(application):
        return cors.CORS(application, gs_conf.CONF)
    return make_filter
