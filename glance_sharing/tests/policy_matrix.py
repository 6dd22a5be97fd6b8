"""The policy matrix: persona x route x image visibility -> status code.

This table is the one statement of who may do what under the default
policy. glance_sharing/tests/functional/test_policy_matrix.py runs every
cell through the real application, and tools/render-docs.py
renders it into doc/source/admin/policy-matrix.rst (a test keeps that page
current). The values follow upstream-behaviour.md's persona x endpoint
tables and decisions.md: a caller who may not know that an image exists
gets 404, never 403; a member call on an image the caller can see but
that is not "shared" is 403 (show: 404); show masks every failure as 404.

Each cell acts on a fresh image owned by the owner project, with the
given visibility, the tag "matrix", and one member in each status (added
while it was shared). The project-None persona acts on an image without
an owner instead (made by an admin with "owner": null), the case where a
None target could be mistaken for a project called "None" (issue 9, D10);
owner-also-member on an image an admin gave to its pending member, which
so owns it and is a member (D8). Member paths name the caller's own
membership for a member persona, the accepted member's for
owner-also-member, and the pending member's for everyone else.
"""

from glance_sharing import enums
from glance_sharing.tests import personas

# The matrix's columns, in this order.
VISIBILITIES = enums.VISIBILITIES
TAG = 'matrix'
PATCH_TYPE = 'application/openstack-images-v2.1-json-patch'


def _row(text):
    """'200 403 ...' (one code per visibility, or one for all) -> codes."""
    codes = tuple(int(code) for code in text.split())
    if len(codes) == 1:
        return codes * len(VISIBILITIES)
    if len(codes) != len(VISIBILITIES):
        raise ValueError('%r: give one code, or one per visibility' % text)
    return codes


def _rows(admin, owner, reader, member, stranger, none, system='404'):
    """Rows by persona; ``member`` is the row of all three statuses.

    Member status gates only the image list, so the three member personas
    answer alike everywhere else; the matrix still runs each of them. An
    owner that is also a member answers as an owner: its membership adds
    nothing (in particular, no right to set another member's status).
    """
    rows = {'admin': admin, 'owner-member': owner, 'owner-reader': reader,
            'stranger': stranger, 'project-None': none,
            'system-admin': system, 'owner-also-member': owner}
    rows.update(('member-' + status, member)
                for status in personas.MEMBER_STATUSES)
    return rows


# The documents, served to anyone authenticated under no policy.
_ANYONE = _rows('200', '200', '200', '200', '200', '200', system='200')


def _modify(ok):
    """modify_image and the like: the owner (member role) or an admin."""
    return _rows(admin=ok, owner=ok, reader='403', member='403 403 403 404',
                 stranger='403 403 404 404', none='403 403 403 404')


# (method, path) -> persona -> codes for public, community, shared,
# private ("404" alone: the same code for all four).
EXPECTED = {
    ('GET', '/v2/images'): _rows('200', '200', '200', '200', '200', '200',
                                 system='403'),
    # Creates an image of the column's visibility, owned by the caller;
    # "public" needs publicize_image (admin only).
    ('POST', '/v2/images'): _rows(
        admin='201', owner='403 201 201 201', reader='403',
        member='403 201 201 201', stranger='403 201 201 201',
        none='403 201 201 201', system='403'),
    ('GET', '/v2/images/{image_id}'): _rows(
        admin='200', owner='200', reader='200', member='200 200 200 404',
        stranger='200 200 404 404', none='200 200 200 404'),
    ('PATCH', '/v2/images/{image_id}'): _modify('200'),
    ('DELETE', '/v2/images/{image_id}'): _modify('204'),
    ('PUT', '/v2/images/{image_id}/tags/{tag_value}'): _modify('204'),
    ('DELETE', '/v2/images/{image_id}/tags/{tag_value}'): _modify('204'),
    # Uploads into a queued image: the owner (or an admin) only.
    ('PUT', '/v2/images/{image_id}/file'): _modify('204'),
    # The image has no data yet, hence 204 where the download is allowed;
    # members of any status may download, readers may not.
    ('GET', '/v2/images/{image_id}/file'): _rows(
        admin='204', owner='204', reader='403', member='204 204 204 404',
        stranger='204 204 404 404', none='204 204 204 404'),
    # Member calls on an image that is not shared: 403 where the caller
    # sees the image (show: always 404).
    ('POST', '/v2/images/{image_id}/members'): _rows(
        admin='403 403 200 403', owner='403 403 200 403', reader='403',
        member='403 403 403 404', stranger='403 403 404 404',
        none='403 403 403 404'),
    ('GET', '/v2/images/{image_id}/members'): _rows(
        admin='403 403 200 403', owner='403 403 200 403',
        reader='403 403 200 403', member='403 403 200 404',
        stranger='403 403 404 404', none='403 403 403 404'),
    ('GET', '/v2/images/{image_id}/members/{member_id}'): _rows(
        admin='404 404 200 404', owner='404 404 200 404',
        reader='404 404 200 404', member='404 404 200 404',
        stranger='404', none='404'),
    # Only the member itself (or an admin) sets its status.
    ('PUT', '/v2/images/{image_id}/members/{member_id}'): _rows(
        admin='403 403 200 403', owner='403', reader='403',
        member='403 403 200 404', stranger='403 403 404 404',
        none='403 403 403 404'),
    # Only the owner (or an admin) removes a member.
    ('DELETE', '/v2/images/{image_id}/members/{member_id}'): _rows(
        admin='403 403 204 403', owner='403 403 204 403', reader='403',
        member='403 403 403 404', stranger='403 403 404 404',
        none='403 403 403 404'),
    # On an active image (see PREPARE): the owner (or an admin) only.
    ('POST', '/v2/images/{image_id}/actions/deactivate'): _modify('204'),
    # On a deactivated image (see PREPARE).
    ('POST', '/v2/images/{image_id}/actions/reactivate'): _modify('204'),
    ('GET', '/v2/schemas/image'): _ANYONE,
    ('GET', '/v2/schemas/images'): _ANYONE,
    ('GET', '/v2/schemas/member'): _ANYONE,
    ('GET', '/v2/schemas/members'): _ANYONE,
    ('GET', '/v2/openapi.json'): _ANYONE,
}


