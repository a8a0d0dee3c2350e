"""Every service setting, declared once: its config key, type, default, bounds or choices, and
whether admins may change it under *Inställningar*.

``config.py`` fills and checks the configuration from this table, ``settings.py`` checks and
stores the admins' overrides with it, and ``forms/desk.py`` builds the settings form from it.
The kinds of setting and their checks are ``setting_types.py``.
A bound written here is the bound everywhere, so a value the configuration file may hold is
one the settings page can show and save (``tests/test_config.py`` compares the three).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from commentsvc.setting_types import (
    Flag,
    OneOf,
    SettingSpec,
    Text,
    TextList,
    TimeZone,
    WholeNumber,
    WordList,
)

# Dates are computed as "now minus so many days" (retention) or "created plus so many days":
# a hundred years keeps every such date a real one.
CENTURY_DAYS = 36500
LANGUAGES = ("sv", "en")  # the languages the service speaks, Swedish first
LANGUAGE_NAMES = {"sv": _l("Swedish"), "en": _l("English")}
YEAR_MINUTES = 365 * 24 * 60


WORD_LIST_HINT = _l(
    "Whole words and phrases, in any case (spam finds “Spam!”, not “spamalot”); viagr* for "
    "words that begin so, *bonus for words that end so; an email address (name@example.se) "
    "or a domain (@example.se) matches the email field exactly; an IP address or network "
    "(192.0.2.0/24) matches where the comment was sent from."
)


def _origin(item: str) -> str:
    return item.rstrip("/")


SETTINGS: tuple[SettingSpec, ...] = (
    Text(key="SECRET_KEY", default=None, optional=True),  # required: config.py says how to set it
    Text(key="DATABASE_URL", default=None, optional=True),  # None: SQLite in the instance folder
    TextList(key="ALLOWED_ORIGINS", default=(), clean=_origin),
    OneOf(
        key="MODERATION",
        default="first-time",
        editable=True,
        label=_l("Which comments wait for review"),
        choices=(
            ("first-time", _l("Comments from authors without an earlier approved comment")),
            ("all", _l("Every comment")),
            ("none", _l("None (only those held by links or words)")),
        ),
    ),
    WholeNumber(
        key="MAX_DEPTH",
        per_site=True,
        default=5,
        minimum=1,
        maximum=100,
        label=_l("Deepest level of replies"),
    ),
    # A comment holds at most 5000 characters, so far fewer links than this: at the top, the
    # number means "no limit" (sites and tests that want none write 100000).
    WholeNumber(
        key="MAX_LINKS",
        default=2,
        maximum=100000,
        editable=True,
        label=_l("Hold a comment with more links than"),
    ),
    WordList(
        key="MODERATION_KEYS",
        default=(),
        editable=True,
        label=_l("Hold comments containing these words (one per line)"),
        hint=WORD_LIST_HINT,
    ),
    WordList(
        key="DISALLOWED_KEYS",
        default=(),
        editable=True,
        label=_l("Mark as spam comments containing these words (one per line)"),
        hint=WORD_LIST_HINT,
    ),
    # The spam memory (threads/spammemory.py): hold a new comment from an address, a website's
    # domain or a network that moderators marked as spam on the site.
    Flag(
        key="SPAM_MEMORY",
        default=True,
        editable=True,
        label=_l("Hold comments from addresses, websites and networks marked as spam before"),
    ),
    # Proof of work (threads/proofofwork.py): the forms carry a challenge the browser solves;
    # a comment without a valid solution waits for a moderator. For floods: off by default.
    Flag(
        key="PROOF_OF_WORK",
        default=False,
        editable=True,
        label=_l("Ask browsers for a proof of work (comments without one are held)"),
    ),
    WholeNumber(
        key="CLOSE_AFTER_DAYS",
        default=0,  # 0: threads never close by age
        maximum=100000,
        editable=True,
        label=_l("Close threads this many days after they start (0: never)"),
    ),
    # What a banned person's new comment meets (moderation/bans.py): refused with a neutral
    # message that does not say why, or kept in the queue with the reason "banned".
    OneOf(
        key="BAN_ACTION",
        default="refuse",
        editable=True,
        per_site=True,
        label=_l("A banned person's new comment"),
        choices=(
            ("refuse", _l("Refuse it (the person is told it could not be accepted)")),
            ("hold", _l("Hold it for review (reason: banned)")),
        ),
    ),
    WholeNumber(
        key="EDIT_WINDOW_MINUTES",
        per_site=True,
        default=15,
        maximum=YEAR_MINUTES,
        label=_l("Minutes an author may edit or delete their comment"),
    ),
    OneOf(
        key="LANGUAGE",
        per_site=True,
        default="sv",
        label=_l("Language"),
        choices=tuple((code, LANGUAGE_NAMES[code]) for code in LANGUAGES),
    ),
    TimeZone(  # how times are shown to readers
        key="TIMEZONE",
        per_site=True,
        default="Europe/Stockholm",
        label=_l("Time zone (like Europe/Stockholm)"),
    ),
    Flag(  # True: Accept-Language picks sv or en
        key="LANGUAGE_FROM_BROWSER",
        per_site=True,
        default=False,
        label=_l("Speak the reader's browser language (Swedish or English)"),
    ),
    # Longer than an hour and nobody gets a comment through the time trap.
    WholeNumber(
        key="MIN_SUBMIT_SECONDS",
        default=3,
        maximum=3600,
        editable=True,
        label=_l("Mark as spam forms sent faster than this many seconds (0: off)"),
    ),
    Flag(key="NEWEST_FIRST", per_site=True, default=False, label=_l("Newest comments first")),
    WholeNumber(
        key="COMMENTS_PER_PAGE",
        per_site=True,
        default=50,
        minimum=1,
        maximum=100000,
        label=_l("Top-level comments per page"),
    ),
    # What one page carries of the replies: at most this many under one top-level comment,
    # and this many in all (also a page of one comment's further replies); the rest are
    # reached through "more replies" links and the API's cursor (threads/replies.py).
    WholeNumber(
        key="REPLIES_PER_COMMENT",
        per_site=True,
        default=50,
        minimum=1,
        maximum=100000,
        label=_l("Replies shown under one comment"),
    ),
    WholeNumber(
        key="REPLIES_PER_PAGE",
        per_site=True,
        default=300,
        minimum=1,
        maximum=100000,
        label=_l("Replies on one page in all"),
    ),
    Flag(key="DEMO", default=False),  # serve the demo article at /
    Flag(key="RATELIMIT_ENABLED", default=True),
    # Where the rate limits count: "database://", the service's own database, shared by every
    # worker and instance on it (commentsvc/limitstore.py); "redis://..." for many instances;
    # "memory://" counts in each worker process alone.
    Text(key="RATELIMIT_STORAGE_URI", default="database://"),
    Text(key="SMTP_HOST", default="127.0.0.1"),
    WholeNumber(key="SMTP_PORT", default=25, maximum=65535),  # 0: smtplib's default port
    Text(key="SMTP_USER", default=None, optional=True),
    Text(key="SMTP_PASSWORD", default=None, optional=True),
    Flag(key="SMTP_STARTTLS", default=False),
    Text(
        key="MAIL_FROM",
        per_site=True,
        default="commentsvc@localhost",
        label=_l("Sender address of the mails"),
    ),
    # Where answers to the mails go (Reply-To), when not to MAIL_FROM: "" sends none.
    Text(
        key="MAIL_REPLY_TO",
        per_site=True,
        default="",
        label=_l("Address for answers to the mails (empty: the sender)"),
    ),
    WholeNumber(
        key="REMEMBER_COOKIE_DAYS",
        per_site=True,
        default=365,
        maximum=CENTURY_DAYS,
        label=_l("Days a reader's details are remembered (when they ask)"),
    ),
    # The short privacy notice under every form (plain page, iframe, script embed); empty:
    # the built-in "Så behandlar vi dina personuppgifter" text. PRIVACY_URL: the full policy.
    Text(
        key="PRIVACY_NOTICE",
        per_site=True,
        default="",
        label=_l("Privacy notice under the form (empty: the built-in text)"),
    ),
    Text(
        key="PRIVACY_URL",
        per_site=True,
        default="",
        label=_l("Address of the privacy policy"),
    ),
    # The site's accessibility statement (the Swedish law on accessibility of digital public
    # service asks for one), linked beside the privacy notice; empty: no link.
    Text(
        key="ACCESSIBILITY_URL",
        per_site=True,
        default="",
        label=_l("Address of the accessibility statement"),
    ),
    # The service's own address, e.g. https://kommentarer.example.se: the base of every
    # absolute link we hand out (avatars in JSON, feeds, mails), never the request's Host.
    # Required unless DEBUG or TESTING (config.py checks it).
    Text(key="PUBLIC_URL", default=""),
    Text(key="RATELIMIT_COMMENTS", default="5 per minute;30 per hour"),  # per address
    # When Redis (RATELIMIT_STORAGE_URI) is down, keep serving with per-instance limits.
    Flag(key="RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", default=True),
    Flag(key="RATELIMIT_HEADERS_ENABLED", default=True),
    # Failed logins per account and address before slowing down, before the pair is locked,
    # and from one address (any account) before a lock; and how long a lock lasts.
    WholeNumber(key="LOGIN_FREE_FAILURES", default=3, maximum=10000),
    WholeNumber(key="LOGIN_LOCK_FAILURES", default=10, minimum=1, maximum=10000),
    WholeNumber(key="LOGIN_ADDRESS_FAILURES", default=50, minimum=1, maximum=100000),
    WholeNumber(key="LOGIN_LOCK_MINUTES", default=15, maximum=YEAR_MINUTES),
    # Every moderator must have a second factor (TOTP): one without is sent to set it up
    # before the desk opens, and nobody can turn theirs off.
    Flag(key="REQUIRE_TOTP", default=False),
    # Retention, applied by `flask --app commentsvc purge` (0: keep for ever): even the
    # anonymized IP of older comments; spam and trash after the decision (as WordPress); sent
    # mails.
    WholeNumber(key="IP_RETENTION_DAYS", default=0, maximum=CENTURY_DAYS),
    WholeNumber(key="PURGE_AFTER_DAYS", default=30, maximum=CENTURY_DAYS),
    WholeNumber(key="OUTBOX_RETENTION_DAYS", default=30, maximum=CENTURY_DAYS),
    # Reader reports (notice and action): a published comment whose independent readers weigh
    # this much (each network one, two with a confirmed notifier; at least two networks) is
    # held for review until a moderator decides (0: never held automatically).
    WholeNumber(
        key="REPORTS_TO_HOLD",
        per_site=True,
        default=3,
        label=_l("Hold a comment when its readers' reports weigh this much (0: never)"),
    ),
    Text(  # the report page's point of contact
        key="DSA_CONTACT",
        per_site=True,
        default="",
        label=_l("Point of contact for reports of illegal content (DSA)"),
    ),
    # The provider a statement of reasons names (DSA art. 17): "" names the site (SITE_NAME).
    Text(
        key="PROVIDER_NAME",
        per_site=True,
        default="",
        label=_l("Provider named in statements of reasons (empty: the site's name)"),
    ),
    # How many reverse proxies (load balancer, CDN edge...) stand in front and add
    # X-Forwarded-For/-Proto/-Host. 0: none, the headers are ignored, so a reader cannot choose
    # their own address for rate limits and the stored (anonymized) IP.
    WholeNumber(key="TRUSTED_PROXIES", default=0, maximum=100),
    # Seconds a shared cache (CDN) may serve an anonymous thread read without asking again,
    # and how long after that it may serve the old copy while it fetches a new one.
    WholeNumber(key="CACHE_MAX_AGE", default=10),
    WholeNumber(key="CACHE_STALE_WHILE_REVALIDATE", default=60),
    # What each worker keeps in its one store (memory.py), never stale: whole anonymous answers
    # (web/readcache.py) and the parts of thread pages; at most this many entries, and at most
    # this many megabytes of them. Four kinds share the entries (128 each before they shared).
    WholeNumber(key="THREAD_CACHE_ENTRIES", default=512),
    WholeNumber(key="THREAD_CACHE_MEGABYTES", default=8),
    # New threads opened on first use: per address (Flask-Limiter's syntax), and for the site.
    Text(key="RATELIMIT_NEW_ARTICLES", default="10 per hour"),
    WholeNumber(
        key="MAX_NEW_ARTICLES_PER_DAY",
        per_site=True,
        default=1000,
        label=_l("New threads opened by readers in a day at most"),
    ),
    # The largest request body any route reads; larger ones get 413 before they are read.
    # The biggest honest form is the settings page's word lists, well under this.
    WholeNumber(key="MAX_CONTENT_LENGTH", default=1024 * 1024),
    # Readers' notifications (subscriptions.py): the sender's display name and the mails'
    # signature, and how long published comments are gathered into one mail (0: each goes
    # out with the next `send-mail` run).
    Text(key="SITE_NAME", default="Kommentarer"),  # a site's own: its name (``site set --name``)
    WholeNumber(
        key="NOTIFY_BATCH_MINUTES",
        per_site=True,
        default=10,
        maximum=YEAR_MINUTES,
        label=_l("Minutes readers' notifications are gathered into one mail"),
    ),
)

BY_KEY: dict[str, SettingSpec] = {spec.key: spec for spec in SETTINGS}
EDITABLE_SETTINGS: tuple[SettingSpec, ...] = tuple(spec for spec in SETTINGS if spec.editable)
# The keys a site may set for itself; the rest belong to the installation (its database, mail
# server, secrets, limits of the machine).
PER_SITE_KEYS: frozenset[str] = frozenset(spec.key for spec in SETTINGS if spec.of_site)
# What a site's own page sets beside the admins' policy (every per-site key that is not editable
# under *Inställningar*), in the declaration's order.
SITE_PAGE_SETTINGS: tuple[SettingSpec, ...] = tuple(
    spec for spec in SETTINGS if spec.per_site and not spec.editable
)
