"""The callers the policy matrix and the fuzz tests act as (noauth mode).

Each persona is a relation to one image: its owner (with the member or
only the reader role), a project it is shared with in each member status,
a project with no relation, an administrator of another project, a
project whose id is the string "None", and a system-scoped administrator.
In noauth mode the identity is just the X-Project-Id and X-Roles headers
(glance_sharing/api/middleware/noauth.py); a system-scoped token is
further marked with OpenStack-System-Scope, as auth_token marks it.
"""

import collections
import uuid

from glance_sharing import enums

MEMBER_STATUSES = enums.MEMBER_STATUSES

# The image a persona acts on: owned by the owner project; without an
# owner; or first owned by the owner project, then given by an admin to
# the pending member, which so owns the image and holds a membership.
OWNED = 'owned by the owner project'
OWNERLESS = 'without an owner'
OWNER_MOVED = 'given by an administrator to the pending member'

Persona = collections.namedtuple(
    'Persona', ['name', 'project', 'roles', 'system_scope', 'image'],
    defaults=[OWNED])

# ``project`` names a slot of Projects, or is a literal project id.
PERSONAS = (
    Persona('admin', 'admin', 'admin,member,reader', False),
    Persona('owner-member', 'owner', 'member,reader', False),
    Persona('owner-reader', 'owner', 'reader', False),
    Persona('member-pending', 'pending', 'member,reader', False),
    Persona('member-accepted', 'accepted', 'member,reader', False),
    Persona('member-rejected', 'rejected', 'member,reader', False),
    Persona('stranger', 'stranger', 'member,reader', False),
    # oslo.policy renders a None target value as 'None' (issue 9, D10).
    Persona('project-None', 'None', 'member,reader', False, OWNERLESS),
    Persona('system-admin', 'admin', 'admin,member,reader', True),
    # An owner that is also a member must still not set another member's
    # status (issue 9, D8).
    Persona('owner-also-member', 'pending', 'member,reader', False,
            OWNER_MOVED),
)
BY_NAME = {persona.name: persona for persona in PERSONAS}


class Projects:
    """Fresh project ids for every slot a persona may name."""

    SLOTS = ('admin', 'owner', 'stranger') + MEMBER_STATUSES

    def __init__(self):
        for slot in self.SLOTS:
            setattr(self, slot, uuid.uuid4().hex)

    def project_of(self, persona):
        if persona.project in self.SLOTS:
            return getattr(self, persona.project)
        return persona.project

    def headers(self, persona):
        """The noauth identity headers of ``persona``."""
        headers = {'X-Project-Id': self.project_of(persona),
                   'X-Roles': persona.roles}
        if persona.system_scope:
            headers['OpenStack-System-Scope'] = 'all'
        return headers

    def own_member_id(self, persona):
        """The member id a persona names in member paths.

        A member names its own membership, an owner that is also a
        member the accepted member's, and everyone else the pending
        member's, a row that exists on every test image.
        """
        if persona.image == OWNER_MOVED:
            return self.accepted
        if persona.project in MEMBER_STATUSES:
            return self.project_of(persona)
        return self.pending

    def image_for(self, call, visibility, persona, tag):
        """A new image of ``visibility`` of the kind ``persona`` acts on.

        ``call`` and ``tag`` are as for make_image.
        """
        owner = None if persona.image == OWNERLESS else self.owner
        image_id = self.make_image(call, visibility, owner, tag)
        if persona.image == OWNER_MOVED:
            call('PATCH', '/v2/images/%s' % image_id,
                 [{'op': 'replace', 'path': '/owner', 'value': self.pending}],
                 'application/openstack-images-v2.1-json-patch', 200)
        return image_id

    def make_image(self, call, visibility, owner, tag):
        """A new image with the tag ``tag`` and one member per status.

        ``call(method, path, body, content_type, status)`` sends one
        request as an administrator and returns the JSON answer, checking
        its status. Members are added while the image is shared, then
        the image gets ``visibility``, as members persist through
        visibility changes. Returns the image id.
        """
        body = {'owner': owner, 'tags': [tag], 'disk_format': 'raw',
                'container_format': 'bare'}
        image = call('POST', '/v2/images', body, 'application/json', 201)
        members = '/v2/images/%s/members' % image['id']
        for status in MEMBER_STATUSES:
            member = getattr(self, status)
            call('POST', members, {'member': member}, 'application/json',
                 200)
            if status != 'pending':
                call('PUT', '%s/%s' % (members, member), {'status': status},
                     'application/json', 200)
        if visibility != 'shared':
            call('PATCH', '/v2/images/%s' % image['id'],
                 [{'op': 'replace', 'path': '/visibility',
                   'value': visibility}],
                 'application/openstack-images-v2.1-json-patch', 200)
        return image['id']
