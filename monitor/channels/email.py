"""The `email` channel: multipart (text + escaped HTML) messages over SMTP, optionally digested."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate
from typing import Any, ClassVar, Literal

import certifi

from .. import options as o
from ..options import Option
from ..render import headline, html_text, plain_text
from .base import Channel, ChannelConfig, Outgoing, SendResult
from .bounded_smtp import BoundedSMTP, BoundedSMTPSSL


def _address(value: Any) -> str:
    value = o.nonempty_text(value)
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", value):
        raise ValueError(f"{value!r} is not an e-mail address")
    return value


def _addresses(value: Any) -> list[str]:
    values = o.text_list(value)
    if not values:
        raise ValueError("needs at least one address")
    return [_address(v) for v in values]


Security = Literal["starttls", "ssl", "none"]
PORTS: dict[Security, int] = {"starttls": 587, "ssl": 465, "none": 25}
"""The SMTP port of each security, without `smtp_port`."""


class EmailChannel(Channel):
    """Sends each event (or, with `digest`, each window's events) as one e-mail."""

    kind: ClassVar[str] = "email"
    options: ClassVar[dict[str, Option]] = {
        "smtp_host": Option(o.nonempty_text, required=True, help="the SMTP server"),
        "smtp_port": Option(o.integer(1, 65535), None, help="default 587 (starttls), 465 (ssl), 25 (none)"),
        "security": Option(o.one_of(Security), "starttls",
                           help="starttls (port 587), ssl (implicit TLS, 465) or none (plain, 25)"),
        "username": Option(o.nonempty_text, None, help="SMTP login, if the server wants one"),
        "password_env": Option(o.env_name, None, help="environment variable holding the SMTP password"),
        "from": Option(_address, required=True, help="sender address"),
        "to": Option(_addresses, required=True, help="list of recipient addresses"),
        "digest": Option(o.positive_duration, None, help="batch the events of this window into one message"),
        "timeout": Option(o.positive_duration, 30.0,
                          help="SMTP connection timeout; a whole exchange may take 4 × this"),
        "ca_bundle": Option(o.nonempty_text, None, help="PEM file of CAs to trust for the SMTP server"),
    }

    @classmethod
    def check_options(cls, config: ChannelConfig) -> list[str]:
        options = config.options
        if options.password and not options.username:
            return ["username: required when password_env is set"]
        if options.password and options.security == "none" and not _loopback(options.smtp_host):
            return [f"security: \"none\" would send the password in clear to {options.smtp_host}; use "
                    "\"starttls\" or \"ssl\" (plain SMTP with a password is allowed only to a loopback host)"]
        return []

    @property
    def digest(self) -> float | None:
        return self.config.options.digest

    def message(self, batch: list[Outgoing]) -> EmailMessage:
        options = self.config.options
        events = [item.event for item in batch]
        message = EmailMessage()
        if len(events) == 1:
            subject = headline(events[0])
        else:
            subject = f"{len(events)} treaty events: " + "; ".join(headline(e, limit=60) for e in events[:3])
        message["Subject"] = subject[:250]
        message["From"] = options.from_
        message["To"] = ", ".join(options.to)
        message["Date"] = formatdate(localtime=False, usegmt=True)
        domain = options.from_.rsplit("@", 1)[1]
        message["Message-ID"] = f"<{batch[0].delivery_id}@{domain}>"
        message["List-Id"] = f"legal-monitor {self.name} <{_label(self.name)}.legal-monitor.{domain}>"
        message["X-Legal-Monitor-Event"] = ", ".join(sorted({e.type for e in events}))
        message["Auto-Submitted"] = "auto-generated"
        # Quoted-printable keeps every line within SMTP's limit, whatever the content.
        message.set_content(plain_text(events), cte="quoted-printable")
        message.add_alternative(html_text(events), subtype="html", cte="quoted-printable")
        return message

    async def send(self, batch: list[Outgoing]) -> SendResult:
        return await asyncio.to_thread(self._send, self.message(batch))

    def _send(self, message: EmailMessage) -> SendResult:
        options = self.config.options
        security = options.security
        port = options.smtp_port or PORTS[security]
        host = options.smtp_host
        context = ssl.create_default_context(cafile=options.ca_bundle or certifi.where())
        try:
            if security == "ssl":
                smtp: smtplib.SMTP = BoundedSMTPSSL(host, port, options.timeout, context)
            else:
                smtp = BoundedSMTP(host, port, options.timeout)
            with smtp:
                if security == "starttls":
                    smtp.starttls(context=context)
                if options.username:
                    smtp.login(options.username, options.password or "")
                smtp.ehlo_or_helo_if_needed()
                code, reply = smtp.mail(options.from_)
                if code != 250:
                    return _refused("MAIL FROM", code, reply)
                for recipient in options.to:
                    code, reply = smtp.rcpt(recipient)
                    if code not in (250, 251):
                        return _refused(f"RCPT TO {recipient}", code, reply)
                code, reply = smtp.data(message.as_bytes(policy=SMTP_POLICY))
                if code != 250:
                    return _refused("DATA", code, reply)
                return SendResult(True, f"SMTP {code} {_text(reply)}", status=code)
        except smtplib.SMTPAuthenticationError as exc:
            # Credentials can be fixed without losing the alert: keep retrying.
            return SendResult(False, f"SMTP authentication failed: {exc.smtp_code} {_text(exc.smtp_error)}",
                              retry=True, status=exc.smtp_code)
        except smtplib.SMTPResponseException as exc:
            return SendResult(False, f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}",
                              retry=exc.smtp_code < 500, status=exc.smtp_code)
        except (smtplib.SMTPException, OSError, socket.timeout) as exc:
            reason = str(exc) or type(exc).__name__
            return SendResult(False, f"cannot reach SMTP server {host}:{port}: {reason}", retry=True)


def _loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _refused(step: str, code: int, reply: bytes) -> SendResult:
    return SendResult(False, f"SMTP server refused {step}: {code} {_text(reply)}", retry=code < 500, status=code)


def _text(reply: bytes | str) -> str:
    return (reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)).replace("\n", " ")


def _label(name: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-") or "channel"
