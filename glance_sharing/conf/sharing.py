"""Options that govern image sharing (image members)."""

from oslo_config import cfg

GROUP = cfg.OptGroup('sharing', title='Image sharing options')

SHARING_OPTS = [
    cfg.BoolOpt(
        'verify_member_exists',
        default=False,
        help='Ask Keystone whether a new member\'s project exists before '
             'sharing with it. An unknown project is refused with 400; if '
             'Keystone cannot be reached the share is allowed and a '
             'warning is logged. Uses the service credentials of '
             '[keystone_authtoken].'),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(SHARING_OPTS, group=GROUP)


def list_opts():
    return {GROUP: SHARING_OPTS}
