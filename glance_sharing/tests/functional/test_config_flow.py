"""An application runs by the configuration deploy.loadapp was given."""

from oslo_config import cfg

from glance_sharing import conf as gs_conf
from glance_sharing.tests import base
from glance_sharing.tests import fixtures


def _copy_of(conf, **overrides):
    """A new ConfigOpts with what ``conf`` (a ConfFixture's) sets."""
    other = cfg.ConfigOpts()
    gs_conf.register_opts(other)
    other([], project='glance-sharing', default_config_files=[],
          default_config_dirs=[])
    for group, name in [('api', 'auth_strategy'),
                        ('api', 'allow_noauth_for_development'),
                        ('paste_deploy', 'config_file'),
                        ('database', 'connection'),
                        ('glance_store', 'filesystem_store_datadir')]:
        other.set_override(name, conf[group][name], group=group)
    for name, value in overrides.items():
        other.set_override(name, value)
    return other


class ConfigurationFlowTest(base.TestCase):

    def test_handlers_read_the_apps_own_configuration(self):
        strict_conf = _copy_of(self.conf_fixture.conf, image_tag_quota=0,
                               public_endpoint='https://images.example')
        default = self.useFixture(fixtures.APIClient(self.conf_fixture.conf))
        strict = self.useFixture(fixtures.APIClient(strict_conf))
        # The global configuration is untouched: its app takes a tag.
        default.request('POST', '/v2/images', {'tags': ['a']}, status=201)
        response = strict.request('POST', '/v2/images', {'tags': ['a']},
                                  status=413)
        self.assertIn('the limit is 0', response.json['error']['message'])
        # Version discovery, before the router, uses it too.
        versions = strict.request('GET', '/versions', status=200).json
        self.assertEqual('https://images.example/v2/',
                         versions['versions'][0]['links'][0]['href'])
        versions = default.request('GET', '/versions', status=200).json
        self.assertEqual('http://localhost/v2/',
                         versions['versions'][0]['links'][0]['href'])
