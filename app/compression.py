"""Compressed answers (Brotli or gzip, as the client accepts) for text: pages, JSON, GeoJSON,
CSV, feeds, scripts. Open311's default page of requests shrinks from ~500 KB to ~50 KB.

Own code rather than Flask-Compress, which buffers a streamed answer whole before compressing
it: our exports stream a million rows and must go on streaming, compressed chunk by chunk. In
production nginx may compress instead (README); it leaves answers alone that are compressed
already. Registered before every other hook, so it runs last and sees the final answer."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

import brotli
from flask import Flask, Response, request

TEXT = frozenset(
    {
        "text/html",
        "text/css",
        "text/plain",
        "text/csv",
        "text/xml",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/geo+json",
        "application/xml",
        "application/atom+xml",
        "application/manifest+json",
        "image/svg+xml",
    }
)
# Below this the headers outweigh the saving.
MIN_SIZE = 1024
# Quality 4 and level 6: nearly the size of the highest settings at a fraction of the time
# (a 500 KB JSON page: ~6 ms for Brotli 4, ~9 ms for gzip 6 on one core).
BROTLI_QUALITY = 4
GZIP_LEVEL = 6


def init_app(app: Flask) -> None:
    app.after_request(compress)


def chosen_encoding() -> str | None:
    """br when the client takes it, else gzip, else None (q=0 means "not this one")."""
    accepted = request.accept_encodings
    for encoding in ("br", "gzip"):
        if accepted.quality(encoding) > 0 and encoding in accepted.values():
            return encoding
    return None


def _worth_it(response: Response) -> bool:
    return (
        response.status_code == 200
        and request.method != "HEAD"
        and "Range" not in request.headers
        and response.mimetype in TEXT
        and "Content-Encoding" not in response.headers
        and "no-transform" not in (response.headers.get("Cache-Control") or "")
        and (response.content_length is None or response.content_length >= MIN_SIZE)
    )


def compress(response: Response) -> Response:
    if response.mimetype in TEXT:
        response.vary.add("Accept-Encoding")  # caches keep one copy per encoding
    encoding = chosen_encoding() if _worth_it(response) else None
    if encoding is None:
        return response
    if response.is_streamed or response.direct_passthrough:
        # A stream (an export) or a file: compressed as it goes, never held whole.
        chunks = response.response
        response.direct_passthrough = False
        response.response = _stream(chunks, encoding)
        response.headers.pop("Content-Length", None)
    else:
        response.set_data(_whole(response.get_data(), encoding))
    response.headers["Content-Encoding"] = encoding
    etag, weak = response.get_etag()
    if etag and not weak:
        # Not byte-equal to the plain answer any more; weak still answers If-None-Match with
        # 304 (weak comparison), as nginx does it.
        response.set_etag(etag, weak=True)
    return response


def _whole(data: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return bytes(brotli.compress(data, quality=BROTLI_QUALITY))
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)  # 31: with the gzip header
    return compressor.compress(data) + compressor.flush()


def _stream(chunks: Iterable[bytes | str], encoding: str) -> Iterator[bytes]:
    if encoding == "br":
        brotli_compressor = brotli.Compressor(quality=BROTLI_QUALITY)
        step, finish = brotli_compressor.process, brotli_compressor.finish
    else:
        gzip_compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
        step, finish = gzip_compressor.compress, gzip_compressor.flush
    try:
        for chunk in chunks:
            out = step(chunk.encode() if isinstance(chunk, str) else chunk)
            if out:
                yield out
        yield finish()
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:  # the file of a static answer, the export's database cursor
            close()
