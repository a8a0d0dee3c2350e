"""Moving in and out: WordPress and Disqus imports, the JSON export and import, the export
to WordPress (``wxr``), and their commands.

Each importer reads its format into ``SourceArticle``/``SourceComment`` records and hands them,
one article at a time, to ``core.store_article``, which keeps the thread shape, maps the
source's ids (so a second run adds nothing) and commits once per article. The commands
(``commands``) load the importers only when run.
"""
