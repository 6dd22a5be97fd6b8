"""Handlers for image records: create, list, show, update, delete, tags.

An image is "queued" until its data is uploaded (handlers/image_data.py).
"""

from urllib import parse
import uuid

import webob.exc

from glance_sharing.api.handlers import common
from glance_sharing.api.handlers import image_filters
from glance_sharing.api import openapi
from glance_sharing.api.schemas import images as schemas
from glance_sharing.api import util
from glance_sharing import data_access
from glance_sharing.db import images as db_images
from glance_sharing.i18n import _
from glance_sharing import image_store
from glance_sharing import notifier
from glance_sharing.policies import images as rules
from glance_sharing import policy

# Core values an image shows, in the order of the DB columns.
CORE_FIELDS = ('id', 'name', 'status', 'visibility', 'protected',
               'os_hidden', 'owner', 'container_format', 'disk_format',
               'size', 'virtual_size', 'checksum', 'os_hash_algo',
               'os_hash_value', 'min_disk', 'min_ram')
DEFAULTS = {'name': None, 'visibility': 'shared', 'protected': False,
            'os_hidden': False, 'container_format': None,
            'disk_format': None, 'min_disk': 0, 'min_ram': 0}


def format_image(image):
    body = {field: image[field] for field in CORE_FIELDS}
    body['created_at'] = util.isotime(image['created_at'])
    body['updated_at'] = util.isotime(image['updated_at'])
    body['tags'] = image['tags']
    body.update(image['properties'])
    body['self'] = '/v2/images/%s' % image['id']
    body['file'] = '/v2/images/%s/file' % image['id']
    body['schema'] = '/v2/schemas/image'
    return body


def _refuse_protected_names(names):
    """403 for attributes a caller may never set, as Glance answers."""
    for name in sorted(names):
        if name in schemas.READ_ONLY:
            raise webob.exc.HTTPForbidden(
                _("Attribute '%s' is read-only.") % name)
        if schemas.is_reserved(name):
            raise webob.exc.HTTPForbidden(
                _("Attribute '%s' is reserved.") % name)


def _check_quota(image_id, what, count, limit):
    if 0 <= limit < count:
        raise webob.exc.HTTPRequestEntityTooLarge(
            _('Image %(image_id)s would have %(count)d %(what)s; the limit '
              'is %(limit)d.') % {'image_id': image_id, 'count': count,
                                  'what': what, 'limit': limit})


def _authorize_visibility(context, target, visibility):
    """Publishing an image needs more than owning it."""
    if visibility == 'public':
        policy.authorize(context, rules.PUBLICIZE_IMAGE, target)
    elif visibility == 'community':
        policy.authorize(context, rules.COMMUNITIZE_IMAGE, target)


def _split(values):
    """Core values and additional properties of a flat image body."""
    core = {k: v for k, v in values.items() if k in schemas.CORE}
    extra = {k: v for k, v in values.items() if k not in schemas.CORE}
    return core, extra


def _check_owner_change(context, owner):
    if owner != context.project_id and not context.is_admin:
        raise webob.exc.HTTPForbidden(
            _('Only administrators may give an image to another owner '
              '(%s).') % owner)


@openapi.operation(201, schemas.IMAGE, errors=[403, 409])
@util.json_body(schemas.CREATE)
def create_image(req):
    """POST /v2/images: 201 with the new image record (status "queued")."""
    context = util.context(req)
    body = util.body(req)
    _refuse_protected_names(body)
    core, extra = _split(body)
    values = dict(DEFAULTS, **core)
    tags = values.pop('tags', [])
    values.setdefault('id', str(uuid.uuid4()))
    values.setdefault('owner', context.project_id)
    target = policy.target(values['owner'], values['visibility'])
    policy.authorize(context, rules.ADD_IMAGE, target)
    if 'owner' in core:
        _check_owner_change(context, values['owner'])
    _authorize_visibility(context, target, values['visibility'])
    conf = util.conf(req)
    _check_quota(values['id'], _('properties'), len(extra),
                 conf.image_property_quota)
    _check_quota(values['id'], _('tags'), len(tags), conf.image_tag_quota)
    values.update(status='queued', size=None, virtual_size=None,
                  checksum=None, os_hash_algo=None, os_hash_value=None)
    image = db_images.image_create(context, values, extra, tags)
    notifier.notify(context, 'image.create', notifier.format_image(image))
    response = util.json_response(req, format_image(image), status=201)
    response.location = '%s/v2/images/%s' % (util.base_url(req),
                                             image['id'])
    return response


