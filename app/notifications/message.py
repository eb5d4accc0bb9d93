"""The bytes of a mail, as mail programs need them.

Python's own folding (email.policy.SMTP, which Flask-Mail used) gets two headers wrong: a long
List-Unsubscribe URL is turned into RFC 2047 encoded words, which no mail program decodes there
(the one-click unsubscribe is lost), and a long German subject is split inside a word. So this
policy writes List-Unsubscribe and List-Unsubscribe-Post as they are (plain ASCII, one line,
well below the 998 characters a line may have) and folds the subject only between words,
encoding just the words that need it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime

PLAIN_HEADERS = {"list-unsubscribe", "list-unsubscribe-post"}
LINE = 78  # RFC 5322's recommended line length
# An encoded word may have 75 characters: 12 of them are "=?utf-8?q?" and "?=".
ENCODED_WORD = 75
# Characters that stand for themselves in a Q-encoded word anywhere (RFC 2047 5.(3)).
Q_SAFE = re.compile(rb"[A-Za-z0-9!*+\-/]")


class MailPolicy(EmailPolicy):
    """email.policy.SMTP with 7-bit bodies (quoted-printable or base64: every server takes
    them), plain List-Unsubscribe headers and subjects folded between words."""

    def fold(self, name: str, value: str) -> str:
        return self._own_fold(name, value) or super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        own = self._own_fold(name, value)
        return own.encode("ascii") if own else super().fold_binary(name, value)

    def _own_fold(self, name: str, value: str) -> str | None:
        if name.lower() in PLAIN_HEADERS:
            if not str(value).isascii():
                raise ValueError(f"{name} muss reines ASCII sein.")
            return f"{name}: {value}{self.linesep}"
        if name.lower() == "subject":
            return self.linesep.join(fold_words(name, str(value))) + self.linesep
        return None


POLICY = MailPolicy(linesep="\r\n", cte_type="7bit")


def build(
    sender: str,
    recipient: str,
    subject: str,
    text: str,
    html: str,
    message_id: str,
    headers: dict[str, str],
) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name] = value
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def fold_words(name: str, text: str) -> list[str]:
    """The header's lines: breaks only where the text has a space."""
    lines = [f"{name}:"]
    for token in _tokens(" ".join(text.split())):
        if len(lines[-1]) + 1 + len(token) > LINE and lines[-1] != f"{name}:":
            lines.append("")
        lines[-1] += " " + token
    return lines


def _tokens(text: str) -> list[str]:
    """Plain words stay plain; a word that needs encoding becomes encoded words. The space
    between two encoded words would vanish when decoded (RFC 2047 6.2), so it goes inside the
    second one."""
    tokens: list[str] = []
    encoded_before = False
    for word in text.split(" "):
        if word.isascii() and "=?" not in word:
            tokens.append(word)
            encoded_before = False
        else:
            tokens.extend(_encoded_words((" " if encoded_before else "") + word))
            encoded_before = True
    return tokens


def _encoded_words(text: str) -> list[str]:
    """Q-encoded words of at most 75 characters; a word too long for one is split between
    characters (decoders join adjacent encoded words without a space)."""
    words, current = [], ""
    for char in text:
        piece = _q(char)
        if len(current) + len(piece) > ENCODED_WORD - len("=?utf-8?q??="):
            words.append(current)
            current = ""
        current += piece
    words.append(current)
    return [f"=?utf-8?q?{word}?=" for word in words if word]


def _q(char: str) -> str:
    if char == " ":
        return "_"
    return "".join(
        chr(byte) if Q_SAFE.fullmatch(bytes([byte])) else f"={byte:02X}"
        for byte in char.encode("utf-8")
    )
