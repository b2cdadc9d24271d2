"""Makes the tests' helper modules importable and gives tests a ready engine."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
