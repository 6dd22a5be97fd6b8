"""Handlers for image members: sharing an image with other projects.

Every handler checks in the same order: body (400), image visible to the
caller (404), image shared (403), policy (404 for get_image, else 403),
then the database write, whose own invariants give 404, 409 or 413.
"""

from urllib import parse

import webob.exc

from glance_sharing.api.handlers import common
from glance_sharing.api import openapi
from glance_sharing.api.schemas import members as schemas
from glance_sharing.api import util
from glance_sharing import data_access
from glance_sharing.db import members as db_members
from glance_sharing import exception
from glance_sharing.i18n import _
from glance_sharing import identity
from glance_sharing import notifier
from glance_sharing.policies import members as rules

SCHEMA = '/v2/schemas/member'


def format_member(member):
    return {
        'member_id': member['member_id'],
        'image_id': member['image_id'],
        'status': member['status'],
        'created_at': util.isotime(member['created_at']),
        'updated_at': util.isotime(member['updated_at']),
        'schema': SCHEMA,
    }


def _shared_image(req, action, rule, conceal=None):
    """The request's image: visible (404), shared (403), ``rule`` (403).

    With ``conceal``, a 404, each refusal is that 404 instead.
    """
    context = util.context(req)
    image = common.visible_image(context, req.urlvars['image_id'])
    if image['visibility'] != 'shared':
        raise conceal or exception.ImageNotShared(
            action=action, image_id=image['id'],
            visibility=image['visibility'])
    common.authorize(context, rule, image, conceal=conceal)
    return context, image


@openapi.operation(200, schemas.MEMBER, errors=[403, 409])
@util.json_body(schemas.CREATE)
def create_member(req):
    """POST /v2/images/{image_id}/members: 200 with the pending member.

    With [sharing] verify_member_exists, a project Keystone does not know
    is refused with 400 before anything is written.
    """
    member_id = util.body(req)['member']
    context, image = _shared_image(req, 'create', rules.ADD_MEMBER)
    if member_id == image['owner']:
        raise webob.exc.HTTPBadRequest(
            _('Image %s cannot be shared with its owner\'s own project.')
            % image['id'])
    conf = util.conf(req)
    if conf.sharing.verify_member_exists:
        identity.verify_project_id(member_id, conf=conf)
    member = db_members.member_create(context, image['id'], member_id,
                                      conf.image_member_quota)
    notifier.notify(context, 'image.member.create',
                    notifier.format_member(member))
    data_access.sync(context, image['id'], image['location'], conf)
    return util.json_response(req, format_member(member))


@openapi.operation(200, schemas.MEMBERS, errors=[403],
                   query=schemas.LIST_QUERY)
@util.read_transaction
def list_members(req):
    """GET /v2/images/{image_id}/members: 200 with the visible members.

    The owner and admins see every member, a member only itself; oldest
    first. Without ``limit`` the whole list comes back, as from Glance.
    """
    context, image = _shared_image(req, 'list', rules.GET_MEMBERS)
    params = util.query_params(req, schemas.LIST_QUERY, ('limit',))
    limit = util.limit_param(req, params) if 'limit' in params else None
    marker = req.GET.get('marker')
    members = db_members.member_list(context, image['id'], limit=limit,
                                     marker=marker)
    body = {'members': [format_member(m) for m in members],
            'schema': '/v2/schemas/members'}
    if limit and len(members) == limit:
        # Member ids may hold "&", "#", "+" or "%", so the marker is
        # quoted.
        body['next'] = '/v2/images/%s/members?%s' % (
            image['id'], parse.urlencode(
                [('limit', limit), ('marker', members[-1]['member_id'])]))
    return util.json_response(req, body)


@openapi.operation(200, schemas.MEMBER)
@util.read_transaction
def show_member(req):
    """GET /v2/images/{image_id}/members/{member_id}: 200 with the member.

    Every failure is a 404, so the call reveals nothing to outsiders.
    """
    image_id, member_id = req.urlvars['image_id'], req.urlvars['member_id']
    context, image = _shared_image(
        req, 'show', rules.GET_MEMBER,
        conceal=exception.MemberNotFound(image_id=image_id, member=member_id))
    member = db_members.member_get(context, image['id'], member_id)
    return util.json_response(req, format_member(member))


@util.read_transaction
def _visible_member(req, action, rule):
    """The request's image and member row, checked as far as ``rule``."""
    context, image = _shared_image(req, action, rules.GET_MEMBER)
    member = db_members.member_get(context, image['id'],
                                   req.urlvars['member_id'])
    common.authorize(context, rule, image, member['member_id'])
    return context, image, member


@openapi.operation(200, schemas.MEMBER, errors=[403])
@util.json_body(schemas.UPDATE)
def update_member(req):
    """PUT /v2/images/{image_id}/members/{member_id}: 200, new status.

    Only the member itself (or an admin) may set its status.
    """
    status = util.body(req)['status']
    context, image, member = _visible_member(req, 'update',
                                             rules.MODIFY_MEMBER)
    member = db_members.member_update(context, image['id'],
                                      member['member_id'], status)
    notifier.notify(context, 'image.member.update',
                    notifier.format_member(member))
    return util.json_response(req, format_member(member))


@openapi.operation(204, errors=[403])
def delete_member(req):
    """DELETE /v2/images/{image_id}/members/{member_id}: 204."""
    context, image, member = _visible_member(req, 'delete',
                                             rules.DELETE_MEMBER)
    removed = db_members.member_delete(context, image['id'],
                                       member['member_id'])
    notifier.notify(context, 'image.member.delete',
                    notifier.format_member(removed, deleted=True))
    data_access.sync(context, image['id'], image['location'],
                     util.conf(req))
    return util.no_content(req)
