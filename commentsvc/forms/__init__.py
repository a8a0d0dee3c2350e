"""The forms behind every page and the JSON API: the reader's, the moderators', the reports'."""
