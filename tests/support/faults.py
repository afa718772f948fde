"""Real services to break for the fault tests (tests/cockpit/test_faults*.py): the web
app as a child process that can be killed with SIGKILL and started again on the same
port, a TCP proxy in front of PostgreSQL that can be cut and restored, and a private
redis-server on a free port that can be stopped and started."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout: float, what: str, step: float = 0.2):
    """Poll ``condition()`` until truthy; AssertionError naming ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def cockpit_env(tmp: Path, source_url: str, store_url: str, yaml: str = "", **extra: str) -> dict[str, str]:
    """The environment of a cockpit child process: its own config file (``yaml`` over
    a quiet base: no in-app schedule, a 1-second wall poll), no COCKPIT_* of the caller."""
    cfg = tmp / f"cockpit-{time.monotonic_ns()}.yaml"
    cfg.write_text(
        "refresh:\n  in_app: false\nscreen:\n  poll_seconds: 1\n  reload_after_failures: 2\n"
        f"cache:\n  dir: {json.dumps(str(tmp / 'cache'))}\n"
        f"reports:\n  archive: {json.dumps(str(tmp / 'reports'))}\n" + yaml
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKPIT_")}
    env.update(
        COCKPIT_CONFIG=str(cfg),
        COCKPIT_SOURCE_URL=source_url,
        COCKPIT_STORE_URL=store_url,
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def cli(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m cockpit ARGS` in a child process; its exit code, stdout and stderr."""
    return subprocess.run(
        [sys.executable, "-m", "cockpit", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def http_get(url: str, timeout: float = 10) -> tuple[int, bytes]:
    """(status, body); status 0 when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except OSError:
        return 0, b""


class CockpitServer:
    """`python -m cockpit serve` on a fixed port; ``kill9()`` and ``start()`` again."""

    def __init__(self, env: dict[str, str], log: Path, port: int | None = None) -> None:
        self.env = env
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self) -> CockpitServer:
        with self.log.open("a") as f:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "cockpit", "serve", "--port", str(self.port)],
                env=self.env,
                cwd=ROOT,
                stdout=f,
                stderr=subprocess.STDOUT,
            )
        wait_for(lambda: self.get("/healthz")[0] == 200 or self._died(), 120, "the server to answer")
        assert not self._died(), f"the server exited: {self.log.read_text()[-2000:]}"
        return self

    def _died(self) -> bool:
        return self.proc is not None and self.proc.poll() is not None

    def get(self, path: str) -> tuple[int, bytes]:
        return http_get(self.url + path)

    def json(self, path: str) -> Any:
        status, body = self.get(path)
        assert status == 200, f"{path}: HTTP {status} {body[:300]!r}"
        return json.loads(body)

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


class TcpProxy:
    """A TCP forwarder (asyncio, own thread) from a free loopback port to ``target``.
    ``cut()`` closes the listener and every open connection (the database is gone);
    ``restore()`` listens on the same port again."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._thread = threading.Thread(target=self.loop.run_forever, name="tcp-proxy", daemon=True)
        self._thread.start()
        self.restore()

    def _call(self, coro) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        self._writers -= {writer, up_writer}

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True)

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for w in list(self._writers):
            w.transport.abort()
        self._writers.clear()

    def restore(self) -> None:
        self._call(self._start())

    def cut(self) -> None:
        self._call(self._cut())

    def close(self) -> None:
        self.cut()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


class RedisServer:
    """A private redis-server (no persistence) on a free port, to stop and start."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        with self.log.open("a") as f:
            self.proc = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],
                stdout=f,
                stderr=subprocess.STDOUT,
            )
        wait_for(self.ping, 30, "redis-server to answer")
        return self

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=1).ping())
        except redis.RedisError:
            return False

    def keys(self) -> int:
        import redis

        return len(redis.Redis.from_url(self.url).keys("*"))

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)
