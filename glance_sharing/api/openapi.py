"""The OpenAPI 3.1 description of the API, generated from the route table.

Paths and methods come from the route table, request bodies from the
schemas the handlers validate them with (``util.json_body``), and the
rest from what each handler declares with ``@operation``: its success
status and body, the errors it raises itself, and its query parameters.
Errors any call can give (a bad body, no identity, a busy database) are
added here, once. Nothing else is written by hand, so the description
cannot drift from the code; the fuzz tests hold the code to it.
"""

import collections
import inspect
import re

from glance_sharing.api.handlers import versions
from glance_sharing.api.schemas import images as image_schemas
from glance_sharing.api.schemas import members as member_schemas
from glance_sharing.api import util

OPENAPI_VERSION = '3.1.0'
# Served, like the other documents, to anyone authenticated.
PATH = '/v2/openapi.json'
REQUEST_ID_HEADER = 'X-Openstack-Request-Id'

# Path parameters, by the name the route table gives them. An id that
# names nothing is a 404, so the image id is any string.
PATH_PARAMETERS = {
    'image_id': {'type': 'string',
                 'description': 'the id of the image (a UUID)'},
    'member_id': member_schemas.MEMBER_ID,
    'tag_value': dict(image_schemas.PROPERTIES['tags']['items'],
                      description='the tag, 1 to 255 characters'),
}

Operation = collections.namedtuple(
    'Operation', ['status', 'body', 'errors', 'query', 'headers',
                  'media_type', 'also', 'request'])


def operation(status, body=None, errors=(), query=None, headers=None,
              media_type=util.JSON_TYPE, also=None, request=None):
    """Declare what a handler answers, for the API description.

    ``status`` is its success status and ``body`` the JSON Schema of the
    success body (None for an empty one), of type ``media_type``; ``also``
    maps any other success status to its body schema. ``errors`` lists
    the statuses the handler itself gives beyond those every call can
    give; ``query`` and ``headers`` map each query parameter and request
    header it reads to its JSON Schema. A handler that reads a body
    without util.json_body gives ``request``: media type -> schema.
    """
    def decorator(handler):
        handler.api_operation = Operation(
            status, body, frozenset(errors), dict(query or {}),
            dict(headers or {}), media_type, dict(also or {}),
            dict(request or {}))
        return handler
    return decorator


def successes(declared):
    """Success status -> body schema (None for no body) of a handler."""
    result = dict(declared.also)
    result[declared.status] = declared.body
    return result


# Why each error status is given; the ones in COMMON_ERRORS can come
# from any call, 404 from any call with a path parameter, 415 from any
# call with a body.
ERROR_REASONS = {
    400: 'The body, a query parameter or a path segment is not valid, '
         'or a body was sent to a call that takes none.',
    401: 'No identity: no valid token (or, in noauth mode, no '
         'X-Project-Id header).',
    403: 'The caller may see the resource but not do this to it.',
    404: 'No such resource, or the caller may not know that it exists.',
    409: 'The request conflicts with the current state of the resource.',
    410: 'The image was deleted while its data was being uploaded.',
    413: 'The body is larger than max_request_body_size, or a quota '
         '(members, properties, tags) would be exceeded.',
    415: 'The Content-Type is not one this call takes.',
    416: 'The Range asked for lies outside the data.',
    503: 'The database is busy or unreachable; retry after Retry-After '
         'seconds.',
}
COMMON_ERRORS = frozenset([400, 401, 413, 503])

_REQUEST_ID = {
    'description': 'The request id, "req-" followed by a UUID.',
    'schema': {'type': 'string', 'pattern': '^req-[0-9a-f-]{36}$'},
    'required': True,
}
_ERROR_REF = {'$ref': '#/components/schemas/Error'}
# Image data, in request and response bodies.
BINARY = {'type': 'string', 'format': 'binary'}
_PARAMETER = re.compile(r'\{(\w+)\}')


def _describe(handler):
    lines = (inspect.getdoc(handler) or '').split('\n', 1)
    summary = lines[0].strip()
    return summary, (lines[1].strip() if len(lines) > 1 else '')


def _parameter(name, where, schema, required=False):
    parameter = {'name': name, 'in': where, 'required': required,
                 'schema': schema}
    if schema.get('description'):
        parameter['description'] = schema['description']
    return parameter


