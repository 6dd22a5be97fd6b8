"""Load the gabbi YAML API tests in gabbits/."""

import os

from gabbi import driver

from glance_sharing.tests.functional import gabbi_fixtures

TESTS_DIR = os.path.join(os.path.dirname(__file__), 'gabbits')


def load_tests(loader, tests, pattern):
    return driver.build_tests(TESTS_DIR, loader, host=None,
                              test_loader_name=__name__,
                              intercept=gabbi_fixtures.setup_app,
                              fixture_module=gabbi_fixtures)
