"""E-mail over SMTP: STARTTLS (required unless `starttls: false`), a text and an HTML body,
the Chinese subject encoded as RFC 2047 by the standard library's SMTP policy."""

from __future__ import annotations

import html
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid

from cityguard.notify.channels.base import Channel, Outcome, Wire
from cityguard.notify.events import Event
from cityguard.notify.target import Target
from cityguard.notify.text import Message, utf8_len


class Email(Channel):
    name = "email"
    text_bytes = 64 * 1024
    required = (("host",), ("from",), ("to",))

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self.host = str(target.opt("host"))
        self.port = int(target.opt("port", 587))
        self.starttls = bool(target.opt("starttls", True))
        self.username = target.opt("username")
        self.password = target.secret("password", required=bool(self.username))

    def render(self, message: Message, event: Event, now: float) -> Wire:
        text = message.text(self.budget(), utf8_len)
        msg = EmailMessage(policy=SMTP)
        msg["Subject"] = message.title
        msg["From"] = str(self.target.opt("from"))
        msg["To"] = ", ".join(self.target.opt("to"))
        msg["Date"] = formatdate(now, localtime=True)
        msg["Message-ID"] = make_msgid(idstring=event.id, domain="cityguard.invalid")
        msg["X-Cityguard-Event"] = event.id
        msg.set_content(text)
        lines = "".join(f"<li>{html.escape(line)}</li>" for line in text.split("\n")[1:])
        msg.add_alternative(f'<!doctype html><html lang="{message.lang}"><body>'
                            f"<h3>{html.escape(message.title)}</h3><ul>{lines}</ul>"
                            "</body></html>", subtype="html")
        return Wire(target=self.target.name, channel=self.name, method="SMTP",
                    dest=f"smtp://{self.host}:{self.port}", body=msg.as_bytes(),
                    secrets=tuple(s for s in (self.password,) if s),
                    meta={"from": msg["From"], "to": list(self.target.opt("to"))})

    def send(self, wire: Wire) -> Outcome:
        import smtplib
        import ssl

        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.ehlo()
                if self.starttls:
                    if not smtp.has_extn("starttls"):
                        return Outcome.refused("no starttls", "the server does not offer "
                                               "STARTTLS; cityguard does not send in clear "
                                               "(set starttls: false only on a trusted link)")
                    smtp.starttls(context=ssl.create_default_context(
                        cafile=self.target.file("ca_file")))
                    smtp.ehlo()
                if self.username:
                    smtp.login(str(self.username), self.password or "")
                smtp.sendmail(wire.meta["from"], wire.meta["to"], wire.body)
        except smtplib.SMTPAuthenticationError as exc:
            return Outcome.refused(str(exc.smtp_code), "the server refused the login: check "
                                   "username and password_env")
        except smtplib.SMTPRecipientsRefused:
            return Outcome.refused("recipients", "the server refused every recipient (to:)")
        except smtplib.SMTPResponseException as exc:
            detail = wire.mask(exc.smtp_error.decode("utf-8", "replace"))[:200]
            if 400 <= exc.smtp_code < 500:
                return Outcome.retry(str(exc.smtp_code), detail)
            return Outcome.refused(str(exc.smtp_code), detail)
        except ssl.SSLError as exc:
            return Outcome.refused("tls", f"TLS failed ({exc.reason}): check ca_file")
        except (OSError, smtplib.SMTPException) as exc:
            return Outcome.retry("unreachable", f"{type(exc).__name__}: {exc}"[:200])
        return Outcome.sent("250")
