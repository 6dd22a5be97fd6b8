"""The calls a benchmark makes, and the two ways it makes them.

``sample`` sends each call a few times with requests, checks the status
and reads the SQL statement count the ``sqlcount`` filter reports.
``run_wrk`` drives one call with wrk (keep-alive, N connections) for a
fixed time and returns throughput and latency percentiles from wrk's own
histogram.
"""

import dataclasses
import json
import os
import shutil
import subprocess
import tempfile

import requests

from benchmarks import filters

ROLES = 'reader,member'


@dataclasses.dataclass
class Call:
    name: str
    label: str
    method: str
    status: int
    project: str
    path: str = None          # fixed path of a read
    lua_request: str = None   # Lua body of request() for a write
    body: str = None
    token: str = None         # Keystone mode: a token for ``project``

    def headers(self):
        if self.token is None:
            # noauth: the identity in headers (X-Identity-Status for
            # Glance's context middleware, which refuses a request
            # without it; glance-sharing's noauth ignores it).
            headers = {'X-Project-Id': self.project,
                       'X-User-Id': 'bench-user', 'X-Roles': ROLES,
                       'X-Identity-Status': 'Confirmed'}
        else:
            # keystone: auth_token validates the token and sets the rest.
            headers = {'X-Auth-Token': self.token}
        headers['Accept'] = 'application/json'
        if self.body is not None:
            headers['Content-Type'] = 'application/json'
        return headers


def _lua_list(values):
    return '{' + ', '.join('"%s"' % v for v in values) + '}'


def calls(manifest, tokens=None):
    """Every benchmarked call, in the order they run (writes last).

    ``tokens`` (Keystone mode) maps each project of the manifest to a
    token of that project, which every call then sends.
    """
    m = manifest
    owner, consumer, updater = m['owner'], m['consumer'], m['updater']
    shown = m['consumer_accepted_images'][0]
    ten = m['ten_image']
    reads = [
        Call('floor', 'floor: pipeline, no-op handler', 'GET', 200, owner,
             path=filters.NOOP_PATH),
        Call('image-show', 'image show (consumer)', 'GET', 200, consumer,
             path='/v2/images/%s' % shown),
        Call('image-list-owner', 'image list, owner', 'GET', 200, owner,
             path='/v2/images'),
        Call('image-list-consumer', 'image list, consumer (accepted)', 'GET',
             200, consumer, path='/v2/images'),
        Call('image-list-pending', 'image list, member_status=pending',
             'GET', 200, consumer, path='/v2/images?member_status=pending'),
        Call('image-list-shared', 'image list, visibility=shared', 'GET',
             200, consumer, path='/v2/images?visibility=shared'),
        Call('image-list-1000', 'image list, consumer, limit=1000', 'GET',
             200, consumer, path='/v2/images?limit=1000'),
        Call('member-show', 'member show (owner)', 'GET', 200, owner,
             path='/v2/images/%s/members/%s' % (ten, m['ten_member'])),
        Call('member-list-10', 'member list, 10 members', 'GET', 200, owner,
             path='/v2/images/%s/members' % ten),
        Call('member-list-128', 'member list, 128 members (quota)', 'GET',
             200, owner, path='/v2/images/%s/members' % m['full_image']),
    ]
    writes = [
        Call('member-create', 'member create', 'POST', 200, owner,
             body='{"member": "%s"}', lua_request='''
    local image = pool[(k % #pool) + 1]
    local body = string.format('{"member": "new-%d-%d"}', tid, n)
    return wrk.format("POST", "/v2/images/" .. image .. "/members",
                      headers, body)''',
             path='/v2/images/%s/members' % m['sample_image']),
        Call('member-update', 'member update (member accepts)', 'PUT', 200,
             updater, body='{"status": "accepted"}', lua_request='''
    local image = pool[(k %% #pool) + 1]
    local status = (k %% 2 == 0) and "accepted" or "rejected"
    return wrk.format("PUT", "/v2/images/" .. image .. "/members/%s",
                      headers, '{"status": "' .. status .. '"}')''' % (
                 updater),
             path='/v2/images/%s/members/%s' % (m['updater_images'][0],
                                                updater)),
        Call('member-delete', 'member delete', 'DELETE', 204, owner,
             lua_request='''
    local image = pool[math.floor(k / %d) + 1] or pool[1]
    return wrk.format("DELETE", string.format(
        "/v2/images/%%s/members/del-%%03d", image, k %% %d), headers)''' % (
                 128, 128),
             path='/v2/images/%s/members/sample-%%d' % m['sample_image']),
    ]
    # Fixed request: every request creates an image of the owner.
    writes.append(Call(
        'image-create', 'image create', 'POST', 201, owner,
        path='/v2/images', body='{"name": "bench-image", "disk_format": '
        '"raw", "container_format": "bare"}'))
    pools = {'member-create': m['create_pool'],
             'member-update': m['updater_images'],
             'member-delete': m['delete_pool']}
    for call in writes:
        call.pool = pools.get(call.name)
    if tokens:
        for call in reads + writes:
            call.token = tokens[call.project]
    return reads + writes


