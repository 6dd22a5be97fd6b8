"""A healthcheck backend that reports the node unhealthy without its DB."""

from oslo_db import exception as db_exc
from oslo_middleware.healthcheck import pluginbase
import sqlalchemy as sa

from glance_sharing.db import api as db_api


class DatabaseHealthcheck(pluginbase.HealthcheckBaseExtension):
    """Run SELECT 1 on the configured database."""

    def healthcheck(self, server_port):
        try:
            engine = db_api.main_context_manager.reader.get_engine()
            with engine.connect() as connection:
                connection.execute(sa.text('SELECT 1'))
        except (db_exc.DBError, sa.exc.SQLAlchemyError) as exc:
            return pluginbase.HealthcheckResult(
                available=False,
                reason='database unreachable: %s' % type(exc).__name__)
        return pluginbase.HealthcheckResult(available=True,
                                            reason='database reachable')
