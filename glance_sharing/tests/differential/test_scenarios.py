"""Hand-written request sequences, sent to Glance 33 and glance-sharing.

Each test drives one route family from every persona; the harness fails
the test on any difference that no named exception explains.
"""

import testscenarios
import testtools

from glance_sharing.api import openapi
from glance_sharing.api import router
from glance_sharing.tests.differential import base

load_tests = testscenarios.load_tests_apply_scenarios

PERSONAS = ('owner', 'reader', 'alice', 'bob', 'stranger', 'admin')


class TestVersionsAndSchemas(base.TestCase):

    def test_versions(self):
        self.call('owner', 'GET', '/versions')

    def test_schemas(self):
        for name in ('image', 'images', 'member', 'members'):
            self.call('owner', 'GET', '/v2/schemas/' + name)


class TestImages(base.TestCase):

    def test_create_and_show_from_every_persona(self):
        images = [self.create(visibility=visibility)
                  for visibility in ('private', 'shared', 'community')]
        images.append(self.create('admin', visibility='public'))
        images.append(self.create(min_disk=3, min_ram=64, tags=['a', 'b'],
                                  protected=True, os_distro='debian',
                                  custom='x'))
        for image in images:
            for persona in PERSONAS:
                self.call(persona, 'GET', '/v2/images/' + image['id'])
        self.call('owner', 'GET', '/v2/images/no-such-image')

    def test_create_refusals(self):
        self.create(expect=403, visibility='public')
        self.create(expect=403, os_glance_foo='x')
        self.create(expect=400, visibility='bogus')
        self.create(expect=400, disk_format='no-such-format')
        self.create('reader', expect=403)
        self.create(expect=400, min_disk=-1)
        self.create(expect=403, status='active')

    def test_patch_v21(self):
        image = self.create()
        path = '/v2/images/' + image['id']
        self.patch('owner', image['id'], [
            {'op': 'replace', 'path': '/name', 'value': 'renamed'},
            {'op': 'add', 'path': '/colour', 'value': 'blue'},
            {'op': 'add', 'path': '/tags/-', 'value': 'new-tag'}])
        self.patch('owner', image['id'], [
            {'op': 'remove', 'path': '/colour'},
            {'op': 'replace', 'path': '/min_ram', 'value': 128}])
        self.patch('owner', image['id'], [
            {'op': 'remove', 'path': '/no-such-property'}])
        self.patch('owner', image['id'], [
            {'op': 'add', 'path': '/os_glance_x', 'value': 'y'}])
        self.patch('owner', image['id'], [
            {'op': 'replace', 'path': '/status', 'value': 'active'}])
        self.patch('owner', image['id'], [
            {'op': 'replace', 'path': '/visibility', 'value': 'public'}])
        self.patch('reader', image['id'], [
            {'op': 'replace', 'path': '/name', 'value': 'x'}])
        self.patch('stranger', image['id'], [
            {'op': 'replace', 'path': '/name', 'value': 'x'}])
        self.patch('admin', image['id'], [
            {'op': 'replace', 'path': '/visibility', 'value': 'public'}])
        self.call('owner', 'GET', path)

    def test_patch_v20(self):
        image = self.create()
        self.patch('owner', image['id'], [
            {'replace': '/name', 'value': 'renamed'},
            {'add': '/colour', 'value': 'red'}], v20=True)
        self.patch('owner', image['id'], [{'remove': '/colour'}], v20=True)
        self.patch('owner', image['id'], [
            {'op': 'replace', 'path': '/name', 'value': 'x'}], v20=True)
        self.patch('owner', image['id'], [
            {'add': '/os_glance_y', 'value': 'z'}], v20=True)
        self.call('owner', 'GET', '/v2/images/' + image['id'])

    def test_delete(self):
        image = self.create(protected=True)
        path = '/v2/images/' + image['id']
        self.call('owner', 'DELETE', path)
        self.patch('owner', image['id'], [
            {'op': 'replace', 'path': '/protected', 'value': False}])
        self.call('stranger', 'DELETE', path)
        self.call('reader', 'DELETE', path)
        self.call('owner', 'DELETE', path)
        self.call('owner', 'GET', path)
        self.call('owner', 'DELETE', path)

    def test_tags(self):
        image = self.create()
        path = '/v2/images/%s/tags/' % image['id']
        self.call('owner', 'PUT', path + 'one')
        self.call('owner', 'PUT', path + 'one')
        self.call('stranger', 'PUT', path + 'two')
        self.call('owner', 'DELETE', path + 'one')
        self.call('owner', 'DELETE', path + 'one')
        self.call('owner', 'GET', '/v2/images/' + image['id'])


