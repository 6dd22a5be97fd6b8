"""Keep doc/source/user/sharing-with-clients.rst true by running it.

Every ``.. code-block:: console`` preceded by a ``.. test-as: USER``
comment is run as that user of the test cloud, command by command (lines
starting with ``$``). The output shown under a command must appear in
the real output, in order, where ``...`` stands for lines left out and
an empty output means the command prints nothing. The identifiers shown
in the document are examples: a command whose documented output is just
one of them teaches the test the real value, and real values are written
back as the examples before comparing.

Commands run as a script would run them, without a terminal, in a
working directory of their own.
"""

import os
import re
import subprocess
import sys

import fixtures

from glance_sharing.tests import fixtures as gs_fixtures
from glance_sharing.tests.integration import base

DOC = os.path.join(gs_fixtures.REPO_ROOT, 'doc', 'source', 'user',
                   'sharing-with-clients.rst')
BIN_DIR = os.path.dirname(sys.executable)

# Shell variables of the transcript and the example values it shows.
EXAMPLES = {
    'ALPHA_PROJECT_ID': '7c1f0e2d9b8a4c6e8f1a2b3c4d5e6f70',
    'BETA_PROJECT_ID': '3e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b',
    'IMAGE_ID': '5a3bd6f2-8c1e-4f0a-9b7d-2e6c4a1f8d93',
}


def parse(text):
    """[(user, [(command, [expected output lines])])] of the document."""
    blocks = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        marker = re.match(r'\.\. test-as: (\S+)$', lines[i])
        i += 1
        if not marker:
            continue
        while not lines[i].strip():
            i += 1
        if lines[i].strip() != '.. code-block:: console':
            raise ValueError('test-as before line %d is not followed by '
                             'a console block' % i)
        i += 1
        body = []
        while i < len(lines) and (not lines[i].strip()
                                  or lines[i].startswith('   ')):
            body.append(lines[i][3:])
            i += 1
        commands = []
        for line in body:
            if line.startswith('$ '):
                commands.append([line[2:], []])
            elif commands and commands[-1][0].endswith('\\'):
                commands[-1][0] = commands[-1][0][:-1] + ' ' + line.strip()
            elif commands and line.strip():
                commands[-1][1].append(line.rstrip())
        blocks.append((marker.group(1), commands))
    return blocks


def normalise(line):
    line = re.sub(r'\s+', ' ', line.strip())
    return re.sub(r'-{2,}', '--', line)


class TestSharingWithClientsDocument(base.TestCase):

    def setUp(self):
        super().setUp()
        # The transcript's files (the image it uploads, the copies it
        # downloads) live here, as in a reader's working directory.
        self.workdir = self.useFixture(fixtures.TempDir()).path
        self.values = {
            'ALPHA_PROJECT_ID': self.project('alpha'),
        }

    def run_command(self, user, command):
        env = self.cloud.cli_env(user)
        env['PATH'] = BIN_DIR + os.pathsep + env.get('PATH', '')
        env.update(self.values)
        # As a script runs it: no terminal, stdin /dev/null. The image
        # CLIs read image data from a stdin that is not a terminal, so
        # the document must say where data comes from (--file).
        result = subprocess.run(['bash', '-c', command], env=env,
                                cwd=self.workdir, stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=120)
        output = result.stdout + result.stderr
        for name, value in self.values.items():
            output = output.replace(value, EXAMPLES[name])
        return output

    def learn(self, expected, output):
        """Take a variable's real value from a command that prints it."""
        for name, example in EXAMPLES.items():
            if expected == [example] and name not in self.values:
                self.assertRegex(output.strip(),
                                 '^%s$' % re.sub('[0-9a-f]', '[0-9a-f]',
                                                 example), output)
                self.values[name] = output.strip()
                if name == 'IMAGE_ID':
                    self.addCleanup(self.request, 'DELETE',
                                    '/v2/images/' + self.values[name],
                                    user='alpha')
                return True
        return False

    def check(self, command, expected, output):
        actual = [normalise(line) for line in output.splitlines()
                  if line.strip()]
        message = '$ %s\n--- documented:\n%s\n--- got:\n%s' % (
            command, '\n'.join(expected), output)
        if not expected:
            self.assertEqual([], actual, message)
            return
        position = 0
        for line in expected:
            if line.strip() == '...':
                continue
            wanted = normalise(line)
            try:
                position = actual.index(wanted, position) + 1
            except ValueError:
                self.fail('%r not found in order\n%s' % (wanted, message))

    def test_document(self):
        with open(DOC) as doc:
            blocks = parse(doc.read())
        self.assertGreater(len(blocks), 5)
        for user, commands in blocks:
            for command, expected in commands:
                output = self.run_command(user, command)
                if not self.learn(expected, output):
                    self.check(command, expected, output)
        self.assertEqual(sorted(EXAMPLES), sorted(self.values))
