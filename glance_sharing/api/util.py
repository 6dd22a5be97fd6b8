"""Request and response helpers shared by every handler."""

import functools
import re

import jsonschema
from jsonschema import validators
from oslo_log import log as logging
from oslo_serialization import jsonutils
import webob
import webob.exc

from glance_sharing.conf import CONF
from glance_sharing.db import engine as db_engine
from glance_sharing.i18n import _

LOG = logging.getLogger(__name__)

CONTEXT_KEY = 'glance_sharing.context'
# The configuration the application was built with (deploy.loadapp's).
CONF_KEY = 'glance_sharing.conf'
BODY_KEY = "glance_sharing.body"
# The route table the router dispatches on, for the API description.
ROUTES_KEY = 'glance_sharing.routes'
JSON_TYPE = 'application/json'
JSON_PATCH_V21 = 'application/openstack-images-v2.1-json-patch'
# The older draft: [{"replace": "/name", "value": "x"}], still sent by
# Tempest's image client.
JSON_PATCH_V20 = 'application/openstack-images-v2.0-json-patch'
JSON_PATCH_TYPES = (JSON_PATCH_V21, JSON_PATCH_V20)
# Deeper JSON than any call takes; refused before anything recurses.
MAX_JSON_DEPTH = 32

# Draft 4, as Glance's schemas, plus "propertyNames" (draft 6) for the
# names of additional properties.
Validator = validators.extend(
    jsonschema.Draft4Validator,
    {'propertyNames': jsonschema.Draft7Validator.VALIDATORS[
        'propertyNames']})


def context(req):
    return req.environ[CONTEXT_KEY]


def conf(req):
    """The configuration the application serving ``req`` was built with.

    Handlers read options here, never from the global object, so an
    application built from another configuration (deploy.loadapp(conf))
    runs by it.
    """
    return req.environ.get(CONF_KEY) or CONF


def error_body(status_int, title, message, request_id=None):
    """The one error shape: {"error": {code, title, message, request_id}}.

    python-glanceclient reads the first value's "message"; openstacksdk
    reads nested or top-level "message"; both parse this.
    """
    error = {'code': status_int, 'title': title, 'message': message}
    if request_id:
        error['request_id'] = request_id
    return {'error': error}


# What error_body returns, for the API description and its tests.
ERROR_SCHEMA = {
    'type': 'object',
    'properties': {
        'error': {
            'type': 'object',
            'properties': {
                'code': {'type': 'integer', 'minimum': 400,
                         'maximum': 599},
                'title': {'type': 'string'},
                'message': {'type': 'string'},
                'request_id': {'type': 'string',
                               'pattern': '^req-[0-9a-f-]{36}$'},
            },
            'required': ['code', 'title', 'message'],
            'additionalProperties': False,
        },
    },
    'required': ['error'],
    'additionalProperties': False,
}


def error_response(req, exc):
    """Render a webob HTTP error as our JSON error, keeping its headers."""
    response = webob.Response(status=exc.status, charset='UTF-8',
                              content_type=JSON_TYPE)
    for name, value in exc.headers.items():
        if name.lower() not in ('content-type', 'content-length'):
            response.headers[name] = value
    message = exc.detail or exc.explanation
    request_id = req.environ.get('openstack.request_id')
    response.body = jsonutils.dump_as_bytes(
        error_body(exc.code, exc.title, message, request_id))
    return response


def method_not_allowed(req, allowed):
    """The 405 for ``req``, naming the ``allowed`` methods in Allow."""
    allowed = ', '.join(allowed)
    return webob.exc.HTTPMethodNotAllowed(
        _('%(method)s is not allowed on %(path)s; use %(allowed)s.')
        % {'method': req.method, 'path': req.path, 'allowed': allowed},
        headers={'Allow': allowed})


def json_response(req, body, status=200):
    response = req.response
    response.status = status
    response.content_type = JSON_TYPE
    response.charset = 'UTF-8'
    response.body = jsonutils.dump_as_bytes(body)
    return response


def no_content(req):
    response = req.response
    response.status = 204
    response.content_type = None
    return response


# Calls whose handler reads a body; any other call must not send one.
BODY_METHODS = ('POST', 'PUT', 'PATCH')


def has_body(req):
    return bool(req.content_length) or (
        req.method in BODY_METHODS and req.is_body_readable)


