"""Test fixtures: configuration, a fresh database, and the WSGI app."""

import os

import fixtures
from oslo_config import fixture as config_fixture
from oslo_log import log as logging

from glance_sharing import conf as gs_conf
from glance_sharing.db import api as db_api
from glance_sharing.db import migration
from glance_sharing import policy

REPO_ROOT = os.path.abspath(
    os.path.join(os.path.dirname(__file__), '..', '..'))
PASTE_INI = os.path.join(REPO_ROOT, 'etc', 'glance-sharing', 'api-paste.ini')


class ConfFixture(config_fixture.Config):
    """Our options, parsed from no file, with noauth and a fresh enforcer."""

    def setUp(self):
        super().setUp()
        gs_conf.register_opts(self.conf)
        try:
            logging.register_options(self.conf)
        except Exception:  # already registered by an earlier fixture
            pass
        self.conf([], project='glance-sharing', default_config_files=[],
                  default_config_dirs=[])
        self.config(auth_strategy='noauth', group='api')
        self.config(config_file=PASTE_INI, group='paste_deploy')
        policy.reset()
        self.addCleanup(policy.reset)


class Database(fixtures.Fixture):
    """A new database, migrated to head, used by the DB API until cleanup.

    ``url`` defaults to an SQLite file in a temporary folder.
    """

    def __init__(self, conf, url=None):
        super().__init__()
        self.conf = conf
        self.url = url

    def _setUp(self):
        if self.url is None:
            folder = self.useFixture(fixtures.TempDir()).path
            self.url = 'sqlite:///' + os.path.join(folder, 'test.sqlite')
        self.conf.set_override('connection', self.url, group='database')
        manager = db_api.main_context_manager.make_new_manager()
        manager.configure(connection=self.url)
        self.addCleanup(db_api.main_context_manager.patch_factory(manager))
        self.addCleanup(manager.dispose_pool)
        migration.upgrade()
