"""Reports computed from the repository as of a given time, and their writers."""