def unexpected_body(req):
    """The 400 for a body sent to a call that reads none, or None."""
    if req.method not in BODY_METHODS and has_body(req):
        return webob.exc.HTTPBadRequest(
            _('A body is not expected with this request.'))
    return None


# --- Input decoding: what no request may carry, in one place --------------

def check_text(value, what):
    """400 for text that no column can store: NUL or a lone surrogate.

    PostgreSQL refuses NUL in text; a lone surrogate (JSON "\\ud800")
    cannot be encoded as UTF-8 for any database.
    """
    if '\x00' in value:
        raise webob.exc.HTTPBadRequest(
            _('%s must not contain NUL characters.') % what)
    try:
        value.encode('utf-8')
    except UnicodeEncodeError:
        raise webob.exc.HTTPBadRequest(
            _('%s must not contain unpaired surrogates.') % what)


def check_json(data):
    """400 for JSON too deep or holding text check_text refuses.

    The walk is iterative, so any depth is refused without recursing.
    """
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise webob.exc.HTTPBadRequest(
                _('The request body nests deeper than %d levels.')
                % MAX_JSON_DEPTH)
        if isinstance(value, str):
            check_text(value, _('Strings in the request body'))
        elif isinstance(value, dict):
            for key, item in value.items():
                check_text(key, _('Keys in the request body'))
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def decoded_path(req):
    """The request path as text, or None when it is not UTF-8.

    WSGI hands PATH_INFO over as latin-1; member ids and tags in the path
    are UTF-8, as they are in the bodies.
    """
    try:
        return req.path_info
    except UnicodeDecodeError:
        return None


def check_query_and_path(req, path):
    """400 for a query string that is not UTF-8, or NUL in path or query.

    ``path`` is the request path already decoded from UTF-8.
    """
    check_text(path, _('The request path'))
    try:
        items = req.GET.items()
    except UnicodeDecodeError:
        raise webob.exc.HTTPBadRequest(
            _('The query string is not valid UTF-8.'))
    for name, value in items:
        check_text(name, _('Query parameter names'))
        check_text(value, _('Query parameter %s') % name)


def read_body(req):
    """The request body; 400 when the client sends less than it said."""
    try:
        return req.body
    except OSError as exc:
        # webob's DisconnectionError: the client went away mid-body.
        # Nothing failed here, so no error log and no traceback.
        LOG.info('%s %s: incomplete request body: %s', req.method,
                 req.path, exc)
        raise webob.exc.HTTPBadRequest(
            _('The request body is shorter than its Content-Length.'))


def extract_json(req, schema, content_types=(JSON_TYPE,), by_type=None):
    """The request body, parsed and validated against ``schema``.

    ``by_type`` maps a content type to the schema for bodies of that type
    instead.
    """
    if not has_body(req):
        raise webob.exc.HTTPBadRequest(_('Body expected in request.'))
    # A client that names no type is trusted to send what the call takes.
    if req.content_type and req.content_type not in content_types:
        raise webob.exc.HTTPUnsupportedMediaType(
            _('Content-Type %(got)s is not supported here; send %(want)s.')
            % {'got': req.content_type, 'want': ' or '.join(content_types)})
    try:
        data = jsonutils.loads(read_body(req).decode('utf-8'))
    except UnicodeDecodeError:
        raise webob.exc.HTTPBadRequest(
            _('The request body is not valid UTF-8.'))
    except RecursionError:
        raise webob.exc.HTTPBadRequest(
            _('The request body nests deeper than %d levels.')
            % MAX_JSON_DEPTH)
    except ValueError as exc:
        raise webob.exc.HTTPBadRequest(
            _('Malformed JSON in request body: %s') % exc)
    check_json(data)
    validate(data, (by_type or {}).get(req.content_type, schema))
    return data


def _shorten(value, limit=64):
    text = jsonutils.dumps(value)
    return text if len(text) <= limit else text[:limit] + '...'


def validate(data, schema, what=_('request body')):
    """Raise 400 naming the first thing in ``data`` that breaks ``schema``.

    A property's "description" is used to say what was expected, so the
    schemas double as error text.
    """
    error = jsonschema.exceptions.best_match(
        Validator(schema).iter_errors(data))
    if error is None:
        return
    if error.validator == 'required':
        message = _('Missing %(what)s: %(error)s.') % {
            'what': what, 'error': error.message}
    elif error.validator == 'additionalProperties' or not error.path:
        message = _('Invalid %(what)s: %(error)s.') % {
            'what': what, 'error': error.message}
    else:
        field = '/'.join(str(p) for p in error.absolute_path)
        expected = error.schema.get('description') or error.message
        message = _("Invalid value %(value)s for '%(field)s': expected "
                    "%(expected)s.") % {
            'value': _shorten(error.instance), 'field': field,
            'expected': expected}
    raise webob.exc.HTTPBadRequest(message)


