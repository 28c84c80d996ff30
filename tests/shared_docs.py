"""Where the shared documents are: ``../shared`` beside this clone, as CI lays it out.

``$O2KRM_SPECS_DIR`` overrides the specs directory, as it does for the functions and the CLI.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SPECS = Path(os.environ.get("O2KRM_SPECS_DIR") or SHARED / "specs")
SEED_GUIDE = SHARED / "seed" / "O2IMS-integration-guide.md"
PR_CRD = SPECS / "crds" / "o2ims.provisioning.oran.org_provisioningrequests.yaml"
