"""A tiny HTTP client for the fault tests and the benchmark: one `http.client` connection per
request, its own cookie jar (kept by hand, so the production settings' Secure cookies still
travel over the plain-HTTP 127.0.0.1 test server), no redirect following."""

from __future__ import annotations

import http.client
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_KEY_INPUT = re.compile(r'name="submission_key" value="([^"]+)"')
SLOT_RADIO = re.compile(r'type="radio" name="slot" value="([^"]+)"|name="slot" type="radio" value="([^"]+)"')


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class Browser:
    def __init__(self, base_url: str, timeout: float = 60):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None) -> Response:
        headers = {"Accept-Language": "fr", "User-Agent": "fault-test"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            content = raw.read()
            for name, value in raw.getheaders():
                if name.lower() == "set-cookie":
                    for morsel in SimpleCookie(value).values():
                        self.cookies[morsel.key] = morsel.value
            return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, content)
        finally:
            connection.close()

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict, form: Response | None = None) -> Response:
        """POST with the CSRF token of `form` (the page the form was read from), if it has one."""
        data = dict(data)
        if form is not None:
            match = CSRF_INPUT.search(form.text)
            if match:
                data["csrfmiddlewaretoken"] = match.group(1)
        return self.request("POST", path, data)


def slot_keys(page: Response) -> list[str]:
    return [a or b for a, b in SLOT_RADIO.findall(page.text)]


def submission_key(page: Response) -> str:
    match = SUBMISSION_KEY_INPUT.search(page.text)
    return match.group(1) if match else ""
