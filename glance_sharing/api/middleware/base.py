"""The shape every glance-sharing middleware shares."""

from oslo_log import log as logging
import webob

from glance_sharing import deploy

LOG = logging.getLogger(__name__)


class Middleware:
    """A WSGI filter around ``application``, built by Paste's factory.

    A subclass's ``process(req)`` answers the request with a response, or
    lets it through with None. Letting it through calls the next
    application directly: no response object is built around what it
    returns, which every webob ``wsgify`` layer would do. A filter that
    must see the response (the fault wrapper, the request log) has its
    own ``__call__`` instead.
    """

    def __init__(self, application):
        self.application = application

    @classmethod
    def factory(cls, global_config, **local_config):
        """paste.filter_factory: the class itself wraps the next app."""
        return cls

    def __call__(self, environ, start_response):
        response = self.process(webob.Request(environ))
        if response is None:
            return self.application(environ, start_response)
        return response(environ, start_response)

    def process(self, req):
        raise NotImplementedError()


def oslo_filter_factory(filter_class):
    """A Paste filter factory for an oslo.middleware filter class.

    The filter reads its options from the configuration the service was
    built with. oslo.middleware's own Paste factory, given
    oslo_config_project, parses the project's default files again
    (~/.glance-sharing/, /etc/glance-sharing/) instead of the files this
    process was started with, and given nothing it reads the global
    configuration or the Paste section.
    """
    def filter_factory(global_config, **local_config):
        if local_config:
            LOG.warning('%s ignores %s in the Paste file: set them in '
                        'glance-sharing.conf.', filter_class.__name__,
                        ', '.join(sorted(local_config)))
        conf = deploy.building_conf()

        def make_filter(application):
            return filter_class(application, conf)
        return make_filter
    return filter_factory
