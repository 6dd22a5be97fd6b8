"""Options of the API itself: authentication, paging, quotas, endpoints."""

from oslo_config import cfg

GROUP = cfg.OptGroup('api', title='API options')

API_OPTS = [
    cfg.StrOpt(
        'auth_strategy',
        default='keystone',
        choices=[
            ('keystone', 'Validate Keystone tokens with keystonemiddleware '
                         'auth_token (production).'),
            ('keystone+audit', 'As keystone, and audit every API call '
                               'with keystonemiddleware\'s audit filter: '
                               'a CADF event per request and response, '
                               'sent through oslo.messaging.'),
            ('noauth', 'Trust the X-Project-Id, X-User-Id and X-Roles '
                       'headers as sent. Development and tests only: '
                       'anyone can claim any identity.'),
        ],
        help='How callers are authenticated. Selects the pipeline of the '
             'same name in the "glance-sharing" composite of '
             'api-paste.ini. noauth is refused unless '
             'allow_noauth_for_development is also set.'),
    cfg.BoolOpt(
        'allow_noauth_for_development',
        default=False,
        help='Allow auth_strategy = noauth, where every caller names its '
             'own project and roles in headers. Without it the service '
             'refuses to start in noauth mode, so that a development '
             'configuration copied onto a server cannot open it to '
             'anyone. Development and tests only.'),
]

# Names, groups and defaults as in glance-api.conf, so that an operator's
# existing settings carry over.
DEFAULT_OPTS = [
    cfg.IntOpt(
        'image_member_quota',
        default=128,
        help='Maximum number of members of one image, whatever their '
             'status. A negative value means unlimited; 0 forbids sharing. '
             'Exceeding it answers 413.'),
    cfg.IntOpt(
        'image_property_quota',
        default=128,
        help='Maximum number of additional (custom) properties of one '
             'image. A negative value means unlimited.'),
    cfg.IntOpt(
        'image_tag_quota',
        default=128,
        help='Maximum number of tags of one image. A negative value means '
             'unlimited.'),
    cfg.IntOpt(
        'limit_param_default',
        default=25,
        min=1,
        help='Number of items a list returns when the request gives no '
             '"limit". Never more than api_limit_max.'),
    cfg.IntOpt(
        'api_limit_max',
        default=1000,
        min=1,
        help='Largest "limit" a list request may ask for; larger values '
             'are lowered to this one.'),
    cfg.URIOpt(
        'public_endpoint',
        schemes=['http', 'https'],
        help='Public URL of this service, used in the versions document '
             'and in "next" links instead of the URL the request came in '
             'on. Set it when the service sits behind a proxy or a load '
             'balancer that rewrites the host.'),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(API_OPTS, group=GROUP)
    conf.register_opts(DEFAULT_OPTS)


def list_opts():
    return {GROUP: API_OPTS, 'DEFAULT': DEFAULT_OPTS}
