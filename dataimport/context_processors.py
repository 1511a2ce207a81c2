"""What every page needs to know of the import page: whether to offer it."""

from django.utils.functional import SimpleLazyObject

from .selectors import targets_for


def imports(request):
    user = getattr(request, "user", None)
    return {
        "can_import": SimpleLazyObject(lambda: bool(user and targets_for(user))),
    }
