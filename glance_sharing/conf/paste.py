"""Where the Paste pipeline definition is read from."""

from oslo_config import cfg

GROUP = cfg.OptGroup('paste_deploy', title='Paste pipeline options')

PASTE_OPTS = [
    cfg.StrOpt(
        'config_file',
        default='api-paste.ini',
        help='Name or path of the Paste ini file. A bare name is looked '
             'up beside the configuration files, then in '
             '/etc/glance-sharing/.'),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(PASTE_OPTS, group=GROUP)


def list_opts():
    return {GROUP: PASTE_OPTS}
