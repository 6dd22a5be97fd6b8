"""The policy enforcer: initialise once, authorize per request."""

import ast
import functools
import inspect
import threading
import time

from oslo_config import cfg
from oslo_log import log as logging
from oslo_policy import _checks
from oslo_policy import opts as policy_opts
from oslo_policy import policy
import webob.exc

from glance_sharing.i18n import _
from glance_sharing import policies

LOG = logging.getLogger(__name__)

_ENFORCER = None
# Set on a RequestContext once its first check has looked at the policy
# files; its later checks use the rules as they were then.
_RULES_LOADED = '_glance_sharing_policy_rules_loaded'
# On a RequestContext: the decisions its checks made so far, by rule and
# target (see check).
_DECISIONS = '_glance_sharing_policy_decisions'
# On a RequestContext: its credentials as oslo.policy reads them, with
# the attributes they were read from (see _credentials).
_CREDENTIALS = '_glance_sharing_policy_credentials'


@functools.lru_cache(maxsize=None)
def _takes_current_rule(check_class):
    """Whether a check class's __call__ takes the current rule's name."""
    return len(inspect.getfullargspec(check_class.__call__).args) > 4


class _LiteralsOnce:
    """The ``ast`` module, as oslo.policy's checks use it, parsing once.

    GenericCheck (every "project_id:%(project_id)s" or
    "'public':%(visibility)s" node) parses its kind with ast.literal_eval
    at every evaluation, and most kinds are not literals, so the parse
    ends in a ValueError: 0.1 ms of an image list's every image. The
    result of a parse depends on the text alone, so it is kept, and the
    same ValueError raised again. Upstream could parse the kind once when
    the check is built.
    """

    def __init__(self):
        self._parsed = {}

    def literal_eval(self, text):
        if text not in self._parsed:
            try:
                self._parsed[text] = (True, ast.literal_eval(text))
            except ValueError as exc:
                self._parsed[text] = (False, str(exc))
        parsed, value = self._parsed[text]
        if not parsed:
            raise ValueError(value)
        return value

    def __getattr__(self, name):
        return getattr(ast, name)


_LITERALS = _LiteralsOnce()
# What new_enforcer replaces, for the tests that compare with upstream.
UPSTREAM_CHECK = _checks._check


def _check_with_known_signature(rule, target, creds, enforcer, current_rule):
    """oslo.policy's _checks._check, with each class's signature read once.

    The original asks inspect.getfullargspec about the check's __call__ at
    every node of every rule evaluated (17 times for a member show: 0.35
    ms of CPU, a sixth of the request). A class's signature does not
    change, so it is read once per class here; the call made is the same.
    Upstream could do the same in _checks._check (or decide the argument
    list when a check is built).
    """
    if _takes_current_rule(type(rule)):
        return rule(target, creds, enforcer, current_rule)
    return rule(target, creds, enforcer)


# How long one look at the policy files holds for the requests that
# start after it: an operator's change takes effect within this time.
RULES_CHECK_INTERVAL = 1.0
_clock = time.monotonic


