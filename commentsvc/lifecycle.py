"""A comment's life, announced once: services say what happened, ``notify`` decides what follows.

The services that store and change comments (``threads``, ``moderation``, ``reports``) send
these signals inside the action's transaction and import no mail or subscription code. The
receivers (``notify.events``) write mails, notifications and withdrawals into the same
transaction, so a mail exists exactly when the change does, and a refused action (rolled back)
leaves none. Flask already ships blinker; ``create_app`` connects the receivers.

Each signal's sender is the comment (or its id, where the row may be gone; a report for the
notice-and-action steps); ``now`` is passed where what follows depends on the moment.
"""

from __future__ import annotations

from blinker import Namespace

_announced = Namespace()

#: A comment now waits for review because of a reader (a new comment, an author's edit that
#: breaks a rule, readers' reports): the moderators who asked are told. Sender: the Comment.
comment_held = _announced.signal("comment-held")

#: Readers now see a comment: subscribers it concerns hear of it. Sender: the Comment.
comment_published = _announced.signal("comment-published")

#: Readers no longer see a comment: no unsent notification may quote it. Sender: its id.
comment_unpublished = _announced.signal("comment-unpublished")

#: A comment no longer waits for anyone (decided out of the queue, spam, taken back by its
#: author, deleted): nothing unsent about it goes out, to moderators or readers. Sender: its id.
comment_withdrawn = _announced.signal("comment-withdrawn")

#: A published comment's text changed: an unsent notification quoting the old text is written
#: again with the new. Sender: the Comment.
comment_text_changed = _announced.signal("comment-text-changed")

#: A comment's author asked, when posting, to hear of replies or of the whole article.
#: Sender: the Comment; ``kind`` (a SubscriptionKind), ``language``, ``now``.
subscription_asked = _announced.signal("subscription-asked")

#: A reader reported a published comment (notice and action): the notifier who gave an
#: address gets a receipt. Sender: the Report; ``comment``, ``now``.
report_filed = _announced.signal("report-filed")

#: A moderator decided on a comment's open reports: each notifier who gave an address hears
#: the decision, and on a removal the author gets the statement of reasons (whose text the
#: receiver writes on it). Sender: the Comment; ``reports`` (decided, each with its outcome),
#: ``statement`` (a StatementOfReasons, None when the comment stays), ``auto_held`` (readers'
#: reports had hidden it), ``now``.
report_decided = _announced.signal("report-decided")

#: A moderator banned an address or a network on a site (``moderation.bans``): a ban by
#: address is a decision the person is told of, with its statement of reasons (whose text the
#: receiver writes on it). Sender: the Ban; ``statement`` (None for a network: nobody to
#: tell), ``comment`` (the comment it came from, or None), ``now``.
ban_decided = _announced.signal("ban-decided")
