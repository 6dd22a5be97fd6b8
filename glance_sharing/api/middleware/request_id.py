"""Request ids: a fresh req-<uuid>, or the caller's if it is well formed."""

import re

from oslo_context import context as oslo_context
from oslo_middleware import request_id
import webob.dec


class RequestId(request_id.RequestId):
    """oslo.middleware's RequestId, honouring a well-formed inbound id.

    An inbound X-OpenStack-Request-ID of the form req-<uuid> is kept, so a
    client can follow its request through the logs; anything else is
    replaced (and never logged as it came).
    """

    @webob.dec.wsgify
    def __call__(self, req):
        self.set_global_req_id(req)
        inbound = req.headers.get(request_id.INBOUND_HEADER, '')
        if re.match(request_id.ID_FORMAT, inbound):
            req_id = inbound
        else:
            req_id = oslo_context.generate_request_id()
        req.environ[request_id.ENV_REQUEST_ID] = req_id
        response = req.get_response(self.application)
        response.headers[request_id.HTTP_RESP_HEADER_REQUEST_ID] = req_id
        return response
