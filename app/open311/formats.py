"""The two Open311 formats. XML is the spec's own; JSON maps it by the Spark convention: a
container of repeated elements becomes an array, an empty element becomes null."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from flask import Response

FORMATS = {"json", "xml"}
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
# The element name of one item in each list, by the name of the list.
ITEM_NAMES = {
    "service_requests": "request",
    "services": "service",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
    "status_notes": "status_note",
    "media_urls": "media_url",
    "service_request_updates": "request_update",
}
# Characters XML 1.0 cannot carry at all, not even escaped.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def render(fmt: str, root: str, data: list | dict, status: int = 200) -> Response:
    """`root` names the XML document element (service_requests, services, discovery …)."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    else:
        body = xml_document(root, data)
    return Response(body, status=status, content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES["xml"]))


def render_wrapped(fmt: str, root: str, items: list) -> Response:
    """A list that JSON wraps in an object named like the XML root: mySociety's extension
    does so, where GeoReport v2's own lists are bare arrays."""
    return render(fmt, root, {root: items} if fmt == "json" else items)


def render_json_text(fmt: str, root: str, text: str) -> Response:
    """An answer whose JSON the database wrote; the XML is made from it."""
    if fmt == "json":
        return Response(text, content_type=CONTENT_TYPES["json"])
    return render(fmt, root, json.loads(text))


def render_errors(fmt: str, status: int, descriptions: list[str]) -> Response:
    errors = [{"code": status, "description": d} for d in descriptions]
    return render(fmt if fmt in FORMATS else "xml", "errors", errors, status)


def xml_document(root: str, data: list | dict) -> str:
    element = ET.Element(root)
    _fill(element, root, data)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="unicode")


def _fill(element: ET.Element, name: str, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), key, item)
    elif isinstance(value, list):
        item_name = ITEM_NAMES[name]
        for item in value:
            _fill(ET.SubElement(element, item_name), item_name, item)
    elif value is not None:
        element.text = _text(value)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("", str(value))
