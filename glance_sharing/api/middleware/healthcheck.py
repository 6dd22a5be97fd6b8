"""A healthcheck backend that reports the node unhealthy without its DB."""

from oslo_db import exception as db_exc
from oslo_middleware import healthcheck
from oslo_middleware.healthcheck import pluginbase
import sqlalchemy as sa
import webob

from glance_sharing.api import util
from glance_sharing.db import engine as db_engine
from glance_sharing import deploy

# oslo.middleware's healthcheck answers any method; only these make sense.
ALLOWED_METHODS = ('GET', 'HEAD')


class DatabaseHealthcheck(pluginbase.HealthcheckBaseExtension):
    """Run SELECT 1 on the configured database."""

    def healthcheck(self, server_port):
        try:
            engine = db_engine.main_context_manager.reader.get_engine()
            with engine.connect() as connection:
                connection.execute(sa.text('SELECT 1'))
        except (db_exc.DBError, sa.exc.SQLAlchemyError) as exc:
            return pluginbase.HealthcheckResult(
                available=False,
                reason='database unreachable: %s' % type(exc).__name__)
        return pluginbase.HealthcheckResult(available=True,
                                            reason='database reachable')


class HealthcheckFilter:
    """Serve oslo.middleware's healthcheck app at its path, before auth.

    oslo.middleware ships the healthcheck as an application only; this
    filter puts it in the pipeline so it still gets a request id. It reads
    [healthcheck] from the service's configuration: settings in the Paste
    section would override glance-sharing.conf without a word, so the
    only one taken from there is ``path``, which is where the filter sits.
    """

    def __init__(self, application, healthcheck, path):
        self.application = application
        self.healthcheck = healthcheck
        self.path = path

    @classmethod
    def factory(cls, global_config, **local_config):
        path = local_config.get('path', '/healthcheck')
        app = healthcheck.Healthcheck(None, deploy.building_conf())

        def make_filter(application):
            return cls(application, app, path)
        return make_filter

    def __call__(self, environ, start_response):
        if environ.get('PATH_INFO') == self.path:
            if environ.get('REQUEST_METHOD') not in ALLOWED_METHODS:
                req = webob.Request(environ)
                response = util.error_response(
                    req, util.method_not_allowed(req, ALLOWED_METHODS))
                return response(environ, start_response)
            return self.healthcheck(environ, start_response)
        return self.application(environ, start_response)
