"""API keys never reach the access log: an `api_key=…` in a logged line (request line, referrer)
is masked, in the dev server's log (werkzeug) and in gunicorn's access log. POST requests take
the key only from the body or a header; this catches clients that still put it in the address.
The staff search's query (`/staff/suche?q=…`, also as the referrer of the pages it leads to) is
masked the same way: it may be a reporter's e-mail address or phone number.
"""

from __future__ import annotations

import logging
import re

# api_key, also percent-encoded (api%5Fkey), up to the end of its value.
SECRET_PARAMETER = re.compile(r"(?i)(api(?:_|%5f)key=)[^&\s\"']*")
# The staff search's q, wherever it stands among the parameters.
SEARCH_QUERY = re.compile(r"(/staff/suche\?(?:[^\s\"'&]*&)*q=)[^&\s\"']*")
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access")


class MaskApiKeys(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = SECRET_PARAMETER.sub(r"\1[entfernt]", message)
        masked = SEARCH_QUERY.sub(r"\1[entfernt]", masked)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def init_app() -> None:
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        # One filter per logger, however many apps a process creates (tests create several).
        if not any(isinstance(f, MaskApiKeys) for f in logger.filters):
            logger.addFilter(MaskApiKeys())
