"""Render benchmark results as a text table and a PNG chart."""

import json
import sys

from benchmarks import data

# Targets from issue 6 (SQLite, 2 workers, wrk 8 connections), req/s.
TARGETS = {'member-show': 2500, 'member-list-10': 1500,
           'image-list-consumer': 700}
GROWTH_LIMIT = 1.5


def _fmt(value, spec):
    return '-' if value is None else format(value, spec)


def table(results):
    """The results as plain text, one block per backend."""
    out = []
    meta = results['meta']
    out.append('glance-sharing benchmark, %s' % meta['date'])
    out.append('command: %s' % meta['command'])
    out.append('machine: %s' % meta['machine'])
    if meta.get('load_average'):
        out.append('         %s' % meta['load_average'])
    out.append('server:  %s' % meta['server'])
    out.append('load:    %s' % meta['load'])
    if meta.get('data'):
        out.append('data:    %s' % meta['data'])
    if results.get('bare_floor'):
        bare = results['bare_floor']
        out.append('bare WSGI app under the same server (no Paste, no '
                   'service): %.0f req/s, p50 %.2f ms, p99 %.2f ms' % (
                       bare['rps'], bare['p50_ms'], bare['p99_ms']))
    out.append('CPU ms = CPU time of the %s per request '
               '(user + system): steady' % meta.get('workers',
                                                    'gunicorn workers'))
    out.append('whatever else runs, but without the database server\'s '
               'own time on PostgreSQL and')
    out.append('MariaDB. SQL = statements per request '
               '(X-Bench-SQL-Statements). Goal for growth: large/small '
               'within %.1fx.' % GROWTH_LIMIT)
    for backend, scales in results['runs'].items():
        names = list(scales)
        for scale in names:
            counts = scales[scale]['counts']
            out.append('')
            out.append('%s, scale %s: %d images, %d memberships; seeded in '
                       '%.1fs' % (backend, scale, counts['images'],
                                  counts['memberships'],
                                  scales[scale]['insert_seconds']))
        out.append('')
        header = '%-34s' % 'call'
        for scale in names:
            header += ' | %-35s' % ('%s: req/s  p50 ms  p99 ms  CPU ms'
                                    % scale)
        header += ' | SQL  items'
        if len(names) > 1:
            header += ' | %s/%s: p50  CPU' % (names[-1], names[0])
        out.append(header)
        out.append('-' * len(header))
        first = scales[names[0]]['calls']
        for name, call in first.items():
            row = '%-34s' % call['label'][:34]
            for scale in names:
                result = scales[scale]['calls'].get(name, {})
                row += ' | %-35s' % _cell(result, cpu_width=7)
            statements = sorted({s['statements'] for scale in names
                                 for s in scales[scale]['calls'][name][
                                     'samples']})
            row += ' | %-4s %5s' % ('/'.join(map(str, statements)),
                                    _fmt(call['samples'][0]['items'], 'd'))
            if len(names) > 1:
                ratios = []
                for key in ('p50_ms', 'cpu_ms'):
                    small = first[name].get(key)
                    large = scales[names[-1]]['calls'][name].get(key)
                    ratios.append(large / small if small and large
                                  else None)
                if ratios[0] is not None:
                    row += ' | %5.2fx %5sx' % (ratios[0],
                                               _fmt(ratios[1], '.2f'))
            out.append(row)
        for scale in names:
            for key in ('data', 'data_swift'):
                if scales[scale].get(key):
                    rows = data.rows(scales[scale][key])
                    out.append('')
                    out.append('%s, scale %s. ' % (backend, scale) + rows[0])
                    out.extend(rows[1:])
        if backend != 'sqlite':
            continue
        out.append('')
        out.append('Targets (SQLite): ' + ', '.join(
            '%s >= %d req/s' % (k, v) for k, v in TARGETS.items()))
        for name, target in TARGETS.items():
            for scale in names:
                result = scales[scale]['calls'].get(name, {})
                if result.get('rps') is not None:
                    out.append('  %-22s %-6s %7.0f req/s: %s' % (
                        name, scale, result['rps'],
                        'met' if result['rps'] >= target else 'MISSED'))
    return '\n'.join(out) + '\n' + side_by_side(results)


