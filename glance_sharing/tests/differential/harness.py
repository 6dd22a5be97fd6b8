"""Send the same requests to upstream Glance and to glance-sharing; compare.

``Pair.call`` sends one request, as one persona, to both servers and
compares the answers: status code, the ids of a list and their order, and
every field of the JSON bodies. Image ids are chosen by the tests (both
servers accept ``id`` on create), so they are the same on both sides;
timestamps differ by nature and are compared by their format only.

A difference is allowed only when one of the named exceptions in
``exceptions.EXCEPTIONS`` explains it; every other difference is a failure
(``Pair.assert_same`` at the end of each test lists them all).
"""

import dataclasses
import json
import re
import uuid

import requests

from glance_sharing.tests.differential import exceptions

TIMESTAMP = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')
TIMESTAMP_FIELDS = ('created_at', 'updated_at')
# List queries sorted on these keys may order rows created in the same
# second differently on each server: their timestamps differ.
TIME_SORT_KEYS = ('created_at', 'updated_at')


@dataclasses.dataclass(frozen=True)
class Persona:
    name: str
    project: str
    roles: str = 'reader,member'

    def headers(self):
        return {'X-Project-Id': self.project,
                'X-User-Id': 'user-' + self.project,
                'X-Roles': self.roles,
                'X-Identity-Status': 'Confirmed'}


def personas():
    """Fresh projects for one test: owner, three others, a reader, admin."""
    def project():
        return uuid.uuid4().hex
    owner = project()
    return {
        'owner': Persona('owner', owner),
        'reader': Persona('reader', owner, 'reader'),
        'alice': Persona('alice', project()),
        'bob': Persona('bob', project()),
        'stranger': Persona('stranger', project()),
        'admin': Persona('admin', project(), 'admin,member,reader'),
    }


@dataclasses.dataclass
class Request:
    persona: Persona
    method: str
    path: str
    body: object = None
    content_type: str = None
    # More request headers (a Range, say).
    headers: tuple = ()

    def describe(self):
        if isinstance(self.body, bytes):
            body = '<%d bytes of %s>' % (len(self.body), self.content_type)
        elif self.body is not None:
            body = json.dumps(self.body)[:200]
        else:
            body = ''
        return '%s %s %s as %s' % (self.method, self.path, body,
                                   self.persona.name)


@dataclasses.dataclass
class Difference:
    request: Request
    where: str
    glance: object
    ours: object
    glance_response: requests.Response
    ours_response: requests.Response

    def __str__(self):
        return '%s: at %s Glance has %r, glance-sharing has %r' % (
            self.request.describe(), self.where, self.glance, self.ours)


DATA_TYPE = 'application/octet-stream'
# What a client reads of a download besides the bytes.
DATA_HEADERS = ('Content-Type', 'Content-Length', 'Content-MD5',
                'Content-Range')


def _json(response, base_url):
    """The body as JSON, with the server's own URL written ``<server>``."""
    try:
        return json.loads(response.text.replace(base_url, '<server>'))
    except ValueError:
        return None


