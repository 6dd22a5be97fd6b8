"""Image data in glance_store: the one place that knows its API and errors.

glance_store keeps module-level stores built from ``[glance_store]``;
``setup`` builds them once per process. Its exceptions become our domain
errors here, so handlers never see a store exception.
"""

import collections
import os

import glance_store
from glance_store import exceptions as store_exc
from oslo_log import log as logging

from glance_sharing import exception

LOG = logging.getLogger(__name__)

Stored = collections.namedtuple(
    'Stored', ['location', 'size', 'checksum', 'os_hash_algo',
               'os_hash_value'])


def setup(conf):
    """Build the configured stores; fail start-up on a bad configuration."""
    glance_store.create_stores(conf)
    glance_store.verify_default_store()


def add(conf, image_id, data, size, context=None):
    """Write ``data`` (a file-like object) as the image's data.

    ``size`` is what the client announced, 0 when it did not say. On any
    failure the store has removed what it wrote, and the error is ours.
    """
    try:
        location, written, checksum, multihash, _metadata = (
            glance_store.add_to_backend_with_multihash(
                conf, image_id, data, size, conf.hashing_algorithm,
                context=context))
    except exception.GlanceSharingException:
        raise
    except store_exc.StorageFull:
        raise exception.StorageFull()
    except store_exc.Duplicate:
        LOG.error('The store already holds data for image %s, which no '
                  'image refers to', image_id)
        raise exception.StoredDataExists(image_id=image_id)
    except (store_exc.GlanceStoreException, store_exc.BackendException,
            OSError) as exc:
        # A store that fails (a disk error, a remote store down, denied
        # writes) may work again in a moment; the filesystem store lets
        # some disk errors through as OSError.
        LOG.exception('Storing the data of image %s failed', image_id)
        raise exception.StoreUnavailable(reason=_reason(exc))
    return Stored(location, written, checksum, conf.hashing_algorithm,
                  multihash)


def get(location, offset=0, length=None, context=None):
    """An iterator over the data at ``location``, or None if it is gone."""
    try:
        data, _size = glance_store.get_from_backend(
            location, offset=offset, chunk_size=length, context=context)
    except store_exc.NotFound:
        LOG.warning('The data of an image is missing from its store: %s',
                    _redacted(location))
        return None
    except (store_exc.GlanceStoreException, store_exc.BackendException,
            OSError) as exc:
        LOG.exception('Reading image data from %s failed',
                      _redacted(location))
        raise exception.StoreUnavailable(reason=_reason(exc))
    return data


def delete(location, context=None):
    """Delete the data at ``location``; log, never raise, if that fails.

    Called after the database no longer refers to the data, so a failure
    here leaves unreferenced data behind, logged for the operator to
    remove, and must not fail the request that got rid of the image.
    """
    try:
        glance_store.delete_from_backend(location, context=context)
    except store_exc.NotFound:
        pass
    except Exception:
        LOG.exception('Could not delete image data at %s; it is no longer '
                      'referenced and can be removed by hand',
                      _redacted(location))


def _reason(exc):
    # What the caller may know: the kind of failure, not paths or hosts.
    if isinstance(exc, OSError) and exc.errno:
        return os.strerror(exc.errno)
    return type(exc).__name__


def _redacted(location):
    # Swift locations may carry credentials (swift://user:key@host/...).
    scheme, sep, rest = location.partition('://')
    return scheme + sep + rest.rpartition('@')[2]
