"""Load the gabbi YAML API tests in gabbits/."""

import functools
import os

from gabbi import driver
import jsonpath_ng.ext

from glance_sharing.tests.functional import gabbi_fixtures

TESTS_DIR = os.path.join(os.path.dirname(__file__), 'gabbits')


def _cache_jsonpath_parser():
    """Parse each JSONPath once.

    gabbi builds a new yacc parser for every response_json_paths entry,
    about 50 ms of CPU each, which was most of this suite's run time. The
    same paths recur and a parsed path is never changed, so caching
    changes nothing else.
    """
    if not hasattr(jsonpath_ng.ext.parse, 'cache_info'):
        jsonpath_ng.ext.parse = functools.lru_cache(maxsize=None)(
            jsonpath_ng.ext.parse)


def load_tests(loader, tests, pattern):
    _cache_jsonpath_parser()
    return driver.build_tests(TESTS_DIR, loader, host=None,
                              test_loader_name=__name__,
                              intercept=gabbi_fixtures.setup_app,
                              fixture_module=gabbi_fixtures)
