"""Policy rules for image members (sharing)."""

from oslo_policy import policy

from glance_sharing.policies import base

ADD_MEMBER = 'add_member'
GET_MEMBER = 'get_member'
GET_MEMBERS = 'get_members'
MODIFY_MEMBER = 'modify_member'
DELETE_MEMBER = 'delete_member'

MEMBERS = '/v2/images/{image_id}/members'
MEMBER = '/v2/images/{image_id}/members/{member_id}'

RULES = [
    policy.DocumentedRuleDefault(
        name=ADD_MEMBER,
        check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description='Share an image with a project (owner only).',
        operations=[{'method': 'POST', 'path': MEMBERS}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=GET_MEMBERS,
        check_str=base.ADMIN_OR_PROJECT_READER_OR_SHARED_MEMBER,
        description='List the members of an image. A member sees only '
                    'its own membership.',
        operations=[{'method': 'GET', 'path': MEMBERS}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=GET_MEMBER,
        check_str=base.ADMIN_OR_PROJECT_READER_OR_SHARED_MEMBER,
        description='Show one membership of an image.',
        operations=[{'method': 'GET', 'path': MEMBER}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=MODIFY_MEMBER,
        check_str=base.ADMIN_OR_SHARED_MEMBER,
        description='Accept or reject a share (the member only; the '
                    'owner cannot set a member\'s status).',
        operations=[{'method': 'PUT', 'path': MEMBER}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=DELETE_MEMBER,
        check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description='Stop sharing an image with a project (owner only).',
        operations=[{'method': 'DELETE', 'path': MEMBER}],
        scope_types=['project']),
]


def list_rules():
    return RULES
