"""Upstream Glance on 127.0.0.1, trusting identity headers, for comparison.

harness/glance.py installs Glance (tools/glance/install-venv.sh, into
GLANCE_VENV, else .cache/glance/venv), configures it and serves it under
gunicorn; the benchmark uses it too. ``Glance`` runs it on a SQLite
database of its own with the ``headers`` pipeline: Glance's own
``context`` middleware without auth_token in front, so the X-Project-Id,
X-User-Id and X-Roles headers are taken as sent (with X-Identity-Status:
Confirmed), as glance-sharing's noauth does.
"""

import os

import fixtures

from harness import glance as harness
from harness import server

install = harness.install


class Glance(server.ServedFixture):
    """Glance API under gunicorn (one worker: SQLite) on a free port."""

    def __init__(self, venv, image_member_quota=128):
        super().__init__()
        self.venv = venv
        self.image_member_quota = image_member_quota

    def _setUp(self):
        self.config_dir = self.useFixture(fixtures.TempDir()).path
        self.conf_path = harness.write_config(
            self.config_dir, 'sqlite:///' + os.path.join(
                self.config_dir, 'glance.sqlite'),
            image_member_quota=self.image_member_quota)
        harness.db_sync(self.venv, self.conf_path)
        self._serve(harness.GlanceServer(
            self.venv, self.config_dir, workers=1,
            options=['--timeout', '120']))
