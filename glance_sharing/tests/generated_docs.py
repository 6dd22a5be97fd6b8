"""The documentation files generated from the code, and their contents.

tools/render-docs.py writes them; test_generated_docs checks that the
committed files are current.
"""

from oslo_serialization import jsonutils

from glance_sharing.api import openapi
from glance_sharing.api import router
from glance_sharing.tests import policy_matrix

POLICY_MATRIX = 'doc/source/admin/policy-matrix.rst'
OPENAPI = 'doc/source/user/openapi.json'


def openapi_json():
    """The published description: the served one, without a server URL."""
    return jsonutils.dumps(openapi.document(router.ROUTES), indent=2,
                           sort_keys=True) + '\n'


def render():
    """Repository path -> the text the file must hold."""
    return {POLICY_MATRIX: policy_matrix.render_rst(),
            OPENAPI: openapi_json()}