class TestMembers(base.TestCase):

    def test_member_lifecycle_from_every_persona(self):
        image = self.create(visibility='shared')
        members = '/v2/images/%s/members' % image['id']
        alice, bob = self.p['alice'].project, self.p['bob'].project
        self.call('owner', 'POST', members, {'member': alice})
        self.call('owner', 'POST', members, {'member': bob})
        self.call('stranger', 'POST', members, {'member': 'someone'})
        self.call('reader', 'POST', members, {'member': 'someone'})
        for persona in PERSONAS:
            self.call(persona, 'GET', members)
            self.call(persona, 'GET', '%s/%s' % (members, alice))
        self.call('alice', 'PUT', '%s/%s' % (members, alice),
                  {'status': 'accepted'})
        self.call('bob', 'PUT', '%s/%s' % (members, bob),
                  {'status': 'rejected'})
        self.call('owner', 'PUT', '%s/%s' % (members, bob),
                  {'status': 'accepted'})
        self.call('alice', 'PUT', '%s/%s' % (members, bob),
                  {'status': 'accepted'})
        self.call('alice', 'PUT', '%s/%s' % (members, alice),
                  {'status': 'bogus'})
        for persona in PERSONAS:
            self.call(persona, 'GET', '/v2/images/' + image['id'])
            self.call(persona, 'GET', '/v2/images?member_status=all')
        self.call('alice', 'DELETE', '%s/%s' % (members, alice))
        self.call('owner', 'DELETE', '%s/%s' % (members, alice))
        self.call('owner', 'DELETE', '%s/%s' % (members, alice))
        self.call('owner', 'GET', members)

    def test_members_of_images_that_are_not_shared(self):
        for visibility in ('private', 'community'):
            image = self.create(visibility=visibility)
            members = '/v2/images/%s/members' % image['id']
            self.call('owner', 'POST', members,
                      {'member': self.p['alice'].project})
            self.call('owner', 'GET', members)
        self.call('owner', 'GET', '/v2/images/no-such-image/members')
        self.call('owner', 'POST', '/v2/images/no-such-image/members',
                  {'member': 'x'})

    def test_duplicate_member(self):
        image = self.create(visibility='shared')
        members = '/v2/images/%s/members' % image['id']
        self.call('owner', 'POST', members,
                  {'member': self.p['alice'].project})
        self.call('owner', 'POST', members,
                  {'member': self.p['alice'].project})


class TestData(base.TestCase):

    def test_upload_and_download_from_every_persona(self):
        image = self.create(visibility='shared', disk_format=None,
                            container_format=None)
        data = '/v2/images/%s/file' % image['id']
        octets = 'application/octet-stream'
        self.call('owner', 'POST', '/v2/images/%s/members' % image['id'],
                  {'member': self.p['alice'].project})
        self.call('owner', 'GET', data)
        # No formats yet: 400, whoever may upload.
        self.call('owner', 'PUT', data, b'first bytes', octets)
        self.patch('owner', image['id'], [
            {'op': 'replace', 'path': '/disk_format', 'value': 'raw'}])
        self.call('owner', 'PUT', data, b'first bytes', octets)
        self.patch('owner', image['id'], [
            {'op': 'replace', 'path': '/container_format', 'value': 'bare'}])
        for persona in ('alice', 'reader', 'stranger'):
            self.call(persona, 'PUT', data, b'not theirs', octets)
        self.call('owner', 'PUT', data, b'{}', 'application/json')
        self.call('owner', 'PUT', data, b'0123456789abcdef', octets)
        self.call('owner', 'PUT', data, b'second bytes', octets)
        self.call('owner', 'GET', '/v2/images/' + image['id'])
        for persona in ('owner', 'alice', 'admin', 'stranger'):
            self.call(persona, 'GET', data)
        self.pair.call(self.p['alice'], 'GET', data, headers={
            'Range': 'bytes=3-7'})


