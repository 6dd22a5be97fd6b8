"""Run the README's curl walk-through against a real server.

The shell lines of the "Share an image between two projects" section run
in bash against a fresh server, in an empty working directory; each
"# ..." comment under a command is the expected output, where "..."
stands for anything.
"""

import os
import re
import shutil
import subprocess

import fixtures
import testtools

from glance_sharing.tests import base
from glance_sharing.tests import fixtures as gs_fixtures
from harness import server

README = os.path.join(gs_fixtures.REPO_ROOT, 'README.rst')
SECTION = 'Share an image between two projects'
DOC_URL = 'http://127.0.0.1:9292'


def walkthrough():
    """The section's shell script and expected outputs, in order."""
    with open(README) as readme:
        text = readme.read()
    section = text.split(SECTION, 1)[1].split('\nDeploying\n', 1)[0]
    commands, expected = [], []
    for block in re.findall(r'::\n\n((?:    .*\n|\n)+)', section):
        for line in block.splitlines():
            line = line[4:]
            if line.startswith('#  '):
                # An indented comment line continues the one above.
                expected[-1] += line[2:]
            elif line.startswith('# '):
                expected.append(line[2:])
            elif line.strip():
                commands.append(line)
    return '\n'.join(commands), expected


def as_pattern(expectation):
    return '.*'.join(re.escape(part) for part in expectation.split('...'))


class TestReadme(testtools.TestCase):

    def test_walkthrough_is_true(self):
        if not shutil.which('curl'):
            base.skip_or_fail(self, 'curl is not installed')
        service = self.useFixture(server.ServiceProcess(workers=2))
        script, expected = walkthrough()
        self.assertGreater(len(expected), 4, 'walk-through not found')
        # The walk-through writes files (the image, the copy): a
        # directory of its own, as a reader's working directory.
        workdir = self.useFixture(fixtures.TempDir()).path
        result = subprocess.run(
            ['bash', '-euc', script.replace(DOC_URL, service.url)],
            cwd=workdir, stdin=subprocess.DEVNULL, capture_output=True,
            text=True, timeout=60)
        self.assertEqual(0, result.returncode, result.stderr)
        lines = iter(result.stdout.splitlines())
        for expectation in expected:
            pattern = as_pattern(expectation)
            for line in lines:
                if re.fullmatch(pattern, line):
                    break
            else:
                self.fail('README promises %r; output was:\n%s'
                          % (expectation, result.stdout))
