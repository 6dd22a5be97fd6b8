"""Options for image data: the size cap, the hash, and the stores.

The ``[glance_store]`` group (``stores``, ``default_store``,
``filesystem_store_datadir``, the Swift options, ...) belongs to
glance_store and is registered by it, under the names and defaults an
operator already knows from glance-api.conf.
"""

import hashlib

from oslo_config import cfg

# Glance's defaults: 1 TiB, and the sha512 "multihash".
DEFAULT_OPTS = [
    cfg.IntOpt(
        'image_size_cap',
        default=1099511627776,
        min=1,
        max=9223372036854775808,
        help='Largest image, in bytes, that may be uploaded. An upload '
             'that claims more in its Content-Length is refused at once '
             'with 413; one that sends more is stopped at the cap, with '
             '413, and nothing of it is kept.'),
    cfg.StrOpt(
        'hashing_algorithm',
        default='sha512',
        choices=sorted(hashlib.algorithms_guaranteed),
        help='Algorithm of the secure hash computed while image data is '
             'uploaded, shown as os_hash_algo and os_hash_value. The MD5 '
             '"checksum" is always computed as well, for older clients.'),
]


def register_opts(conf):
    # Imported here: glance_store loads every store driver to list their
    # options, which only a process that serves data needs.
    import glance_store
    conf.register_opts(DEFAULT_OPTS)
    glance_store.register_opts(conf)


def list_opts():
    # [glance_store] comes from glance_store's own "glance.store"
    # namespace in the sample generator.
    return {'DEFAULT': DEFAULT_OPTS}
