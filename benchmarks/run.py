"""Run the glance-sharing benchmark and write its table, chart and plans.

    python -m benchmarks.run [--backends sqlite,postgresql,mysql]
                             [--scales small,large] [--duration 10]
                             [--auth noauth|keystone] ...

For each backend and scale: seed a fresh database with bulk inserts, serve
it with gunicorn (2 worker processes, noauth; or with ``--server apache``
under Apache httpd + mod_wsgi, 2 daemon processes: benchmarks/servers.py,
results in results-apache.*), send every call a few times
to check it and read its SQL statement count, drive every call with wrk
(keep-alive, 8 connections) for a fixed time, and EXPLAIN the list
queries. Results go to --out as results.json, results.txt, results.png and
explain-<backend>-<scale>.txt.

With ``--auth keystone`` a real Keystone runs beside it
(benchmarks/keystone.py), the server uses the keystone pipeline
(auth_token, tokens cached in process) and every call sends a real token;
no EXPLAIN (the plans do not depend on authentication), and the results
go to results-keystone.json, .txt and .png, with a comparison against the
noauth results.json of --out when there is one (kept in
results-keystone.json as "baseline").
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import shlex
import sys

from benchmarks import data
from benchmarks import explain
from benchmarks import filters
from benchmarks import glance_seed
from benchmarks import load
from benchmarks import report
from benchmarks import seed
from benchmarks import servers
from harness import apache
from harness import glance as glance_harness
from harness import server

REPO_ROOT = server.REPO_ROOT
DEFAULT_OUT = os.path.join(REPO_ROOT, 'doc', 'source', 'benchmarks')
DEFAULT_WORKDIR = os.path.join(REPO_ROOT, 'state', 'bench')
# --auth: how the server authenticates, and the suffix of its result files.
AUTH_MODES = {
    'noauth': {'suffix': '', 'label': 'noauth'},
    'keystone': {'suffix': '-keystone',
                 'label': 'keystone (auth_token, real Keystone tokens, '
                          'validation cached in memcached)'},
}


def write_config_dir(config_dir, db_url, *overrides):
    """A bench server's Paste file and glance-sharing.conf in config_dir."""
    paste = os.path.join(config_dir, 'api-paste.ini')
    filters.write_paste_ini(paste)
    server.write_conf(os.path.join(config_dir, 'glance-sharing.conf'),
                      db_url, {'paste_deploy': {'config_file': paste}},
                      *overrides)


def prepare_glance(venv, backend, scale, workdir, log=print, auth=None,
                   kind=None):
    """Glance's database of ``scale`` and its config dir; (manifest, dir).

    ``auth`` (a keystone.KeystoneAuth) seeds its projects and serves
    Glance's keystone pipeline with the same [keystone_authtoken] as
    glance-sharing's; None trusts identity headers. ``kind`` (a
    servers.Gunicorn, the default, or servers.Apache) names the config
    dir.
    """
    mode = '-keystone' if auth else ''
    config_dir = os.path.join(workdir, '%s-%s%s%s-glance' % (
        backend, scale.name, mode, (kind or servers.Gunicorn()).suffix))
    os.makedirs(config_dir, exist_ok=True)
    overrides = ()
    if auth:
        overrides = ({'keystone_authtoken': auth.conf_sections()[
            'keystone_authtoken']},)
    manifest = glance_seed.seed_glance(
        venv, backend, scale, config_dir,
        'glance_bench_%s%s' % (scale.name, mode.replace('-', '_')), log,
        auth.projects() if auth else None,
        'keystone' if auth else 'headers', *overrides)
    return manifest, config_dir


def glance_calls(calls):
    """The calls Glance answers too: all but the bench filters' floor."""
    return [call for call in calls if call.name != 'floor']


def run_wrk(srv, call, duration, connections, threads):
    """wrk on ``call`` against ``srv``, with the server's CPU per request.

    ``cpu_ms`` is the workers' CPU time during the run over its requests
    (harness.server.cpu_seconds says why it is measured): those of
    gunicorn's workers or of mod_wsgi's daemon processes.
    """
    cpu = srv.worker_cpu_seconds()
    result = load.run_wrk(srv.url, call, duration, connections, threads)
    result['cpu_ms'] = 1000.0 * (srv.worker_cpu_seconds() - cpu) / max(
        1, result['requests'])
    return result


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as cpuinfo:
            for line in cpuinfo:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open('/proc/meminfo') as meminfo:
            mem = int(meminfo.readline().split()[1]) // (1024 * 1024)
    except (OSError, ValueError, IndexError):
        mem = '?'
    return '%d cores (%s), %s GiB, %s, Python %s' % (
        os.cpu_count(), cpu, mem, platform.system(),
        platform.python_version())


