"""The one JSON shape both APIs answer in (core.json_api)."""

import json

import pytest
from django.test import RequestFactory

from core.json_api import json_error, json_response, read_only_api


@read_only_api(max_age=42)
def hello(request, found=True):
    if not found:
        return json_error(404, "not_found", "Aucune école")
    return json_response({"name": "École Jean-Jaurès", "ar": "مدرسة"})


@pytest.mark.parametrize("method", ["get", "head"])
def test_a_read_answers_utf8_json_open_to_any_origin_and_cacheable(method):
    response = hello(getattr(RequestFactory(), method)("/"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=42"
    if method == "get":
        assert "École Jean-Jaurès".encode() in response.content and "مدرسة".encode() in response.content


def test_an_error_has_a_code_and_a_sentence_and_is_not_kept_in_caches():
    response = hello(RequestFactory().get("/"), found=False)

    assert response.status_code == 404
    assert json.loads(response.content) == {"error": "not_found", "detail": "Aucune école"}
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not response.has_header("Cache-Control")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_get_405_without_a_csrf_check(method):
    factory = RequestFactory(enforce_csrf_checks=True)
    response = hello(getattr(factory, method)("/"))

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert json.loads(response.content)["error"] == "method_not_allowed"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not response.has_header("Cache-Control")
