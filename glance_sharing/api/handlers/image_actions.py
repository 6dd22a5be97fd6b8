"""Handlers for image actions: deactivate and reactivate.

A deactivated image keeps its data and its record, but only
administrators may download the data (see image_data.py) until the owner
reactivates it.
"""

from glance_sharing.api.handlers import common
from glance_sharing.api import openapi
from glance_sharing.api import util
from glance_sharing.db import images as db_images
from glance_sharing.policies import images as rules


def _change_status(req, rule, action, source, target):
    context = util.context(req)
    image = common.visible_image(context, req.urlvars['image_id'])
    common.authorize(context, rule, image)
    db_images.image_status_change(context, image['id'], action, source, target)
    # Glance saves, and so notifies, even when the status was already
    # the target.
    common.notify_image_update(context, image['id'])
    return util.no_content(req)


@openapi.operation(204, errors=[403])
@util.no_body
def deactivate_image(req):
    """POST /v2/images/{image_id}/actions/deactivate: 204."""
    return _change_status(req, rules.DEACTIVATE, 'deactivate', 'active',
                          'deactivated')


@openapi.operation(204, errors=[403])
@util.no_body
def reactivate_image(req):
    """POST /v2/images/{image_id}/actions/reactivate: 204."""
    return _change_status(req, rules.REACTIVATE, 'reactivate',
                          'deactivated', 'active')