def prepare(backend, scale, workdir, log=print, db_name=None, auth=None,
            kind=None):
    """Seed a database and write a config dir for it; (manifest, dir).

    ``auth`` (a keystone.KeystoneAuth) seeds its projects and configures
    the keystone pipeline; None is noauth. ``kind`` (a servers.Gunicorn,
    the default, or servers.Apache) names the config dir and adds its
    options.
    """
    kind = kind or servers.Gunicorn()
    config_dir = os.path.join(workdir, '%s-%s%s%s' % (
        backend, scale.name, '-keystone' if auth else '', kind.suffix))
    os.makedirs(config_dir, exist_ok=True)
    if auth and db_name is None:
        db_name = 'gs_bench_%s_keystone' % scale.name
    manifest = seed.seed(backend, scale, config_dir, db_name=db_name,
                         log=log,
                         projects=auth.projects() if auth else None)
    write_config_dir(
        config_dir, manifest['url'],
        {'glance_store': {'filesystem_store_datadir': store_dir(config_dir)}},
        auth.conf_sections() if auth else {},
        kind.service_options(config_dir))
    with open(os.path.join(config_dir, 'manifest.json'), 'w') as out:
        json.dump(manifest, out, indent=1)
    return manifest, config_dir


def store_dir(config_dir):
    """The filesystem store of the bench server of ``config_dir``."""
    # glance_store wants an absolute path.
    return os.path.abspath(os.path.join(config_dir, 'images'))


def run_scale(backend, scale, workdir, workers=2, duration=10,
              connections=8, threads=2, use_wrk=True, only=None,
              samples=3, log=print, db_name=None, auth=None,
              data_size=0, data_rounds=3, glance_venv=None, kind=None):
    """Everything for one backend and scale; a dict of results.

    ``auth``: None for noauth, or a keystone.KeystoneAuth. ``data_size``
    bytes (0: none) are uploaded and downloaded ``data_rounds`` times
    beside the same writes and reads on the store without the service
    (benchmarks/data.py): the disk, and with ``auth.swift`` Swift too.

    With ``glance_venv`` (Glance's virtualenv), upstream Glance is seeded
    with the same data and served beside it with the same options; every
    call Glance answers is sampled and driven on both, interleaved call
    by call, and Glance's figures go to ``results['glance']``.

    ``kind`` (a servers.Gunicorn, the default, or servers.Apache) serves
    both; Glance's venv must be the one ``kind.install_glance()``
    returned.
    """
    kind = kind or servers.Gunicorn()
    manifest, config_dir = prepare(backend, scale, workdir, log, db_name,
                                   auth, kind)
    if glance_venv:
        glance_manifest, glance_dir = prepare_glance(
            glance_venv, backend, scale, workdir, log, auth, kind)
        for key in ('ten_image', 'full_image', 'owner', 'consumer',
                    'counts'):
            if glance_manifest[key] != manifest[key]:
                raise RuntimeError('Glance was seeded other data: %s' % key)
    tokens = auth.tokens() if auth else None
    calls = load.calls(manifest, tokens)
    if only:
        calls = [c for c in calls if c.name in only]
    results = {'counts': manifest['counts'],
               'insert_seconds': manifest['insert_seconds'], 'calls': {}}
    ready_headers = None
    if tokens:
        ready_headers = {'X-Auth-Token': tokens[manifest['owner']]}
    with contextlib.ExitStack() as stack:
        srv = stack.enter_context(kind.service(config_dir, workers,
                                               ready_headers))
        glance = None
        if glance_venv:
            glance = stack.enter_context(kind.glance(
                glance_venv, glance_dir, workers))
            results['glance'] = {'calls': {}}
        for call in calls:
            results['calls'][call.name] = {
                'label': call.label,
                'samples': load.sample(srv.url, call, samples)}
        if glance:
            for call in glance_calls(calls):
                results['glance']['calls'][call.name] = {
                    'label': call.label,
                    'samples': load.sample(glance.url, call, samples)}
                _check_items(call, results, log)
        if use_wrk:
            glance_names = {c.name for c in glance_calls(calls)}
            for call in calls:
                result = run_wrk(srv, call, duration, connections, threads)
                results['calls'][call.name].update(result)
                _log_wrk(log, call.name, result, results['calls'][
                    call.name]['samples'][0]['statements'])
                if glance and call.name in glance_names:
                    result = run_wrk(glance, call, duration, connections,
                                     threads)
                    results['glance']['calls'][call.name].update(result)
                    _log_wrk(log, '  Glance', result, None)
        if data_size:
            results['data'] = data.measure(
                srv, _owner_headers(manifest, tokens),
                data.DiskAlone(store_dir(config_dir)), data_size,
                config_dir, data_rounds)
            for line in data.rows(results['data'])[2:]:
                log('  ' + line)
    if data_size and auth and auth.swift:
        results['data_swift'] = measure_swift(
            config_dir, manifest, auth, workers, data_size, data_rounds,
            kind)
        for line in data.rows(results['data_swift'])[2:]:
            log('  ' + line)
    return results, manifest


