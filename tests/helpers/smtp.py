"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

from __future__ import annotations

from helpers.http import free_port


class Inbox:
    """An aiosmtpd handler that keeps what it receives; `refuse` makes it answer 451/550."""

    def __init__(self) -> None:
        self.envelopes: list = []
        self.refuse: str | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        if self.refuse:
            return self.refuse
        self.envelopes.append(envelope)
        return "250 2.0.0 Ok: queued as TEST1"

    def messages(self):
        import email
        from email import policy

        return [email.message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


def start_smtp() -> Inbox:
    """An SMTP server on a free port accepting login alerts / pw-from-env; `inbox.start()` starts it
    again on the same port after `inbox.controller.stop()`."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"alerts" \
            and auth_data.password == b"pw-from-env"
        return AuthResult(success=ok, handled=False)

    inbox = Inbox()
    port = free_port()

    def start():
        inbox.controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticator,
                                      auth_require_tls=False)
        inbox.controller.start()

    inbox.port = port
    inbox.start = start
    start()
    return inbox
