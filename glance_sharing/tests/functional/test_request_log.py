"""Each request is logged once, with request id, user and project; tokens
are never logged, by us or by keystonemiddleware, even at DEBUG."""

import io
import logging
import uuid

import fixtures
from keystoneauth1 import loading as ks_loading
from keystonemiddleware.auth_token import _opts as auth_token_opts
from oslo_context import context as oslo_context
from oslo_log import formatters
from oslo_middleware import request_id
import testtools
import webob

from glance_sharing.api.middleware import request_log
from glance_sharing.conf import CONF
from glance_sharing.tests import base
from glance_sharing.tests import fixtures as gs_fixtures
from harness import server


class CapturedLog(fixtures.Fixture):
    """Every logger at DEBUG, formatted as oslo.log formats a log file."""

    def _setUp(self):
        self.stream = io.StringIO()
        handler = logging.StreamHandler(self.stream)
        handler.setFormatter(formatters.ContextFormatter(
            config=CONF, project='glance-sharing'))
        root = logging.getLogger()
        root.addHandler(handler)
        self.addCleanup(root.removeHandler, handler)
        for name in ('', 'keystonemiddleware', 'keystoneauth',
                     'glance_sharing'):
            logger = logging.getLogger(name)
            self.addCleanup(logger.setLevel, logger.level)
            logger.setLevel(logging.DEBUG)

    @property
    def text(self):
        return self.stream.getvalue()


class TestRequestLog(base.TestCase):

    def setUp(self):
        super().setUp()
        self.log = self.useFixture(CapturedLog())
        self.token = 'gAAAAAB' + uuid.uuid4().hex + uuid.uuid4().hex
        self.api = self.useFixture(gs_fixtures.APIClient(CONF))

    def request(self, method, path, headers, json=None):
        # Each test sends the identity headers it is about, or none.
        return self.api.request(method, path, json, project=False,
                                headers=dict(headers,
                                             **{'X-Auth-Token': self.token}))

    def request_lines(self, request_id):
        return [line for line in self.log.text.splitlines()
                if 'request_log' in line and request_id in line]

    def test_line_names_request_id_user_and_project(self):
        project, user = uuid.uuid4().hex, uuid.uuid4().hex
        response = self.request(
            'POST', '/v2/images', {'X-Project-Id': project,
                                   'X-User-Id': user},
            json={'name': 'logged'})
        self.assertEqual(201, response.status_int)
        request_id = response.headers['X-OpenStack-Request-ID']
        lines = self.request_lines(request_id)
        self.assertEqual(1, len(lines), self.log.text)
        # logging_context_format_string's default:
        # [global_request_id request_id user project domain ...]
        self.assertIn('%s %s %s' % (request_id, user, project), lines[0])
        self.assertIn('"POST /v2/images" status: 201', lines[0])
        self.assertNotIn(self.token, self.log.text)

    def test_inbound_request_id_is_logged_as_the_global_id(self):
        # Two calls carrying one caller's id (Nova sends its global id on
        # every image call) are still two requests, each with its own id.
        global_id = 'req-%s' % uuid.uuid4()
        project, user = uuid.uuid4().hex, uuid.uuid4().hex
        local_ids = []
        for path in ('/versions', '/v2/images'):
            response = self.request(
                'GET', path, {'X-Project-Id': project, 'X-User-Id': user,
                              'X-OpenStack-Request-ID': global_id})
            self.assertEqual(200, response.status_int)
            local_ids.append(response.headers['X-OpenStack-Request-ID'])
        self.assertNotIn(global_id, local_ids)
        self.assertEqual(2, len(set(local_ids)))
        lines = self.request_lines(local_ids[1])
        self.assertEqual(1, len(lines), self.log.text)
        self.assertIn('[%s %s %s %s' % (global_id, local_ids[1], user,
                                        project), lines[0])
        # Before authentication too (the bare context of the request).
        self.assertIn('[%s %s' % (global_id, local_ids[0]),
                      self.request_lines(local_ids[0])[0])

    def test_unauthenticated_requests_are_logged_with_their_id(self):
        for path, status in (('/versions', 200), ('/v2/images', 401)):
            response = self.request('GET', path, {})
            self.assertEqual(status, response.status_int)
            lines = self.request_lines(
                response.headers['X-OpenStack-Request-ID'])
            self.assertEqual(1, len(lines), self.log.text)
            self.assertIn('status: %d' % status, lines[0])
        self.assertNotIn(self.token, self.log.text)

    def test_query_string_is_logged_but_no_header(self):
        response = self.request(
            'GET', '/v2/images?limit=3', {'X-Project-Id': 'p1',
                                          'X-Roles': 'reader'})
        self.assertEqual(200, response.status_int)
        line = self.request_lines(
            response.headers['X-OpenStack-Request-ID'])[0]
        self.assertIn('"GET /v2/images?limit=3" status: 200', line)
        self.assertNotIn('reader', line.split('] ', 1)[1])


