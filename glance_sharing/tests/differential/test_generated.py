"""Random images, shares and statuses, then random reads from every persona.

The seed is random unless DIFFERENTIAL_SEED is set; a failure prints it, so
a run can be repeated exactly.
"""

import os
import random

import testscenarios

from glance_sharing.tests.differential import base

load_tests = testscenarios.load_tests_apply_scenarios

PROJECT_PERSONAS = ('owner', 'alice', 'bob')
READERS = ('owner', 'reader', 'alice', 'bob', 'stranger', 'admin')
STATUSES = ('accepted', 'rejected', 'pending')


class TestGenerated(base.TestCase):

    def setUp(self):
        super().setUp()
        self.seed = int(os.environ.get('DIFFERENTIAL_SEED')
                        or random.randrange(2 ** 32))
        self.rng = random.Random(self.seed)
        self.pair.note = 'DIFFERENTIAL_SEED=%d repeats this run' % self.seed

    def _build(self, count):
        rng = self.rng
        images = []
        for index in range(count):
            owner = rng.choice(PROJECT_PERSONAS)
            visibility = rng.choice(('private', 'shared', 'shared',
                                     'community', 'public'))
            creator = 'admin' if visibility == 'public' else owner
            properties = {'name': 'gen-%02d' % index, 'visibility': visibility}
            if visibility == 'public':
                properties['owner'] = self.p[owner].project
            if rng.random() < 0.3:
                properties['tags'] = rng.sample(['x', 'y', 'z'], 2)
            image = self.create(creator, **properties)
            if rng.random() < 0.5:
                self.pair.upload(self.p['admin'], image['id'],
                                 b'd' * rng.randrange(1, 2000))
                if rng.random() < 0.4:
                    self.call('admin', 'POST', '/v2/images/%s/actions/'
                              'deactivate' % image['id'])
            if visibility == 'shared':
                for persona in PROJECT_PERSONAS:
                    if persona == owner or rng.random() < 0.3:
                        continue
                    member = self.p[persona].project
                    path = '/v2/images/%s/members' % image['id']
                    self.call(owner, 'POST', path, {'member': member})
                    status = rng.choice(STATUSES)
                    if status != 'pending':
                        self.call(persona, 'PUT', '%s/%s' % (path, member),
                                  {'status': status})
            images.append(image)
        return images

    def _query(self, images):
        rng = self.rng
        parts = []
        choices = [
            lambda: 'visibility=' + rng.choice(
                ('public', 'private', 'shared', 'community', 'all')),
            lambda: 'member_status=' + rng.choice(STATUSES + ('all',)),
            lambda: 'status=' + rng.choice(('queued', 'active',
                                            'deactivated')),
            lambda: 'status=in:active,deactivated',
            lambda: 'owner=' + self.p[rng.choice(PROJECT_PERSONAS)].project,
            lambda: 'id=in:' + ','.join(
                i['id'] for i in rng.sample(images, 3)),
            lambda: 'name=in:gen-0%d,gen-0%d' % (rng.randrange(10),
                                                 rng.randrange(10)),
            lambda: 'tag=' + rng.choice('xyz'),
            lambda: 'size_min=%d' % rng.randrange(2000),
            lambda: 'size_max=%d' % rng.randrange(2000),
            lambda: 'created_at=gt:2020-01-01T00:00:00Z',
            lambda: 'sort_key=name&sort_dir=' + rng.choice(('asc', 'desc')),
            lambda: 'sort_key=name&limit=%d' % rng.randrange(1, 5),
        ]
        for choice in rng.sample(choices, rng.randrange(1, 4)):
            parts.append(choice())
        return '&'.join(parts)

    def test_random_sharing_world(self):
        images = self._build(10)
        for _ in range(40):
            self.call(self.rng.choice(READERS), 'GET',
                      '/v2/images?' + self._query(images))
        for image in images:
            for persona in READERS:
                self.call(persona, 'GET', '/v2/images/' + image['id'])
                self.call(persona, 'GET',
                          '/v2/images/%s/members' % image['id'])
                member = self.p[self.rng.choice(PROJECT_PERSONAS)].project
                self.call(persona, 'GET', '/v2/images/%s/members/%s' % (
                    image['id'], member))
