"""The archive website: an MkDocs plugin that generates its pages from the repository."""
