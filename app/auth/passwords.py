"""Which passwords staff may choose: long enough, and none that an attacker tries early.

zxcvbn (Dropbox's estimator, MIT licence) ships frequency lists of leaked passwords, words and
names, and spots keyboard patterns, repeats, sequences and dates. Its lists are English, so
words common in German passwords join the user inputs it matches as dictionary words.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from flask import current_app, has_app_context
from zxcvbn import zxcvbn

MIN_PASSWORD = 12
# The login form accepts at most 200 characters; a longer password could never be used.
MAX_PASSWORD = 200
# zxcvbn's score 3: about 10^8 guesses or more. With scrypt and the login delays that is far
# beyond an online attack, and costly offline.
MIN_SCORE = 3
GERMAN_WORDS = (
    "passwort",
    "kennwort",
    "geheim",
    "hallo",
    "willkommen",
    "schatz",
    "ichliebedich",
    "liebe",
    "sommer",
    "winter",
    "fruehling",
    "frühling",
    "herbst",
    "fussball",
    "fußball",
    "schalke",
    "dortmund",
    "deutschland",
    "qwertz",
    "qwertzuiop",
    "yxcvbnm",
    "mängelmelder",
    "maengelmelder",
    "stadt",
    "rathaus",
    "verwaltung",
)
# Why a password is easy to guess, by the kind of pattern zxcvbn found in it (first match wins).
REASONS = (
    ("passwords", "es gehört zu den häufigsten Passwörtern oder ähnelt einem davon"),
    ("user_inputs", "es enthält Ihren Namen, Ihre E-Mail-Adresse oder ein naheliegendes Wort"),
    ("repeat", "Wiederholungen wie „aaa“ oder „abcabc“ sind leicht zu erraten"),
    ("sequence", "Folgen wie „abcd“ oder „1234“ sind leicht zu erraten"),
    ("spatial", "Tastaturmuster wie „qwertz“ oder „asdf“ sind leicht zu erraten"),
    ("date", "Daten und Jahreszahlen sind leicht zu erraten"),
    ("regex", "Daten und Jahreszahlen sind leicht zu erraten"),
    ("dictionary", "es besteht aus gebräuchlichen Wörtern oder Namen"),
)
# zxcvbn keeps the user inputs in a module-level dictionary: one check at a time.
_zxcvbn_lock = threading.Lock()


def password_problem(password: str, personal: Iterable[str] = ()) -> str | None:
    """A German sentence saying what is wrong with the password, or None if it will do.
    `personal`: the account's email, name and the like, which must not carry the password."""
    if len(password) < MIN_PASSWORD:
        return f"Das Passwort muss mindestens {MIN_PASSWORD} Zeichen haben."
    if len(password) > MAX_PASSWORD:
        return f"Das Passwort darf höchstens {MAX_PASSWORD} Zeichen haben."
    inputs = [*_personal_words(personal), *GERMAN_WORDS]
    if has_app_context():
        inputs.append(current_app.config["CITY_NAME"])
    with _zxcvbn_lock:
        result = zxcvbn(password, user_inputs=inputs, max_length=MAX_PASSWORD)
    if result["score"] >= MIN_SCORE:
        return None
    return (
        f"Dieses Passwort ist zu leicht zu erraten: {_reason(result['sequence'])}. "
        "Besser sind mehrere Wörter, die nichts miteinander zu tun haben."
    )


def _personal_words(personal: Iterable[str]) -> list[str]:
    words = []
    for value in personal:
        if value:
            words.append(value)
            words.extend(part for part in value.replace("@", " ").split() if len(part) > 2)
    return words


def _reason(sequence: list[dict]) -> str:
    kinds = {m.get("dictionary_name") for m in sequence} | {m["pattern"] for m in sequence}
    for kind, reason in REASONS:
        if kind in kinds:
            return reason
    return "es ist zu kurz oder zu gleichförmig"
