"""CORS from [cors] of glance-sharing.conf, checked by a real browser.

A page served from another origin on 127.0.0.1 calls the API with
X-Auth-Token and a JSON body, so the browser sends a preflight first;
headless Chromium (Debian's, installed by tools/install-test-tools.sh)
loads it and the page writes what it saw into its DOM, which --dump-dom
prints.
"""

import html
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
import uuid

import fixtures

from glance_sharing.conf import CONF
from glance_sharing.tests import base
from glance_sharing.tests import fixtures as gs_fixtures
from harness import server

CHROMIUM_FLAGS = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
]

# Synchronous XHRs, so the result is in the DOM before the load event
# that --dump-dom waits for. A CORS refusal shows as status 0.
PAGE = '''<!DOCTYPE html>
<html><body><pre id="result"></pre><script>
var results = [];
function call(method, path, body) {
  var xhr = new XMLHttpRequest();
  try {
    xhr.open(method, %(api)s + path, false);
    xhr.setRequestHeader('X-Auth-Token', 'browser-token');
    xhr.setRequestHeader('X-Project-Id', %(project)s);
    xhr.setRequestHeader('X-OpenStack-Request-ID', %(global_id)s);
    if (body) { xhr.setRequestHeader('Content-Type', 'application/json'); }
    xhr.send(body ? JSON.stringify(body) : null);
    results.push({
      status: xhr.status, body: xhr.responseText,
      request_id: xhr.getResponseHeader('X-OpenStack-Request-ID')});
  } catch (e) {
    results.push({status: 0, error: String(e)});
  }
}
call('POST', '/v2/images', {name: 'from-a-browser'});
call('GET', '/v2/images', null);
document.getElementById('result').textContent = JSON.stringify(results);
</script></body></html>
'''


class PageServer(fixtures.Fixture):
    """One HTML page, ``html``, on ``url`` (another origin than the API)."""

    html = b''

    def _setUp(self):
        page = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = page.html
                self.send_response(200)
                self.send_header('Content-Type', 'text/html; charset=utf-8')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                     Handler)
        self.url = 'http://127.0.0.1:%d/' % self.httpd.server_address[1]
        thread = threading.Thread(target=self.httpd.serve_forever,
                                  daemon=True)
        thread.start()
        self.addCleanup(thread.join, 10)
        self.addCleanup(self.httpd.server_close)
        self.addCleanup(self.httpd.shutdown)


def chromium():
    return shutil.which('chromium') or shutil.which('chromium-browser')


class BrowserCorsTest(base.TestCase):

    def setUp(self):
        super().setUp()
        if chromium() is None:
            base.skip_or_fail(self, 'chromium is not installed (run '
                              'tools/install-test-tools.sh as root)')

    def load_in_browser(self, allowed_origin):
        """Serve the page, let Chromium run it, return its results."""
        project = uuid.uuid4().hex
        global_id = 'req-%s' % uuid.uuid4()
        page = self.useFixture(PageServer())
        origin = page.url.rstrip('/')
        service = self.useFixture(server.ServiceProcess(
            workers=1, options={'cors': {
                'allowed_origin': allowed_origin or origin}}))
        page.html = (PAGE % {
            'api': json.dumps(service.url), 'project': json.dumps(project),
            'global_id': json.dumps(global_id)}).encode()
        profile = self.useFixture(fixtures.TempDir()).path
        result = subprocess.run(
            [chromium()] + CHROMIUM_FLAGS + [
                '--user-data-dir=' + profile, '--dump-dom', page.url],
            capture_output=True, text=True, timeout=120,
            stdin=subprocess.DEVNULL,
            env=dict(os.environ, HOME=profile))
        match = re.search(r'<pre id="result">(.+?)</pre>', result.stdout,
                          re.S)
        self.assertIsNotNone(match, result.stdout + result.stderr[-3000:])
        return (json.loads(html.unescape(match.group(1))), service,
                global_id)

    def test_cross_origin_calls_with_preflight(self):
        results, service, global_id = self.load_in_browser(None)
        create, listing = results
        self.assertEqual(201, create['status'], create)
        image = json.loads(create['body'])
        self.assertEqual('from-a-browser', image['name'])
        # Readable from script only because it is an exposed header.
        self.assertRegex(create['request_id'] or '', r'^req-[0-9a-f-]{36}$')
        self.assertNotEqual(global_id, create['request_id'])
        self.assertEqual(200, listing['status'], listing)
        listed = json.loads(listing['body'])['images']
        self.assertEqual([image['id']], [i['id'] for i in listed])
        # The browser asked first (X-Auth-Token is no simple header).
        self.assertRegex(service.log(), r'"OPTIONS /v2/images" status: 200')

    def test_other_origins_are_refused_by_the_browser(self):
        results, service, _gid = self.load_in_browser(
            'http://elsewhere.invalid')
        self.assertEqual([0, 0], [r['status'] for r in results], results)
        self.assertNotIn('"POST /v2/images"', service.log())


class CorsConfTest(base.TestCase):
    """The preflight answer, in-process: options from the configuration."""

    def call(self, method, path, headers):
        # The app is built after the test configured [cors].
        api = self.useFixture(gs_fixtures.APIClient(CONF))
        return api.request(method, path, project=False, headers=headers)

    def preflight(self, origin, request_headers):
        return self.call('OPTIONS', '/v2/images', {
            'Origin': origin, 'Access-Control-Request-Method': 'POST',
            'Access-Control-Request-Headers': request_headers})

    def test_defaults_allow_openstack_headers(self):
        self.conf_fixture.config(allowed_origin=['https://dashboard.example'],
                                 group='cors')
        response = self.preflight(
            'https://dashboard.example',
            'x-auth-token,x-openstack-request-id,content-type,x-roles')
        self.assertEqual('https://dashboard.example',
                         response.headers['Access-Control-Allow-Origin'])
        allowed = response.headers['Access-Control-Allow-Headers'].lower()
        for header in ('x-auth-token', 'x-openstack-request-id',
                       'content-type', 'x-roles'):
            self.assertIn(header, allowed)

    def test_no_origin_configured_no_cors_headers(self):
        response = self.preflight('https://dashboard.example',
                                  'x-auth-token')
        self.assertNotIn('Access-Control-Allow-Origin', response.headers)

    def test_exposes_request_id(self):
        self.conf_fixture.config(allowed_origin=['https://dashboard.example'],
                                 group='cors')
        response = self.call('GET', '/versions',
                             {'Origin': 'https://dashboard.example'})
        self.assertIn('x-openstack-request-id', response.headers[
            'Access-Control-Expose-Headers'].lower())
