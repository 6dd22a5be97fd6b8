"""The one wrapper every handler runs in: request checks, errors as JSON.

The router only finds the handler; this module runs it. Before the
handler, it refuses what no call takes (a path or query string that is
not UTF-8 or holds NUL, a body sent to a call that reads none); after,
it turns what the handler raised into our JSON error: webob HTTP errors,
domain errors (glance_sharing.exception, each with its HTTP code) and
database failures (503 with Retry-After, since the next try may work).
"""

from oslo_db import exception as db_exc
from oslo_log import log as logging
import webob.exc

from glance_sharing.api import util
from glance_sharing.db import engine as db_engine
from glance_sharing import exception
from glance_sharing.i18n import _

LOG = logging.getLogger(__name__)

_RETRY_AFTER = {'Retry-After': '5'}


def respond(req, handler, check_body=True):
    """The response of ``handler`` to ``req``, errors included.

    ``check_body`` False leaves a body sent to a call that reads none to
    the handler (the router's 404 and 405 answers come first).
    """
    try:
        path = util.decoded_path(req)
        if path is not None:
            util.check_query_and_path(req, path)
        if check_body:
            refusal = util.unexpected_body(req)
            if refusal is not None:
                raise refusal
        return handler(req)
    except exception.GlanceSharingException as exc:
        return util.error_response(
            req, webob.exc.status_map[exc.code](str(exc),
                                                headers=exc.headers))
    except webob.exc.WSGIHTTPException as exc:
        if exc.code >= 500:
            LOG.error('%s %s failed: %s', req.method, req.path, exc)
        return util.error_response(req, exc)
    except (db_exc.DBDeadlock, db_engine.DatabaseBusy):
        # Still conflicting after the writer's retries, or SQLite's lock
        # still taken: the next attempt may well succeed.
        LOG.exception('Database busy during %s %s', req.method, req.path)
        return util.error_response(req, webob.exc.HTTPServiceUnavailable(
            _('The database is busy; retry later.'), headers=_RETRY_AFTER))
    except db_exc.DBConnectionError:
        LOG.exception('Database unreachable during %s %s',
                      req.method, req.path)
        return util.error_response(req, webob.exc.HTTPServiceUnavailable(
            _('The database is unreachable; retry later.'),
            headers=_RETRY_AFTER))
