"""A memcached of our own on 127.0.0.1, as auth_token's token cache.

Debian's memcached (tools/install-test-tools.sh) on a free port,
started in its own session and stopped on cleanup; ``stats()`` reads its
counters, so tests can see auth_token store and find tokens there.
"""

import os
import shutil
import socket
import subprocess
import time

import fixtures

from harness import server

INSTALL_SCRIPT = os.path.join(server.REPO_ROOT, 'tools',
                              'install-test-tools.sh')


class Unavailable(Exception):
    """memcached is not installed and cannot be installed here."""


def binary():
    """The memcached program, installed first when possible."""
    if shutil.which('memcached') is None:
        result = subprocess.run(['bash', INSTALL_SCRIPT],
                                capture_output=True, text=True,
                                stdin=subprocess.DEVNULL, timeout=900)
        if result.returncode or shutil.which('memcached') is None:
            raise Unavailable('memcached is not installed: %s' % (
                result.stdout + result.stderr)[-2000:])
    return shutil.which('memcached')


class Memcached(fixtures.Fixture):
    """memcached on ``address`` (127.0.0.1:port), stopped on cleanup."""

    def _setUp(self):
        self.port = server.free_port()
        self.address = '127.0.0.1:%d' % self.port
        command = [binary(), '-l', '127.0.0.1', '-p', str(self.port),
                   '-U', '0', '-m', '64']
        if os.getuid() == 0:
            # memcached refuses to run as root without a user to become.
            command += ['-u', 'nobody']
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        self.addCleanup(server.stop_process_group, self.process)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.stats()
                return
            except OSError:
                if (self.process.poll() is not None
                        or time.monotonic() > deadline):
                    raise RuntimeError('memcached did not start on %s'
                                       % self.address)
                time.sleep(0.1)

    def stats(self):
        """memcached's general counters, e.g. cmd_set and get_hits."""
        with socket.create_connection(('127.0.0.1', self.port),
                                      timeout=10) as sock:
            sock.sendall(b'stats\r\n')
            data = b''
            while not data.endswith(b'END\r\n'):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        stats = {}
        for line in data.decode().splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == 'STAT':
                stats[parts[1]] = (int(parts[2]) if parts[2].isdigit()
                                   else parts[2])
        return stats
