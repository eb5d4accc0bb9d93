"""Talking to another body's Open311 GeoReport v2 endpoint (and mySociety's service request
updates extension), with the standard library only. Every failure is a RetryableError or a
PermanentError with a German reason; nothing the peer sends is trusted (size, type, shape)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from flask import current_app

from app.exchange.transport import PermanentError, RetryableError

# A peer's answer larger than this is refused: a services list or a page of updates is small.
MAX_ANSWER = 5 * 1024 * 1024


class Peer:
    """One Open311 endpoint: base URL (…/open311/v2), key and jurisdiction."""

    def __init__(self, url: str, api_key: str | None, jurisdiction: str | None) -> None:
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.jurisdiction = jurisdiction

    def services(self) -> list[dict[str, Any]]:
        answer = self._call("GET", "services.json", {})
        if not isinstance(answer, list) or not all(isinstance(s, dict) for s in answer):
            raise PermanentError("Die Dienstliste (services.json) ist keine Liste von Diensten.")
        return answer

    def file(self, fields: Mapping[str, str]) -> str:
        """POST requests.json; their service_request_id (or, while they queue it, the token)."""
        answer = self._call("POST", "requests.json", {**fields, "api_key": self.api_key or ""})
        first = answer[0] if isinstance(answer, list) and answer else None
        if not isinstance(first, dict):
            raise PermanentError("Die Antwort auf die Meldung ist keine Open311-Liste.")
        remote = first.get("service_request_id") or first.get("token")
        if not isinstance(remote, str | int) or not str(remote).strip():
            raise PermanentError("Die Antwort enthält keine service_request_id.")
        return str(remote)[:200]

    def updates(self, since: str) -> list[dict[str, Any]]:
        answer = self._call("GET", "servicerequestupdates.json", {"start_date": since})
        if isinstance(answer, dict):  # the extension wraps its list in an object
            answer = answer.get("service_request_updates")
        return _list_of_dicts(answer, "servicerequestupdates.json")

    def requests(self, ids: list[str]) -> list[dict[str, Any]]:
        answer = self._call("GET", "requests.json", {"service_request_id": ",".join(ids)})
        return _list_of_dicts(answer, "requests.json")

    def check_key(self) -> None:
        """An empty POST that no server can file: 401/403 means the key is wrong, any other
        refusal (400, 404) that it was accepted."""
        try:
            self._call("POST", "requests.json", {"api_key": self.api_key or ""})
        except PermanentError as refused:
            if isinstance(refused, PeerRefused) and refused.status in (401, 403):
                raise PermanentError(f"Der API-Schlüssel wurde abgelehnt ({refused}).") from None

    def _call(self, method: str, path: str, params: Mapping[str, str]) -> Any:
        query = dict(params)
        if self.jurisdiction:
            query["jurisdiction_id"] = self.jurisdiction
        data = urllib.parse.urlencode(query).encode()
        url = f"{self.url}/{path}"
        if method == "GET":
            url, data = f"{url}?{data.decode()}", b""
        request = urllib.request.Request(url, data=data or None, method=method)
        request.add_header("Accept", "application/json")
        request.add_header("User-Agent", "Maengelmelder-Austausch/1")
        return _send(request, current_app.config["EXCHANGE_TIMEOUT"])


class PeerRefused(PermanentError):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _send(request: urllib.request.Request, timeout: float) -> Any:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            body = answer.read(MAX_ANSWER + 1)
    except urllib.error.HTTPError as error:
        raise _refusal(error) from None
    except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise RetryableError(f"Nicht erreichbar: {reason}") from None
    if len(body) > MAX_ANSWER:
        raise PermanentError("Die Antwort ist größer als 5 MB.")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise PermanentError("Die Antwort ist kein JSON.") from None


def _refusal(error: urllib.error.HTTPError) -> Exception:
    text = error.read(2000).decode("utf-8", "replace")
    try:
        details = "; ".join(e["description"] for e in json.loads(text) if isinstance(e, dict))
    except (ValueError, TypeError, KeyError, RecursionError):
        details = text.strip()[:300]
    message = f"HTTP {error.code}: {details or error.reason}"
    if error.code >= 500 or error.code == 429:
        return RetryableError(message)
    return PeerRefused(message, error.code)


def _list_of_dicts(answer: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(answer, list) or not all(isinstance(item, dict) for item in answer):
        raise PermanentError(f"Die Antwort von {what} ist keine Liste.")
    return answer
