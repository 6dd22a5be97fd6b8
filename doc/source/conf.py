# Documentation build configuration (Sphinx).
#
# Build from the repository root with warnings as errors:
#   sphinx-build -W --keep-going -b html doc/source doc/build/html
# (tox -e docs, and tools/build-docs.sh in every CI run). The
# configuration and policy references are rendered from the code by the
# oslo.config and oslo.policy extensions, whose :config-file: paths are
# relative to the repository root.
extensions = [
    'oslo_config.sphinxext',
    'oslo_policy.sphinxext',
]
source_suffix = '.rst'
master_doc = 'index'
project = 'glance-sharing'
copyright = '2026, glance-sharing developers'
html_theme = 'alabaster'
exclude_patterns = ['_build']
