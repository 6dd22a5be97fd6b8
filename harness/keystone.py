"""A real Keystone on 127.0.0.1, with glance-sharing behind auth_token.

Keystone is installed from PyPI into a virtualenv of its own by
tools/keystone/install-venv.sh, configured on SQLite with fernet tokens,
served by gunicorn (one worker: SQLite takes one writer process), and
bootstrapped with an admin. ``Cloud`` then creates the projects and users
the tests act as, starts glance-sharing with ``auth_strategy = keystone``
and registers it in the catalog as the ``image`` service.

``shared_cloud()`` builds one Cloud per test process, the first time a
test asks, and stops it when the process exits.
"""

import atexit
import ctypes
import ctypes.util
import os
import shutil
import signal
import subprocess
import threading
import time
import uuid

import fixtures
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import requests

from harness import memcached
from harness import server

INSTALL_SCRIPT = os.path.join(server.REPO_ROOT, 'tools', 'keystone',
                              'install-venv.sh')
VENV_ENV = 'KEYSTONE_VENV'
DEFAULT_VENV = os.path.join(server.REPO_ROOT, '.cache', 'keystone', 'venv')
REGION = 'RegionOne'
DOMAIN = 'default'
INSTALL_TIMEOUT = 1200
PR_SET_PDEATHSIG = 1


class Unavailable(Exception):
    """A service (Keystone, Swift, Glance) could not be installed here."""


def venv_path(env_var=VENV_ENV, default=DEFAULT_VENV):
    return os.path.abspath(os.environ.get(env_var, default))


