"""Handlers for /v2/schemas/...: the documents clients validate against."""

from glance_sharing.api.schemas import images
from glance_sharing.api.schemas import members
from glance_sharing.api import util


def show_image_schema(req):
    """GET /v2/schemas/image: 200 with the image schema."""
    return util.json_response(req, images.IMAGE_DOCUMENT)


def show_images_schema(req):
    """GET /v2/schemas/images: 200 with the image list schema."""
    return util.json_response(req, images.IMAGES_DOCUMENT)


def show_member_schema(req):
    """GET /v2/schemas/member: 200 with the member schema."""
    return util.json_response(req, members.MEMBER_DOCUMENT)


def show_members_schema(req):
    """GET /v2/schemas/members: 200 with the member list schema."""
    return util.json_response(req, members.MEMBERS_DOCUMENT)
