"""The derived index: what commlog knows of each file of a repository, by content.

One home for loading the repository: :mod:`commlog.index.corpus` reads the files through the
index (a file is parsed and checked against its schema once per content), :mod:`commlog.index.derived`
keeps what each valid record implies whatever the moment (status, stages), and
:mod:`commlog.index.store` is the SQLite database outside the repository that holds both.
validate, the schedule, the reports and the site all load through here.
"""
