"""A real SMTP server on loopback (aiosmtpd) for the mail tests, and what it received."""

from __future__ import annotations

from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Inbox:
    """What the SMTP server received: (recipients, parsed message) pairs, in order.

    ``refuse`` maps a recipient address to the answer it gets (``"550 5.1.1 No such user"``:
    for good; ``"450 4.2.1 Try later"``: for now), as a real receiving server answers."""

    def __init__(self):
        self.messages = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 Message accepted for delivery"


class LoopbackSMTP:
    """aiosmtpd on 127.0.0.1:``port``; stop it to play a server that is down, start it again
    to bring it back (the inbox keeps what came before). Also a context manager."""

    def __init__(self, port: int):
        self.port = port
        self.inbox = Inbox()
        self.controller = None

    @property
    def messages(self) -> list:
        return self.inbox.messages

    def start(self) -> LoopbackSMTP:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def __enter__(self) -> LoopbackSMTP:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def mail_config(port: int, public_url: str = "https://kommentarer.example.se") -> dict:
    """The app's settings for mail through the loopback server on ``port``."""
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": port,
        "MAIL_FROM": "kommentarer@example.se",
        "PUBLIC_URL": public_url,
    }
