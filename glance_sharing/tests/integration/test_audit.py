"""The keystone+audit pipeline: CADF events of API calls with real tokens.

glance-sharing runs with auth_strategy = keystone+audit and the audit
filter's notifications on oslo.messaging's "log" driver, so each CADF
event is a JSON line of the server log.
"""

import json

from glance_sharing.tests.integration import base

EVENT_LOGGER = 'oslo.messaging.notification.audit.http.'


def audit_events(log):
    """The notifications the log driver wrote, oldest first."""
    return [json.loads(line[line.index('{'):])
            for line in log.splitlines() if EVENT_LOGGER in line]


class TestAuditPipeline(base.TestCase):

    def setUp(self):
        super().setUp()
        self.service = self.useFixture(self.cloud.service_process(
            workers=1, api={'auth_strategy': 'keystone+audit'},
            audit_middleware_notifications={'driver': 'log'}))

    def test_an_api_call_is_audited_as_cadf(self):
        alpha = self.cloud.users['alpha']
        image = self.create_image(url=self.service.url)
        members = '/v2/images/%s/members' % image['id']
        response = self.request('POST', members, user='alpha',
                                url=self.service.url,
                                json={'member': self.project('beta')})
        self.assertEqual(200, response.status_code, response.text)

        events = audit_events(self.service.log())
        shares = [e for e in events
                  if e['payload']['target']['typeURI'].endswith(
                      '/images/image/members')
                  and e['payload']['action'] == 'create']
        self.assertEqual(['audit.http.request', 'audit.http.response'],
                         [e['event_type'] for e in shares])
        request, result = (e['payload'] for e in shares)
        self.assertEqual('http://schemas.dmtf.org/cloud/audit/1.0/event',
                         request['typeURI'])
        self.assertEqual('service/storage/image/images/image/members',
                         request['target']['typeURI'])
        self.assertEqual(alpha['id'], request['initiator']['id'])
        self.assertEqual(alpha['project_id'],
                         request['initiator']['project_id'])
        self.assertEqual('pending', request['outcome'])
        self.assertEqual(request['id'], result['id'])
        self.assertEqual('success', result['outcome'])
        self.assertEqual('200', str(result['reason']['reasonCode']))
        # The token never appears in an audit record.
        self.assertNotIn(self.cloud.token('alpha'),
                         json.dumps(events))
