"""Choice labels in the reader's language, from one place.

The labels of our TextChoices are Vietnamese strings marked with `gettext_noop`: they stay
plain Vietnamese in code, so the official documents, stored summaries and the sealed log's
messages that quote them are Vietnamese whatever page asked for them. Only where a label is
*shown* is it translated, and these helpers are that step:

- `TranslatedChoices`, a model mixin: every `get_FOO_display()` of the model gives the label
  in the active language (templates call those; nothing to write per field);
- `shown(label)` for a label read off the enum (`shown(Level(code).label)`);
- `shown_choices(choices)` for a form's or a page's list of choices.

A label whose words are also a button's or a heading's ("Không chấp nhận": the decision's
radio button reads "Reject", the status "Not accepted") gets its own msgctxt: the model names
it in `choice_contexts` (field name → context), `shown(label, context)` looks it up there
first, and a `pgettext_lazy(context, label)` beside the enum marks it for makemessages.

Documents that must stay Vietnamese render under `translation.override("vi")`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, pgettext


def shown(label: str, context: str = "") -> str:
    """The label in the active language; unknown text comes back as it is. With a context,
    the label's entry under that msgctxt first, else its plain one."""
    # gettext("") would return the catalogue's header, hence the guard.
    if not label:
        return label
    if context:
        translated = pgettext(context, label)
        if translated != label:
            return translated
    return gettext(label)


def shown_choices(choices: Iterable[tuple[Any, Any]]) -> list[tuple[Any, str | Promise]]:
    """Choices for a form or a template, each label translated when it is rendered (lazily:
    a form class is built once, its readers come in any language)."""
    return [(value, gettext_lazy(str(label)) if label else label) for value, label in choices]


class TranslatedChoices(models.Model):
    """Mixin: `get_FOO_display()` in the reader's language for every field with choices."""

    class Meta:
        abstract = True

    # Choice fields whose labels have their own msgctxt (see the module's docstring).
    choice_contexts: ClassVar[dict[str, str]] = {}

    # Django builds every get_FOO_display as partialmethod(_get_FIELD_display, field=...),
    # so overriding this one method covers all the model's choice fields.
    def _get_FIELD_display(self, field: models.Field[Any, Any]) -> Any:
        # A value outside the choices comes back as it is (an int for an IntegerChoices field).
        value = super()._get_FIELD_display(field)  # type: ignore[misc]
        if not isinstance(value, str):
            return value
        return shown(value, self.choice_contexts.get(field.name, ""))