def _log_wrk(log, name, result, statements):
    log('  %-22s %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  CPU %5.2f ms  '
        'SQL %s%s' % (name, result['rps'], result['p50_ms'],
                      result['p99_ms'], result['cpu_ms'],
                      '-' if statements is None else statements,
                      '  ERRORS %d' % result['errors']
                      if result['errors'] else ''))


def _check_items(call, results, log):
    """Warn when Glance returns another number of items than we do."""
    ours = results['calls'][call.name]['samples'][0]['items']
    theirs = results['glance']['calls'][call.name]['samples'][0]['items']
    if ours != theirs:
        log('  WARNING %s: glance-sharing returned %s items, Glance %s' % (
            call.name, ours, theirs))


def _owner_headers(manifest, tokens):
    owner = load.Call('data', 'image data', 'PUT', 204, manifest['owner'],
                      token=tokens and tokens[manifest['owner']])
    return owner.headers()


def measure_swift(config_dir, manifest, auth, workers, size, rounds,
                  kind):
    """The image data rows again, with the service on the Swift store.

    A second server on the same database, configured as operators
    configure the Swift store (benchmarks/keystone.py), beside the same
    bytes PUT and GET straight to the same Swift account.
    """
    swift_dir = config_dir + '-swift'
    os.makedirs(swift_dir, exist_ok=True)
    write_config_dir(
        swift_dir, manifest['url'], auth.conf_sections(),
        {'glance_store': auth.swift_store_options(swift_dir)},
        kind.service_options(swift_dir))
    tokens = auth.tokens()
    with kind.service(swift_dir, workers, {
            'X-Auth-Token': tokens[manifest['owner']]}) as srv:
        return data.measure(srv, _owner_headers(manifest, tokens),
                            auth.swift_alone(), size, swift_dir, rounds)


