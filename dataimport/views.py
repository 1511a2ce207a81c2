"""The import page: upload a file, see its preview, import it, and the history of imports."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET

from config.importing import Mode

from . import selectors, services
from .forms import ImportForm, UploadForm
from .models import ImportLog
from .reading import FileProblem
from .targets import TARGETS

PER_PAGE = 50
PROBLEMS_SHOWN = 200
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def import_permission_required(view):
    """The page opens for users who may import at least one target."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not selectors.targets_for(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _target_or_denied(request, name):
    target = TARGETS.get(name)
    if target is None:
        raise Http404("No such import.")
    if not request.user.has_perm(target.permission):
        raise PermissionDenied
    return target


@import_permission_required
def start(request):
    allowed = selectors.targets_for(request.user)
    chosen = request.POST.get("target") or request.GET.get("target")
    target = next((t for t in allowed if t.name == chosen), allowed[0])
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = UploadForm(data, files, user=request.user, initial={"target": target.name})
    defaults = import_string(target.defaults_form)(data, prefix="defaults")
    if request.method == "POST" and all([form.is_valid(), defaults.is_valid()]):
        try:
            preview = services.preview_upload(
                target=form.cleaned_data["target"],
                upload=form.cleaned_data["file"],
                mode=Mode(form.cleaned_data["mode"]),
                options=form.options(),
                defaults=defaults.stored(),
                user=request.user,
            )
        except FileProblem as problem:
            form.add_error("file", problem.message)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return _preview_page(request, preview, ImportForm(log=preview.log))
    return render(
        request,
        "dataimport/start.html",
        {"form": form, "defaults": defaults, "target": target},
    )


def _log_or_404(request, pk):
    log = get_object_or_404(ImportLog.objects.select_related("user"), pk=pk)
    _target_or_denied(request, log.target)
    return log


@import_permission_required
def log_detail(request, pk):
    """A previewed file's preview (POST imports it), or what an import did."""
    log = _log_or_404(request, pk)
    if log.status != ImportLog.Status.PREVIEWED:
        return _result_page(request, log)
    form = ImportForm(request.POST if request.method == "POST" else None, log=log)
    if request.method == "POST" and form.is_valid():
        try:
            log = services.run_import(
                log=log,
                user=request.user,
                ignore_unknown=form.cleaned_data.get("ignore_unknown", False),
            )
        except ValidationError as error:
            form.add_validation_error(error)
        else:
            if log.status == ImportLog.Status.IMPORTED:
                messages.success(request, f"{log.file_name} imported.")
            else:
                messages.error(request, f"{log.file_name} was not imported; nothing was written.")
            return redirect("dataimport:log", pk=log.pk)
    try:
        preview = services.analyse(log, user=request.user)
    except FileProblem as problem:
        return _result_page(request, log, error=problem.message)
    except ValidationError as error:
        return _result_page(request, log, error=" ".join(error.messages))
    return _preview_page(request, preview, form)


def _preview_page(request, preview, form):
    target = TARGETS[preview.log.target]
    return render(
        request,
        "dataimport/preview.html",
        {
            "preview": preview,
            "log": preview.log,
            "target": target,
            "form": form,
            "defaults": target.describe_defaults(preview.log.defaults),
            "counts": _counts(preview.plan.counts),
            "columns": preview.columns(),
            "problems": preview.plan.problems[:PROBLEMS_SHOWN],
            "row_problems": preview.row_problems[:PROBLEMS_SHOWN],
            "shown": PROBLEMS_SHOWN,
        },
    )


def _result_page(request, log, error=""):
    target = TARGETS[log.target]
    return render(
        request,
        "dataimport/result.html",
        {
            "log": log,
            "target": target,
            "error": error,
            "counts": _counts(log.counts),
            "defaults": target.describe_defaults(log.defaults),
            "links": target.links(log.new_codes) if log.status == log.Status.IMPORTED else [],
        },
    )


def _counts(counts):
    return [
        ("New", counts.new, "success"),
        ("Updated", counts.updated, "primary"),
        ("Unchanged", counts.unchanged, "secondary"),
        ("Invalid", counts.invalid, "danger" if counts.invalid else "secondary"),
    ]


@require_GET
@import_permission_required
def invalid_rows(request, pk):
    """The rows with problems, with an "Error" column, as CSV."""
    log = _log_or_404(request, pk)
    try:
        preview = services.analyse(log, user=request.user)
    except (FileProblem, ValidationError):
        messages.error(request, "The file can no longer be read; upload it again.")
        return redirect("dataimport:log", pk=log.pk)
    response = HttpResponse(services.invalid_rows_csv(preview), content_type="text/csv")
    stem = log.file_name.rsplit(".", 1)[0] or "import"
    response["Content-Disposition"] = f'attachment; filename="{stem}-invalid-rows.csv"'
    return response


@require_GET
@import_permission_required
def template(request):
    target = _target_or_denied(request, request.GET.get("target", "customers"))
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(services.template_xlsx(target), content_type=XLSX_TYPE)
        extension = "xlsx"
    else:
        response = HttpResponse(services.template_csv(target), content_type="text/csv")
        extension = "csv"
    response["Content-Disposition"] = f'attachment; filename="{target.name}-template.{extension}"'
    return response


@require_GET
@import_permission_required
def history(request):
    logs = selectors.import_history(user=request.user)
    page_obj = Paginator(logs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "dataimport/history.html", {"page_obj": page_obj, "targets": TARGETS})
