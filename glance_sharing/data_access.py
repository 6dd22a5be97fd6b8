"""Who may read an image's data straight from its store, kept in step.

With a multi-tenant Swift store (``swift_store_multi_tenant``), an image's
data sits in its owner's Swift account, in a container of its own, and
Swift lets other projects read it when the container's read ACL names
them. The ACL follows the rule the API applies to downloads
(``download_image``): members of a shared image whatever their status,
everyone for a public or community image, nobody else otherwise. So a
member can fetch the object from Swift with their own token exactly while
the API would let them download it.

``sync`` is called after every write that can change that set (a member
added or removed, a visibility change, data uploaded) has committed. It
rewrites the whole ACL from the database, so an update that failed (Swift
away, logged) is repaired by the next one. A member's status change does
not change who may read, so it calls for nothing.
"""

from glance_sharing.db import images as db_images
from glance_sharing.db import members as db_members
from glance_sharing import enums
from glance_sharing import exception
from glance_sharing import image_store


def readers(image, member_ids):
    """(public, projects): who may read the data of ``image``."""
    if image['visibility'] in enums.EVERYONE:
        return True, set()
    if image['visibility'] == 'shared':
        return False, set(member_ids)
    return False, set()


def sync(context, image_id, location, conf):
    """Make the store's read access for the image match the database.

    ``location`` is where the image's data is (None without data): with
    a store that keeps no access lists, this costs nothing.
    """
    if not image_store.keeps_access_lists(conf, location):
        return
    try:
        image = db_images.image_get(context, image_id)
        members = db_members.member_list(context, image_id)
    except exception.ImageNotFound:
        # Deleted since the write that called for this: its data is gone.
        return
    public, projects = readers(image, [m['member_id'] for m in members])
    image_store.set_readers(image['location'], public, projects, context)
