# Release notes build configuration (reno + Sphinx).
extensions = ['reno.sphinxext']
source_suffix = '.rst'
master_doc = 'index'
project = 'glance-sharing Release Notes'
copyright = '2026, glance-sharing developers'
html_theme = 'alabaster'
