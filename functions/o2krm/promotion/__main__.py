"""``python -m o2krm.promotion``: the promotion commands without the rest of o2imsctl."""

import sys

from o2krm.promotion.cli import main

sys.exit(main())
