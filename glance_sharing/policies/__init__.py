"""Every policy rule in code, for the enforcer and the sample generator."""

import itertools

from glance_sharing.policies import base
from glance_sharing.policies import images
from glance_sharing.policies import members


def list_rules():
    return list(itertools.chain(
        base.list_rules(),
        images.list_rules(),
        members.list_rules(),
    ))
