"""`python -m cockpit`: see cockpit.cli."""

import sys

from cockpit.cli import main

if __name__ == "__main__":
    sys.exit(main())
