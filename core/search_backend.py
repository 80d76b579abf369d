"""Wagtail's PostgreSQL search, one text search configuration per language.

Wagtail (modelsearch) builds every index entry and every query with one configuration
(SEARCH_CONFIG). Here each page is indexed with its own language's configuration and each query
uses the active language's: French words are stemmed as French, Turkish as Turkish, Arabic as
Arabic. The configurations (`portal_fr`, `portal_en`, ...) are copies of PostgreSQL's own with
`unaccent` in front of the stemmer, so "ecole" finds "École" (home migration 0003 creates them).
Under SQLite (make run) Wagtail's database backend is used as it is: its FTS5 tokenizer already
ignores accents."""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings
from django.utils import translation
from modelsearch.backends.database.postgres.postgres import PostgresIndex, PostgresSearchBackend

# The language of each site language's PostgreSQL configuration.
POSTGRES_LANGUAGES = {"fr": "french", "en": "english", "ar": "arabic", "pt": "portuguese", "tr": "turkish"}

_indexing: ContextVar[str | None] = ContextVar("search_indexing_config", default=None)


def config_name(language_code: str | None) -> str:
    code = (language_code or settings.LANGUAGE_CODE).split("-")[0]
    return f"portal_{code if code in POSTGRES_LANGUAGES else settings.LANGUAGE_CODE}"


def _language_of(obj) -> str | None:
    locale = getattr(obj, "locale", None)
    return locale.language_code if locale is not None else None


class LanguageIndex(PostgresIndex):
    def add_items(self, model, objs):
        by_language: dict[str | None, list] = {}
        for obj in objs:
            by_language.setdefault(_language_of(obj), []).append(obj)
        for language, group in by_language.items():
            token = _indexing.set(config_name(language))
            try:
                super().add_items(model, group)
            finally:
                _indexing.reset(token)


class SearchBackend(PostgresSearchBackend):
    index_class = LanguageIndex

    @property
    def config(self):
        return _indexing.get() or config_name(translation.get_language())

    @config.setter
    def config(self, value):
        # PostgresSearchBackend sets SEARCH_CONFIG here; the language decides instead.
        pass
