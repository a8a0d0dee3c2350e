"""A comment's life, announced once: services say what happened, ``notify`` decides what follows.

The services that store and change comments (``threads``, ``moderation``, ``reports``) send
these signals inside the action's transaction and import no mail or subscription code. The
receivers (``notify.events``) write mails, notifications and withdrawals into the same
transaction, so a mail exists exactly when the change does, and a refused action (rolled back)
leaves none. Flask already ships blinker; ``create_app`` connects the receivers.

Each signal's sender is the comment (or its id, where the row may be gone); ``now`` is passed
where what follows depends on the moment.
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
