"""Test fixtures: configuration, a fresh database, and the WSGI app."""

import functools
import os
from urllib import parse
import uuid

import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import provision
from oslo_db.sqlalchemy import utils as db_utils
from oslo_log import log as logging
from oslo_serialization import jsonutils
import webob

from glance_sharing import conf as gs_conf
from glance_sharing.conf import notifications as notification_conf
from glance_sharing.db import engine as db_engine
from glance_sharing.db import migration
from glance_sharing import deploy
from glance_sharing import notifier
from glance_sharing import policy
from harness import server as harness_server

# The repository's paths, from the harness that serves them to gunicorn.
REPO_ROOT = harness_server.REPO_ROOT
PASTE_INI = harness_server.PASTE_INI
AUDIT_MAP = harness_server.AUDIT_MAP

BACKENDS = ('sqlite', 'mysql', 'postgresql')
# testscenarios scenarios that run a test class once per backend.
BACKEND_SCENARIOS = [(name, {'db_backend': name}) for name in BACKENDS]
SERVER_BACKEND_SCENARIOS = [scenario for scenario in BACKEND_SCENARIOS
                            if scenario[0] != 'sqlite']

# oslo.db provisioning reads admin URLs (';'-separated) from this variable;
# without it, we use the servers every development and CI machine runs on
# 127.0.0.1 (trust or empty-password root accounts), not oslo.db's
# "openstack_citest" convention.
ADMIN_CONNECTION_ENV = 'OS_TEST_DBAPI_ADMIN_CONNECTION'
DEFAULT_ADMIN_URLS = (
    # No charset: the DB API must get utf8mb4 connections without one.
    'mysql+pymysql://root@127.0.0.1:3306/test',
    'postgresql+psycopg2://root@127.0.0.1:5432/test',
)


@functools.cache
def use_local_admin_urls():
    """Point oslo.db's provisioning at our servers, unless told otherwise.

    Called before anything looks a backend up (our fixtures below, and
    oslo.db's own test_fixtures in db/test_migrations.py); once per process,
    as a second Backend would lose the first one's verified connection.
    """
    if os.environ.get(ADMIN_CONNECTION_ENV):
        return
    for url in DEFAULT_ADMIN_URLS:
        url = db_utils.make_url(url)
        name = url.get_backend_name()
        provision.Backend.backends_by_database_type[name] = provision.Backend(
            name, url)


def _server_backend(backend):
    """oslo.db's provisioning Backend of ``backend`` ('mysql', ...)."""
    use_local_admin_urls()
    return provision.Backend.backend_for_database_type(backend)


def backend_unavailable(backend):
    """Why databases cannot be made on ``backend``, or None if they can."""
    if backend == 'sqlite':
        return None
    try:
        _server_backend(backend)
    except db_exc.BackendNotAvailable as exc:
        return str(exc)
    return None


class ProvisionedDatabase(fixtures.Fixture):
    """A new, empty database on ``backend``, dropped on cleanup.

    ``url`` is its connection URL (password included). For SQLite it is a
    file in a temporary folder; for MySQL and PostgreSQL a database with a
    random name, made through the oslo.db provisioning admin connection.
    """

    def __init__(self, backend='sqlite'):
        super().__init__()
        self.backend = backend

    def _setUp(self):
        if self.backend == 'sqlite':
            folder = self.useFixture(fixtures.TempDir()).path
            self.url = 'sqlite:///' + os.path.join(folder, 'test.sqlite')
            return
        backend = _server_backend(self.backend)
        self.name = 'gs_' + uuid.uuid4().hex[:16]
        backend.create_named_database(self.name)
        self.addCleanup(backend.drop_named_database, self.name,
                        conditional=True)
        self.url = backend.provisioned_database_url(
            self.name).render_as_string(hide_password=False)


class ConfFixture(config_fixture.Config):
    """Our options, parsed from no file, with noauth and a fresh enforcer."""

    def setUp(self):
        super().setUp()
        gs_conf.register_opts(self.conf)
        try:
            logging.register_options(self.conf)
        except cfg.ArgsAlreadyParsedError:
            # A ConfFixture inside another: the outer one registered them
            # and parsed, and oslo.config refuses CLI options from then on
            # (registering them again is otherwise a no-op).
            pass
        self.conf([], project='glance-sharing', default_config_files=[],
                  default_config_dirs=[])
        self.config(auth_strategy='noauth', allow_noauth_for_development=True,
                    group='api')
        self.config(config_file=PASTE_INI, group='paste_deploy')
        self.store_dir = self.useFixture(fixtures.TempDir()).path
        self.config(filesystem_store_datadir=self.store_dir,
                    group='glance_store')
        policy.reset()
        self.addCleanup(policy.reset)
        notifier.reset()
        self.addCleanup(notifier.reset)


