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


@openapi.operation(200, _DOCUMENT)
def show_image_schema(req):
    """GET /v2/schemas/image: 200 with the image schema."""
    return util.json_response(req, images.IMAGE_DOCUMENT)


@openapi.operation(200, _DOCUMENT)
def show_images_schema(req):
    """GET /v2/schemas/images: 200 with the image list schema."""
    return util.json_response(req, images.IMAGES_DOCUMENT)


@openapi.operation(200, _DOCUMENT)
def show_member_schema(req):
    """GET /v2/schemas/member: 200 with the member schema."""
    return util.json_response(req, members.MEMBER_DOCUMENT)


@openapi.operation(200, _DOCUMENT)
def show_members_schema(req):
    """GET /v2/schemas/members: 200 with the member list schema."""
    return util.json_response(req, members.MEMBERS_DOCUMENT)


@openapi.operation(200, openapi.DOCUMENT_SCHEMA)
def show_openapi(req):
    """GET /v2/openapi.json: 200 with the OpenAPI 3.1 description.

    It describes the route table this router serves, with its server URL
    set to the public endpoint.
    """
    return util.json_response(req, openapi.document(
        req.environ[util.ROUTES_KEY], util.base_url(req)))
