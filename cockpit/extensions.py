"""Flask extensions, unbound: ``create_app`` binds them to its server."""

from flask_caching import Cache

cache = Cache()
