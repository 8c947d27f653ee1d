"""``python -m psi_desktop``: the same as the ``psi-desktop`` command."""

import sys

from psi_desktop.cli import main

sys.exit(main())
