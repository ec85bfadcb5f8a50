"""``python -m formatlens``: the command line (formatlens/cli/)."""

import sys

from formatlens.cli import main

if __name__ == "__main__":
    sys.exit(main())
