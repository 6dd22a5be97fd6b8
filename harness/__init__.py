"""The service and its neighbours on loopback, for tests and benchmarks.

glance-sharing under gunicorn (server.py), a real Keystone with projects
and users (keystone.py), a real Swift behind it (swift.py) and memcached
(memcached.py), each a ``fixtures.Fixture`` on 127.0.0.1 that stops what
it started; private Apache httpd + mod_wsgi instances (apache.py) and
upstream Glance (glance.py). The test package and benchmarks/ both
import from here; nothing here imports either of them.
"""
