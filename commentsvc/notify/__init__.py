"""What follows a comment's life: the outbox of mail, moderators' mail, readers' notifications,
connected to the signals of ``commentsvc.lifecycle`` by ``events.connect()``."""
