"""The Jinja templates, shipped inside the package as ``commentsvc.templates``.

The folder stays at the top of the repository (see pyproject.toml); this file makes it a
regular package, so an editable checkout and an installed wheel find it by the same import.
"""
