"""Image lookup and authorization steps that every image handler shares."""

from glance_sharing.db import api as db_api
from glance_sharing import exception
from glance_sharing import notifier
from glance_sharing.policies import images as image_policies
from glance_sharing import policy


def visible_image(context, image_id, details=False):
    """The image if the caller may know it exists; otherwise 404.

    get_image is checked too, and a refusal is also a 404: a caller who
    may not see an image must not learn that it exists.
    """
    image = db_api.image_get(context, image_id, details=details)
    check_visible(context, image)
    return image


def check_visible(context, image):
    """404 unless get_image lets the caller see ``image``."""
    if not policy.check(context, image_policies.GET_IMAGE,
                        policy.image_target(image, context)):
        raise exception.ImageNotFound(image_id=image['id'])


def authorize_change(context, image):
    """The checks before any change to ``image``: visible, modify_image.

    Writers call it on the image they locked, so the decision is made on
    the row that the change is applied to.
    """
    check_visible(context, image)
    authorize(context, image_policies.MODIFY_IMAGE, image)


def authorize(context, rule, image, member=None):
    """403 unless ``rule`` allows the caller to act on a visible image.

    ``member`` names the membership a member rule is about.
    """
    policy.authorize(context, rule,
                     policy.image_target(image, context, member))


def committed_image(context, image_id):
    """The image with details as committed; None if deleted meanwhile.

    For notifications sent after a writer returned: the image's
    image.delete then tells the rest.
    """
    try:
        return db_api.image_get(context, image_id, details=True)
    except exception.ImageNotFound:
        return None


def notify_image_update(context, image_id):
    """image.update with the image as committed, as Glance sends it."""
    image = committed_image(context, image_id)
    if image is not None:
        notifier.notify(context, 'image.update', notifier.format_image(image))