def run_installer(script, env_var, default, what, venv=None, python=None):
    """Run the project's ``script`` installing ``what`` into its venv.

    The venv is ``venv``, else ``$env_var``, else ``default``, and the
    script gets it in ``$env_var``; ``python`` is the interpreter a new
    venv is made from (PYTHON of tools/install-service-venv.sh). The
    script is idempotent, so this costs nothing once it has run. Returns
    the venv's path.
    """
    venv = venv or venv_path(env_var, default)
    env = dict(os.environ, **{env_var: venv})
    if python:
        env['PYTHON'] = python
    try:
        result = subprocess.run(
            ['bash', script], capture_output=True, text=True, env=env,
            timeout=INSTALL_TIMEOUT, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unavailable('%s install failed: %s' % (what, exc))
    if result.returncode:
        raise Unavailable('%s install failed (%s):\n%s' % (
            what, ' '.join(result.args),
            (result.stdout + result.stderr)[-3000:]))
    return venv


def install():
    """Install Keystone into its virtualenv unless it is there already."""
    return run_installer(INSTALL_SCRIPT, VENV_ENV, DEFAULT_VENV, 'Keystone')


def die_with_parent():
    """In the child: get SIGTERM when the test process dies (Linux).

    Cleanup normally stops Keystone; this covers a test process that is
    killed before it can clean up.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError, TypeError):
        pass


def wait_for(url, process, log_path, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            with open(log_path, errors='replace') as log:
                raise RuntimeError('%s exited:\n%s' % (what,
                                                       log.read()[-5000:]))
        try:
            if requests.get(url, timeout=10).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError('%s did not answer %s in %ds' % (what, url, timeout))


class Keystone(fixtures.Fixture):
    """Keystone under gunicorn on 127.0.0.1, set up from nothing.

    After setUp: ``url`` (the /v3 endpoint), ``admin_password``,
    ``config_dir`` and ``admin_session()``.
    """

    def __init__(self, venv):
        super().__init__()
        self.venv = venv
        self.admin_password = uuid.uuid4().hex

    def _bin(self, name):
        return os.path.join(self.venv, 'bin', name)

    def _manage(self, *args):
        result = subprocess.run(
            [self._bin('keystone-manage'), '--config-file', self.conf_path]
            + list(args), capture_output=True, text=True,
            stdin=subprocess.DEVNULL)
        if result.returncode:
            raise RuntimeError('keystone-manage %s failed:\n%s%s' % (
                args[0], result.stdout, result.stderr))

    def _setUp(self):
        self.config_dir = self.useFixture(fixtures.TempDir()).path
        self.conf_path = os.path.join(self.config_dir, 'keystone.conf')
        self.port = server.free_port()
        self.url = 'http://127.0.0.1:%d/v3' % self.port
        keys = os.path.join(self.config_dir, 'fernet-keys')
        server.write_ini(self.conf_path, {
            'DEFAULT': {
                'log_file': os.path.join(self.config_dir, 'keystone.log'),
            },
            'database': {
                'connection': 'sqlite:///' + os.path.join(
                    self.config_dir, 'keystone.sqlite'),
            },
            'token': {'provider': 'fernet'},
            'fernet_tokens': {'key_repository': keys},
            'fernet_receipts': {'key_repository': keys},
            'credential': {'key_repository': os.path.join(
                self.config_dir, 'credential-keys')},
            'identity': {'password_hash_rounds': '4'},
        })
        user = ['--keystone-user', str(os.getuid()),
                '--keystone-group', str(os.getgid())]
        self._manage('db_sync')
        self._manage('fernet_setup', *user)
        self._manage('credential_setup', *user)
        self._manage('bootstrap', '--bootstrap-password', self.admin_password,
                     '--bootstrap-admin-url', self.url,
                     '--bootstrap-internal-url', self.url,
                     '--bootstrap-public-url', self.url,
                     '--bootstrap-region-id', REGION)
        self.process = self.serve(self.port, 'keystone-gunicorn.log')
        self.addCleanup(server.stop_process_group, self.process)

    def serve(self, port, log_name, config_files='keystone.conf'):
        """Start a Keystone process on ``port``; the caller stops it.

        Keystone parses the process's command line with oslo.config, so
        gunicorn gets no arguments: its settings come from a
        gunicorn.conf.py in the working directory.
        """
        run_dir = os.path.join(self.config_dir, 'gunicorn-%d' % port)
        os.mkdir(run_dir)
        with open(os.path.join(run_dir, 'gunicorn.conf.py'), 'w') as conf:
            conf.write('wsgi_app = "keystone.wsgi.api:application"\n'
                       'bind = "127.0.0.1:%d"\n'
                       'workers = 1\n'
                       'timeout = 120\n'
                       'control_socket_disable = True\n' % port)
        log_path = os.path.join(self.config_dir, log_name)
        env = dict(os.environ, OS_KEYSTONE_CONFIG_DIR=self.config_dir,
                   OS_KEYSTONE_CONFIG_FILES=config_files)
        env.pop('GUNICORN_CMD_ARGS', None)
        with open(log_path, 'ab') as log:
            process = subprocess.Popen(
                [self._bin('gunicorn')], cwd=run_dir, env=env, stdout=log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, preexec_fn=die_with_parent)
        try:
            wait_for('http://127.0.0.1:%d/v3' % port, process, log_path,
                     'Keystone')
        except Exception:
            server.stop_process_group(process)
            raise
        return process

    def session(self, username, password, project_id=None,
                project_name=None, url=None):
        auth = v3.Password(
            auth_url=url or self.url, username=username, password=password,
            user_domain_id=DOMAIN, project_id=project_id,
            project_name=project_name,
            project_domain_id=DOMAIN if project_name else None)
        return ks_session.Session(auth=auth)

    def admin_session(self):
        return self.session('admin', self.admin_password,
                            project_name='admin')

    def short_lived_token(self, username, password, project_id, lifetime=1):
        """A token that expires ``lifetime`` seconds after it is issued.

        A second Keystone process, on the same database and keys but with
        ``[token] expiration`` set to ``lifetime``, issues it.
        """
        server.write_ini(
            os.path.join(self.config_dir, 'short-tokens.conf'),
            {'token': {'expiration': str(lifetime)}})
        port = server.free_port()
        process = self.serve(port, 'keystone-short-tokens.log',
                             'keystone.conf;short-tokens.conf')
        try:
            return self.session(
                username, password, project_id=project_id,
                url='http://127.0.0.1:%d/v3' % port).get_token()
        finally:
            server.stop_process_group(process)


class Cloud(fixtures.Fixture):
    """Keystone with test projects and users, and glance-sharing behind it.

    A memcached of its own (``memcached``) caches the tokens auth_token
    validates, through ``[keystone_authtoken] memcached_servers``.
    Projects ``alpha``, ``beta`` and ``gamma`` each have a user of the same
    name with the roles member and reader; ``rita`` is reader only on
    alpha; ``glance-sharing`` is the service user auth_token uses (admin
    and service on project ``service``). ``users[name]`` holds ``id``,
    ``password`` and ``project_id``.

    With ``service=False`` only Keystone and its projects and users are set
    up, for a caller that serves glance-sharing its own way (the benchmark,
    with ``service_options()``); ``service`` and ``url`` are then None.
    """

    PROJECTS = ('alpha', 'beta', 'gamma', 'service')
    USERS = {
        'alpha': ('alpha', ('member', 'reader')),
        'beta': ('beta', ('member', 'reader')),
        'gamma': ('gamma', ('member', 'reader')),
        'rita': ('alpha', ('reader',)),
        'glance-sharing': ('service', ('admin', 'service')),
    }

    def __init__(self, venv, service=True):
        super().__init__()
        self.venv = venv
        self.with_service = service

    def _setUp(self):
        # As deployed: auth_token keeps validated tokens in memcached.
        try:
            self.memcached = self.useFixture(memcached.Memcached())
        except memcached.Unavailable as exc:
            raise Unavailable(str(exc))
        self.keystone = self.useFixture(Keystone(self.venv))
        self.admin = self.keystone.admin_session()
        self._sessions = {}
        self.projects = {}
        for name in self.PROJECTS:
            self.projects[name] = self._post('/projects', 'project', {
                'name': name, 'domain_id': DOMAIN})['id']
        roles = {role['name']: role['id'] for role in
                 self._get('/roles')['roles']}
        self.users = {}
        for name, (project, user_roles) in self.USERS.items():
            password = uuid.uuid4().hex
            user = self._post('/users', 'user', {
                'name': name, 'password': password, 'domain_id': DOMAIN})
            for role in user_roles:
                self.admin.put(
                    '/projects/%s/users/%s/roles/%s' % (
                        self.projects[project], user['id'], roles[role]),
                    endpoint_filter=self._identity)
            self.users[name] = {'id': user['id'], 'password': password,
                                'project_id': self.projects[project]}
        self.service = self.url = None
        if not self.with_service:
            return
        self.service = self.start_service()
        self.url = self.service.url
        self.register_service('image', 'glance-sharing',
                              'Image sharing (Glance Images API v2)',
                              self.url)

    def register_service(self, service_type, name, description, url):
        """Put a service in the catalog, public and internal at ``url``."""
        service = self._post('/services', 'service', {
            'type': service_type, 'name': name, 'description': description})
        for interface in ('public', 'internal'):
            self._post('/endpoints', 'endpoint', {
                'service_id': service['id'], 'interface': interface,
                'region_id': REGION, 'url': url})
        # Log everyone in again: auth_token caches each validated token
        # with its catalog (in memcached, across servers), so a token
        # from before would go on lacking the new service.
        self._sessions.clear()

    _identity = {'service_type': 'identity', 'interface': 'public'}

    def _get(self, path):
        return self.admin.get(path, endpoint_filter=self._identity).json()

    def _post(self, path, key, body):
        return self.admin.post(path, json={key: body},
                               endpoint_filter=self._identity).json()[key]

    def authtoken_options(self):
        """[keystone_authtoken] for a service validating this Keystone."""
        service_user = self.users['glance-sharing']
        return {
            'www_authenticate_uri': self.keystone.url,
            'auth_url': self.keystone.url,
            'auth_type': 'password',
            'username': 'glance-sharing',
            'password': service_user['password'],
            'user_domain_id': DOMAIN,
            'project_name': 'service',
            'project_domain_id': DOMAIN,
            'region_name': REGION,
            'interface': 'public',
            'memcached_servers': self.memcached.address,
        }

    def service_options(self):
        """glance-sharing.conf sections: auth_strategy=keystone, authtoken.

        auth_token caches validated tokens in this Cloud's memcached.
        """
        return {'api': {'auth_strategy': 'keystone'},
                'keystone_authtoken': self.authtoken_options()}

    def service_process(self, workers=2, db_url=None, **sections):
        """A ServiceProcess with auth_strategy=keystone, plus ``sections``.

        Not started: the caller uses it as a fixture. Several processes
        given one ``db_url`` are one deployment with several API nodes.
        """
        options = self.service_options()
        for section, values in sections.items():
            options.setdefault(section, {}).update(values)
        return server.ServiceProcess(db_url=db_url, workers=workers,
                                     options=options)

    def start_service(self):
        """The shared glance-sharing; stops with this Cloud."""
        return self.useFixture(self.service_process())

    def session(self, name):
        """A keystoneauth session for user ``name`` on its project.

        Sessions are kept, so each user logs in once per process.
        """
        if name not in self._sessions:
            user = self.users[name]
            self._sessions[name] = self.keystone.session(
                name, user['password'], project_id=user['project_id'])
        return self._sessions[name]

    def token(self, name):
        return self.session(name).get_token()

    def wait_until_expired(self, token, timeout=30):
        """Return once Keystone itself calls ``token`` expired (404)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            response = self.admin.get(
                '/auth/tokens', headers={'X-Subject-Token': token},
                endpoint_filter=self._identity, raise_exc=False)
            if response.status_code == 404:
                return
            time.sleep(0.5)
        raise AssertionError('token still valid after %ds' % timeout)

    def cli_env(self, name):
        """Environment for the OpenStack CLIs acting as user ``name``."""
        user = self.users[name]
        env = {key: value for key, value in os.environ.items()
               if not key.startswith('OS_')}
        env.update({
            'OS_AUTH_URL': self.keystone.url,
            'OS_AUTH_TYPE': 'password',
            'OS_IDENTITY_API_VERSION': '3',
            'OS_USERNAME': name,
            'OS_PASSWORD': user['password'],
            'OS_USER_DOMAIN_ID': DOMAIN,
            'OS_PROJECT_ID': user['project_id'],
            'OS_REGION_NAME': REGION,
            'OS_INTERFACE': 'public',
        })
        return env


class SharedFixture:
    """One fixture per test process, set up on first use, cleaned at exit.

    A set-up failure is remembered and raised again, without retrying, to
    every later caller.
    """

    def __init__(self, factory):
        self._factory = factory
        self._lock = threading.Lock()
        self._fixture = None
        self._failure = None

    def get(self):
        with self._lock:
            if self._failure is not None:
                raise self._failure
            if self._fixture is None:
                try:
                    fixture = self._factory()
                    fixture.setUp()
                except Exception as exc:
                    self._failure = exc
                    raise
                # atexit runs the last registered first: what was built
                # on this fixture stops before it.
                atexit.register(fixture.cleanUp)
                self._fixture = fixture
            return self._fixture


def _new_cloud():
    if shutil.which('flock') is None:
        raise Unavailable('flock(1) is not installed')
    return Cloud(install())


_CLOUD = SharedFixture(_new_cloud)


def shared_cloud():
    """The Cloud of this process, built on first use.

    Raises Unavailable when Keystone cannot be installed here, and the
    original error (again, without retrying) when it failed to start.
    """
    return _CLOUD.get()


def main():
    """Bring the test cloud up for manual use until interrupted.

    ``python -m harness.keystone`` prints, for
    each user, the OS_* settings the clients need.
    """
    cloud = shared_cloud()
    print('glance-sharing: %s\nKeystone: %s' % (cloud.url,
                                                cloud.keystone.url))
    for name in cloud.users:
        print('\n# %s' % name)
        for key, value in sorted(cloud.cli_env(name).items()):
            if key.startswith('OS_'):
                print('export %s=%s' % (key, value))
    print('\nCtrl-C stops Keystone and glance-sharing.', flush=True)
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
