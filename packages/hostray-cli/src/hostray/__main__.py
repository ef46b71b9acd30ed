"""`python -m hostray …`: the hostray command line."""

import sys

from hostray.cli.main import main

sys.exit(main())