# What an administrator does to a cell's image before the call, for
# calls that need more than a queued image.
PREPARE = {
    ('POST', '/v2/images/{image_id}/actions/deactivate'): ('upload',),
    ('POST', '/v2/images/{image_id}/actions/reactivate'): (
        'upload', 'deactivate'),
}
# Each step as (method, path under the image, body, content type, status).
STEPS = {
    'upload': ('PUT', '/file', b'matrix image data',
               'application/octet-stream', 204),
    'deactivate': ('POST', '/actions/deactivate', None, None, 204),
}


def expected(method, path, persona_name, visibility):
    """The status the matrix expects for one cell."""
    codes = _row(EXPECTED[(method, path)][persona_name])
    return codes[VISIBILITIES.index(visibility)]


def request_body(method, path, visibility, projects):
    """(body, content type) of a matrix call, or (None, None)."""
    if (method, path) == ('POST', '/v2/images'):
        return {'visibility': visibility}, 'application/json'
    if method == 'PATCH':
        return ([{'op': 'replace', 'path': '/name', 'value': 'renamed'}],
                PATCH_TYPE)
    if (method, path) == ('POST', '/v2/images/{image_id}/members'):
        return {'member': projects.stranger}, 'application/json'
    if method == 'PUT' and path.endswith('{member_id}'):
        return {'status': 'accepted'}, 'application/json'
    if method == 'PUT' and path.endswith('/file'):
        return b'matrix image data', 'application/octet-stream'
    return None, None


def render_rst():
    """The matrix as a reStructuredText page, one table per route."""
    lines = [
        '=============',
        'Policy matrix',
        '=============',
        '',
        '.. This page is generated by tools/render-docs.py from',
        '   glance_sharing/tests/policy_matrix.py; do not edit it.',
        '',
        'The status code each call answers under the default policy, by',
        'who calls and by the visibility of the image. A test runs every',
        'cell against the real service, so the page says what the code',
        'does. ``404`` means the caller may not know that the image (or',
        'the membership) exists; ``403`` that it may see it but not do',
        'this.',
        '',
        'Each call acts on an image owned by the *owner* project, tagged',
        '``%s``, with one member in each status (pending, accepted,'
        % TAG,
        'rejected). Member paths name the caller\'s own membership for a',
        'member, the accepted member\'s for *owner-also-member*, the',
        'pending member\'s for everyone else. *project-None* (a project',
        'whose id is the string ``None``) acts on an image without an',
        'owner; *owner-also-member* on an image an administrator gave to',
        'its pending member, which so is both owner and member.',
        '*system-admin* holds a system-scoped token; every rule is project',
        'scoped. For ``POST /v2/images`` the column is the visibility',
        'asked for in the body.',
        '',
        'Personas:',
        '',
    ]
    for persona in personas.PERSONAS:
        scope = 'system scope' if persona.system_scope else 'project scope'
        image = ('' if persona.image == personas.OWNED
                 else ', on an image %s' % persona.image)
        lines.append('- **%s**: project *%s*, roles ``%s``, %s%s.' % (
            persona.name, persona.project, persona.roles, scope, image))
    for method, path in sorted(EXPECTED, key=lambda k: (k[1], k[0])):
        title = '``%s %s``' % (method, path)
        lines += ['', title, '-' * len(title), '',
                  '.. list-table::', '   :header-rows: 1', '',
                  '   * - persona']
        lines += ['     - %s' % visibility for visibility in VISIBILITIES]
        for persona in personas.PERSONAS:
            lines.append('   * - %s' % persona.name)
            lines += ['     - %d' % expected(method, path, persona.name, v)
                      for v in VISIBILITIES]
    return '\n'.join(lines) + '\n'
