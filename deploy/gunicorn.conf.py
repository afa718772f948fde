"""gunicorn settings for the cockpit's web processes: ``gunicorn -c deploy/gunicorn.conf.py app:server``.

The deployment (docs/deploy.md): nginx in front (TLS, gzip, the SSO header), these
web workers on 127.0.0.1, one ``python -m cockpit worker`` holding the refresh
schedule (``refresh.in_app: false``), the store on PostgreSQL or MySQL-family, the
cache and the rate-limit counters in Redis (COCKPIT_REDIS_URL). Sessions live in the
store, so any worker serves any request. Every value below may be overridden by
an environment variable (the systemd unit's EnvironmentFile) without editing this
file.
"""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, "").strip() or default)


# Behind nginx on the same host; nginx proxies to this address.
bind = [os.environ.get("COCKPIT_BIND", "127.0.0.1:8050")]

# Processes: the pages build figures in Python (CPU-bound, the GIL), so processes,
# not threads, scale them; 2 × cores is the usual start. A few threads per process
# keep the light requests (the walls' snapshot poll, assets) moving while one
# callback builds figures or an export waits for Chromium.
workers = _int("COCKPIT_WEB_WORKERS", 4)
worker_class = "gthread"
threads = _int("COCKPIT_WEB_THREADS", 4)

# Timeouts. A callback may legitimately take a while (an export renders the screen in
# headless Chromium, a first load after a refresh builds every figure): 120 s before
# the arbiter kills a stuck worker. nginx's proxy_read_timeout is a little longer,
# so that a slow answer reaches the browser rather than a 504. On a restart workers
# get 30 s to finish what they serve.
timeout = _int("COCKPIT_WEB_TIMEOUT", 120)
graceful_timeout = 30
# nginx keeps idle upstream connections (keepalive in the site); longer than its
# keepalive_timeout towards us so that gunicorn never closes one nginx is about to reuse.
keepalive = 75

# Not preloaded: each worker builds its own app after the fork, so no database
# connection pool, Redis connection or thread (the lease renewer, APScheduler) is ever
# shared across a fork, and `systemctl reload` (SIGHUP) picks up new code and config.
# The price is the import time (~2 s) and memory (~150 MB) per worker.
preload_app = False
# A worker's memory grows with the figure caches it built; recycle now and then,
# jittered so that the workers never restart together.
max_requests = 5000
max_requests_jitter = 500

# The arbiter's heartbeat files: in memory (/dev/shm), not on a disk that may stall
# (a busy or network file system would make healthy workers look dead).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# X-Forwarded-Proto from nginx (on this host) marks a request as HTTPS: the session
# cookies get their Secure flag (auth.cookie_secure: auto).
forwarded_allow_ips = os.environ.get("COCKPIT_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to stderr (journald under systemd). The access log: the client as nginx saw
# it, the worker's pid (which process served it), the time taken in milliseconds.
accesslog = os.environ.get("COCKPIT_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("COCKPIT_LOG_LEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s %(h)s pid=%(p)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s"'

# One gunicorn per host and user is the rule, but the control socket's default path is
# per user: off, so that two instances (a test next to a real one) never collide.
control_socket_disable = True
proc_name = "cockpit-web"