class TestKeystoneDoesNotLogTokens(base.TestCase):
    """auth_token at DEBUG, with Keystone unreachable, given a token."""

    def setUp(self):
        super().setUp()
        self.log = self.useFixture(CapturedLog())
        identity = 'http://127.0.0.1:%d/identity' % server.free_port()
        self.conf_fixture.config(auth_strategy='keystone', group='api')
        self.conf_fixture.config(debug=True)
        group = 'keystone_authtoken'
        CONF.register_opts(auth_token_opts._OPTS, group=group)
        ks_loading.register_auth_conf_options(CONF, group)
        # auth_token registers the plugin's options when it loads it;
        # register them first so that they can be set here, through the
        # fixture, which unregisters them afterwards: auth_url is required
        # and would break every later parse of the global CONF.
        self.conf_fixture.register_opts(
            ks_loading.get_auth_plugin_conf_options('password'),
            group=group)
        self.conf_fixture.config(
            group=group, www_authenticate_uri=identity, auth_url=identity,
            auth_type='password', username='glance-sharing',
            password='service-secret', project_name='service',
            user_domain_id='default', project_domain_id='default',
            http_request_max_retries=0, http_connect_timeout=2)

    def test_token_is_never_logged(self):
        token = 'gAAAAAB' + uuid.uuid4().hex + uuid.uuid4().hex
        api = self.useFixture(gs_fixtures.APIClient(CONF))
        response = api.request('GET', '/v2/images', project=False, headers={
            'X-Auth-Token': token, 'X-Service-Token': token[::-1]})
        # Keystone is down: auth_token cannot validate, and says so.
        self.assertIn(response.status_int, (401, 503))
        text = self.log.text
        self.assertIn('keystonemiddleware', text)
        request_id = response.headers['X-OpenStack-Request-ID']
        self.assertIn(request_id, text)
        for secret in (token, token[::-1], 'service-secret'):
            self.assertNotIn(secret, text)
            # Nor a recognisable piece of it.
            self.assertNotIn(secret[7:30], text)


class TestThreadContext(testtools.TestCase):
    """Lines logged before the full context exists name this request."""

    def test_stale_context_of_previous_request_is_replaced(self):
        oslo_context.RequestContext(request_id='req-previous', user_id='u1',
                                    project_id='p1')
        seen = []

        def app(environ, start_response):
            seen.append(oslo_context.get_current())
            start_response('204 No Content', [])
            return []

        environ = webob.Request.blank('/v2/images').environ
        environ[request_id.ENV_REQUEST_ID] = 'req-this-one'
        request_log.RequestLog(app)(environ, lambda *args: None)
        self.assertEqual('req-this-one', seen[0].request_id)
        self.assertIsNone(seen[0].user_id)
        self.assertIsNone(seen[0].project_id)
