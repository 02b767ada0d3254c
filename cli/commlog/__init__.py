"""commlog: an enterprise's communications kept as validated records in git."""

__version__ = "0.1.0"
