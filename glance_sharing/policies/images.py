"""Policy rules for image records."""

from oslo_policy import policy

from glance_sharing.policies import base

ADD_IMAGE = 'add_image'
GET_IMAGE = 'get_image'
GET_IMAGES = 'get_images'
MODIFY_IMAGE = 'modify_image'
DELETE_IMAGE = 'delete_image'
PUBLICIZE_IMAGE = 'publicize_image'
COMMUNITIZE_IMAGE = 'communitize_image'
UPLOAD_IMAGE = 'upload_image'
DOWNLOAD_IMAGE = 'download_image'
DEACTIVATE = 'deactivate'
REACTIVATE = 'reactivate'

IMAGE = '/v2/images/{image_id}'
TAG = '/v2/images/{image_id}/tags/{tag_value}'
DATA = '/v2/images/{image_id}/file'
ACTIONS = '/v2/images/{image_id}/actions/'

RULES = [
    policy.DocumentedRuleDefault(
        name=ADD_IMAGE,
        check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description='Create an image record. The target project is the '
                    'owner the new image will have.',
        operations=[{'method': 'POST', 'path': '/v2/images'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=GET_IMAGE,
        check_str=base.ADMIN_OR_PROJECT_READER_GET_IMAGE,
        description='Show an image. Also checked before every member '
                    'call; a caller it refuses gets 404, never 403.',
        operations=[{'method': 'GET', 'path': IMAGE}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=GET_IMAGES,
        check_str=base.ADMIN_OR_PROJECT_READER,
        description='List images. The target project is the caller\'s '
                    'own.',
        operations=[{'method': 'GET', 'path': '/v2/images'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=MODIFY_IMAGE,
        check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description='Update an image, or add or remove its tags.',
        operations=[{'method': 'PATCH', 'path': IMAGE},
                    {'method': 'PUT', 'path': TAG},
                    {'method': 'DELETE', 'path': TAG}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=DELETE_IMAGE,
        check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description='Delete an image and all its memberships.',
        operations=[{'method': 'DELETE', 'path': IMAGE}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=PUBLICIZE_IMAGE,
        check_str=base.ADMIN,
        description='Give an image the "public" visibility, on create or '
                    'update.',
        operations=[{'method': 'POST', 'path': '/v2/images'},
                    {'method': 'PATCH', 'path': IMAGE}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=COMMUNITIZE_IMAGE,
        check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description='Give an image the "community" visibility, on create '
                    'or update.',
        operations=[{'method': 'POST', 'path': '/v2/images'},
                    {'method': 'PATCH', 'path': IMAGE}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=UPLOAD_IMAGE,
        check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description='Upload the data of an image (owner only).',
        operations=[{'method': 'PUT', 'path': DATA}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=DOWNLOAD_IMAGE,
        check_str=base.ADMIN_OR_PROJECT_MEMBER_DOWNLOAD_IMAGE,
        description='Download the data of an image: the owner, a member '
                    'of a shared image whatever its status, and anyone '
                    'for a public or community image. A caller who may '
                    'not see the image gets 404.',
        operations=[{'method': 'GET', 'path': DATA}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=DEACTIVATE,
        check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description='Deactivate an active image: its data can then be '
                    'downloaded by administrators only.',
        operations=[{'method': 'POST', 'path': ACTIONS + 'deactivate'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=REACTIVATE,
        check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description='Reactivate a deactivated image.',
        operations=[{'method': 'POST', 'path': ACTIONS + 'reactivate'}],
        scope_types=['project']),
]


def list_rules():
    return RULES
