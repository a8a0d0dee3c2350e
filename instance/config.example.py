# Copy to instance/config.py and adjust. Environment variables COMMENTSVC_<KEY> win over this.
# SECRET_KEY = ""  # required: python -c 'import secrets; print(secrets.token_hex(32))'
# DATABASE_URL = "postgresql://commentsvc@127.0.0.1:5432/commentsvc"
# PUBLIC_URL = "https://kommentarer.example.se"  # required outside development: our own links
ALLOWED_ORIGINS = ["https://www.example.se"]
MODERATION = "first-time"  # "all", "first-time" or "none"
LANGUAGE = "sv"  # or "en"
# Personal data (issue 5): the notice under the form, and retention applied by `purge`.
# PRIVACY_NOTICE = ""  # empty: "Så behandlar vi dina personuppgifter"
# PRIVACY_URL = "https://www.example.se/personuppgifter"
# IP_RETENTION_DAYS = 0  # clear stored (anonymized) IPs of comments older than this; 0 keeps
# PURGE_AFTER_DAYS = 30  # delete spam and trash this long after the decision; 0 keeps
# Mail (moderators' notices and readers' reply notifications), delivered by `send-mail`.
# PUBLIC_URL = "https://kommentarer.example.se"  # the base of links in mails
# MAIL_FROM = "kommentarer@example.se"
# SITE_NAME = "Kommentarer"  # readers' mails come from this name and are signed with it
# NOTIFY_BATCH_MINUTES = 10  # gather published comments into one mail; 0: next send-mail run