class Enforcer(policy.Enforcer):
    """oslo.policy's Enforcer, looking at the policy files once a second.

    The stock enforce() calls load_rules() every time, which looks for
    every policy file and directory on disk (oslo.config's search of its
    config dirs, about ten stat calls): a quarter of each check, and an
    image list makes one check per image. Here a request keeps the rules
    it started with, so it sees one consistent set, and a new request
    looks again only if the last look is RULES_CHECK_INTERVAL old.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._rules_fresh = threading.local()
        self._rules_looked_at = None

    def load_rules(self, force_reload=False):
        if not force_reload:
            if getattr(self._rules_fresh, 'value', False):
                return
            looked_at = self._rules_looked_at
            if (looked_at is not None
                    and _clock() - looked_at < RULES_CHECK_INTERVAL):
                return
        now = _clock()
        super().load_rules(force_reload)
        self._rules_looked_at = now

    def clear(self):
        super().clear()
        self._rules_looked_at = None


# oslo.policy before 4.4 (and some distributions' builds) defaults to
# policy.json, which would ignore an operator's policy.yaml.
DEFAULT_POLICY_FILE = 'policy.yaml'


def set_defaults(conf):
    """Register [oslo_policy] with our defaults: YAML file, new defaults."""
    policy_opts.set_defaults(conf, policy_file=DEFAULT_POLICY_FILE,
                             enforce_new_defaults=True, enforce_scope=True)


# The private oslo.policy function replaced, as every release since 4.4
# defines it; another one is left alone.
_UPSTREAM_CHECK_PARAMETERS = ['rule', 'target', 'creds', 'enforcer',
                              'current_rule']


def _install_shortcuts():
    """Replace _checks._check and _checks.ast, where they are as expected.

    Every check node calls _checks._check by its module global name, and
    GenericCheck finds literal_eval through _checks.ast. If a release of
    oslo.policy changes either, it keeps its own: slower, never wrong.
    """
    if _checks._check is _check_with_known_signature:
        return
    parameters = list(inspect.signature(_checks._check).parameters)
    if parameters != _UPSTREAM_CHECK_PARAMETERS or _checks.ast is not ast:
        LOG.info('oslo.policy is not as expected; its checks run as '
                 'shipped.')
        return
    _checks._check = _check_with_known_signature
    _checks.ast = _LITERALS


def new_enforcer(conf):
    """An enforcer with every rule of ours registered, nothing loaded."""
    _install_shortcuts()
    enforcer = Enforcer(conf)
    enforcer.register_defaults(policies.list_rules())
    return enforcer


def reset():
    """Forget the enforcer, so the next call builds a fresh one (tests)."""
    global _ENFORCER
    if _ENFORCER:
        _ENFORCER.clear()
    _ENFORCER = None


def get_enforcer(conf=None):
    """The process-wide enforcer (also the oslo.policy entry point)."""
    global _ENFORCER
    if _ENFORCER is None:
        conf = conf or cfg.CONF
        set_defaults(conf)
        _ENFORCER = new_enforcer(conf)
        _ENFORCER.load_rules()
    return _ENFORCER


def check(context, rule, target):
    """True when ``rule`` allows ``context`` to act on ``target``.

    Each rule is evaluated once per distinct target in a request: the
    decision depends only on the rule, the target and the caller's
    credentials, and a request keeps the rules it started with, so a
    repeated question (an image list asks get_image of every image, most
    of them alike) gets oslo.policy's first answer again.
    """
    decisions = getattr(context, _DECISIONS, None)
    if decisions is None:
        decisions = {}
        setattr(context, _DECISIONS, decisions)
    # The credentials too: a copy of the context shares the dict.
    caller = _caller(context)
    try:
        key = (rule, tuple(sorted(target.items())), caller)
        hash(key)
    except TypeError:
        # A value that cannot be a key (none of ours): ask every time.
        return _evaluate(context, rule, target, caller)
    if key not in decisions:
        decisions[key] = _evaluate(context, rule, target, caller)
    return decisions[key]


def _caller(context):
    """The context's attributes that its credentials are read from."""
    return (context.project_id, context.user_id, tuple(context.roles),
            context.system_scope, context.domain_id)


def _credentials(context, caller):
    """A fresh copy of the credentials oslo.policy would read from context.

    oslo.policy turns a RequestContext into a dict at every check, through
    to_policy_values(), a Mapping read key by key: 0.1 ms a check, an
    image list making one per image. It is read once per caller here and
    handed over as the dict it would have made; each check gets its own
    copy, as enforce() writes into it.
    """
    known = getattr(context, _CREDENTIALS, None)
    if known is None or known[0] != caller:
        known = (caller, dict(context.to_policy_values()))
        setattr(context, _CREDENTIALS, known)
    return dict(known[1])


def _evaluate(context, rule, target, caller):
    enforcer = get_enforcer()
    enforcer._rules_fresh.value = getattr(context, _RULES_LOADED, False)
    try:
        return enforcer.authorize(rule, target,
                                  _credentials(context, caller),
                                  do_raise=False)
    except policy.InvalidScope:
        return False
    finally:
        enforcer._rules_fresh.value = False
        setattr(context, _RULES_LOADED, True)


def refusal(rule):
    """The 403 for a caller that ``rule`` does not allow."""
    return webob.exc.HTTPForbidden(
        _('You are not authorized to complete %s action.') % rule)


def authorize(context, rule, target):
    """Raise 403 unless ``rule`` allows ``context`` to act on ``target``."""
    if not check(context, rule, target):
        raise refusal(rule)


# Stands in the target for "no project": oslo.policy renders None as
# 'None', which a project may well be called, and a rule such as
# project_id:%(project_id)s would then match owner-less images. NUL is
# refused in every request (api/util.py), so no caller has this id.
NO_PROJECT = '\x00none'


def target(owner, visibility, member_id=None):
    """A policy target: image owner, visibility, member concerned."""
    return {
        'project_id': NO_PROJECT if owner is None else owner,
        'member_id': NO_PROJECT if member_id is None else member_id,
        'visibility': visibility,
    }


def image_target(image, context, member=None):
    """The policy target for an image: its owner and the caller's share.

    ``member_id`` is the caller's project only when the caller is a
    member, so a custom rule on %(member_id)s means membership. For a rule
    on one membership, ``member`` names it: ``member_id`` is then the
    caller's project only when that membership is the caller's own, so a
    project that owns an image and is also a member of it cannot act for
    another member.
    """
    if member is None:
        member_id = context.project_id if image['is_member'] else None
    else:
        member_id = member if member == context.project_id else None
    return target(image['owner'], image['visibility'], member_id)
