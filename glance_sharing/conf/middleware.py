"""Our defaults for oslo.middleware's [cors] and [healthcheck] options.

The options themselves belong to oslo.middleware (the sample lists them
under its namespaces); only their defaults are ours.
"""

from oslo_config import cfg
from oslo_middleware import cors
from oslo_middleware.healthcheck import opts as healthcheck_opts

# What a browser client (Horizon-style) sends and reads, as Glance allows.
CORS_ALLOW_HEADERS = [
    'Content-Type', 'Content-MD5', 'Accept-Encoding', 'X-Auth-Token',
    'X-Identity-Status', 'X-Roles', 'X-Service-Catalog', 'X-User-Id',
    'X-Project-Id', 'X-Tenant-Id', 'X-OpenStack-Request-ID',
]
CORS_EXPOSE_HEADERS = [
    'X-OpenStack-Request-ID', 'Location', 'Content-MD5',
]
CORS_ALLOW_METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH']

# Touching this file takes the node out of a load balancer's rotation
# (/healthcheck answers 503) while it keeps serving the requests it has.
DISABLE_BY_FILE_PATH = '/etc/glance-sharing/healthcheck_disable'


def set_defaults():
    cors.set_defaults(allow_headers=CORS_ALLOW_HEADERS,
                      expose_headers=CORS_EXPOSE_HEADERS,
                      allow_methods=CORS_ALLOW_METHODS)
    cfg.set_defaults(healthcheck_opts.HEALTHCHECK_OPTS,
                     backends=['database', 'disable_by_file'])
    cfg.set_defaults(healthcheck_opts.DISABLE_BY_FILE_OPTS,
                     disable_by_file_path=DISABLE_BY_FILE_PATH)


def register_opts(conf):
    set_defaults()
    conf.register_opts(cors.CORS_OPTS, group='cors')
    conf.register_opts(healthcheck_opts.HEALTHCHECK_OPTS, group='healthcheck')
    conf.register_opts(healthcheck_opts.DISABLE_BY_FILE_OPTS,
                       group='healthcheck')


def list_opts():
    # Listed by oslo.middleware's own generator namespaces.
    return {}