class Database(fixtures.Fixture):
    """A new database, migrated to head, used by the DB API until cleanup.

    Without ``url``, a new database is made on ``backend`` ('sqlite', the
    default, 'mysql' or 'postgresql'; see ProvisionedDatabase) and dropped
    afterwards. ``manager`` is the enginefacade the DB API then uses.
    """

    def __init__(self, conf, url=None, backend='sqlite'):
        super().__init__()
        self.conf = conf
        self.url = url
        self.backend = backend

    def _setUp(self):
        if self.url is None:
            self.url = self.useFixture(
                ProvisionedDatabase(self.backend)).url
        self.conf.set_override('connection', self.url, group='database')
        manager = self.manager = (
            db_engine.main_context_manager.make_new_manager())
        manager.configure(connection=self.url)
        self.addCleanup(db_engine.main_context_manager.patch_factory(manager))
        self.addCleanup(manager.dispose_pool)
        migration.upgrade()


class APIClient(fixtures.Fixture):
    """The production app, from deploy.loadapp(conf), called in-process.

    Requests go through webob: the Paste pipeline, routes, middleware and
    handlers are those of production, only the socket is missing. Set up
    after ConfFixture (noauth) and, for most paths, Database.

    ``project`` (default: a new one) and ``roles`` are the identity sent
    in the noauth headers unless a request names its own; ``url`` is the
    scheme and host the app sees.
    """

    def __init__(self, conf, project=None, roles='reader,member',
                 url='http://localhost'):
        super().__init__()
        self.conf = conf
        self.project = project or uuid.uuid4().hex
        self.roles = roles
        self.url = url

    def _setUp(self):
        self.app = deploy.loadapp(self.conf)

    def request(self, method, path, body=None, project=None, roles=None,
                user=None, content_type='application/json', headers=None,
                status=None):
        """Send one request; the webob response.

        ``path`` is sent as a client sends it (percent-encoded, with any
        query string); it reaches the app as a WSGI server hands it over,
        the unquoted bytes as latin-1 (PEP 3333).
        ``project``, ``roles`` and ``user`` become X-Project-Id, X-Roles
        and X-User-Id (the noauth middleware's defaults for the last two);
        ``project=False`` sends none of them. ``body``: a dict or list is
        sent as JSON, bytes and str (UTF-8, lone surrogates kept) as they
        are, with ``content_type`` (None: no Content-Type). ``headers``
        are added last, and win. ``status``: the status the response must
        have.
        """
        path, _, query = path.partition('?')
        req = webob.Request.blank(self.url + '/', method=method)
        req.environ['PATH_INFO'] = parse.unquote_to_bytes(path).decode(
            'latin-1')
        req.environ['QUERY_STRING'] = query
        if project is not False:
            req.headers['X-Project-Id'] = project or self.project
            req.headers['X-Roles'] = roles or self.roles
            if user:
                req.headers['X-User-Id'] = user
        if body is not None:
            if isinstance(body, (dict, list)):
                body = jsonutils.dump_as_bytes(body)
            elif isinstance(body, str):
                body = body.encode('utf-8', 'surrogatepass')
            req.body = body
            if content_type:
                req.content_type = content_type
        req.headers.update(headers or {})
        response = req.get_response(self.app)
        if status is not None and response.status_int != status:
            raise AssertionError('%s %s: %s, not %d: %s' % (
                method, path, response.status, status, response.text[:2000]))
        return response


class Notifications(fixtures.Fixture):
    """Notifications kept in memory by oslo.messaging's "test" driver.

    ``messages`` are the messages sent since set-up (or ``clear``), each
    {'ctxt', 'event_type', 'payload', 'priority', 'publisher_id'}.
    """

    def __init__(self, conf):
        super().__init__()
        self.conf = conf

    def _setUp(self):
        notification_conf.messaging(self.conf)
        group = notification_conf.MESSAGING_GROUP
        self.conf.set_override('driver', ['test'], group=group)
        self.conf.set_override('transport_url', 'fake:/', group=group)
        self.addCleanup(self.conf.clear_override, 'driver', group=group)
        self.addCleanup(self.conf.clear_override, 'transport_url',
                        group=group)
        notifier.reset()
        self.addCleanup(notifier.reset)
        self.clear()
        self.addCleanup(self.clear)

    @staticmethod
    def clear():
        _test_driver().reset()

    @property
    def messages(self):
        return [dict(message, ctxt=ctxt)
                for ctxt, message, _priority, _retry
                in _test_driver().NOTIFICATIONS]

    @property
    def events(self):
        """(event_type, payload) of each message, in the order sent."""
        return [(m['event_type'], m['payload']) for m in self.messages]


def _test_driver():
    # Imported once notification_conf.messaging imported oslo.messaging
    # without its eventlet warning.
    notification_conf.messaging(gs_conf.CONF)
    from oslo_messaging.notify import _impl_test
    return _impl_test
