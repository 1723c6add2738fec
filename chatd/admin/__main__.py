"""``python -m chatd.admin``: runs chatd.admin.command's main, its status the process's."""

import sys

from chatd.admin.command import main

if __name__ == "__main__":
    sys.exit(main())
