"""`python -m scripts.provider_files {xero,quickbooks} OUT_DIR ...`, from the repository
root: see the package's docstring."""

import sys

from .cli import main

sys.exit(main(sys.argv[1:]))
