#!/usr/bin/env python3
"""Rewrite the documentation pages that are generated from the code.

- doc/source/admin/policy-matrix.rst, from the policy matrix in
  glance_sharing/tests/policy_matrix.py (a test runs every cell);
- doc/source/user/openapi.json, the OpenAPI description the service
  serves at /v2/openapi.json, from the route table.

Tests fail while either file is out of date; run this to refresh them.
"""

import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from glance_sharing.tests import generated_docs  # noqa: E402

if __name__ == '__main__':
    for path, text in generated_docs.render().items():
        with open(os.path.join(REPO, path), 'w') as page:
            page.write(text)
        print(path)
