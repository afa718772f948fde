#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432), MariaDB (127.0.0.1:3306) and Redis
# (127.0.0.1:6379) answer; start whichever is down, then wait (bounded poll)
# until each answers. The test suite needs all three.
set -euo pipefail

TIMEOUT=${SERVICES_TIMEOUT:-60}

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
maria_up() { mysqladmin --protocol=tcp -h 127.0.0.1 -P 3306 -u root ping >/dev/null 2>&1; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "ensure-services: $1 not found; install $2" >&2; exit 1; }
}

if ! pg_up; then
  need pg_ctlcluster postgresql
  version=$(ls /etc/postgresql | sort -V | tail -1)
  echo "ensure-services: starting PostgreSQL $version" >&2
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
fi
if ! redis_up; then
  need redis-server redis-server
  echo "ensure-services: starting Redis" >&2
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
if ! maria_up; then
  need mariadbd mariadb-server
  echo "ensure-services: starting MariaDB" >&2
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
fi

deadline=$((SECONDS + TIMEOUT))
for svc in pg maria redis; do
  until "${svc}_up"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      case $svc in pg) name=PostgreSQL ;; maria) name=MariaDB ;; *) name=Redis ;; esac
      echo "ensure-services: $name did not answer within ${TIMEOUT}s" >&2
      exit 1
    fi
    sleep 0.5
  done
done
echo "ensure-services: PostgreSQL, MariaDB and Redis are up" >&2
