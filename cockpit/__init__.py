"""The cockpit application: configuration, snapshot store, refresh and
schedule, service layer, the Dash app factory and the CLI.

Nothing here does work at import time; see ``cockpit.app.create_app`` and
``cockpit.cli.main``.
"""

from pathlib import Path

#: The project root (the folder holding cockpit/, pages/, config/ ...).
ROOT = Path(__file__).resolve().parent.parent
