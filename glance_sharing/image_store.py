"""Image data in glance_store: the one place that knows its API and errors.

glance_store keeps module-level stores built from ``[glance_store]``;
``setup`` builds them once per process. Its exceptions become our domain
errors here, so handlers never see a store exception.
"""

import collections
import os

import glance_store
from glance_store import exceptions as store_exc
from keystoneauth1 import exceptions as ks_exc
from oslo_log import log as logging

from glance_sharing import exception

try:
    from swiftclient import exceptions as swift_exc
except ImportError:  # Swift is optional; without swiftclient no swift store.
    swift_exc = None

LOG = logging.getLogger(__name__)

# What a store that fails (a disk error, a remote store down, denied
# writes) raises; it may work again in a moment. glance_store's own errors
# (BackendException is not a GlanceStoreException); the filesystem store
# lets some disk errors through as OSError, and so are requests'
# connection errors; the Swift driver lets swiftclient's through (the
# proxy unreachable or failing while it looks for the container), and,
# multi-tenant, keystoneauth's when the caller's catalog has no
# object-store endpoint in the store's region.
STORE_FAILURES = (store_exc.GlanceStoreException, store_exc.BackendException,
                  OSError, ks_exc.CatalogException) + (
                      (swift_exc.ClientException,) if swift_exc else ())

# glance_store's Swift driver counts its sizes in units of 1000 KiB.
SWIFT_STORE_MB = 1000 * 1024

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
                conf, image_id, data, _announced_size(conf, size),
                conf.hashing_algorithm, context=context))
    except exception.GlanceSharingException:
        raise
    except store_exc.StorageFull:
        raise exception.StorageFull()
    except store_exc.Duplicate:
        LOG.error('The store already holds data for image %s, which no '
                  'image refers to', image_id)
        raise exception.StoredDataExists(image_id=image_id)
    except STORE_FAILURES as exc:
        LOG.exception('Storing the data of image %s failed', image_id)
        raise exception.StoreUnavailable(reason=_reason(exc))
    return Stored(location, written, checksum, conf.hashing_algorithm,
                  multihash)


def _announced_size(conf, size):
    """The size to tell glance_store: ``size``, or 0 where it cannot cope.

    glance_store 5.6.0's Swift driver segments a known-size upload of at
    least ``swift_store_large_object_size`` with a Content-Length of a
    whole chunk on every segment, the last one included: unless the size
    is a multiple of the chunk size, Swift waits for bytes that never come
    and the upload fails after the proxy's client_timeout (measured
    against Swift 2.38; tests/integration/test_swift_store.py keeps the
    proof). Told no size, the driver sends each segment chunked, which
    works. Nothing is lost: UploadStream checks what arrives against the
    Content-Length whatever the store was told.
    """
    store_conf = conf.glance_store
    if store_conf.default_store != 'swift':
        return size
    if size >= store_conf.swift_store_large_object_size * SWIFT_STORE_MB:
        return 0
    return size


def get(location, offset=0, length=None, context=None):
    """An iterator over the data at ``location``, or None if it is gone."""
    try:
        try:
            data, _size = glance_store.get_from_backend(
                location, offset=offset, chunk_size=length, context=context)
        except store_exc.StoreRandomGetNotSupported:
            # The Swift driver reads whole objects only: skip to the range.
            data, _size = glance_store.get_from_backend(location,
                                                        context=context)
            data = _byte_range(data, offset, length)
    except store_exc.NotFound:
        LOG.warning('The data of an image is missing from its store: %s',
                    _redacted(location))
        return None
    except STORE_FAILURES as exc:
        LOG.exception('Reading image data from %s failed',
                      _redacted(location))
        raise exception.StoreUnavailable(reason=_reason(exc))
    return data


def _byte_range(chunks, offset, length):
    """The bytes [offset, offset + length) of an iterator of chunks."""
    try:
        for chunk in chunks:
            if offset >= len(chunk):
                offset -= len(chunk)
                continue
            chunk, offset = chunk[offset:], 0
            if length is not None:
                chunk = chunk[:length]
                length -= len(chunk)
            yield chunk
            if length == 0:
                return
    finally:
        # Stop reading from the store when the range is complete.
        close = getattr(chunks, 'close', None)
        if close:
            close()


def keeps_access_lists(conf, location):
    """Whether the store holding ``location`` says who may read it.

    Only a multi-tenant Swift store does: the data sits in the owner's
    Swift account, in a container of its own, whose read ACL lets other
    projects in.
    """
    return bool(location and location.startswith('swift')
                and conf.glance_store.swift_store_multi_tenant)


def set_readers(location, public, projects, context):
    """Let ``projects`` (or everyone, when ``public``) read ``location``.

    Replaces what the store allowed before. Acts as the caller
    (``context``), who must be allowed to change the owner's container.
    Failures are logged and returned (False), not raised: the database
    write that called for this has already happened.
    """
    try:
        glance_store.set_acls(location, public=public,
                              read_tenants=sorted(projects),
                              context=context)
    except (store_exc.NotFound,) + STORE_FAILURES:
        LOG.exception('Could not set who may read %s from the store; the '
                      'next change of its members will retry',
                      _redacted(location))
        return False
    return True


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
