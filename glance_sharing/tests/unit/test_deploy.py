"""deploy.loadapp builds the pipeline of the configuration it is given."""

from unittest import mock

from paste import deploy as paste_deploy
import testtools

from glance_sharing import deploy

PIPELINES = {'keystone': 'authtoken context router',
             'noauth': 'noauth context router'}


class _Loader:
    """What a Paste composite's loader offers, recording what is built."""

    def get_app(self, name):
        return ['app ' + name]

    def get_filter(self, name):
        return lambda app: app + ['filter ' + name]


class TestPipelineFactory(testtools.TestCase):

    def _load(self, conf):
        """loadapp(conf), with Paste calling the composite as it would."""
        def paste_loadapp(uri, name):
            return deploy.pipeline_factory(_Loader(), {}, **PIPELINES)
        with mock.patch.object(deploy, 'check_auth_strategy'), \
                mock.patch.object(deploy, 'require_database'), \
                mock.patch.object(deploy.policy, 'get_enforcer'), \
                mock.patch.object(deploy.image_store, 'setup'), \
                mock.patch.object(deploy, 'paste_file',
                                  return_value='/x/api-paste.ini'), \
                mock.patch.object(paste_deploy, 'loadapp',
                                  side_effect=paste_loadapp):
            return deploy.loadapp(conf)

    def test_the_given_configuration_wins_over_the_global_one(self):
        conf = mock.Mock()
        conf.api.auth_strategy = 'noauth'
        with mock.patch.object(deploy, 'CONF') as service_conf:
            service_conf.api.auth_strategy = 'keystone'
            app = self._load(conf)
            # Once built, nothing of that configuration stays behind.
            later = deploy.pipeline_factory(_Loader(), {}, **PIPELINES)
        self.assertEqual(['app router', 'filter context', 'filter noauth'],
                         app)
        self.assertEqual('filter authtoken', later[-1])

    def test_nothing_reaches_the_filters_global_conf(self):
        # auth_token warns about every global_conf key it does not know.
        conf = mock.Mock()
        conf.api.auth_strategy = 'keystone'
        with mock.patch.object(paste_deploy, 'loadapp') as loadapp, \
                mock.patch.object(deploy, 'check_auth_strategy'), \
                mock.patch.object(deploy, 'require_database'), \
                mock.patch.object(deploy.policy, 'get_enforcer'), \
                mock.patch.object(deploy.image_store, 'setup'), \
                mock.patch.object(deploy, 'paste_file',
                                  return_value='/x/api-paste.ini'):
            deploy.loadapp(conf)
        loadapp.assert_called_once_with('config:/x/api-paste.ini',
                                        name='glance-sharing')
