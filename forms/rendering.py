"""How the public forms (booking, evenings) are drawn: one Django form renderer and one base
form, so that every field gets the same markup and every error the same summary.

`{{ form.<name>.as_field_group }}` renders a field with `forms/includes/field.html`: a label,
its hint and errors (tied to the input by aria-describedby, marked aria-invalid by Django),
radio and checkbox groups in a fieldset with a legend. `forms/includes/error_summary.html`
lists `form.error_summary()`; it takes the focus on load (static/js/booking.js).

Scoped to these forms through `PublicForm.default_renderer`: the Wagtail admin keeps its own
rendering (FORM_RENDERER is not set)."""

from __future__ import annotations

from django import forms
from django.forms.renderers import DjangoTemplates


class PublicFormRenderer(DjangoTemplates):
    field_template_name = "forms/includes/field.html"


# One instance: its template engine (and its cached templates) is shared by every form.
PUBLIC_FORM_RENDERER = PublicFormRenderer()


class PublicForm(forms.Form):
    """Base of every form a family fills in."""

    default_renderer = PUBLIC_FORM_RENDERER

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(anchor, label, message) of each error, in the page's order: the form's own errors
        and those of hidden fields (nothing to link to), then each field's, linking to its
        input, or to the first option of a group (radio buttons, check boxes, slots)."""
        items = [("", "", error) for error in self.non_field_errors()]
        items += [("", "", error) for bound in self.hidden_fields() for error in bound.errors]
        for bound in self.visible_fields():
            anchor = bound.auto_id
            if bound.field.widget.use_fieldset or getattr(bound.field, "anchor_first_option", False):
                anchor = f"{bound.auto_id}_0"
            items += [(anchor, bound.label, error) for error in bound.errors]
        return items
