# Copy to instance/config.py and adjust. Environment variables COMMENTSVC_<KEY> win over this.
# SECRET_KEY = ""  # required: python -c 'import secrets; print(secrets.token_hex(32))'
# DATABASE_URL = "postgresql://commentsvc@127.0.0.1:5432/commentsvc"
ALLOWED_ORIGINS = ["https://www.example.se"]
MODERATION = "first-time"  # "all", "first-time" or "none"
LANGUAGE = "sv"  # or "en"
