"""A real OpenStack Swift on 127.0.0.1, behind the test Keystone.

Swift is installed from PyPI into a virtualenv of its own by
tools/swift/install.sh. ``Swift`` builds a one-replica, all-in-one
cluster under a temporary folder: rings with one device each for
accounts, containers and objects, one account, container and object
server, and a proxy whose pipeline authenticates through
keystonemiddleware's auth_token and Swift's keystoneauth against the test
Keystone. It registers the proxy in Keystone's catalog as the
``object-store`` service, so tokens carry it as operators' tokens do.

``shared_swift()`` builds one Swift per test process, the first time a
test asks, beside ``keystone.shared_cloud()``, and stops it when the
process exits.
"""

import os
import pwd
import subprocess
import uuid

import fixtures
import requests

from harness import keystone
from harness import server

INSTALL_SCRIPT = os.path.join(server.REPO_ROOT, 'tools', 'swift',
                              'install.sh')
VENV_ENV = 'SWIFT_VENV'
DEFAULT_VENV = os.path.join(server.REPO_ROOT, '.cache', 'swift', 'venv')
STORAGE_SERVERS = ('account', 'container', 'object')
DEVICE = 'd1'
# 2**6 partitions: plenty for one device, and the rings build at once.
PART_POWER = '6'
# The single-tenant store writes into this user's account (project
# "service"), as Glance's own service user does in a deployment.
SERVICE_USER = 'glance-sharing'
SWIFT_REFERENCE = 'glance-sharing-swift'
CONTAINER = 'glance'
# The roles whose holders own their project's Swift account.
OPERATOR_ROLES = 'admin, member'


def install():
    """Install Swift into its virtualenv unless it is there already."""
    return keystone.run_installer(INSTALL_SCRIPT, VENV_ENV, DEFAULT_VENV,
                                  'Swift')


