"""The operator pages set only options the service has, in their groups.

Every ``.. code-block:: ini`` of doc/source/admin/ is parsed as
glance-sharing.conf would be, and each option it sets must be one the
service registers once its production (keystone) pipeline is loaded, so
a renamed or misplaced option cannot stay in the docs.
"""

import configparser
import glob
import os
import re

from keystoneauth1 import loading as ks_loading

from glance_sharing.conf import CONF
from glance_sharing.conf import notifications as notifications_conf
from glance_sharing import deploy
from glance_sharing.tests import base
from glance_sharing.tests import fixtures as gs_fixtures

ADMIN_DOCS = sorted(glob.glob(os.path.join(
    gs_fixtures.REPO_ROOT, 'doc', 'source', 'admin', '*.rst')))


def ini_blocks(path):
    """The text of each ini code block of an rst file."""
    with open(path) as doc:
        lines = doc.read().splitlines()
    blocks = []
    for number, line in enumerate(lines):
        if line.strip() != '.. code-block:: ini':
            continue
        indent = len(line) - len(line.lstrip()) + 3
        body = []
        for following in lines[number + 1:]:
            if following.strip() and not following.startswith(
                    ' ' * indent):
                break
            body.append(following[indent:])
        blocks.append('\n'.join(body))
    return blocks


def auth_plugin_options(parser, section):
    """Options of the keystoneauth plugin a section names in auth_type.

    auth_token registers them only when it loads the plugin.
    """
    if not parser.has_option(section, 'auth_type'):
        return set()
    return {opt.dest for opt in ks_loading.get_auth_plugin_conf_options(
        parser.get(section, 'auth_type'))}


# Sections the admin pages show that are not glance-sharing.conf options.
OTHER_SECTIONS = {
    # A reference in the file named by [glance_store]
    # swift_store_config_file (swift.rst).
    'swift-store',
    # keystonemiddleware's audit filter registers these itself, when the
    # keystone+audit pipeline loads (audit.rst).
    'audit_middleware_notifications',
}


class AdminDocsOptionsTest(base.TestCase):

    def test_every_documented_option_exists(self):
        self.conf_fixture.config(auth_strategy='keystone', group='api')
        deploy.loadapp(CONF)
        # oslo.messaging registers its options when the first
        # notification is sent, and transport_url when it connects.
        oslo_messaging = notifications_conf.messaging(CONF)
        oslo_messaging.get_notification_transport(CONF)
        checked = 0
        unknown = []
        for path in ADMIN_DOCS:
            for block in ini_blocks(path):
                # ConfigParser keeps [DEFAULT] apart; oslo.config's group.
                parser = configparser.RawConfigParser(
                    default_section='no such section', strict=False,
                    interpolation=None)
                parser.read_string(block)
                for section in parser.sections():
                    if section in OTHER_SECTIONS:
                        continue
                    group = None if section == 'DEFAULT' else section
                    for name in parser.options(section):
                        checked += 1
                        if name in auth_plugin_options(parser, section):
                            continue
                        try:
                            CONF._get_opt_info(name, group)
                        except Exception:
                            unknown.append('%s: [%s] %s' % (
                                os.path.basename(path), section, name))
        self.assertGreater(checked, 20)
        self.assertEqual([], unknown)

    def test_no_openstack_image_url_option(self):
        # python-openstackclient has no --os-image-url.
        for path in ADMIN_DOCS:
            with open(path) as doc:
                self.assertIsNone(
                    re.search(r'openstack\s+--os-image-url', doc.read()),
                    path)
