"""Moving in and out: WordPress, Disqus, Remark42 and Commento/Comentario imports, the JSON
export and import, the export to WordPress (``wxr``), and their commands.

Each importer reads its format into ``SourceArticle``/``SourceComment`` records and hands them,
one article at a time, to ``store.ArticleStore``, which keeps the thread shape, maps the
source's ids (so a second run adds nothing) and commits once per article (or rolls it back in a
dry run). The JSON readers share ``jsonfiles`` (gzipped or not, bounded lines), ``jsonstream``
(one large document as a stream), ``pages`` (only pages on the service's own hosts) and
``deleted`` (a placeholder where a deleted comment was answered). The commands (``commands``,
``commands_json``) load the importers only when run.
"""
