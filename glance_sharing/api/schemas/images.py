"""The public image schema, and the body schemas derived from it.

One description of an image serves three purposes: the /v2/schemas/image
document clients validate our responses against, the create body schema,
and the check of an image after a JSON patch.
"""

import copy

from glance_sharing.api.schemas.members import MEMBER_STATUSES
from glance_sharing import enums

VISIBILITIES = list(enums.VISIBILITIES)
CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker',
                     'compressed']
DISK_FORMATS = ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2',
                'vdi', 'iso', 'ploop']
STATUSES = list(enums.IMAGE_STATUSES)


# The largest value of the Integer columns (min_disk, min_ram) on every
# backend.
INT_MAX = 2 ** 31 - 1
# Additional property names are stored in a column of 255 characters.
PROPERTY_NAME = {'type': 'string', 'maxLength': 255,
                 'description': 'a property name of up to 255 characters'}


def _nullable(kind, **extra):
    return dict({'type': ['null', kind]}, **extra)


def _read_only(schema):
    return dict(schema, readOnly=True)


PROPERTIES = {
    'id': {'type': 'string', 'pattern': enums.UUID_PATTERN,
           'description': 'a UUID such as '
                          '"b2173dd3-7ad6-4362-baa6-a68bce3565cb"'},
    'name': _nullable('string', maxLength=255,
                      description='a name of up to 255 characters, or null'),
    'status': _read_only({'type': 'string', 'enum': STATUSES,
                          'description': 'the state of the image data'}),
    'visibility': {'type': 'string', 'enum': VISIBILITIES,
                   'description': 'one of "public", "community", "shared" '
                                  'or "private"'},
    'protected': {'type': 'boolean',
                  'description': 'true or false; a protected image cannot '
                                 'be deleted'},
    'os_hidden': {'type': 'boolean',
                  'description': 'true or false; a hidden image stays out '
                                 'of default image lists'},
    'owner': _nullable('string', maxLength=255,
                       description='the ID of the owning project, of up to '
                                   '255 characters'),
    'container_format': _nullable(
        'string', enum=[None] + CONTAINER_FORMATS,
        description='null or one of ' + ', '.join(CONTAINER_FORMATS)),
    'disk_format': _nullable(
        'string', enum=[None] + DISK_FORMATS,
        description='null or one of ' + ', '.join(DISK_FORMATS)),
    'min_disk': {'type': 'integer', 'minimum': 0, 'maximum': INT_MAX,
                 'description': 'the disk size (GB) needed to boot the '
                                'image, an integer from 0 to 2147483647'},
    'min_ram': {'type': 'integer', 'minimum': 0, 'maximum': INT_MAX,
                'description': 'the memory (MB) needed to boot the image, '
                               'an integer from 0 to 2147483647'},
    'tags': {'type': 'array', 'uniqueItems': True,
             'items': {'type': 'string', 'minLength': 1, 'maxLength': 255},
             'description': 'a list of distinct strings of 1 to 255 '
                            'characters'},
    'size': _read_only(_nullable('integer', description='data size in '
                                                        'bytes')),
    'virtual_size': _read_only(_nullable(
        'integer', description='virtual disk size in bytes')),
    'checksum': _read_only(_nullable('string', maxLength=32,
                                     description='MD5 of the data')),
    'os_hash_algo': _read_only(_nullable(
        'string', maxLength=64, description='algorithm of os_hash_value')),
    'os_hash_value': _read_only(_nullable(
        'string', maxLength=128, description='hexdigest of the data')),
    'created_at': _read_only({'type': 'string',
                              'description': 'creation time (UTC)'}),
    'updated_at': _read_only({'type': 'string',
                              'description': 'last modification time '
                                             '(UTC)'}),
    'self': _read_only({'type': 'string',
                        'description': 'the URL path of this image'}),
    'file': _read_only({'type': 'string',
                        'description': 'the URL path of the image data'}),
    'schema': _read_only({'type': 'string',
                          'description': 'the URL path of this schema'}),
}

ADDITIONAL_PROPERTY = {
    'type': 'string',
    'maxLength': 65535,
    'description': 'a string; additional properties hold strings only',
}

IMAGE_DOCUMENT = {
    'name': 'image',
    'properties': PROPERTIES,
    'additionalProperties': ADDITIONAL_PROPERTY,
    'links': [
        {'rel': 'self', 'href': '{self}'},
        {'rel': 'describedby', 'href': '{schema}'},
    ],
}

IMAGES_DOCUMENT = {
    'name': 'images',
    'properties': {
        'images': {'type': 'array', 'items': IMAGE_DOCUMENT},
        'schema': {'type': 'string'},
        'first': {'type': 'string'},
        'next': {'type': 'string'},
    },
    'links': [
        {'rel': 'first', 'href': '{first}'},
        {'rel': 'next', 'href': '{next}'},
        {'rel': 'describedby', 'href': '{schema}'},
    ],
}

READ_ONLY = frozenset(
    name for name, prop in PROPERTIES.items() if prop.get('readOnly'))
# Names Glance keeps for itself; they are neither core nor additional.
RESERVED = frozenset(['deleted', 'deleted_at', 'location', 'locations',
                      'direct_url'])
