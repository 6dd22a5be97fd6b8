"""The image list's filters, read from the query as Glance reads them.

``name=in:a,"b,c"``, ``status=in:queued,active``, ``created_at=gt:<ISO
8601>``, ``size_min=1024``, ``owner=...``, ``hw_disk_bus=virtio`` (an
additional property), ...: each becomes a (column, operator, value)
condition or a property equality for db.images.image_get_all.
"""

import re

from oslo_utils import timeutils
import webob.exc

from glance_sharing.api.schemas import images as schemas
from glance_sharing.i18n import _

# Columns that take "in:" (or a plain value, or "eq:").
LISTABLE = frozenset(['id', 'name', 'status', 'container_format',
                      'disk_format'])
# Columns compared with an operator to an ISO 8601 time.
TIMES = frozenset(['created_at', 'updated_at'])
TIME_OPERATORS = frozenset(['eq', 'neq', 'gt', 'gte', 'lt', 'lte'])
# Integer columns with <column>_min and <column>_max bounds.
RANGES = frozenset(['size', 'virtual_size', 'min_disk', 'min_ram'])
# Columns compared by equality alone.
EQUALS = frozenset(['owner', 'checksum', 'os_hash_algo', 'os_hash_value'])
BOOLEANS = {'protected', 'os_hidden'}
_TRUTH = {'true': True, 'false': False}

# Query parameters that are not filters at all.
NOT_FILTERS = frozenset(schemas.LIST_QUERY)

# One item of an "in:" list: a double-quoted string (which may hold
# commas and \-escaped quotes) or a run of non-commas.
_LIST_ITEM = re.compile(r'"((?:[^"\\]|\\.)*)",?|([^,]+),?|,')


def _bad(message, **values):
    raise webob.exc.HTTPBadRequest(message % values)


def _split_operator(expression):
    """(operator, value); a plain value, or a bare ISO time, is "eq"."""
    left, sep, right = expression.partition(':')
    if not sep:
        return 'eq', expression
    try:
        timeutils.parse_isotime(expression)
    except ValueError:
        return left, right
    return 'eq', expression


def _check_quotes(value):
    quoted = False
    for i, char in enumerate(value):
        if char != '"' or (i and value[i - 1] == '\\'):
            continue
        if not quoted and i and value[i - 1] != ',':
            _bad(_('Invalid filter value %(value)s. There is no comma '
                   'before opening quotation mark.'), value=value)
        if quoted and i + 1 != len(value) and value[i + 1] != ',':
            _bad(_('Invalid filter value %(value)s. There is no comma '
                   'after closing quotation mark.'), value=value)
        quoted = not quoted
    if quoted:
        _bad(_('Invalid filter value %(value)s. The quote is not closed.'),
             value=value)


def split_list(value):
    """The items of an "in:" list, quotes as Glance (and the API-WG) read."""
    _check_quotes(value)
    return [quoted or plain for quoted, plain in _LIST_ITEM.findall(value)]


def _listable(name, value):
    operator, operand = _split_operator(value)
    if operator == 'in':
        return name, 'in', split_list(operand)
    if operator == 'eq':
        return name, 'eq', operand
    _bad(_("Unable to filter by unknown operator '%(operator)s'."),
         operator=operator)


def _time(name, value):
    operator, operand = _split_operator(value)
    try:
        moment = timeutils.normalize_time(timeutils.parse_isotime(operand))
    except ValueError:
        _bad(_('Bad "%(name)s" query filter format. Use ISO 8601 DateTime '
               'notation.'), name=name)
    if operator not in TIME_OPERATORS:
        _bad(_("Unable to filter by unknown operator '%(operator)s'."),
             operator=operator)
    return name, operator, moment


# Glance reads a bound with int(): a sign is allowed (size_max=-1 matches
# nothing, with 200), digit separators and spaces are not taken here.
_SIGNED = re.compile(r'[+-]?[0-9]+')


def _bound(name, value):
    column, suffix = name[:-4], name[-3:]
    if not _SIGNED.fullmatch(value):
        _bad(_('Unable to filter on a range with a non-numeric value.'))
    return column, 'gte' if suffix == 'min' else 'lte', int(value)


def _integer(name, value):
    if not value.isdigit():
        _bad(_('%(name)s must be a non-negative integer, not %(value)s.'),
             name=name, value=value)
    return name, 'eq', int(value)


def _boolean(name, value):
    if value.lower() not in _TRUTH:
        _bad(_('%(name)s must be true or false, not %(value)s.'),
             name=name, value=value)
    return name, 'eq', _TRUTH[value.lower()]


def _query():
    """The filters as query parameters, for the API description.

    Any other name not in NOT_FILTERS filters on an additional property.
    """
    text = {'type': 'string'}
    query = {}
    for name in LISTABLE:
        query[name] = dict(text, description='a value, or "in:" and a '
                                             'comma-separated list')
    for name in TIMES:
        query[name] = dict(text, description='an ISO 8601 time, after an '
                                             'operator such as "gt:"')
    for name in RANGES:
        query[name] = {'type': 'integer', 'minimum': 0,
                       'description': 'equal to this value'}
        for suffix, bound in (('_min', 'at least'), ('_max', 'at most')):
            query[name + suffix] = {'type': 'integer', 'minimum': 0,
                                    'description': bound + ' this value'}
    for name in EQUALS:
        query[name] = dict(text, description='equal to this value')
    for name in BOOLEANS:
        query[name] = dict(text, description='true or false, in any case',
                           pattern='^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss]'
                                   '[Ee])$')
    return query


QUERY = _query()


def parse(params):
    """(conditions, properties) of a list request's query ``params``.

    Hidden images stay out unless ``os_hidden`` is asked for.
    """
    conditions, properties = [], {}
    # Of a repeated filter (status=a&status=b) the last one counts, as in
    # Glance, which reads each with MultiDict.get.
    for name, value in dict(params.items()).items():
        if name in NOT_FILTERS:
            continue
        if name in LISTABLE:
            conditions.append(_listable(name, value))
        elif name in TIMES:
            conditions.append(_time(name, value))
        elif name[:-4] in RANGES and name[-4:] in ('_min', '_max'):
            conditions.append(_bound(name, value))
        elif name in BOOLEANS:
            conditions.append(_boolean(name, value))
        elif name in RANGES:
            conditions.append(_integer(name, value))
        elif name in EQUALS:
            conditions.append((name, 'eq', value))
        else:
            properties[name] = value
    if 'os_hidden' not in params:
        conditions.append(('os_hidden', 'eq', False))
    return conditions, properties
