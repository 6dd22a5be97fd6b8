"""JSON Schemas for member bodies and the public member documents."""

from glance_sharing import enums

MEMBER_STATUSES = list(enums.MEMBER_STATUSES)

MEMBER_ID = {
    'type': 'string',
    'minLength': 1,
    'maxLength': 255,
    # No whitespace, control characters or "/": such an id could never
    # be addressed in a member URL, or is a typo of a real one. Said as
    # "contains none of", since a "^...$" pattern lets a trailing newline
    # through ("$" also matches before a final "\n").
    'not': {'pattern': r'[\s/\x00-\x1f\x7f]'},
    'description': 'a project ID: a string of 1 to 255 characters without '
                   'whitespace, control characters or "/"',
}

# Unknown keys are ignored: openstacksdk sends "member" on PUT too.
CREATE = {
    'type': 'object',
    'properties': {'member': MEMBER_ID},
    'required': ['member'],
}

UPDATE = {
    'type': 'object',
    'properties': {
        'status': {
            'type': 'string',
            'enum': MEMBER_STATUSES,
            'description': 'one of "pending", "accepted" or "rejected"',
        },
    },
    'required': ['status'],
}

# The public documents are the minimal ones Glance serves; clients
# (glanceclient's warlock models) validate every member against them.

MEMBER_DOCUMENT = {
    'name': 'member',
    'properties': {
        'member_id': {
            'type': 'string',
            'description': 'An identifier for the image member (tenantId)',
        },
        'image_id': {
            'type': 'string',
            'description': 'An identifier for the image',
            'pattern': enums.UUID_PATTERN,
        },
        'created_at': {
            'type': 'string',
            'description': 'Date and time of image member creation',
        },
        'updated_at': {
            'type': 'string',
            'description': 'Date and time of last modification of image '
                           'member',
        },
        'status': {
            'type': 'string',
            'description': 'The status of this image member',
            'enum': MEMBER_STATUSES,
        },
        'schema': {'readOnly': True, 'type': 'string'},
    },
}

MEMBERS_DOCUMENT = {
    'name': 'members',
    'properties': {
        'members': {'type': 'array', 'items': MEMBER_DOCUMENT},
        'schema': {'type': 'string'},
    },
    'links': [{'rel': 'describedby', 'href': '{schema}'}],
}

# What member calls return, as JSON Schemas: exactly the six keys.
MEMBER = {
    'type': 'object',
    'properties': MEMBER_DOCUMENT['properties'],
    'required': sorted(MEMBER_DOCUMENT['properties']),
    'additionalProperties': False,
}
MEMBERS = {
    'type': 'object',
    'properties': {
        'members': {'type': 'array', 'items': MEMBER},
        'schema': {'type': 'string'},
        'next': {'type': 'string'},
    },
    'required': ['members', 'schema'],
    'additionalProperties': False,
}

# The query parameters of GET /v2/images/{image_id}/members.
LIST_QUERY = {
    'limit': {'type': 'integer', 'minimum': 0,
              'description': 'the page size; without it, every member'},
    'marker': {'type': 'string',
               'description': 'the member_id of the last member of the '
                              'previous page'},
}