def base_url(req):
    """The service's public root URL, without a trailing slash."""
    return (conf(req).public_endpoint or req.host_url).rstrip('/')


def query_params(req, schema, names):
    """The query parameters ``names``, validated against ``schema``.

    ``schema`` maps each parameter to its JSON schema, as the API
    description shows it; the answer maps each parameter given to its
    value. A repeated parameter counts once, with its last value (as in
    Glance), unless its schema is an array. Integers arrive as text and
    are read from ASCII digits only (int() also takes "5_0", " 50" and
    "٥٠"). 400 names the first bad parameter.
    """
    values = {}
    for name in names:
        if name not in req.GET:
            continue
        if schema[name].get('type') == 'array':
            values[name] = req.GET.getall(name)
            continue
        value = req.GET[name]
        if (schema[name].get('type') == 'integer'
                and re.fullmatch('[0-9]{1,20}', value)):
            value = int(value)
        values[name] = value
    error = jsonschema.exceptions.best_match(Validator(
        {'type': 'object', 'properties': schema}).iter_errors(values))
    if error is None:
        return values
    name = error.absolute_path[0]
    if error.validator == 'enum':
        message = _('Invalid %(name)s value: %(value)s. Use one of '
                    '%(allowed)s.') % {
            'name': name, 'value': error.instance,
            'allowed': ', '.join(error.validator_value)}
    else:
        message = _('Invalid value %(value)s for query parameter '
                    '%(name)s: expected %(expected)s.') % {
            'value': _shorten(error.instance), 'name': name,
            'expected': error.schema.get('description') or error.message}
    raise webob.exc.HTTPBadRequest(message)


def limit_param(req, values):
    """The page size of the validated query ``values``, within the max."""
    options = conf(req)
    return min(values.get('limit', options.limit_param_default),
               options.api_limit_max)


def isotime(value):
    """UTC timestamps as the Images API shows them: 2026-11-30T15:00:00Z."""
    return value.strftime('%Y-%m-%dT%H:%M:%SZ') if value else None


def json_body(schema, content_types=(JSON_TYPE,), by_type=None):
    """Decorate a handler that takes a JSON body valid under ``schema``.

    ``by_type`` gives other schemas for some of ``content_types``.

    The body is checked before the handler runs, so a bad body is a 400
    whatever else is wrong; the handler reads it with ``body(req)``.
    """
    def decorator(handler):
        @functools.wraps(handler)
        def wrapped(req):
            req.environ[BODY_KEY] = extract_json(req, schema, content_types,
                                                 by_type)
            return handler(req)
        wrapped.body_schema = schema
        wrapped.body_schemas = dict(
            {content_type: schema for content_type in content_types},
            **(by_type or {}))
        return wrapped
    return decorator


def body(req):
    return req.environ[BODY_KEY]


def read_transaction(handler):
    """Decorate a handler that reads in several steps: one transaction.

    The image lookup and the rows the handler returns (a member call's)
    then share one snapshot and one connection instead of taking one
    each. A handler with one DB API call needs none: that call is its own
    transaction. A write handler's reading steps (a function of the
    request and more arguments) may take one the same way, before its
    writer's own.
    """
    @functools.wraps(handler)
    def wrapped(req, *args, **kwargs):
        with db_engine.main_context_manager.reader.using(context(req)):
            return handler(req, *args, **kwargs)
    wrapped.read_transaction = True
    return wrapped


def no_body(handler):
    """Decorate a POST handler that takes no body: a body is a 400.

    api/wsgi_wrapper already refuses bodies on GET, HEAD and DELETE.
    """
    @functools.wraps(handler)
    def wrapped(req):
        # A POST is always readable, so has_body() cannot tell an empty
        # one; a chunked body is read (it is size-limited upstream).
        if req.content_length or (req.content_length is None and req.body):
            raise webob.exc.HTTPBadRequest(
                _('A body is not expected with this request.'))
        return handler(req)
    wrapped.takes_no_body = True
    return wrapped