# Issue 13's targets against Glance: reads 10x, writes 5x its req/s.
GLANCE_TARGETS = {'read': 10.0, 'write': 5.0}
WRITES = ('member-create', 'member-update', 'member-delete', 'image-create')


def glance_target(name):
    return GLANCE_TARGETS['write' if name in WRITES else 'read']


def _cell(result, cpu_width):
    """One call's req/s, p50, p99 and CPU ms, and its errors if any."""
    cell = '%7s %7s %7s %*s' % (
        _fmt(result.get('rps'), '.0f'), _fmt(result.get('p50_ms'), '.2f'),
        _fmt(result.get('p99_ms'), '.2f'), cpu_width,
        _fmt(result.get('cpu_ms'), '.2f'))
    if result.get('errors'):
        cell += ' E%d' % result['errors']
    return cell


def _ratio(a, b):
    return a / b if a is not None and b else None


def side_by_side(results):
    """glance-sharing beside upstream Glance, call by call; '' if none.

    Per call: both services' req/s, p50, p99 and CPU ms per request; the
    req/s ratio (glance-sharing/Glance) and the CPU ratio (Glance's CPU
    per request over ours: how many times less CPU a request takes); and
    each one's share of the bare WSGI app's req/s under its own gunicorn
    (the floor: what the server alone can do on this machine).
    """
    runs = [(backend, scale, run) for backend, scales in
            results['runs'].items() for scale, run in scales.items()
            if run.get('glance')]
    if not runs:
        return ''
    bare = results.get('bare_floor', {}).get('rps')
    glance_bare = results.get('glance_bare_floor', {}).get('rps')
    meta = results['meta']
    out = ['', 'glance-sharing beside upstream Glance, same run, '
           'interleaved call by call',
           'Glance: %s' % meta.get('glance', '?'),
           'floor = bare WSGI app under each one\'s %s: %s req/s '
           '(ours), %s req/s (Glance\'s)' % (
               meta.get('server_name', 'gunicorn'), _fmt(bare, '.0f'),
               _fmt(glance_bare, '.0f')),
           'req/s x = glance-sharing/Glance req/s; CPU x = Glance CPU ms / '
           'glance-sharing CPU ms; target: reads %.0fx, writes %.0fx' % (
               GLANCE_TARGETS['read'], GLANCE_TARGETS['write']),
           'at floor = Glance CPU ms / CPU ms of our floor (our pipeline, '
           'no handler): the most CPU x can be while the pipeline costs '
           'what it does']
    for backend, scale, run in runs:
        out.append('')
        out.append('%s, scale %s' % (backend, scale))
        floor_cpu = run['calls'].get('floor', {}).get('cpu_ms')
        header = '%-34s | %-31s | %-31s | %-7s %-6s %-8s | %s' % (
            'call', 'glance-sharing: req/s p50 p99 CPU',
            'Glance: req/s p50 p99 CPU', 'req/s x', 'CPU x', 'at floor',
            '% of floor: ours Glance')
        out.append(header)
        out.append('-' * len(header))
        for name, theirs in run['glance']['calls'].items():
            ours = run['calls'].get(name, {})
            cells = []
            for result in (ours, theirs):
                cells.append(_cell(result, cpu_width=6))
            rps = _ratio(ours.get('rps'), theirs.get('rps'))
            cpu = _ratio(theirs.get('cpu_ms'), ours.get('cpu_ms'))
            share = (_ratio(ours.get('rps'), bare),
                     _ratio(theirs.get('rps'), glance_bare))
            mark = ''
            if rps is not None and rps < glance_target(name):
                mark = ' <%.0fx' % glance_target(name)
            ceiling = _ratio(theirs.get('cpu_ms'), floor_cpu)
            out.append('%-34s | %-31s | %-31s | %6sx %5sx %7sx | %5s%% '
                       '%5s%%%s'
                       % (theirs['label'][:34], cells[0], cells[1],
                          _fmt(rps, '.2f'), _fmt(cpu, '.2f'),
                          _fmt(ceiling, '.1f'),
                          _fmt(share[0] and 100 * share[0], '.1f'),
                          _fmt(share[1] and 100 * share[1], '.1f'), mark))
    return '\n'.join(out) + '\n'


