"""The per-request context: who is calling, and their DB transaction."""

from oslo_context import context
from oslo_db.sqlalchemy import enginefacade


@enginefacade.transaction_context_provider
class RequestContext(context.RequestContext):
    """An oslo.context RequestContext that also carries DB transactions."""

    def __init__(self, is_admin=None, service_catalog=None, config=None,
                 **kwargs):
        super().__init__(is_admin=bool(is_admin), **kwargs)
        # The configuration of the application serving the request
        # (deploy.loadapp's); None outside a request.
        self.config = config
        # Keystone role names are case-insensitive; policy checks are not.
        self.roles = [role.lower() for role in self.roles]
        # The caller's catalog as auth_token passes it on (X-Service-
        # Catalog): a multi-tenant Swift store finds the caller's own
        # Swift account in it.
        self.service_catalog = service_catalog


def get_admin_context():
    """A context for operator tools that act outside any request."""
    return RequestContext(is_admin=True, roles=['admin'],
                          overwrite=False)
