"""deploy.loadapp builds the pipeline of the configuration it is given."""

from unittest import mock

from paste import deploy as paste_deploy
import testtools

from glance_sharing import deploy


class _Loader:
    """What a Paste composite's loader offers, recording what is built."""

    def get_app(self, name):
        return ['app ' + name]

    def get_filter(self, name):
        return lambda app: app + ['filter ' + name]


class TestPipelineFactory(testtools.TestCase):

    PIPELINES = {'keystone': 'authtoken context router',
                 'noauth': 'noauth context router'}

    def test_the_given_strategy_wins_over_the_global_configuration(self):
        with mock.patch.object(deploy.CONF, 'api') as api:
            api.auth_strategy = 'keystone'
            app = deploy.pipeline_factory(
                _Loader(), {'auth_strategy': 'noauth'}, **self.PIPELINES)
        self.assertEqual(['app router', 'filter context', 'filter noauth'],
                         app)

    def test_a_paste_file_loaded_elsewhere_uses_the_service_configuration(
            self):
        with mock.patch.object(deploy.CONF, 'api') as api:
            api.auth_strategy = 'keystone'
            app = deploy.pipeline_factory(_Loader(), {}, **self.PIPELINES)
        self.assertEqual('filter authtoken', app[-1])

    def test_loadapp_passes_its_configuration_strategy(self):
        conf = mock.Mock()
        conf.api.auth_strategy = 'keystone'
        with mock.patch.object(deploy, 'check_auth_strategy'), \
                mock.patch.object(deploy, 'require_database'), \
                mock.patch.object(deploy.policy, 'get_enforcer'), \
                mock.patch.object(deploy.image_store, 'setup'), \
                mock.patch.object(deploy, 'paste_file',
                                  return_value='/x/api-paste.ini'), \
                mock.patch.object(paste_deploy, 'loadapp') as loadapp:
            deploy.loadapp(conf)
        loadapp.assert_called_once_with(
            'config:/x/api-paste.ini', name='glance-sharing',
            global_conf={'auth_strategy': 'keystone'})