class Swift(fixtures.Fixture):
    """Proxy, account, container and object servers, set up from nothing.

    After setUp: ``url`` (the proxy, without /v1), ``endpoint`` (the
    catalog's endpoint template) and ``account_url(project_id)``.
    ``stop_proxy()`` and ``start_proxy()`` take Swift away from its
    clients and bring it back on the same port.
    """

    def __init__(self, venv, cloud):
        super().__init__()
        self.venv = venv
        self.cloud = cloud

    def _bin(self, name):
        return os.path.join(self.venv, 'bin', name)

    def _setUp(self):
        self.root = self.useFixture(fixtures.TempDir()).path
        self.devices = os.path.join(self.root, 'srv')
        os.makedirs(os.path.join(self.devices, DEVICE))
        server.write_ini(os.path.join(self.root, 'swift.conf'), {
            'swift-hash': {'swift_hash_path_suffix': uuid.uuid4().hex},
            'storage-policy:0': {'name': 'Policy-0', 'default': 'yes'},
        })
        self.ports = {name: server.free_port()
                      for name in STORAGE_SERVERS + ('proxy',)}
        self.url = 'http://127.0.0.1:%d' % self.ports['proxy']
        self.endpoint = self.url + '/v1/AUTH_$(project_id)s'
        self._processes = {}
        for name in STORAGE_SERVERS:
            self._build_ring(name)
            self._write_storage_conf(name)
            self._start(name, '/')
        self._write_proxy_conf()
        self.start_proxy()
        self.cloud.register_service('object-store', 'swift',
                                    'OpenStack Object Storage',
                                    self.endpoint)

    def store_options(self, config_dir, **overrides):
        """[glance_store] for the Swift driver, as an operator writes it.

        The service user's credentials go in a swift_store_config_file
        (written into ``config_dir``) under a reference, as upstream
        recommends, so locations in the database carry no password.
        Objects from 1 MiB up (glance_store counts in MiB, and 1 is its
        smallest size) are segmented in 1 MiB pieces, so the tests see
        real segmentation. ``overrides`` are further [glance_store]
        options.
        """
        service_user = self.cloud.users[SERVICE_USER]
        references = os.path.join(config_dir, 'glance-swift.conf')
        server.write_ini(references, {SWIFT_REFERENCE: {
            'auth_address': self.cloud.keystone.url,
            'user': 'service:%s' % SERVICE_USER,
            'key': service_user['password'],
            'user_domain_id': keystone.DOMAIN,
            'project_domain_id': keystone.DOMAIN,
        }})
        return self._store_options(
            swift_store_config_file=references,
            default_swift_reference=SWIFT_REFERENCE, **overrides)

    def multi_tenant_store_options(self, **overrides):
        """[glance_store] for a multi-tenant Swift store.

        Each image goes into its owner's own account, written with the
        caller's token and found through the caller's catalog. No service
        user: glance_store refuses a swift_store_config_file with
        multi-tenancy, and without one it cannot make trusts, so uploads
        must finish while the caller's token is valid.
        """
        return self._store_options(swift_store_multi_tenant='True',
                                   swift_store_use_trusts='False',
                                   **overrides)

    def _store_options(self, **overrides):
        options = {
            'stores': 'file,swift',
            'default_store': 'swift',
            'swift_store_region': keystone.REGION,
            'swift_store_container': CONTAINER,
            'swift_store_create_container_on_put': 'True',
            'swift_store_large_object_size': '1',
            'swift_store_large_object_chunk_size': '1',
        }
        options.update(overrides)
        return options

    def service_token(self):
        """A token of the user glance_store writes as (single tenant)."""
        return self.cloud.token(SERVICE_USER)

    def service_project(self):
        return self.cloud.users[SERVICE_USER]['project_id']

    def account_url(self, project_id):
        return '%s/v1/AUTH_%s' % (self.url, project_id)

    def _build_ring(self, name):
        builder = os.path.join(self.root, '%s.builder' % name)
        device = 'r1z1-127.0.0.1:%d/%s' % (self.ports[name], DEVICE)
        for args, ok in ((['create', PART_POWER, '1', '1'], (0,)),
                         (['add', device, '1'], (0,)),
                         # 1 is "warning" (e.g. a ring of one device).
                         (['rebalance'], (0, 1))):
            result = subprocess.run(
                [self._bin('swift-ring-builder'), builder] + args,
                capture_output=True, text=True, stdin=subprocess.DEVNULL)
            if result.returncode not in ok:
                raise RuntimeError('swift-ring-builder %s %s failed:\n%s%s'
                                   % (name, args[0], result.stdout,
                                      result.stderr))

    def _defaults(self, name):
        return {
            'swift_dir': self.root,
            'bind_ip': '127.0.0.1',
            'bind_port': str(self.ports[name]),
            # One process per server: the eventlet hub serves many
            # requests, and the machine is shared.
            'workers': '0',
            # Swift drops privileges to this user; stay who we are.
            'user': pwd.getpwuid(os.getuid()).pw_name,
            'log_name': 'swift-%s' % name,
        }

    def _write_storage_conf(self, name):
        defaults = dict(self._defaults(name), devices=self.devices,
                        mount_check='false')
        server.write_ini(self._conf_path(name), {
            'DEFAULT': defaults,
            'pipeline:main': {'pipeline': '%s-server' % name},
            'app:%s-server' % name: {'use': 'egg:swift#%s' % name},
        })

    def _write_proxy_conf(self):
        authtoken = dict(self.cloud.authtoken_options())
        # Swift's venv has no memcache client; its authtoken caches
        # validated tokens in the proxy process instead.
        authtoken.pop('memcached_servers', None)
        authtoken['paste.filter_factory'] = (
            'keystonemiddleware.auth_token:filter_factory')
        # keystoneauth decides, so container ACLs can let other projects in.
        authtoken['delay_auth_decision'] = 'True'
        filters = ('catch_errors', 'gatekeeper', 'healthcheck',
                   'proxy_logging', 'listing_formats', 'authtoken',
                   'keystoneauth', 'copy', 'slo', 'dlo')
        sections = {
            'DEFAULT': self._defaults('proxy'),
            'pipeline:main': {'pipeline': ' '.join(
                f.replace('_', '-') for f in filters) +
                ' proxy-logging proxy-server'},
            'app:proxy-server': {'use': 'egg:swift#proxy',
                                 # Each project's account appears on its
                                 # first write, as in production.
                                 'account_autocreate': 'true',
                                 # A client that stops sending fails in
                                 # 10 s rather than the default 60.
                                 'client_timeout': '10'},
        }
        for name in filters:
            sections['filter:%s' % name.replace('_', '-')] = {
                'use': 'egg:swift#%s' % name}
        sections['filter:authtoken'] = authtoken
        sections['filter:keystoneauth']['operator_roles'] = OPERATOR_ROLES
        server.write_ini(self._conf_path('proxy'), sections)

    def _conf_path(self, name):
        return os.path.join(self.root, '%s-server.conf' % name)

    def _start(self, name, probe_path):
        log_path = os.path.join(self.root, '%s-server.log' % name)
        with open(log_path, 'ab') as log:
            # -v: log to stdout (the log file) too; there is no syslog.
            process = subprocess.Popen(
                [self._bin('swift-%s-server' % name), self._conf_path(name),
                 '-v'], stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
                preexec_fn=keystone.die_with_parent)
        self._processes[name] = process
        self.addCleanup(server.stop_process_group, process)
        keystone.wait_for('http://127.0.0.1:%d%s' % (self.ports[name],
                                                     probe_path),
                          process, log_path, 'swift-%s-server' % name)

    def start_proxy(self):
        self._start('proxy', '/healthcheck')

    @property
    def proxy_running(self):
        return 'proxy' in self._processes

    def stop_proxy(self):
        server.stop_process_group(self._processes.pop('proxy'))

    def get_object(self, token, project_id, container, obj):
        """GET an object from ``project_id``'s account as ``token``."""
        return requests.get('%s/%s/%s' % (self.account_url(project_id),
                                          container, obj),
                            headers={'X-Auth-Token': token}, timeout=30)

    def object_exists(self, token, container, obj, project_id):
        """HEAD an object as ``token``: its headers, or None if absent."""
        response = requests.head(
            '%s/%s/%s' % (self.account_url(project_id), container, obj),
            headers={'X-Auth-Token': token}, timeout=30)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.headers

    def list_container(self, token, container, project_id, prefix=''):
        """Object names in ``container`` (empty if it does not exist)."""
        response = requests.get(
            '%s/%s' % (self.account_url(project_id), container),
            params={'prefix': prefix, 'format': 'json'},
            headers={'X-Auth-Token': token}, timeout=30)
        if response.status_code == 404:
            return []
        response.raise_for_status()
        return [item['name'] for item in response.json()]


_SWIFT = keystone.SharedFixture(
    lambda: Swift(install(), keystone.shared_cloud()))


def shared_swift():
    """The Swift of this process, beside the shared Cloud, built once.

    Raises keystone.Unavailable when Swift cannot be installed here, and
    the original error (again, without retrying) when it failed to start.
    """
    return _SWIFT.get()
