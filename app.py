"""Entry point: `python app.py` serves the cockpit (the same as
`python -m cockpit serve`). For a WSGI server, ``app:server`` is the Flask
server; it is built on first access, not at import."""

from __future__ import annotations

import sys
from typing import Any

_built: dict[str, Any] = {}


def __getattr__(name: str) -> Any:
    # PEP 562: `server` and `app` are built on first access (gunicorn app:server).
    if name in ("app", "server"):
        if "app" not in _built:
            from cockpit.app import create_app

            _built["app"] = create_app()
        return _built["app"] if name == "app" else _built["app"].server
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    from cockpit.cli import main

    sys.exit(main(["serve", *sys.argv[1:]]))
