#!/usr/bin/env python3
"""Write the sample register the docs offer for download (site/assets/sample-register.xlsx) from the demo data.

    .venv/bin/python scripts/sample-register.py [OUTPUT]

It is `commlog export` of the demo repository at public clearance (so that every build of the site, whatever its
clearance, may publish it) as of the moment the demo data stands at. A committed file rather than one made during
the site build: the build stays free of a second export, the file is there for `mkdocs serve` and for a reader of
the repository alike, and tests/test_export_import.py fails when it no longer matches what export writes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "site" / "assets" / "sample-register.xlsx"
AS_OF = "2026-11-20 17:00"
ARGS = ("export", "--repo", str(ROOT), "--clearance", "public", "--as-of", AS_OF, "--format", "xlsx")


def sample() -> bytes:
    """The workbook, as export writes it to standard output (--output refuses the repository's own site sources)."""
    result = subprocess.run([sys.executable, "-m", "commlog", *ARGS], capture_output=True, check=True)
    return result.stdout


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLE
    target.write_bytes(sample())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
