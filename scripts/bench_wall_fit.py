"""Benchmark: the cost of fitting the wall's texts (assets/wall.js, issue 10).

Serves a demo store (build one with tests/support/demo.py ``build_demo_store`` into
DIR) and, in headless Chromium at 1920x1080, compares 15 animation frames without
any work against 15 frames after a resize event (which scales the canvas again
and fits every ``[data-fit]`` element again): the median frame time with and
without the fitting, on the school screen in Chinese and in English.

Usage:

    PYTHONPATH=$PWD .venv/bin/python scripts/bench_wall_fit.py DIR
"""

from __future__ import annotations

import statistics
import sys
import tempfile

FRAMES_JS = """
const done = arguments[arguments.length - 1];
const frame = () => new Promise(r => requestAnimationFrame(() => r(performance.now())));
(async () => {
  const out = {base: [], fit: []};
  for (let i = 0; i < 15; i++) {
    await frame(); let t0 = performance.now(); let t1 = await frame(); out.base.push(t1 - t0);
    await frame(); t0 = performance.now(); window.dispatchEvent(new Event('resize'));
    t1 = await frame(); out.fit.push(t1 - t0);
  }
  done(out);
})();
"""


def main(directory: str) -> None:
    sys.path.insert(0, ".")
    from cockpit.app import create_app
    from cockpit.config import load_settings
    from tests.pages.conftest import Browser, LiveServer, start_chromium

    env = {
        "COCKPIT_SOURCE_URL": f"sqlite:///{directory}/source.sqlite",
        "COCKPIT_STORE_URL": f"sqlite:///{directory}/store.sqlite",
    }
    server = LiveServer(create_app(load_settings(env=env), schedule=False).server)
    driver = start_chromium(tempfile.mkdtemp(), (1920, 1080))
    try:
        b = Browser(driver, server.url)
        for path in ("/?kiosk=1", "/?kiosk=1&lang=en"):
            b.visit(path)
            b.wait_all_figures_drawn(timeout=60)
            r = driver.execute_async_script(FRAMES_JS)
            base, fit = statistics.median(r["base"]), statistics.median(r["fit"])
            worst = max(r["fit"])
            print(f"{path}: median frame {base:.1f} ms idle, {fit:.1f} ms with the fit (max {worst:.1f})")
    finally:
        driver.quit()
        server.stop()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/wall-dev")