# Property name prefixes Glance keeps for its own bookkeeping
# (os_glance_import_task, ...): no caller may set such a property.
RESERVED_NAMESPACES = ('os_glance',)


def is_reserved(name):
    return name in RESERVED or name.startswith(RESERVED_NAMESPACES)


CORE = frozenset(PROPERTIES)

# Properties a caller may write; the read-only ones are refused with 403
# before validation, so they need no place here.
WRITABLE = {name: copy.deepcopy(prop) for name, prop in PROPERTIES.items()
            if name not in READ_ONLY}
# "$" in the UUID pattern also matches before a final newline; a UUID has
# exactly 36 characters, so this keeps "<uuid>\n" out.
WRITABLE['id']['maxLength'] = 36

CREATE = {
    'type': 'object',
    # The body is validated before the handler runs, so read-only and
    # reserved names take any value here; the handler then refuses them
    # with 403, as Glance does, instead of a 400 about their type.
    # "readOnly" (an annotation validation ignores) tells readers of the
    # API description, and the fuzz tests, not to send them.
    'properties': dict(WRITABLE, **{name: {'readOnly': True}
                                    for name in READ_ONLY | RESERVED}),
    'additionalProperties': ADDITIONAL_PROPERTY,
    'propertyNames': PROPERTY_NAME,
}


PATCH_OPS = ['add', 'replace', 'remove']
# One RFC 6901 JSON pointer token: "~" only as "~0" (a "~") or "~1" (a
# "/").
_PATCH_PATH = {'type': 'string', 'pattern': '^/([^/~]|~[01])+$',
               'description': 'a JSON pointer to one top-level image '
                              'property, such as "/name"'}

# application/openstack-images-v2.1-json-patch: RFC 6902's shape.
PATCH = {
    'type': 'array',
    'items': {
        'type': 'object',
        'properties': {
            'op': {'type': 'string', 'enum': PATCH_OPS,
                   'description': 'one of "add", "replace" or "remove"'},
            'path': _PATCH_PATH,
            'value': {},
        },
        'required': ['op', 'path'],
    },
}

# application/openstack-images-v2.0-json-patch: the operation is the key
# of the path, {"replace": "/name", "value": "x"}.
PATCH_V20 = {
    'type': 'array',
    'items': {
        'type': 'object',
        'properties': dict({op: _PATCH_PATH for op in PATCH_OPS},
                           value={}),
        'minProperties': 1,
        'oneOf': [{'required': [op]} for op in PATCH_OPS],
        'description': 'an object with exactly one of "add", "replace" or '
                       '"remove", whose value is the path',
    },
}


def patch_operations(body):
    """The operations of a patch body of either draft, in v2.1 shape."""
    operations = []
    for item in body:
        if 'op' in item:
            operations.append(item)
            continue
        op = next(op for op in PATCH_OPS if op in item)
        operation = {'op': op, 'path': item[op]}
        if 'value' in item:
            operation['value'] = item['value']
        operations.append(operation)
    return operations


SORT_KEYS = frozenset(['name', 'status', 'container_format', 'disk_format',
                       'size', 'virtual_size', 'id', 'created_at',
                       'updated_at', 'visibility', 'owner', 'min_disk',
                       'min_ram', 'protected', 'os_hidden'])
# What image calls return, as JSON Schemas: the documents above are
# Glance's loose forms (no type, nothing required); every image we return
# has every core property.
IMAGE = {
    'type': 'object',
    'properties': PROPERTIES,
    'required': sorted(PROPERTIES),
    'additionalProperties': ADDITIONAL_PROPERTY,
}
IMAGES = {
    'type': 'object',
    'properties': dict(IMAGES_DOCUMENT['properties'],
                       images={'type': 'array', 'items': IMAGE}),
    'required': ['images', 'schema', 'first'],
    'additionalProperties': False,
}

# The query parameters of GET /v2/images that are not filters; the
# filters are api/handlers/image_filters.py's QUERY.
LIST_QUERY = {
    'limit': {'type': 'integer', 'minimum': 0,
              'description': 'the page size, at most [DEFAULT] '
                             'api_limit_max'},
    'marker': {'type': 'string',
               'description': 'the id of the last image of the previous '
                              'page'},
    'sort': {'type': 'string',
             'description': 'comma-separated sort keys, each optionally '
                            'followed by ":asc" or ":desc"; not with '
                            'sort_key or sort_dir'},
    'sort_key': {'type': 'array',
                 'items': {'type': 'string', 'enum': sorted(SORT_KEYS)},
                 'description': 'sort keys, most significant first'},
    'sort_dir': {'type': 'array',
                 'items': {'type': 'string', 'enum': ['asc', 'desc']},
                 'description': 'one direction, or one per sort_key'},
    'visibility': {'type': 'string', 'enum': VISIBILITIES + ['all'],
                   'description': 'list only images of this visibility'},
    'member_status': {'type': 'string',
                      'enum': MEMBER_STATUSES + ['all'],
                      'description': 'the status of the shares to the '
                                     'caller that are listed (default '
                                     '"accepted")'},
    'tag': {'type': 'array', 'items': {'type': 'string'},
            'description': 'list only images carrying every tag given'},
}
