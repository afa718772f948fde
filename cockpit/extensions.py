"""Flask extensions, unbound: ``create_app`` binds them to its server."""

from flask_caching import Cache
from flask_compress import Compress

cache = Cache()
# gzip/brotli for every response: a wall's first visit fetches ~6 MB of Dash
# and Plotly JavaScript, and each screen load ~300 KB of figure JSON.
compress = Compress()
