"""Forms that render with Bootstrap classes and show each error next to its field.

Shared by every app's forms; it knows no model, so any app may use it.
"""

from dataclasses import dataclass

from django import forms
from django.http import QueryDict

CHECK_WIDGETS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)


class BootstrapFormMixin:
    """Adds Bootstrap's classes to every widget, and `is-invalid` to fields with errors."""

    template_name = "partials/form.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, CHECK_WIDGETS):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            self._mark_invalid(name)

    def add_error(self, field, error):
        """Also marks the field invalid when a service refuses after the form's own cleaning."""
        super().add_error(field, error)
        fields = error if isinstance(error, dict) else getattr(error, "error_dict", None)
        for name in fields or [field]:
            self._mark_invalid(name)

    def add_validation_error(self, error):
        """Show each message of a service's ValidationError next to its field, else on top."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            self.add_error(field if field in self.fields else None, errors)

    def _mark_invalid(self, name):
        if name in self.fields:
            widget = self.fields[name].widget
            if "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            widget.attrs["aria-invalid"] = "true"


class BootstrapForm(BootstrapFormMixin, forms.Form):
    pass


class BootstrapModelForm(BootstrapFormMixin, forms.ModelForm):
    pass


@dataclass(frozen=True)
class SortHeader:
    """A sortable column's header: the query string that sorts by it, and its arrow."""

    query: str
    arrow: str


def sort_headers(data, columns, current, *, descending_first=()) -> dict[str, SortHeader]:
    """For each of `columns`, the list's query (`data`, without its page) sorted by it, and
    the arrow of the column sorted by now (`current`, "-" for descending). Clicking that
    column reverses it; another column sorts ascending, or descending for the columns in
    `descending_first` (amounts: largest first)."""
    headers = {}
    for column in columns:
        if current.lstrip("-") == column:
            sort = column if current.startswith("-") else f"-{column}"
        else:
            sort = f"-{column}" if column in descending_first else column
        query = QueryDict(mutable=True)
        query.update(data)
        query.pop("page", None)
        query["sort"] = sort
        arrow = {column: "▲", f"-{column}": "▼"}.get(current, "")
        headers[column] = SortHeader(query=query.urlencode(), arrow=arrow)
    return headers


class ListFilterForm(BootstrapForm):
    """A list page's search box (`q`), filters and sort. Subclasses name their `sorts` (key ->
    ordering), `default_sort`, and optionally a `date_range` pair of field names that must
    not be the wrong way round."""

    sorts: dict = {}
    default_sort = ""
    date_range: tuple[str, str] | None = None

    def clean_sort(self):
        """An unknown sort (an old bookmark, a hand-edited URL) falls back to the default."""
        sort = self.cleaned_data.get("sort") or ""
        return sort if sort.lstrip("-") in self.sorts else self.default_sort

    def clean(self):
        cleaned = super().clean()
        if self.date_range:
            first, last = self.date_range
            start, end = cleaned.get(first), cleaned.get(last)
            if start and end and start > end:
                self.add_error(last, f"{end} is before {start}; swap the dates.")
        return cleaned

    def filter_fields(self):
        return [field for field in self.visible_fields() if field.name != "q"]

    def filters_in_use(self) -> bool:
        return any(self.data.get(field.name) for field in self.filter_fields())

    def current_sort(self) -> str:
        return self.cleaned_data["sort"] if self.is_valid() else self.default_sort

    def sort_headers(self) -> dict[str, SortHeader]:
        return sort_headers(self.data, self.sorts, self.current_sort())