def summary(named_results):
    """Each call's ratios over Glance in several runs, one column a run.

    ``named_results``: (column title, results) pairs, each results holding
    one side-by-side run. A cell is "req/s x / CPU x"; a call under its
    target in req/s is marked with "<".
    """
    columns = []
    for title, results in named_results:
        runs = [('%s %s' % (backend, scale), run)
                for backend, scales in results['runs'].items()
                for scale, run in scales.items() if run.get('glance')]
        for name, run in runs:
            columns.append((title if len(runs) == 1 else '%s, %s' % (
                title, name), run))
    if not columns:
        return ''
    names = []
    for _title, run in columns:
        names += [name for name in run['glance']['calls']
                  if name not in names]
    width = max(18, *(len(title) for title, _run in columns))
    header = '%-34s | %-6s | %s' % ('call', 'target', ' | '.join(
        '%-*s' % (width, title) for title, _run in columns))
    out = ['req/s x / CPU x over Glance, per run ("<": under the target '
           'in req/s; "E": some requests failed)', header,
           '-' * len(header)]
    for name in names:
        cells = []
        label = name
        for _title, run in columns:
            ours = run['calls'].get(name, {})
            theirs = run['glance']['calls'].get(name)
            if theirs is None:
                cells.append('%-*s' % (width, '-'))
                continue
            label = theirs['label']
            rps = _ratio(ours.get('rps'), theirs.get('rps'))
            cpu = _ratio(theirs.get('cpu_ms'), ours.get('cpu_ms'))
            mark = '<' if rps is not None and rps < glance_target(
                name) else ' '
            failed = ' E' if ours.get('errors') or theirs.get(
                'errors') else ''
            cells.append('%-*s' % (width, '%s%5sx / %5sx%-2s' % (
                mark, _fmt(rps, '.1f'), _fmt(cpu, '.1f'), failed)))
        out.append('%-34s | %5.0fx | %s' % (
            label[:34], glance_target(name), ' | '.join(cells)))
    return '\n'.join(out) + '\n'


def ratio_chart(results, path):
    """A PNG of glance-sharing/Glance ratios per call (req/s and CPU)."""
    import matplotlib
    matplotlib.use('Agg')
    from matplotlib import pyplot

    series = [('%s %s' % (backend, scale), run) for backend, scales in
              results['runs'].items() for scale, run in scales.items()
              if run.get('glance')]
    if not series:
        return
    names = [n for n, c in series[0][1]['glance']['calls'].items()
             if 'rps' in c]
    if not names:
        return
    labels = [series[0][1]['glance']['calls'][n]['label'] for n in names]
    fig, axes = pyplot.subplots(1, 2, figsize=(13, 0.5 * len(names) + 2.5),
                                sharey=True)
    height = 0.8 / len(series)
    for i, (title, run) in enumerate(series):
        ys = [j + i * height for j in range(len(names))]
        ours, theirs = run['calls'], run['glance']['calls']
        axes[0].barh(ys, [_ratio(ours[n].get('rps'), theirs[n].get('rps'))
                          or 0 for n in names], height=height, label=title)
        axes[1].barh(ys, [_ratio(theirs[n].get('cpu_ms'),
                                 ours[n].get('cpu_ms')) or 0
                          for n in names], height=height, label=title)
    for ax in axes:
        ax.axvline(1, color='grey', lw=1)
        for j, name in enumerate(names):
            target = glance_target(name)
            ax.plot([target, target], [j - 0.1, j + 0.9], 'k--', lw=1)
    axes[0].set_yticks([j + 0.4 - height / 2 for j in range(len(names))])
    axes[0].set_yticklabels(labels)
    axes[0].invert_yaxis()
    axes[0].set_xlabel('req/s, glance-sharing / Glance (dashed: target)')
    axes[1].set_xlabel('CPU per request, Glance / glance-sharing')
    axes[0].legend(loc='lower right', fontsize='small')
    meta = results['meta']
    fig.suptitle('glance-sharing vs Glance %s; %s; %s' % (
        meta.get('glance', '').split(' ')[1] if meta.get('glance') else '',
        meta['server'], meta['load']), fontsize='medium')
    fig.text(0.01, 0.005, '%s | %s | %s' % (
        meta['date'], meta['machine'], meta['command']), fontsize='x-small')
    fig.tight_layout(rect=(0, 0.03, 1, 0.95))
    fig.savefig(path, dpi=90)
    pyplot.close(fig)


