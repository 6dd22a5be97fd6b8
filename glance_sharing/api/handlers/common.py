"""Image lookup and authorization steps that every image handler shares."""

from glance_sharing.db import images as db_images
from glance_sharing import exception
from glance_sharing import notifier
from glance_sharing.policies import images as image_policies
from glance_sharing import policy


def visible_image(context, image_id, details=False):
    """The image if the caller may know it exists; otherwise 404.

    The database decides who may see which image (db.images.visible_to);
    get_image is checked too, and its refusal is also a 404.
    """
    image = db_images.image_get(context, image_id, details=details)
    check_visible(context, image)
    return image


def check_visible(context, image):
    """404 unless get_image lets the caller see ``image``."""
    authorize(context, image_policies.GET_IMAGE, image,
              conceal=exception.ImageNotFound(image_id=image['id']))


def authorize_change(context, image):
    """The checks before any change to ``image``: visible, modify_image.

    Writers call it on the image they locked, so the decision is made on
    the row that the change is applied to.
    """
    check_visible(context, image)
    authorize(context, image_policies.MODIFY_IMAGE, image)


def authorize(context, rule, image, member=None, conceal=None):
    """Raise unless ``rule`` allows the caller to act on ``image``.

    The refusal is a 403, or ``conceal`` (a 404) where the caller must not
    learn whether what it asked for exists. ``member`` names the
    membership a member rule is about.
    """
    if not policy.check(context, rule,
                        policy.image_target(image, context, member)):
        raise conceal or policy.refusal(rule)


def committed_image(context, image_id):
    """The image with details as committed; None if deleted meanwhile.

    For notifications sent after a writer returned: the image's
    image.delete then tells the rest.
    """
    try:
        return db_images.image_get(context, image_id, details=True)
    except exception.ImageNotFound:
        return None


def notify_image_update(context, image_id):
    """image.update with the image as committed, as Glance sends it."""
    image = committed_image(context, image_id)
    if image is not None:
        notifier.notify(context, 'image.update', notifier.format_image(image))