def _success(status, body, media_type):
    response = {'description': 'Success.',
                'headers': {REQUEST_ID_HEADER: _REQUEST_ID}}
    if body is not None:
        response['content'] = {media_type: {'schema': body}}
    if status == 201:
        response['headers']['Location'] = {
            'description': 'The URL of the new resource.',
            'schema': {'type': 'string'}, 'required': True}
    return response


def _error(status):
    response = {'description': ERROR_REASONS[status],
                'headers': {REQUEST_ID_HEADER: _REQUEST_ID},
                'content': {util.JSON_TYPE: {'schema': _ERROR_REF}}}
    if status == 503:
        response['headers']['Retry-After'] = {
            'description': 'Seconds to wait before retrying.',
            'schema': {'type': 'string', 'pattern': '^[0-9]+$'},
            'required': True}
    return response


def error_statuses(path, handler):
    """Every error status ``handler`` may answer on ``path``."""
    declared = handler.api_operation
    statuses = set(COMMON_ERRORS | declared.errors)
    if _PARAMETER.search(path):
        statuses.add(404)
    if getattr(handler, 'body_schema', None) is not None or (
            declared.request):
        statuses.add(415)
    return sorted(statuses)


def _operation(path, method, handler):
    declared = getattr(handler, 'api_operation', None)
    if declared is None:
        raise ValueError('%s %s: handler %s declares no @openapi.operation'
                         % (method, path, handler.__name__))
    summary, description = _describe(handler)
    parameters = [_parameter(name, 'path', PATH_PARAMETERS[name], True)
                  for name in _PARAMETER.findall(path)]
    parameters += [_parameter(name, 'query', schema)
                   for name, schema in sorted(declared.query.items())]
    parameters += [_parameter(name, 'header', schema)
                   for name, schema in sorted(declared.headers.items())]
    parameters.append(_parameter(REQUEST_ID_HEADER, 'header', {
        'type': 'string',
        'description': 'a request id to use instead of a new one; '
                       'honoured only if it is "req-" and a UUID'}))
    result = {
        'operationId': handler.__name__,
        'summary': summary,
        'tags': [handler.__module__.rsplit('.', 1)[-1]],
        'parameters': parameters,
        'responses': {
            str(status): _success(status, body, declared.media_type)
            for status, body in sorted(successes(declared).items())},
    }
    if description:
        result['description'] = description
    schema = getattr(handler, 'body_schema', None)
    request = declared.request
    if schema is not None:
        request = handler.body_schemas
    if request:
        result['requestBody'] = {
            'required': True,
            'content': {content_type: {'schema': schema}
                        for content_type, schema in request.items()}}
    for status in error_statuses(path, handler):
        result['responses'][str(status)] = _error(status)
    return result


def _discovery(status):
    summary, description = _describe(versions.show_versions)
    return {'get': {
        'operationId': 'show_versions_%d' % status,
        'summary': summary,
        'description': description,
        'tags': ['versions'],
        'security': [],
        'responses': {str(status): {
            'description': 'The API versions served.',
            'content': {util.JSON_TYPE: {
                'schema': versions.DOCUMENT_SCHEMA}}}},
    }}


def document(routes, server_url=None):
    """The OpenAPI 3.1 description of ``routes`` (router.ROUTES)."""
    paths = {'/': _discovery(300), '/versions': _discovery(200)}
    for path in sorted(routes):
        paths[path] = {
            method.lower(): _operation(path, method, handler)
            for method, handler in sorted(routes[path].items())}
    description = {
        'openapi': OPENAPI_VERSION,
        'info': {
            'title': 'glance-sharing: OpenStack Images API v2 (image '
                     'records and sharing)',
            'version': versions.VERSIONS[0][0],
            'description': (
                'Generated from the route table and the JSON Schemas the '
                'service validates with. Every error body is '
                '{"error": {"code", "title", "message", "request_id"}}. '
                'A method a path does not list is answered 405 with '
                'Allow.'),
        },
        'paths': paths,
        'components': {
            'schemas': {'Error': util.ERROR_SCHEMA},
            'securitySchemes': {'keystone': {
                'type': 'apiKey', 'in': 'header', 'name': 'X-Auth-Token',
                'description': 'A Keystone token, project scoped.'}},
        },
        'security': [{'keystone': []}],
    }
    if server_url:
        description['servers'] = [{'url': server_url}]
    return description


# The description describes itself loosely: it is an OpenAPI document.
DOCUMENT_SCHEMA = {
    'type': 'object',
    'properties': {'openapi': {'type': 'string', 'const': OPENAPI_VERSION},
                   'paths': {'type': 'object'}},
    'required': ['openapi', 'info', 'paths'],
}
