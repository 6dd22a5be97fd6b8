"""The values the API, the access rules and the database share.

One list each: the JSON schemas, the models' check constraints and the
visibility rules all read them from here. (Migrations keep the values
they were written with, as migrations must.)
"""

VISIBILITIES = ('public', 'community', 'shared', 'private')
# Visibilities whose images every project may see and download.
EVERYONE = ('public', 'community')
MEMBER_STATUSES = ('pending', 'accepted', 'rejected')
# Glance's image statuses, all of which the image schema names.
IMAGE_STATUSES = ('queued', 'saving', 'active', 'killed', 'deleted',
                  'pending_delete', 'deactivated', 'uploading', 'importing')
# Image ids are UUIDs in any case, with dashes (Glance's pattern).
UUID_PATTERN = ('^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}'
                '-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$')
