"""Email channel (邮件): off unless NOTIFY_SMTP_HOST is set.  Plain functions over smtplib
(cooperative under eventlet, which patches its sockets)."""
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid


class MailError(Exception):
    """The SMTP server refused or could not be reached; the message says why."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "notify@localhost"
    user: str = ""
    password: str = ""
    starttls: bool = False

    @classmethod
    def from_config(cls, config):
        """None when the channel is off (no host configured)."""
        host = (config.get("NOTIFY_SMTP_HOST") or "").strip()
        if not host:
            return None
        return cls(host, int(config.get("NOTIFY_SMTP_PORT") or 25),
                   config.get("NOTIFY_SMTP_FROM") or cls.sender, config.get("NOTIFY_SMTP_USER") or "",
                   config.get("NOTIFY_SMTP_PASSWORD") or "", config_flag(config.get("NOTIFY_SMTP_STARTTLS")))


def config_flag(value):
    return value is True or str(value).lower() in ("1", "true", "yes")


def compose(settings: SmtpSettings, to, subject, text, delivery_id):
    """A plain-text message; its Message-ID carries the delivery id, stable across retries."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.sender, to, subject
    message["Message-ID"] = make_msgid(idstring=delivery_id, domain="notify.local")
    message["X-Platform-Delivery"] = delivery_id
    message.set_content(text)
    return message


def send(settings: SmtpSettings, message, timeout):
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=timeout) as smtp:
            if settings.starttls:
                smtp.starttls()
            if settings.user:
                smtp.login(settings.user, settings.password)
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as err:
        raise MailError(f"{type(err).__name__}: {err}"[:500]) from err
