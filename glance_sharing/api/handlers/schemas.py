"""Handlers for the documents clients validate against.

/v2/schemas/... are the JSON Schemas of images and members, and
/v2/openapi.json the OpenAPI description of the whole API.
"""

from glance_sharing.api import openapi
from glance_sharing.api.schemas import images
from glance_sharing.api.schemas import members
from glance_sharing.api import util

# Glance's documents are schemas of their own kind ("name", "links").
_DOCUMENT = {'type': 'object', 'required': ['name', 'properties']}


def _serving(document, name, summary):
    """A handler named ``name`` answering 200 with ``document``."""
    def handler(req):
        return util.json_response(req, document)
    handler.__name__ = handler.__qualname__ = name
    handler.__doc__ = summary
    return openapi.operation(200, _DOCUMENT)(handler)


show_image_schema = _serving(
    images.IMAGE_DOCUMENT, 'show_image_schema',
    'GET /v2/schemas/image: 200 with the image schema.')
show_images_schema = _serving(
    images.IMAGES_DOCUMENT, 'show_images_schema',
    'GET /v2/schemas/images: 200 with the image list schema.')
show_member_schema = _serving(
    members.MEMBER_DOCUMENT, 'show_member_schema',
    'GET /v2/schemas/member: 200 with the member schema.')
show_members_schema = _serving(
    members.MEMBERS_DOCUMENT, 'show_members_schema',
    'GET /v2/schemas/members: 200 with the member list schema.')


@openapi.operation(200, openapi.DOCUMENT_SCHEMA)
def show_openapi(req):
    """GET /v2/openapi.json: 200 with the OpenAPI 3.1 description.

    It describes the route table this router serves, with its server URL
    set to the public endpoint.
    """
    return util.json_response(req, openapi.document(
        req.environ[util.ROUTES_KEY], util.base_url(req)))
