"""gunicorn's access log without the family links' tokens (forms.link_paths).

Run gunicorn with `--logger-class portal.access_log.TokenRedactingLogger` (docs/deploy.md):
the request line, path, query string and Referer of every access-log line are redacted, in
whatever `--access-logformat` the operator chose."""

from __future__ import annotations

from gunicorn.glogging import Logger

from forms.link_paths import redact_tokens

# The atoms of gunicorn's access-log format that can carry a path.
PATH_ATOMS = ("r", "U", "q", "f", "{raw_uri}e", "{path_info}e", "{query_string}e", "{referer}i", "{http_referer}e")


class TokenRedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name in PATH_ATOMS:
            value = atoms.get(name)
            if isinstance(value, str):
                atoms[name] = redact_tokens(value)
        return atoms