class Pair:
    """Upstream Glance and glance-sharing, driven side by side."""

    def __init__(self, glance_url, ours_url):
        self.urls = {'glance': glance_url, 'ours': ours_url}
        self.unexplained = []
        self.explained = {}
        # Printed with the differences (e.g. the seed of a random run).
        self.note = ''

    def _send(self, which, req):
        headers = dict(req.persona.headers(), **dict(req.headers))
        data = None
        if isinstance(req.body, bytes):
            # Image data, sent as it is.
            data = req.body
            headers['Content-Type'] = req.content_type
        elif req.body is not None:
            data = json.dumps(req.body)
            headers['Content-Type'] = req.content_type or 'application/json'
        return requests.request(req.method, self.urls[which] + req.path,
                                data=data, headers=headers, timeout=60)

    def call(self, persona, method, path, body=None, content_type=None,
             headers=None):
        """One request to both; differences recorded; Glance's answer."""
        req = Request(persona, method, path, body, content_type,
                      tuple((headers or {}).items()))
        glance = self._send('glance', req)
        ours = self._send('ours', req)
        for difference in self._compare(req, glance, ours):
            name = exceptions.explain(difference)
            if name is None:
                self.unexplained.append(difference)
            else:
                self.explained[name] = self.explained.get(name, 0) + 1
        return glance

    def upload(self, persona, image_id, data=b'differential'):
        """Upload ``data`` to both (not compared field by field: 204s)."""
        for which in ('glance', 'ours'):
            headers = persona.headers()
            headers['Content-Type'] = 'application/octet-stream'
            response = requests.put(
                '%s/v2/images/%s/file' % (self.urls[which], image_id),
                data=data, headers=headers, timeout=60)
            if response.status_code != 204:
                raise AssertionError('upload to %s: %d %s' % (
                    which, response.status_code, response.text[:500]))

    def _compare(self, req, glance, ours):
        def diff(where, g, o):
            return Difference(req, where, g, o, glance, ours)

        if glance.status_code != ours.status_code:
            yield diff('status', glance.status_code, ours.status_code)
            return
        if glance.status_code >= 400 or glance.status_code == 204:
            if glance.status_code >= 400 and glance.text != ours.text:
                yield diff('error body', glance.text[:300], ours.text[:300])
            return
        if glance.headers.get('Content-Type') == DATA_TYPE:
            yield from self._compare_data(diff, glance, ours)
            return
        yield from self._compare_values(
            diff, '', _json(glance, self.urls['glance']),
            _json(ours, self.urls['ours']), req)

    def _compare_data(self, diff, glance, ours):
        """A download: the same bytes, described by the same headers."""
        for header in DATA_HEADERS:
            if glance.headers.get(header) != ours.headers.get(header):
                yield diff('header ' + header, glance.headers.get(header),
                           ours.headers.get(header))
        if glance.content != ours.content:
            yield diff('data', glance.content[:100], ours.content[:100])

    def _compare_values(self, diff, where, g, o, req):
        if isinstance(g, dict) and isinstance(o, dict):
            for key in sorted(set(g) | set(o)):
                here = '%s/%s' % (where, key)
                if key not in o:
                    yield diff(here, g[key], '<absent>')
                elif key not in g:
                    yield diff(here, '<absent>', o[key])
                elif key in TIMESTAMP_FIELDS and isinstance(g[key], str):
                    if not (TIMESTAMP.match(g[key])
                            and TIMESTAMP.match(str(o[key]))):
                        yield diff(here, g[key], o[key])
                elif key == 'tags' and isinstance(g[key], list):
                    # A set in Glance: its order is arbitrary.
                    if sorted(g[key]) != sorted(o[key] or []):
                        yield diff(here, g[key], o[key])
                elif key in ('images', 'members') and isinstance(g[key],
                                                                 list):
                    yield from self._compare_list(diff, here, g[key],
                                                  o[key], req)
                else:
                    yield from self._compare_values(diff, here, g[key],
                                                    o[key], req)
        elif isinstance(g, list) and isinstance(o, list) and len(g) == len(
                o):
            for index, (g_item, o_item) in enumerate(zip(g, o)):
                yield from self._compare_values(
                    diff, '%s/%d' % (where, index), g_item, o_item, req)
        elif g != o:
            yield diff(where, g, o)

    def _compare_list(self, diff, where, g, o, req):
        key = 'member_id' if where.endswith('members') else 'id'
        g_ids = [item.get(key) for item in g]
        o_ids = [item.get(key) for item in o]
        if sorted(g_ids) != sorted(o_ids):
            yield diff(where + ' ids', g_ids, o_ids)
            return
        if g_ids != o_ids and not _sorted_by_time(req):
            yield diff(where + ' order', g_ids, o_ids)
        by_id = {item.get(key): item for item in o}
        for item in g:
            yield from self._compare_values(
                diff, '%s[%s]' % (where, item.get(key)), item,
                by_id[item.get(key)], req)

    def assert_same(self, testcase):
        if self.unexplained:
            testcase.fail('%d difference(s) outside the named exceptions%s:'
                          '\n%s' % (len(self.unexplained),
                                    ' (%s)' % self.note if self.note else '',
                                    '\n'.join(
                              str(d) for d in self.unexplained[:40])))


def _sorted_by_time(req):
    """Whether a list's order rests on timestamps (the default sort)."""
    path, _, query = req.path.partition('?')
    if path != '/v2/images' or req.method != 'GET':
        return False
    if 'sort_key=' not in query and 'sort=' not in query:
        return True
    return any(key in query for key in TIME_SORT_KEYS)
