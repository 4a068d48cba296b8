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

from monitor import options as o
from monitor.channels.base import Channel, ChannelConfig, Outgoing, SendResult
from monitor.channels.bounded_smtp import BoundedSMTP, BoundedSMTPSSL, NoGreeting
from monitor.errors import plain_error
from monitor.options import Option
from monitor.render import event_headers, headline, html_text, plain_text


def _address(value: Any) -> str:
    """One address, bare or with a display name ("Legal Monitor <alerts@example.org>"), as the
    standard library's header parser reads it."""
    value = o.nonempty_text(value)
    header = SMTP_POLICY.header_factory("To", value)
    spec = header.addresses[0].addr_spec if len(header.addresses) == 1 else ""
    if header.defects or not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", spec):
        raise ValueError(f"{value!r} is not an e-mail address (write alerts@example.org or "
                         "Legal Monitor <alerts@example.org>)")
    return str(header.addresses[0])


def envelope(address: str) -> str:
    """The bare address of a From/To value, for the SMTP envelope and the Message-ID's domain."""
    return SMTP_POLICY.header_factory("To", address).addresses[0].addr_spec


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

    @classmethod
    def target(cls, config: ChannelConfig) -> str:
        options = config.options
        port = options.smtp_port or PORTS[options.security]
        login = f", login {options.username}" if options.username else ""
        return (f"smtp {options.smtp_host}:{port} ({options.security}{login}), from {options.from_} "
                f"to {', '.join(options.to)}")

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
        domain = envelope(options.from_).rsplit("@", 1)[1]
        message["Message-ID"] = f"<{batch[0].delivery_id}@{domain}>"
        message["List-Id"] = f"legal-monitor {self.name} <{_label(self.name)}.legal-monitor.{domain}>"
        for name, value in event_headers(*events).items():
            message[name] = value
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
        where = f"{host}:{port}"
        reached = False
        try:
            if security == "ssl":
                smtp: smtplib.SMTP = BoundedSMTPSSL(host, port, options.timeout, context)
            else:
                smtp = BoundedSMTP(host, port, options.timeout)
            reached = True
            with smtp:
                if security == "starttls":
                    try:
                        smtp.starttls(context=context)
                    except smtplib.SMTPNotSupportedError:
                        return SendResult(False, f"SMTP server {where} does not offer STARTTLS: set security = "
                                          "\"ssl\" for a server that speaks TLS at once (port 465), or \"none\" "
                                          "for a plain local relay", retry=True)
                if options.username:
                    smtp.login(options.username, options.password or "")
                smtp.ehlo_or_helo_if_needed()
                code, reply = smtp.mail(envelope(options.from_))
                if code != 250:
                    return _refused("MAIL FROM", code, reply)
                for recipient in options.to:
                    code, reply = smtp.rcpt(envelope(recipient))
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
        except NoGreeting as exc:
            return SendResult(False, f"SMTP server {where} took the connection but sent no SMTP greeting "
                              f"({_reason(exc)}): if it speaks TLS at once (port 465), set security = \"ssl\"",
                              retry=True)
        except ssl.SSLCertVerificationError as exc:
            return SendResult(False, f"TLS with SMTP server {where}: certificate not trusted: {_reason(exc)} "
                              "(give the CA in ca_bundle)", retry=True)
        except ssl.SSLError as exc:
            hint = "speaks TLS at once? then security = \"ssl\"" if security == "starttls" else \
                "wants plain SMTP first? then security = \"starttls\""
            return SendResult(False, f"TLS with SMTP server {where} failed ({hint}): {_reason(exc)}", retry=True)
        except (smtplib.SMTPException, OSError, socket.timeout) as exc:
            verb = "lost the connection to" if reached else "cannot reach"
            return SendResult(False, f"{verb} SMTP server {where}: {_reason(exc)}", retry=True)


def _loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _refused(step: str, code: int, reply: bytes) -> SendResult:
    return SendResult(False, f"SMTP server refused {step}: {code} {_text(reply)}", retry=code < 500, status=code)


def _reason(exc: BaseException) -> str:
    return plain_error(str(exc) or type(exc).__name__)


def _text(reply: bytes | str) -> str:
    return (reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)).replace("\n", " ")


def _label(name: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-") or "channel"
