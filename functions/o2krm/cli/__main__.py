import sys

from o2krm.cli import main

sys.exit(main())
