"""Profile one call in-process with cProfile: where does a request go?

    python -m benchmarks.profile --backend sqlite --scale small \
        --call member-show --requests 500

Loads the same Paste pipeline as the bench server (production pipeline
plus the bench filters) from the config dir that ``benchmarks.run``
prepared (seeding it first with --seed), sends the call ``--requests``
times through it in this process, and prints the functions that took the
time. No server and no network, so the profile is the service alone.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import time

import webob

from benchmarks import load
from benchmarks import run
from benchmarks import seed


def load_app(config_dir):
    os.environ['OS_GLANCE_SHARING_CONFIG_DIR'] = config_dir
    from glance_sharing import deploy
    # Logging as configured, but into /dev/null rather than the terminal.
    deploy.parse_args(['--log-file', os.devnull])
    return deploy.loadapp()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--backend', default='sqlite')
    parser.add_argument('--scale', default='small')
    parser.add_argument('--call', default='member-show')
    parser.add_argument('--requests', type=int, default=500)
    parser.add_argument('--seed', action='store_true',
                        help='seed the database first')
    parser.add_argument('--sort', default='tottime')
    parser.add_argument('--limit', type=int, default=35)
    parser.add_argument('--workdir', default=run.DEFAULT_WORKDIR)
    parser.add_argument('--dump', help='write the raw profile here')
    args = parser.parse_args(argv)

    if args.seed:
        manifest, config_dir = run.prepare(
            args.backend, seed.SCALES[args.scale], args.workdir)
    else:
        config_dir = os.path.join(args.workdir, '%s-%s' % (
            args.backend, args.scale))
        with open(os.path.join(config_dir, 'manifest.json')) as f:
            manifest = json.load(f)
    app = load_app(config_dir)
    call = {c.name: c for c in load.calls(manifest)}[args.call]
    if call.lua_request is not None:
        raise SystemExit('profile reads only; writes change the data')

    def once():
        req = webob.Request.blank(call.path, method=call.method,
                                  headers=call.headers())
        response = req.get_response(app)
        if response.status_int != call.status:
            raise SystemExit('%s %s: %d, not %d: %s' % (
                call.method, call.path, response.status_int, call.status,
                response.text))

    for _i in range(20):
        once()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _i in range(args.requests):
        once()
    profiler.disable()
    elapsed = time.perf_counter() - started
    print('%s: %d requests in %.2fs: %.2f ms each (under cProfile)' % (
        args.call, args.requests, elapsed, 1000 * elapsed / args.requests))
    started = time.perf_counter()
    for _i in range(args.requests):
        once()
    elapsed = time.perf_counter() - started
    print('without the profiler: %.2f ms each, %.0f req/s in one process'
          % (1000 * elapsed / args.requests, args.requests / elapsed))
    if args.dump:
        profiler.dump_stats(args.dump)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(
        args.limit)
    print(out.getvalue())


if __name__ == '__main__':
    main()