def bare_floor(workdir, workers, duration, connections, threads,
               glance_venv=None, kind=None):
    """The server's own cost: a no-op WSGI app, no Paste, same server.

    With ``glance_venv``, under the server of Glance's venv instead.
    ``kind``: a servers.Gunicorn (default) or servers.Apache.
    """
    kind = kind or servers.Gunicorn()
    config_dir = os.path.join(workdir, '%s%s' % (
        'bare-glance' if glance_venv else 'bare', kind.suffix))
    os.makedirs(config_dir, exist_ok=True)
    call = load.Call('bare', 'bare WSGI app', 'GET', 200, 'x', path='/')
    with kind.bare(config_dir, workers, glance_venv) as srv:
        return run_wrk(srv, call, duration, connections, threads)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--backends', default='sqlite',
                        help='comma-separated: sqlite, postgresql, mysql')
    parser.add_argument('--scales', default='small,large',
                        help='comma-separated, of %s' % ', '.join(
                            seed.SCALES))
    parser.add_argument('--duration', type=int, default=10,
                        help='seconds of wrk per call')
    parser.add_argument('--connections', type=int, default=8)
    parser.add_argument('--threads', type=int, default=2,
                        help='wrk threads')
    parser.add_argument('--workers', type=int, default=2,
                        help='gunicorn worker processes (mod_wsgi daemon '
                             'processes with --server apache)')
    parser.add_argument('--server', choices=servers.KINDS,
                        default='gunicorn',
                        help='gunicorn (default), or apache: both services '
                             'under Apache httpd + mod_wsgi in daemon mode '
                             '(root and apt-get: installs Apache, mod_wsgi '
                             'and venvs of /usr/bin/python3); writes '
                             'results-apache.*')
    parser.add_argument('--calls', help='only these calls (comma-separated)')
    parser.add_argument('--data-size', type=float, default=256,
                        help='MiB of image data uploaded and downloaded '
                             'per round, beside the store alone; 0 for '
                             'none')
    parser.add_argument('--swift', action='store_true',
                        help='with --auth keystone: the image data rows '
                             'again on a real Swift store, beside Swift '
                             'alone')
    parser.add_argument('--data-rounds', type=int, default=3,
                        help='rounds of the image data measurement')
    parser.add_argument('--explain-backends', default='postgresql,mysql',
                        help='backends only seeded and EXPLAINed (no '
                             'load), besides --backends; "" for none')
    parser.add_argument('--no-explain', action='store_true')
    parser.add_argument('--explain-only', action='store_true',
                        help='seed and EXPLAIN; no server, no load')
    parser.add_argument('--report-only', action='store_true',
                        help='render results.txt and results.png again '
                             'from the results.json in --out')
    parser.add_argument('--auth', choices=AUTH_MODES, default='noauth',
                        help='noauth (default), or keystone: a real '
                             'Keystone, auth_token and real tokens; '
                             'writes results-keystone.*')
    parser.add_argument('--glance', action=argparse.BooleanOptionalAction,
                        default=None,
                        help='serve upstream Glance %s beside glance-'
                             'sharing (same server, data, calls and load) '
                             'and report both; default: on in noauth mode, '
                             'off in keystone mode (installs it once into '
                             '.cache/glance/venv, with --server apache into '
                             '%s)' % (glance_harness.VERSION,
                                      glance_harness.DEFAULT_APACHE_VENV))
    parser.add_argument('--suffix', default='',
                        help='added to the names of the result files '
                             '(results<suffix>.txt, ...), so that a '
                             'partial run keeps the full run\'s files')
    parser.add_argument('--out', default=DEFAULT_OUT)
    parser.add_argument('--workdir', default=DEFAULT_WORKDIR)
    args = parser.parse_args(argv)
    kind = servers.KINDS[args.server]()
    suffix = AUTH_MODES[args.auth]['suffix'] + kind.suffix + args.suffix

    if args.report_only:
        with open(os.path.join(args.out,
                               'results%s.json' % suffix)) as saved:
            write_report(json.load(saved), args.out, suffix)
        return
    if args.swift and (args.auth != 'keystone' or not args.data_size):
        parser.error('--swift needs --auth keystone (Swift authenticates '
                     'through Keystone) and a --data-size')
    if args.glance is None:
        args.glance = args.auth == 'noauth' and not args.explain_only
    if args.auth == 'keystone':
        if args.explain_only:
            parser.error('--explain-only does not use --auth keystone')
        # Plans do not depend on authentication: the noauth run has them.
        args.no_explain = True
    if not args.explain_only and not load.wrk_available():
        sys.exit('wrk is not installed: run tools/bench.sh, which installs '
                 'it, or apt-get install wrk')
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.workdir, exist_ok=True)
    if not args.explain_only:
        try:
            kind.install()
        except (apache.PrerequisiteMissing, RuntimeError) as exc:
            sys.exit('--server %s: %s' % (args.server, exc))
    only = set(args.calls.split(',')) if args.calls else None
    results = {'meta': {
        'date': datetime.datetime.now(datetime.timezone.utc).strftime(
            '%Y-%m-%d %H:%M UTC'),
        'command': 'python -m benchmarks.run ' + ' '.join(
            shlex.quote(a) for a in (argv or sys.argv[1:])),
        'machine': machine(),
        # A busy machine moves req/s and latency, not the ratios of two
        # services measured call by call in the same minutes.
        'load_average': 'load average at start: %.2f %.2f %.2f' % (
            os.getloadavg()),
        'server': '%s, %s' % (kind.describe(args.workers),
                              AUTH_MODES[args.auth]['label']),
        # What the report calls the server and whose CPU it counts.
        'server_name': kind.label,
        'workers': kind.workers_label,
        'auth': args.auth,
        'load': 'wrk, %d connections, %d threads, keep-alive, %ds per '
                'call' % (args.connections, args.threads, args.duration),
        'data': 'image data: one client (python-requests), %s MiB per '
                'round' % data._mib(int(args.data_size * 1024 * 1024)),
    }, 'runs': {}}
    args.glance_venv = None
    if args.glance and not args.explain_only:
        print('Glance: installing %s (once) into its venv' %
              glance_harness.VERSION, flush=True)
        try:
            args.glance_venv = kind.install_glance()
        except Exception as exc:
            sys.exit('--glance needs Glance: %s (--no-glance to skip it)'
                     % exc)
        results['meta']['glance'] = (
            'Glance %s (%s), %s, Paste pipeline versionnegotiation + %s' % (
                glance_harness.VERSION, args.glance_venv,
                kind.describe_glance(args.glance_venv),
                'authtoken (same [keystone_authtoken], same memcached) + '
                'context' if args.auth == 'keystone' else
                'context (identity headers trusted, no auth_token)'))
    if not args.explain_only:
        results['bare_floor'] = bare_floor(
            args.workdir, args.workers, args.duration, args.connections,
            args.threads, kind=kind)
        if args.glance_venv:
            results['glance_bare_floor'] = bare_floor(
                args.workdir, args.workers, args.duration,
                args.connections, args.threads, args.glance_venv, kind)
    backends = args.backends.split(',')
    explain_only = set(args.explain_backends.split(',')) - set(backends) - {
        ''}
    if args.no_explain:
        explain_only = set()
    with _auth(args.auth, args.swift) as auth:
        _run_all(args, backends, explain_only, only, results, auth, kind)
    if results['runs'] and args.auth == 'keystone':
        # The noauth run of --out under the same server to compare with,
        # kept with the results so that --report-only renders the same
        # comparison.
        try:
            with open(os.path.join(args.out, 'results%s.json' %
                                   kind.suffix)) as saved:
                baseline = json.load(saved)
            results['baseline'] = {'meta': baseline['meta'],
                                   'runs': baseline['runs']}
        except (OSError, ValueError, KeyError):
            pass
    if results['runs']:
        with open(os.path.join(args.out,
                               'results%s.json' % suffix), 'w') as out:
            json.dump(results, out, indent=1)
        write_report(results, args.out, suffix)


