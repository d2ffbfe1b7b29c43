"""``python -m shailoo`` runs the command line."""

import sys

from shailoo.cli import main

sys.exit(main())
