"""One test method per route: named after it, generated from a table.

A new route in the route table then gets its policy-matrix and fuzz
tests without anyone writing them, and fails until it is described.
"""

from glance_sharing.api import router


def served():
    """(method, path) of every call the route table serves."""
    return [(method, path) for path, methods in router.ROUTES.items()
            for method in methods]


def test_name(method, path):
    """test_<method>_<path as words>, e.g. test_get_v2_images_image_id."""
    words = path.replace('{', '').replace('}', '').replace('.', '_')
    return 'test_%s%s' % (method.lower(), words.replace('/', '_') or '_')


def add(cls, calls, check, what):
    """Give ``cls`` a test per (method, path) calling ``check(self, ...)``.

    ``check`` is the name of a method of ``cls`` taking method and path.
    """
    def make(method, path):
        def test(self):
            getattr(self, check)(method, path)
        test.__doc__ = '%s: %s %s' % (what, method, path)
        return test

    for method, path in calls:
        setattr(cls, test_name(method, path), make(method, path))
