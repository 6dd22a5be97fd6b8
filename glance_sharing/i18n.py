"""oslo.i18n integration for glance-sharing."""

import oslo_i18n

_translators = oslo_i18n.TranslatorFactory(domain='glance_sharing')

_ = _translators.primary