def compare(results, baseline):
    """What the keystone pipeline adds, call by call, beside a noauth run.

    ``results`` is a keystone-mode run and ``baseline`` a noauth one (both
    as in results.json); only the backends and scales both have are shown.
    """
    meta = baseline['meta']
    out = ['', 'Keystone vs noauth. noauth: %s (%s; %s).' % (
        meta['date'], meta['command'], meta['load']),
        'The two runs did not share the machine\'s load: on a busy '
        'machine compare CPU ms, not req/s.']
    for backend, scales in results['runs'].items():
        for scale, run in scales.items():
            base = baseline.get('runs', {}).get(backend, {}).get(scale)
            if not base:
                continue
            out.append('')
            out.append('%s, scale %s' % (backend, scale))
            header = '%-34s | %-22s | %-28s | %s' % (
                'call', 'req/s: noauth keystone', 'CPU ms: noauth keystone  '
                'added', 'keystone/noauth req/s')
            out.append(header)
            out.append('-' * len(header))
            for name, call in run['calls'].items():
                other = base['calls'].get(name, {})
                rps = (call.get('rps'), other.get('rps'))
                cpu = (call.get('cpu_ms'), other.get('cpu_ms'))
                added = cpu[0] - cpu[1] if None not in cpu else None
                ratio = rps[0] / rps[1] if None not in rps and rps[1] \
                    else None
                out.append('%-34s | %13s %8s | %14s %8s %6s | %s' % (
                    call['label'][:34], _fmt(rps[1], '.0f'),
                    _fmt(rps[0], '.0f'), _fmt(cpu[1], '.2f'),
                    _fmt(cpu[0], '.2f'), _fmt(added, '+.2f'),
                    _fmt(ratio, '.2f')))
    return '\n'.join(out) + '\n'


def chart(results, path):
    """A PNG: req/s and p50 per call, one bar per backend and scale."""
    import matplotlib
    matplotlib.use('Agg')
    from matplotlib import pyplot

    series = []
    for backend, scales in results['runs'].items():
        for scale, run in scales.items():
            series.append(('%s %s' % (backend, scale), run['calls']))
    if not series:
        return
    names = [n for n, c in series[0][1].items() if 'rps' in c]
    labels = [series[0][1][n]['label'] for n in names]
    fig, axes = pyplot.subplots(1, 3, figsize=(17, 0.55 * len(names) + 2.5),
                                sharey=True)
    height = 0.8 / len(series)
    for i, (title, calls) in enumerate(series):
        ys = [j + i * height for j in range(len(names))]
        axes[0].barh(ys, [calls[n].get('rps', 0) for n in names],
                     height=height, label=title)
        axes[1].barh(ys, [calls[n].get('p50_ms', 0) for n in names],
                     height=height, label=title)
        axes[2].barh(ys, [calls[n].get('cpu_ms', 0) for n in names],
                     height=height, label=title)
    for name, target in TARGETS.items():
        if name in names:
            j = names.index(name)
            axes[0].plot([target, target], [j - 0.1, j + 0.9], 'k--', lw=1)
    axes[0].set_yticks([j + 0.4 - height / 2 for j in range(len(names))])
    axes[0].set_yticklabels(labels)
    axes[0].invert_yaxis()
    axes[0].set_xlabel('requests/s (dashed: target)')
    axes[1].set_xlabel('p50 latency, ms')
    axes[2].set_xlabel('server CPU per request, ms')
    axes[0].legend(loc='lower right', fontsize='small')
    meta = results['meta']
    fig.suptitle('glance-sharing, %s; %s' % (meta['server'], meta['load']),
                 fontsize='medium')
    fig.text(0.01, 0.005, '%s | %s | %s' % (
        meta['date'], meta['machine'], meta['command']), fontsize='x-small')
    fig.tight_layout(rect=(0, 0.03, 1, 0.95))
    fig.savefig(path, dpi=90)
    pyplot.close(fig)


def main(argv=None):
    """python -m benchmarks.report TITLE=results.json ...: the summary."""
    named = []
    for arg in (argv if argv is not None else sys.argv[1:]):
        title, sep, path = arg.partition('=')
        if not sep:
            sys.exit('usage: python -m benchmarks.report '
                     'TITLE=results.json ...')
        with open(path) as saved:
            named.append((title, json.load(saved)))
    print(summary(named), end='')


if __name__ == '__main__':
    main()
