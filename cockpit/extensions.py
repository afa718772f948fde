"""Flask extensions, unbound: ``create_app`` binds them to its server."""

from flask_caching import Cache
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

cache = Cache()
# gzip/brotli for every response: a wall's first visit fetches ~6 MB of Dash
# and Plotly JavaScript, and each screen load ~300 KB of figure JSON.
compress = Compress()

# Rate limits (the sign-in form): bound by create_app with the storage of
# COCKPIT_REDIS_URL when set (limits shared by every worker), else memory.
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)
