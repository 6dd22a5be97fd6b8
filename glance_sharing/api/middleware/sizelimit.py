"""oslo.middleware's body size limit, except for image data uploads.

``[oslo_middleware] max_request_body_size`` (112 KiB) is right for JSON
bodies, but an image is gigabytes: its upload is limited instead by
``[DEFAULT] image_size_cap``, enforced while it streams.
"""

import re

from oslo_middleware import sizelimit

from glance_sharing.api.middleware import base

# PUT /v2/images/{image_id}/file, also under a /v2.N alias; the version
# middleware that rewrites aliases runs later in the pipeline.
_IMAGE_DATA_UPLOAD = re.compile(r'^/v2(\.[0-9]+)?/images/[^/]+/file$')


class RequestBodySizeLimiter(sizelimit.RequestBodySizeLimiter):
    """Limit every request body but an image data upload's."""

    def __call__(self, environ, start_response):
        if (environ.get('REQUEST_METHOD') == 'PUT'
                and _IMAGE_DATA_UPLOAD.match(environ.get('PATH_INFO', ''))):
            return self.application(environ, start_response)
        return super().__call__(environ, start_response)


filter_factory = base.oslo_filter_factory(RequestBodySizeLimiter)
