# Documentation build configuration (Sphinx).
extensions = []
source_suffix = '.rst'
master_doc = 'index'
project = 'glance-sharing'
copyright = '2026, glance-sharing developers'
html_theme = 'alabaster'
exclude_patterns = ['_build']
