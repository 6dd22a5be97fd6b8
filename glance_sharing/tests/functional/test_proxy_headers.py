"""[oslo_middleware] enable_proxy_headers_parsing, as an operator sets it."""

from oslo_middleware import http_proxy_to_wsgi

from glance_sharing.tests import base
from glance_sharing.tests import fixtures

FORWARDED = {'X-Forwarded-Proto': 'https',
             'X-Forwarded-Host': 'images.example:8443'}


class ProxyHeadersTest(base.TestCase):

    def _versions_href(self, parsing):
        self.conf_fixture.register_opts(http_proxy_to_wsgi.OPTS,
                                        group='oslo_middleware')
        self.conf_fixture.config(enable_proxy_headers_parsing=parsing,
                                 group='oslo_middleware')
        api = self.useFixture(fixtures.APIClient(self.conf_fixture.conf))
        versions = api.request('GET', '/versions', headers=FORWARDED,
                               status=200).json
        return versions['versions'][0]['links'][0]['href']

    def test_forwarded_headers_name_the_public_url_when_enabled(self):
        self.assertEqual('https://images.example:8443/v2/',
                         self._versions_href(True))

    def test_forwarded_headers_are_ignored_by_default(self):
        self.assertEqual('http://localhost/v2/', self._versions_href(False))
