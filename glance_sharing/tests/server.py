"""Test-side of the servers the tests run: their logs in failure reports.

The servers themselves (glance-sharing under gunicorn, Keystone, Swift,
memcached) are in harness/, shared with the benchmark; this keeps what
only a testtools test case needs.
"""

import testtools.content

from harness import server


class ServerLogsOnFailure:
    """A test case mixin: a failing test's report shows its servers' logs.

    Every ServiceProcess the test uses as a fixture adds its log as a
    detail when the test fails, while the log still exists (the fixture
    removes its directory on cleanup). A 500 then comes with its traceback.
    """

    def useFixture(self, fixture):
        used = super().useFixture(fixture)
        if isinstance(used, server.ServiceProcess):
            self.addOnException(lambda _exc_info: self.addDetail(
                'server-%d.log' % used.port,
                testtools.content.text_content(used.log())))
        return used
