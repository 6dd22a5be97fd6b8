"""glance-sharing-api: a small threaded development server.

For production, serve glance_sharing.wsgi.api:application with Apache
mod_wsgi, uWSGI or gunicorn instead.
"""

import socketserver
import sys
from wsgiref import simple_server

from oslo_config import cfg
from oslo_log import log as logging

from glance_sharing import conf as gs_conf
from glance_sharing import deploy

LOG = logging.getLogger(__name__)

CLI_OPTS = [
    cfg.HostAddressOpt('bind-host', default='127.0.0.1',
                       help='Address to listen on.'),
    cfg.PortOpt('bind-port', default=9292, help='Port to listen on.'),
]


class _ThreadingServer(socketserver.ThreadingMixIn,
                       simple_server.WSGIServer):
    daemon_threads = True


class _QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, format, *args):
        # The request_log middleware already logs every request, with
        # its request id, user and project.
        pass


def main(argv=None):
    gs_conf.CONF.register_cli_opts(CLI_OPTS)
    deploy.parse_args(sys.argv[1:] if argv is None else argv)
    conf = gs_conf.CONF
    try:
        app = deploy.loadapp()
    except deploy.ConfigurationRefused as exc:
        print(exc, file=sys.stderr)
        return 1
    server = simple_server.make_server(
        conf.bind_host, conf.bind_port, app,
        server_class=_ThreadingServer, handler_class=_QuietHandler)
    LOG.info('glance-sharing (%s) listening on http://%s:%d/',
             conf.api.auth_strategy, conf.bind_host, conf.bind_port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