@openapi.operation(200, schemas.IMAGE)
def show_image(req):
    """GET /v2/images/{image_id}: 200 with the image, or 404."""
    image = common.visible_image(util.context(req), req.urlvars['image_id'],
                                 details=True)
    return util.json_response(req, format_image(image))


def _apply_patch(image, operations):
    """The image's flat writable values after the JSON-patch operations."""
    values = {k: image[k] for k in schemas.WRITABLE if k in image}
    values.update(image['properties'])
    for operation in operations:
        op = operation['op']
        name = operation['path'][1:].replace('~1', '/').replace('~0', '~')
        _refuse_protected_names([name])
        if name == 'id':
            raise webob.exc.HTTPForbidden(
                _("Attribute 'id' cannot be changed."))
        if op != 'remove' and 'value' not in operation:
            raise webob.exc.HTTPBadRequest(
                _('Operation "%(op)s" on %(path)s needs a "value".')
                % {'op': op, 'path': operation['path']})
        if op == 'remove' and name in schemas.CORE:
            raise webob.exc.HTTPForbidden(
                _("Core attribute '%s' cannot be removed.") % name)
        if op in ('remove', 'replace') and name not in values:
            raise webob.exc.HTTPConflict(
                _("Property '%s' does not exist.") % name)
        if op == 'remove':
            del values[name]
        else:
            values[name] = operation['value']
    return values


@openapi.operation(200, schemas.IMAGE, errors=[403, 409])
@util.json_body(schemas.PATCH, content_types=util.JSON_PATCH_TYPES,
                by_type={util.JSON_PATCH_V20: schemas.PATCH_V20})
def update_image(req):
    """PATCH /v2/images/{image_id} (JSON patch): 200 with the image."""
    context = util.context(req)
    operations = schemas.patch_operations(util.body(req))
    conf = util.conf(req)
    before = {}

    def change(image):
        before.update(image)
        common.authorize_change(context, image)
        values = _apply_patch(image, operations)
        util.validate(values, schemas.CREATE, _('image'))
        if values['owner'] != image['owner']:
            _check_owner_change(context, values['owner'])
        if values['visibility'] != image['visibility']:
            _authorize_visibility(context,
                                  policy.image_target(image, context),
                                  values['visibility'])
        core, extra = _split(values)
        _check_quota(image['id'], _('properties'), len(extra),
                     conf.image_property_quota)
        _check_quota(image['id'], _('tags'), len(core['tags']),
                     conf.image_tag_quota)
        return dict(image, properties=extra, **core)

    image = db_images.image_update(context, req.urlvars['image_id'], change)
    if image['visibility'] != before['visibility']:
        data_access.sync(context, image['id'], before['location'], conf)
    notifier.notify(context, 'image.update', notifier.format_image(image))
    return util.json_response(req, format_image(image))


@openapi.operation(204, errors=[403])
def delete_image(req):
    """DELETE /v2/images/{image_id}: 204; its memberships go with it."""
    context = util.context(req)

    def check(image):
        common.check_visible(context, image)
        common.authorize(context, rules.DELETE_IMAGE, image)
        if image['protected']:
            raise webob.exc.HTTPForbidden(
                _('Image %s is protected and cannot be deleted.')
                % image['id'])

    deleted = db_images.image_delete(context, req.urlvars['image_id'], check)
    for member in deleted['members']:
        notifier.notify(context, 'image.member.delete',
                        notifier.format_member(member, deleted=True))
    notifier.notify(context, 'image.delete',
                    notifier.format_image(deleted['image'], deleted=True))
    if deleted['image']['location']:
        image_store.delete(deleted['image']['location'], context=context)
    return util.no_content(req)


def _change_tags(req, change_tags):
    """Apply ``change_tags(image, tag, conf)`` under the image lock; 204.

    The tag is the path's; the caller must be allowed to change the image.
    """
    context = util.context(req)
    tag = req.urlvars['tag_value']
    util.validate(tag, schemas.PROPERTIES['tags']['items'], _('tag'))

    def change(image):
        common.authorize_change(context, image)
        change_tags(image, tag, util.conf(req))
        return image

    image = db_images.image_update(context, req.urlvars['image_id'], change)
    notifier.notify(context, 'image.update', notifier.format_image(image))
    return util.no_content(req)


