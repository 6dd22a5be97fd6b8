"""Personas shared by every policy rule, composed as in Glance."""

from oslo_policy import policy

ADMIN = 'rule:context_is_admin'
PROJECT_MEMBER = 'role:member and project_id:%(project_id)s'
PROJECT_READER = 'role:reader and project_id:%(project_id)s'

ADMIN_OR_PROJECT_MEMBER = f'{ADMIN} or ({PROJECT_MEMBER})'
ADMIN_OR_PROJECT_READER = f'{ADMIN} or ({PROJECT_READER})'
# %(member_id)s is the caller's project when the caller is a member of the
# image (any status), and absent otherwise.
ADMIN_OR_SHARED_MEMBER = (
    f'{ADMIN} or (role:member and project_id:%(member_id)s)')
ADMIN_OR_PROJECT_READER_OR_SHARED_MEMBER = (
    f'{ADMIN} or role:reader and '
    '(project_id:%(project_id)s or project_id:%(member_id)s)')
# As in Glance, downloading needs the member role, reading the reader role.
ADMIN_OR_PROJECT_MEMBER_DOWNLOAD_IMAGE = (
    f'{ADMIN} or (role:member and (project_id:%(project_id)s or '
    "project_id:%(member_id)s or 'community':%(visibility)s or "
    "'public':%(visibility)s or 'shared':%(visibility)s))")
ADMIN_OR_PROJECT_READER_GET_IMAGE = (
    f'{ADMIN} or (role:reader and (project_id:%(project_id)s or '
    "project_id:%(member_id)s or 'community':%(visibility)s or "
    "'public':%(visibility)s or 'shared':%(visibility)s))")

RULES = [
    policy.RuleDefault(
        name='context_is_admin',
        check_str='role:admin',
        description='Callers with the admin role on any project act as '
                    'cloud administrators.'),
    policy.RuleDefault(
        name='default',
        check_str='',
        description='Fallback for rules that are not defined.'),
]


def list_rules():
    return RULES
