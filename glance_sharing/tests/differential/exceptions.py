"""The places where glance-sharing answers differently from Glance on purpose.

Each entry names one decision (shared/spec/decisions.md, or one of ours
documented in the API reference), says why, and recognises the
differences it accounts for. ``explain`` returns the name of the first
entry that accounts for a difference, or None: any difference no entry
explains fails the differential tests.
"""

import dataclasses
import typing


@dataclasses.dataclass(frozen=True)
class Exception_:
    name: str
    reason: str
    matches: typing.Callable


def _error_body(d):
    return d.where == 'error body'


def _versions_list(d):
    return d.request.path in ('/', '/versions') and d.where == '/versions'


def _image_schema(d):
    return d.request.path in ('/v2/schemas/image', '/v2/schemas/images')


def _link_repeats_parameters(d):
    """A first/next link where the query repeats a parameter."""
    if d.where not in ('/first', '/next'):
        return False
    names = [part.partition('=')[0]
             for part in d.request.path.partition('?')[2].split('&')]
    return len(names) != len(set(names))


def _member_order(d):
    return d.where == '/members order'


def _invisible_marker(d):
    return (d.where == 'status' and 'marker=' in d.request.path
            and (d.glance, d.ours) == (403, 400))


EXCEPTIONS = (
    Exception_(
        'json-error-bodies',
        'decisions.md 1: every error is a nested JSON object; Glance sends '
        'webob HTML or flat text. Status codes are still compared.',
        _error_body),
    Exception_(
        'advertised-versions',
        'decisions.md "Images: how much we implement": the versions '
        'document lists only v2.0-v2.5, the versions whose calls we serve '
        '(no import, stores, tasks, cache or discovery calls); Glance lists '
        'up to v2.17. Status codes are still compared.',
        _versions_list),
    Exception_(
        'truthful-image-schema',
        'decisions.md "Wire compatibility": /v2/schemas/image(s) truthfully '
        'describes the images we return (our limits: minimum 0, unique '
        'tags, string-only additional properties of up to 65535 '
        'characters; no locations, direct_url or stores, which we never '
        'return), in our own words. glanceclient validates against it.',
        _image_schema),
    Exception_(
        'links-keep-repeated-parameters',
        'Glance builds first/next links from a dict of the query, so of a '
        'repeated parameter (tag=a&tag=b) only the last survives and the '
        'link asks a different question; ours repeat every parameter. The '
        'images returned are still compared.',
        _link_repeats_parameters),
    Exception_(
        'ordered-member-lists',
        'decisions.md 5: member lists are ordered by (created_at, '
        'member_id); Glance returns them in no defined order. The set of '
        'members and every field are still compared.',
        _member_order),
    Exception_(
        'invisible-marker-is-unknown',
        'api-ref "marker": a marker naming an image the caller cannot see '
        'is 400, as an unknown one is, so a list never confirms that an '
        'image it does not show exists (the rule behind 404-never-403); '
        'Glance answers 403 and so tells that the id exists.',
        _invisible_marker),
)


def explain(difference):
    for exception in EXCEPTIONS:
        if exception.matches(difference):
            return exception.name
    return None
