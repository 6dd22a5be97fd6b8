"""The shape every glance-sharing middleware shares."""


class Middleware:
    """A WSGI filter around ``application``, built by Paste's factory."""

    def __init__(self, application):
        self.application = application

    @classmethod
    def factory(cls, global_config, **local_config):
        """paste.filter_factory: the class itself wraps the next app."""
        return cls