def _auth(mode, swift=False):
    """A context giving None (noauth) or a running keystone.KeystoneAuth.

    With ``swift``, the KeystoneAuth has a running Swift too.
    """
    if mode == 'keystone':
        # Imported here: the noauth run needs neither Keystone nor the
        # test harness.
        from benchmarks import keystone
        return keystone.keystone(swift=swift)
    return contextlib.nullcontext()


def _run_all(args, backends, explain_only, only, results, auth, kind):
    for backend in backends + sorted(explain_only):
        for name in args.scales.split(','):
            scale = seed.SCALES[name]
            print('== %s, scale %s' % (backend, name), flush=True)
            if args.explain_only or backend in explain_only:
                manifest, _dir = prepare(backend, scale, args.workdir)
            else:
                run, manifest = run_scale(
                    backend, scale, args.workdir, args.workers,
                    args.duration, args.connections, args.threads,
                    only=only, auth=auth,
                    data_size=int(args.data_size * 1024 * 1024),
                    data_rounds=args.data_rounds,
                    glance_venv=args.glance_venv, kind=kind)
                results['runs'].setdefault(backend, {})[name] = run
            if not args.no_explain:
                if not (args.explain_only or backend in explain_only):
                    # The load changed the data; plan the seeded state.
                    manifest, _dir = prepare(backend, scale, args.workdir)
                plans = explain.list_plans(manifest['url'], manifest)
                path = os.path.join(args.out, 'explain-%s-%s.txt' % (
                    backend, name))
                with open(path, 'w') as out:
                    out.write(explain.render(plans, '%s, scale %s (%s)' % (
                        backend, name, manifest['counts'])))
                print('  plans: %s' % path)


def write_report(results, out_dir, suffix=''):
    text = report.table(results)
    if results.get('baseline'):
        text += report.compare(results, results['baseline'])
    with open(os.path.join(out_dir, 'results%s.txt' % suffix), 'w') as out:
        out.write(text)
    print(text)
    try:
        report.chart(results, os.path.join(out_dir,
                                           'results%s.png' % suffix))
        report.ratio_chart(results, os.path.join(
            out_dir, 'ratios%s.png' % suffix))
    except ImportError:
        print('matplotlib is not installed: no chart')


if __name__ == '__main__':
    main()
