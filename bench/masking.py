"""Masking secrets in what bench shows or logs: database URLs, libpq strings, PINs.

A central URL reaches the screen, the terminal and the log (which place it could not reach,
which database it set up), and the password in it must never come along, however it was
written: `postgresql://u:p@ss@host/db` with the `@` left as it is (libpq takes it), `p%40ss`
quoted, `?password=...` in the query, or a libpq string `host=db password='a b\\'c'`. The
rule is to mask too much rather than too little: with an `@` in the query as well, the host
is masked with the password.

Apart from `bench.logs` because `store` masks URLs too, and the core must not need the
store's URL parser for it.
"""

from __future__ import annotations

import re
from typing import Final

MASK: Final = "***"

_SCHEME: Final = r"[A-Za-z][A-Za-z0-9+.-]*://"
_URL_START: Final = re.compile(_SCHEME)
# In a URL's query: up to the next parameter (a password's own `&` must be %26 there).
_QUERY_PASSWORD: Final = re.compile(r"(?P<head>[?&]password=)[^&#]*", re.IGNORECASE)
# A libpq value: quoted (backslash escapes inside), or bare up to whitespace. An unclosed
# quote runs to the end: libpq refuses it, and its text is masked all the same.
_FIELD: Final = re.compile(
    r"(?P<head>\b(?:pin|password|passwd|pwd)\b\s*[=:]\s*)"
    r"(?P<value>'(?:\\.|[^'\\])*'?|\"(?:\\.|[^\"\\])*\"?|(?:\\.|[^\s\\])+)",
    re.IGNORECASE,
)
# In free text a URL ends at whitespace; its userinfo at the token's last `@`.
_URL_IN_TEXT: Final = re.compile(r"(?P<head>" + _SCHEME + r"[^\s/:@]*:)\S*@")


def mask_url(url: str) -> str:
    """One central URL (or libpq string), whole, as safe to show: every password masked,
    the rest (user, host, port, database, options) as written."""
    if not _URL_START.match(url.lstrip()):
        return mask_fields(url)
    scheme_end = url.index("://") + 3
    at = url.rfind("@", scheme_end)
    if at < 0:
        return _QUERY_PASSWORD.sub(rf"\g<head>{MASK}", url)
    user, colon, _password = url[scheme_end:at].partition(":")
    userinfo = f"{user}:{MASK}" if colon else user
    rest = _QUERY_PASSWORD.sub(rf"\g<head>{MASK}", url[at:])
    return f"{url[:scheme_end]}{userinfo}{rest}"


def mask_fields(text: str) -> str:
    """`password=...`, `pin: ...` and the like, quoted or not, masked wherever they are."""
    return _FIELD.sub(_masked_field, text)


def _masked_field(found: re.Match[str]) -> str:
    quote = found["value"][0] if found["value"][0] in "'\"" else ""
    return f"{found['head']}{quote}{MASK}{quote}"


def mask_line(text: str) -> str:
    """Secrets in one line of free text (a log line, a traceback): the passwords of URLs in
    it and every `password=` or `pin=` field."""
    return mask_fields(_URL_IN_TEXT.sub(rf"\g<head>{MASK}@", text))
