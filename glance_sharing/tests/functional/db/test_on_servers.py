"""The DB API tests again, on MariaDB and PostgreSQL.

The classes of test_db_*.py beside this module run on SQLite; here each
one is subclassed with a scenario per server backend, so the same
assertions hold on every database we support.
"""

import testscenarios

from glance_sharing.tests.functional.db import test_db_image_list
from glance_sharing.tests.functional.db import test_db_members

load_tests = testscenarios.load_tests_apply_scenarios

SERVERS = [('mysql', {'db_backend': 'mysql'}),
           ('postgresql', {'db_backend': 'postgresql'})]


class HistoryTest(test_db_members.HistoryTest):
    scenarios = SERVERS


class UpdateTest(test_db_members.UpdateTest):
    scenarios = SERVERS


class CreateTest(test_db_members.CreateTest):
    scenarios = SERVERS


class ReadTest(test_db_members.ReadTest):
    scenarios = SERVERS


class ImageListMatrixTest(test_db_image_list.ImageListMatrixTest):
    scenarios = SERVERS
