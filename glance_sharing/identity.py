"""Ask Keystone whether a project exists ([sharing] verify_member_exists).

Uses the service credentials of [keystone_authtoken]. Only a definite "no"
(404 from Keystone) refuses the share; when Keystone cannot answer, or
refuses to, the share goes ahead and a warning is logged, so an identity
outage never blocks sharing.
"""

from urllib import parse

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import session as ks_session
# Importing auth_token registers the [keystone_authtoken] options.
from keystonemiddleware import auth_token  # noqa: F401
from oslo_log import log as logging
import webob.exc

from glance_sharing.conf import CONF
from glance_sharing.i18n import _

LOG = logging.getLogger(__name__)
GROUP = 'keystone_authtoken'
IDENTITY = {'service_type': 'identity', 'interface': ['internal', 'public'],
            'version': (3, 0)}


def session(conf=CONF):
    """A keystoneauth session acting as the service user of auth_token."""
    group = conf[GROUP]
    auth = ks_loading.load_auth_from_conf_options(conf, GROUP)
    if group.cafile:
        verify = group.cafile
    else:
        verify = not group.insecure
    cert = None
    if group.certfile and group.keyfile:
        cert = (group.certfile, group.keyfile)
    return ks_session.Session(auth=auth, verify=verify, cert=cert,
                              timeout=group.http_connect_timeout)


def verify_project_id(project_id, sess=None, conf=CONF):
    """Raise 400 if Keystone says project ``project_id`` does not exist.

    Returns True when Keystone confirmed it, False when Keystone could not
    tell (unreachable, or an answer other than 200 or 404).
    """
    try:
        sess = sess or session(conf)
        response = sess.get(
            '/projects/%s' % parse.quote(project_id, safe=''),
            endpoint_filter=IDENTITY, raise_exc=False)
    except ks_exc.ClientException as exc:
        LOG.warning('Could not ask Keystone whether project %(project)s '
                    'exists, sharing with it anyway: %(error)s',
                    {'project': project_id, 'error': exc})
        return False
    if response.status_code == 404:
        raise webob.exc.HTTPBadRequest(
            _('Project %s does not exist in Keystone; share images with a '
              'project ID (not a name).') % project_id)
    if response.status_code != 200:
        LOG.warning('Keystone answered %(status)d when asked whether '
                    'project %(project)s exists; sharing with it anyway.',
                    {'status': response.status_code, 'project': project_id})
        return False
    return True
