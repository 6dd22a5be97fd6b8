# Sphinx configuration of the glance-sharing API reference.
#
# Build it with "tox -e api-ref"; the build treats warnings as errors.

extensions = [
    'os_api_ref',
    'openstackdocstheme',
]

# openstackdocstheme
html_theme = 'openstackdocs'
html_theme_options = {
    'sidebar_mode': 'toc',
}
openstackdocs_repo_name = 'openstack/glance-sharing'
openstackdocs_bug_project = 'glance-sharing'
openstackdocs_bug_tag = 'api-ref'
openstackdocs_auto_name = False

source_suffix = {'.rst': 'restructuredtext'}
master_doc = 'index'

project = 'glance-sharing API Reference'
copyright = '2026, glance-sharing developers'

# The samples and includes are pulled in by index.rst; they are not pages
# of their own.
exclude_patterns = ['samples']

pygments_style = 'native'
add_module_names = False
show_authors = False

html_title = project
htmlhelp_basename = 'glance-sharing-api-ref'
