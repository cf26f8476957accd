"""``python -m lego``: the ``lego`` command, for scripts that run it with their own interpreter."""

import sys

from lego.cli import main

sys.exit(main())
