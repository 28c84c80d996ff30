import sys

from o2krm.gateway.cli import main

sys.exit(main())