class TestActions(base.TestCase):

    def test_deactivate_and_reactivate(self):
        image = self.create(visibility='shared')
        actions = '/v2/images/%s/actions/' % image['id']
        self.call('owner', 'POST', actions + 'deactivate')
        self.pair.upload(self.p['owner'], image['id'])
        self.call('owner', 'GET', '/v2/images/' + image['id'])
        self.call('owner', 'POST', '/v2/images/%s/members' % image['id'],
                  {'member': self.p['alice'].project})
        for persona in ('stranger', 'reader', 'alice'):
            self.call(persona, 'POST', actions + 'deactivate')
        self.call('owner', 'POST', actions + 'reactivate')
        self.call('owner', 'POST', actions + 'deactivate')
        self.call('owner', 'POST', actions + 'deactivate')
        self.call('owner', 'GET', '/v2/images/' + image['id'])
        self.call('owner', 'GET', '/v2/images?status=deactivated')
        for persona in ('owner', 'alice', 'admin'):
            self.call(persona, 'GET', '/v2/images/%s/file' % image['id'])
        self.call('alice', 'POST', actions + 'reactivate')
        self.call('admin', 'POST', actions + 'reactivate')
        self.call('owner', 'POST', actions + 'reactivate')
        self.call('owner', 'POST', actions + 'no-such-action')
        self.call('owner', 'POST',
                  '/v2/images/no-such-image/actions/deactivate')


OCTETS = 'application/octet-stream'
PATCH_V21 = 'application/openstack-images-v2.1-json-patch'
# Served by us alone: Glance has no OpenAPI description to compare with.
OURS_ONLY = {openapi.PATH}
# (path, method) -> (persona, body, content type) of one call in the
# tour, in the order the tour makes them: each route of the route table
# once, the deletes last. {image_id}, {member_id} and {tag_value} are the
# tour's image, alice's project and a tag.
TOUR = {
    ('/v2/images', 'POST'): None,  # self.create: the same id on both
    ('/v2/images', 'GET'): ('owner', None, None),
    ('/v2/images/{image_id}', 'GET'): ('owner', None, None),
    ('/v2/images/{image_id}', 'PATCH'): (
        'owner', [{'op': 'replace', 'path': '/name', 'value': 'toured'}],
        PATCH_V21),
    ('/v2/images/{image_id}/tags/{tag_value}', 'PUT'): ('owner', None, None),
    ('/v2/images/{image_id}/members', 'POST'): (
        'owner', {'member': '{member_id}'}, None),
    ('/v2/images/{image_id}/members', 'GET'): ('owner', None, None),
    ('/v2/images/{image_id}/members/{member_id}', 'GET'): (
        'alice', None, None),
    ('/v2/images/{image_id}/members/{member_id}', 'PUT'): (
        'alice', {'status': 'accepted'}, None),
    ('/v2/images/{image_id}/file', 'PUT'): ('owner', b'tour data', OCTETS),
    ('/v2/images/{image_id}/file', 'GET'): ('alice', None, None),
    ('/v2/images/{image_id}/actions/deactivate', 'POST'): (
        'owner', None, None),
    ('/v2/images/{image_id}/actions/reactivate', 'POST'): (
        'owner', None, None),
    ('/v2/schemas/image', 'GET'): ('owner', None, None),
    ('/v2/schemas/images', 'GET'): ('owner', None, None),
    ('/v2/schemas/member', 'GET'): ('owner', None, None),
    ('/v2/schemas/members', 'GET'): ('owner', None, None),
    ('/v2/images/{image_id}/tags/{tag_value}', 'DELETE'): (
        'owner', None, None),
    ('/v2/images/{image_id}/members/{member_id}', 'DELETE'): (
        'owner', None, None),
    ('/v2/images/{image_id}', 'DELETE'): ('owner', None, None),
}


class TestTourCoversTheRouteTable(testtools.TestCase):
    """A route added to the service is compared with Glance the day it is."""

    def test_every_route_and_method_is_in_the_tour(self):
        routes = {(path, method) for path, methods in router.ROUTES.items()
                  if path not in OURS_ONLY for method in methods}
        self.assertEqual(routes, set(TOUR))


class TestEveryRoute(base.TestCase):

    def test_tour(self):
        image = self.create(visibility='shared')
        values = {'{image_id}': image['id'],
                  '{member_id}': self.p['alice'].project,
                  '{tag_value}': 'toured'}

        def fill(text):
            for name, value in values.items():
                text = text.replace(name, value)
            return text

        for (path, method), call in TOUR.items():
            if call is None:
                continue
            persona, body, content_type = call
            if isinstance(body, dict):
                body = {k: fill(v) for k, v in body.items()}
            self.call(persona, method, fill(path), body, content_type)