def sample(base_url, call, count=3):
    """Send ``call`` ``count`` times; return statement counts and sizes.

    Writes use ids of their own (members "sample-N" of the sample image),
    so sampling never takes rows the timed run needs.
    """
    session = requests.Session()
    results = []
    for i in range(count):
        path = call.path
        body = call.body
        if call.name == 'member-create':
            body = body % ('sample-%d' % i)
        elif call.name == 'member-delete':
            path = path % i
        response = session.request(call.method, base_url + path,
                                   headers=call.headers(), data=body)
        if response.status_code != call.status:
            raise AssertionError('%s %s: %d, expected %d: %s' % (
                call.method, path, response.status_code, call.status,
                response.text[:500]))
        items = None
        if response.content:
            data = response.json()
            for key in ('images', 'members'):
                if key in data:
                    items = len(data[key])
        # Upstream Glance has no statement counter: None.
        statements = response.headers.get(filters.STATEMENTS_HEADER)
        connects = response.headers.get(filters.CONNECTS_HEADER)
        results.append({
            'statements': None if statements is None else int(statements),
            'connects': None if connects is None else int(connects),
            'bytes': len(response.content), 'items': items})
    return results


_DONE = '''
function done(summary, latency, requests)
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "connect": %d, '
    .. '"read": %d, "write": %d, "status": %d, "timeout": %d, '
    .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, '
    .. '"mean_us": %.1f}\\n',
    summary.requests, summary.duration, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
'''


def lua_script(call, threads):
    """The wrk script of ``call``: a fixed request, or request() per call."""
    headers = call.headers()
    lines = ['wrk.method = "%s"' % call.method]
    for name, value in headers.items():
        lines.append('wrk.headers["%s"] = "%s"' % (name, value))
    if call.lua_request is None:
        lines.append('wrk.path = "%s"' % call.path)
        if call.body is not None:
            lines.append('wrk.body = [[%s]]' % call.body)
    else:
        # Request k = tid + n * threads: unique across wrk's threads.
        lines += [
            'local threads_started = 0',
            'function setup(thread)',
            '  thread:set("tid", threads_started)',
            '  threads_started = threads_started + 1',
            'end',
            'pool = %s' % _lua_list(call.pool),
            'headers = wrk.headers',
            'n = 0',
            'function request()',
            '    local k = tid + n * %d' % threads,
            '    n = n + 1',
            call.lua_request.strip('\n'),
            'end']
    return '\n'.join(lines) + '\n' + _DONE


def wrk_available():
    return shutil.which('wrk') is not None


def run_wrk(base_url, call, duration=10, connections=8, threads=2):
    """Drive ``call`` with wrk; a dict of wrk's summary."""
    with tempfile.NamedTemporaryFile('w', suffix='.lua',
                                     delete=False) as script:
        script.write(lua_script(call, threads))
    try:
        out = subprocess.run(
            ['wrk', '-t%d' % threads, '-c%d' % connections,
             '-d%ds' % duration, '--timeout', '10s', '-s', script.name,
             base_url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    for line in out.splitlines():
        if line.startswith('BENCH_JSON '):
            result = json.loads(line[len('BENCH_JSON '):])
            break
    else:
        raise RuntimeError('wrk gave no summary:\n' + out)
    seconds = result['duration_us'] / 1e6
    errors = sum(result[k] for k in ('connect', 'read', 'write', 'status',
                                     'timeout'))
    result.update(rps=result['requests'] / seconds, errors=errors,
                  p50_ms=result['p50_us'] / 1000.0,
                  p99_ms=result['p99_us'] / 1000.0)
    return result
