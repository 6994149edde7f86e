"""The digest of what changed, sent as one e-mail (plain text + HTML) to subscribers.

The SMTP server comes from the environment: ``ANALYSIS_SMTP_HOST`` (required), ``ANALYSIS_SMTP_PORT``
(default 25), ``ANALYSIS_SMTP_FROM`` (default ``professionalitet@<host name>``),
``ANALYSIS_SMTP_USER`` and ``ANALYSIS_SMTP_PASSWORD`` (login, when set) and
``ANALYSIS_SMTP_STARTTLS=1`` (upgrade the connection first). Standard library only.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
from email.message import EmailMessage

from analysis.errors import AnalysisError

logger = logging.getLogger(__name__)

ENV = "ANALYSIS_SMTP_"


class NotifyError(AnalysisError):
    """The digest could not be sent: no server configured, or the server refused it."""


def message(subject: str, text: str, html: str, sender: str, recipients: list[str]) -> EmailMessage:
    """One message with a plain-text part and an HTML alternative."""
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    mail.set_content(text)
    mail.add_alternative(html, subtype="html")
    return mail


def send(recipients: list[str], subject: str, text: str, html: str, timeout: float = 30.0) -> None:
    """Send the digest to ``recipients`` through the configured SMTP server."""
    host = os.environ.get(ENV + "HOST")
    if not host:
        raise NotifyError(
            f"--notify needs an SMTP server: set {ENV}HOST (and {ENV}PORT, {ENV}FROM, "
            f"{ENV}USER/{ENV}PASSWORD if it asks for a login)"
        )
    port = int(os.environ.get(ENV + "PORT", "25"))
    sender = os.environ.get(ENV + "FROM") or f"professionalitet@{socket.getfqdn()}"
    mail = message(subject, text, html, sender, recipients)
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as server:
            if os.environ.get(ENV + "STARTTLS") == "1":
                server.starttls()
            if os.environ.get(ENV + "USER"):
                server.login(os.environ[ENV + "USER"], os.environ.get(ENV + "PASSWORD", ""))
            server.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        raise NotifyError(f"the digest was not sent through {host}:{port}: {exc}") from exc
    logger.info("digest sent to %s", ", ".join(recipients))
