"""Walking the booking flow with the Django test client: the steps' addresses, the family's
details, readers of a step's form and errors, and walk_to() to answer every step before one."""

from __future__ import annotations

from tests.helpers import parse

STEPS = ["ecole", "modalite", "creneau", "coordonnees", "recapitulatif"]
DETAILS = {
    "reason": "schooling",
    "requester": "parent",
    "parent_name": "Amina Benali",
    "phone": "06 12 34 56 78",
    "email": "amina@example.org",
    "language": "fr",
    "child_first_name": "Yanis",
    "child_class": "CE1",
    "message": "Bonjour, je voudrais parler de la cantine.",
    "consent": "on",
    "website": "",
}


def url(step, language="fr"):
    prefix = "" if language == "fr" else f"/{language}"
    return f"{prefix}/rendez-vous/{step}/"


def slot_keys(response):
    return [radio["value"] for radio in parse(response).select('input[type="radio"][name="slot"]')]


def submission_key(response):
    return parse(response).find("input", attrs={"name": "submission_key"})["value"]


def error_texts(response):
    return [p.get_text(" ", strip=True) for p in parse(response).select(".error-message")]


def summary_texts(response):
    summary = parse(response).select_one(".error-summary")
    return summary.get_text(" ", strip=True) if summary else ""


def walk_to(client, step, school, language="fr", mode="school", details=None):
    """Answer every step before `step`; returns the GET response of `step`."""
    school_id = school.pk if school is not None else "unknown"
    for current in STEPS[: STEPS.index(step)]:
        if current == "ecole":
            response = client.post(url("ecole", language), {"school": school_id})
        elif current == "modalite":
            response = client.post(url("modalite", language), {"mode": mode})
        elif current == "creneau":
            if mode == "school":
                keys = slot_keys(client.get(url("creneau", language)))
                response = client.post(url("creneau", language), {"slot": keys[0]})
            else:
                response = client.post(url("creneau", language), {"availabilities": "Le lundi après 17 h"})
        else:
            response = client.post(url("coordonnees", language), {**DETAILS, **(details or {})})
        assert response.status_code == 302, (current, error_texts(response))
    response = client.get(url(step, language))
    assert response.status_code == 200
    return response


def submit(client, language="fr", **extra):
    """Send the recap step's form, with its submission key."""
    recap = client.get(url("recapitulatif", language))
    return client.post(url("recapitulatif", language), {"submission_key": submission_key(recap), **extra})
