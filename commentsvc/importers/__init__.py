"""Moving in: comments from WordPress and Disqus exports, stored in their place in the thread.

Each importer reads its format into ``SourceArticle``/``SourceComment`` records and hands them,
one article at a time, to ``core.store_article``, which keeps the thread shape, maps the
source's ids (so a second run adds nothing) and commits once per article.
"""