def _add_tag(image, tag, conf):
    if tag not in image['tags']:
        _check_quota(image['id'], _('tags'), len(image['tags']) + 1,
                     conf.image_tag_quota)
        image['tags'].append(tag)


def _remove_tag(image, tag, conf):
    if tag not in image['tags']:
        raise webob.exc.HTTPNotFound(
            _('Tag %(tag)s not found on image %(image_id)s.')
            % {'tag': tag, 'image_id': image['id']})
    image['tags'].remove(tag)


@openapi.operation(204, errors=[403])
def add_tag(req):
    """PUT /v2/images/{image_id}/tags/{tag_value}: 204 (idempotent)."""
    return _change_tags(req, _add_tag)


@openapi.operation(204, errors=[403])
def delete_tag(req):
    """DELETE /v2/images/{image_id}/tags/{tag_value}: 204, or 404."""
    return _change_tags(req, _remove_tag)


def _sort_params(req):
    """Sort keys and directions from sort_key/sort_dir or from sort."""
    params = req.GET
    if 'sort' in params:
        if 'sort_key' in params or 'sort_dir' in params:
            raise webob.exc.HTTPBadRequest(
                _('Use either "sort" or "sort_key"/"sort_dir", not both.'))
        keys, dirs = [], []
        for item in params['sort'].split(','):
            key, _sep, direction = item.strip().partition(':')
            keys.append(key)
            dirs.append(direction or 'desc')
    else:
        keys = params.getall('sort_key') or ['created_at']
        dirs = params.getall('sort_dir') or ['desc']
        if len(dirs) == 1:
            dirs = dirs * len(keys)
        elif len(dirs) != len(keys):
            raise webob.exc.HTTPBadRequest(
                _('Give one sort_dir, or one per sort_key.'))
    for key in keys:
        if key not in schemas.SORT_KEYS:
            raise webob.exc.HTTPBadRequest(
                _('Invalid sort key: %(key)s. Use one of %(keys)s.')
                % {'key': key, 'keys': ', '.join(sorted(schemas.SORT_KEYS))})
    for direction in dirs:
        if direction not in ('asc', 'desc'):
            raise webob.exc.HTTPBadRequest(
                _('Invalid sort direction: %s. Use asc or desc.')
                % direction)
    return keys, dirs


@openapi.operation(200, schemas.IMAGES, errors=[403],
                   query=dict(schemas.LIST_QUERY, **image_filters.QUERY))
def list_images(req):
    """GET /v2/images: 200 with one page of the images the caller may list.

    By default: public images, the caller's own, and images shared with
    the caller that it accepted (see member_status and visibility).
    """
    context = util.context(req)
    policy.authorize(context, rules.GET_IMAGES,
                     {'project_id': context.project_id})
    params = util.query_params(req, schemas.LIST_QUERY,
                               ('visibility', 'member_status', 'limit'))
    sort_keys, sort_dirs = _sort_params(req)
    conditions, properties = image_filters.parse(req.GET)
    limit = util.limit_param(req, params)
    images = db_images.image_get_all(
        context, conditions=conditions, properties=properties,
        tags=req.GET.getall('tag'), visibility=params.get('visibility'),
        member_status=params.get('member_status', 'accepted'), limit=limit,
        marker=req.GET.get('marker'), sort_keys=sort_keys,
        sort_dirs=sort_dirs)
    # As in Glance, get_image is asked of each image of the page, and
    # "next" follows the page as the database cut it. A refused image
    # leaves the page short, and none is skipped for it: under the default
    # rules, only a private image without an owner (listed for everyone,
    # shown to admins and to projects holding a membership of it), or any
    # image an operator's get_image refuses.
    shown = [image for image in images
             if policy.check(context, rules.GET_IMAGE,
                             policy.image_target(image, context))]
    query = [(k, v) for k, v in req.GET.items() if k != 'marker']
    body = {'images': [format_image(image) for image in shown],
            'schema': '/v2/schemas/images',
            'first': _list_url(query)}
    if limit and len(images) == limit:
        body['next'] = _list_url(query + [('marker', images[-1]['id'])])
    return util.json_response(req, body)


def _list_url(query):
    return '/v2/images' + ('?' + parse.urlencode(query) if query else '')
