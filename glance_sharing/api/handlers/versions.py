"""The versions document that clients fetch before anything else."""

from glance_sharing.api import util

# Newest first. v2.1 brought image members and v2.5 community visibility;
# the later minor versions add calls on image data, which is not served.
VERSIONS = [('v2.5', 'CURRENT')] + [
    ('v2.%d' % minor, 'SUPPORTED') for minor in range(4, -1, -1)]
ALIASES = frozenset(['v2'] + [version for version, _status in VERSIONS])

# The shape of the versions document, for the API description.
DOCUMENT_SCHEMA = {
    'type': 'object',
    'properties': {'versions': {'type': 'array', 'items': {
        'type': 'object',
        'properties': {
            'id': {'type': 'string', 'pattern': '^v2\\.[0-9]+$'},
            'status': {'type': 'string', 'enum': ['CURRENT', 'SUPPORTED']},
            'links': {'type': 'array', 'items': {
                'type': 'object',
                'properties': {'rel': {'type': 'string'},
                               'href': {'type': 'string'}},
                'required': ['rel', 'href']}},
        },
        'required': ['id', 'status', 'links'],
    }}},
    'required': ['versions'],
}


def versions_document(req):
    href = util.base_url(req) + '/v2/'
    return {'versions': [
        {'id': version, 'status': status,
         'links': [{'rel': 'self', 'href': href}]}
        for version, status in VERSIONS]}


def show_versions(req, status=200):
    """GET /versions: 200; GET / and unknown versions: 300 Multiple Choices.

    Answered before authentication, as clients discover the API with it.
    """
    return util.json_response(req, versions_document(req), status=status)
