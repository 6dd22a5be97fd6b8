"""Image lookup and authorization steps that every image handler shares."""

from glance_sharing.db import api as db_api
from glance_sharing import exception
from glance_sharing.policies import images as image_policies
from glance_sharing import policy


def visible_image(context, image_id, details=False):
    """The image if the caller may know it exists; otherwise 404.

    get_image is checked too, and a refusal is also a 404: a caller who
    may not see an image must not learn that it exists.
    """
    image = db_api.image_get(context, image_id, details=details)
    if not policy.check(context, image_policies.GET_IMAGE,
                        policy.image_target(image, context)):
        raise exception.ImageNotFound(image_id=image_id)
    return image


def authorize(context, rule, image):
    """403 unless ``rule`` allows the caller to act on a visible image."""
    policy.authorize(context, rule, policy.image_target(image, context))
