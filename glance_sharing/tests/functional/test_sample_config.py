"""The generated sample configuration shows what the service runs with.

``tox -e genconfig`` (etc/glance-sharing/config-generator.conf) renders
every option with its default. Each default there must be the one the
service uses once its application is loaded (keystone pipeline), and each
section must be one the service reads.
"""

import os
import re
import subprocess
import sys

import fixtures
from oslo_messaging import opts as oslo_messaging_opts

from glance_sharing.conf import CONF
from glance_sharing import deploy
from glance_sharing import notifier
from glance_sharing.tests import base
from glance_sharing.tests import fixtures as gs_fixtures

GENERATOR_CONF = os.path.join(gs_fixtures.REPO_ROOT, 'etc',
                              'glance-sharing', 'config-generator.conf')


def sample_defaults(path):
    """{(section, option): [default as written]} of a generated sample."""
    defaults = {}
    section = None
    with open(path) as sample:
        for line in sample:
            header = re.match(r'^\[(\S+)\]$', line)
            if header:
                section = header.group(1)
                defaults.setdefault((section, None), [])
                continue
            option = re.match(r'^#([a-z][\w-]*) = ?(.*)$', line)
            if option and section:
                defaults.setdefault((section, option.group(1)), []).append(
                    option.group(2).strip())
    return defaults


def formatted(value):
    """A default written as oslo-config-generator writes it."""
    if value is None:
        return '<None>'
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return ','.join(formatted(item) for item in value)
    if isinstance(value, dict):
        return ','.join('%s:%s' % item for item in sorted(value.items()))
    value = str(value)
    # Leading or trailing spaces are kept by quoting.
    return '"%s"' % value if value != value.strip() else value


class SampleConfigTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.sample = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                   'glance-sharing.conf.sample')
        # A process of its own, as "tox -e genconfig" runs it: in this
        # one, the service's registration has already changed defaults.
        subprocess.run(
            [os.path.join(os.path.dirname(sys.executable),
                          'oslo-config-generator'),
             '--config-file', GENERATOR_CONF, '--output-file', self.sample],
            check=True, capture_output=True, timeout=120,
            stdin=subprocess.DEVNULL)
        self.defaults = sample_defaults(self.sample)
        # Everything the production pipeline registers, registered.
        self.conf_fixture.config(auth_strategy='keystone', group='api')
        deploy.loadapp(CONF)

    def running_default(self, section, name):
        group = None if section == 'DEFAULT' else section
        info = CONF._get_opt_info(name, group)
        return info.get('default', info['opt'].default), info['opt']

    def test_every_section_is_read_by_the_service(self):
        sections = {section for section, name in self.defaults
                    if name is None}
        self.assertIn('database', sections)
        # What else a running service registers: the audit pipeline's
        # options, and oslo.messaging's at the first notification, with
        # the options of the driver its transport_url names (rabbit).
        self.conf_fixture.config(auth_strategy='keystone+audit',
                                 group='api')
        deploy.loadapp(CONF)
        self.conf_fixture.config(driver=['messagingv2'],
                                 group='oslo_messaging_notifications')
        self.conf_fixture.config(transport_url='rabbit://127.0.0.1:1/')
        self.addCleanup(notifier.reset)
        notifier.reset()
        notifier.get_notifier(CONF)
        # The other drivers' sections are read when transport_url names
        # them; their client libraries are not installed here.
        other_drivers = {
            group for group, _ in oslo_messaging_opts.list_opts()
            if group and group.startswith('oslo_messaging_')}
        registered = {'DEFAULT'} | set(CONF)
        self.assertIn('oslo_messaging_rabbit', registered)
        self.assertEqual(set(), sections - registered - other_drivers)

    def test_defaults_are_the_ones_the_service_runs_with(self):
        wrong = []
        checked = 0
        for (section, name), written in self.defaults.items():
            if name is None:
                continue
            try:
                default, opt = self.running_default(section, name)
            except Exception:  # e.g. a deprecated alias listed in help
                continue
            if getattr(opt, 'multi', False) or opt.sample_default is not None:
                continue
            checked += 1
            if written[0] != formatted(default):
                wrong.append('[%s] %s: sample %r, service %r' % (
                    section, name, written[0], formatted(default)))
        self.assertGreater(checked, 50)
        self.assertEqual([], wrong)

    def test_no_relative_sqlite_default(self):
        self.assertEqual(['<None>'], self.defaults[('database',
                                                    'connection')])
        self.assertEqual(['0'], self.defaults[('database', 'max_retries')])
