"""[sharing] verify_member_exists: asking Keystone whether a project exists."""

from unittest import mock

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1.identity import generic
from keystoneauth1 import loading as ks_loading
import webob.exc

from glance_sharing import identity
from glance_sharing.tests import base


class FakeResponse:

    def __init__(self, status_code):
        self.status_code = status_code


class FakeSession:
    """Records calls; answers with a status code or raises an exception."""

    def __init__(self, answer):
        self.answer = answer
        self.calls = []

    def get(self, path, **kwargs):
        self.calls.append((path, kwargs))
        if isinstance(self.answer, Exception):
            raise self.answer
        return FakeResponse(self.answer)


class TestVerifyProjectId(base.ConfTestCase):

    def test_existing_project(self):
        sess = FakeSession(200)
        self.assertTrue(identity.verify_project_id('abc123', sess))
        path, kwargs = sess.calls[0]
        self.assertEqual('/projects/abc123', path)
        self.assertEqual('identity',
                         kwargs['endpoint_filter']['service_type'])
        self.assertEqual((3, 0), kwargs['endpoint_filter']['version'])
        self.assertFalse(kwargs['raise_exc'])

    def test_unknown_project_is_400(self):
        exc = self.assertRaises(webob.exc.HTTPBadRequest,
                                identity.verify_project_id, 'nope',
                                FakeSession(404))
        self.assertIn('Project nope does not exist in Keystone',
                      exc.detail)

    def test_id_is_quoted_into_one_path_segment(self):
        sess = FakeSession(200)
        identity.verify_project_id('a?b#c%d', sess)
        self.assertEqual('/projects/a%3Fb%23c%25d', sess.calls[0][0])

    def test_keystone_unreachable_allows(self):
        with mock.patch.object(identity.LOG, 'warning') as warning:
            self.assertFalse(identity.verify_project_id(
                'abc', FakeSession(ks_exc.ConnectFailure('refused'))))
        self.assertEqual(1, warning.call_count)
        self.assertIn('refused', str(warning.call_args))

    def test_keystone_forbids_allows(self):
        for status in (401, 403, 500, 503):
            with mock.patch.object(identity.LOG, 'warning') as warning:
                self.assertFalse(identity.verify_project_id(
                    'abc', FakeSession(status)))
            self.assertEqual(1, warning.call_count, status)

    def test_no_credentials_allows(self):
        # auth_type unset: the session has no plugin and cannot ask.
        with mock.patch.object(identity.LOG, 'warning') as warning:
            self.assertFalse(identity.verify_project_id('abc'))
        self.assertEqual(1, warning.call_count)

    def test_session_uses_keystone_authtoken(self):
        self.conf_fixture.register_opts(
            ks_loading.get_auth_plugin_conf_options('password'),
            group='keystone_authtoken')
        self.conf_fixture.config(
            group='keystone_authtoken', auth_type='password',
            auth_url='http://127.0.0.1:5000/v3', username='svc',
            password='secret', project_name='service',
            user_domain_id='default', project_domain_id='default',
            cafile='/etc/ssl/ca.pem', http_connect_timeout=7)
        sess = identity.session()
        self.assertIsInstance(sess.auth, generic.Password)
        self.assertEqual('http://127.0.0.1:5000/v3', sess.auth.auth_url)
        self.assertEqual('svc', sess.auth._username)
        self.assertEqual('/etc/ssl/ca.pem', sess.verify)
        self.assertEqual(7, sess.timeout)

    def test_session_insecure(self):
        self.conf_fixture.config(group='keystone_authtoken', insecure=True)
        self.assertFalse(identity.session().verify)
