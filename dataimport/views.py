"""The import page: upload a file, see its preview, import it, and the history of imports."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET

from config.importing import Mode

from . import exports, selectors, services
from .forms import ColumnsForm, UploadForm
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
    form.fields["mode"].help_text = target.key_help()
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
            return _preview_page(request, preview)
    return render(
        request,
        "dataimport/start.html",
        {"form": form, "defaults": defaults, "target": target, "targets": allowed},
    )


def _log_or_404(request, pk):
    log = get_object_or_404(ImportLog.objects.select_related("user"), pk=pk)
    _target_or_denied(request, log.target)
    return log


@import_permission_required
def log_detail(request, pk):
    """A previewed file's preview (POST imports it, or sets what its unknown columns are), a
    running import's progress, or what an import did."""
    log = _log_or_404(request, pk)
    if log.in_progress:
        return _progress_page(request, log)
    if request.htmx:  # the progress bar asking after a finished import: show its result
        return HttpResponse(headers={"HX-Refresh": "true"})
    if log.status != ImportLog.Status.PREVIEWED:
        return _result_page(request, log)
    if request.method == "POST" and "choose_columns" in request.POST:
        return _choose_columns(request, log)
    if request.method == "POST":
        return _import(request, log)
    return _analysed_preview(request, log)


def _import(request, log):
    try:
        log = services.start_import(log=log, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if log.status == ImportLog.Status.IMPORTED:
            messages.success(request, f"{log.file_name} imported.")
        elif log.status == ImportLog.Status.FAILED:
            messages.error(request, f"{log.file_name} was not imported; nothing was written.")
    return redirect("dataimport:log", pk=log.pk)


def _choose_columns(request, log):
    preview = _analysed(log, request.user)
    if not isinstance(preview, services.Preview):
        return preview
    form = _columns_form(preview, request.POST)
    if not form.is_valid():
        return _preview_page(request, preview, columns_form=form)
    preview = services.choose_columns(log=log, chosen=form.chosen(), user=request.user)
    return _preview_page(request, preview)


def _analysed_preview(request, log):
    preview = _analysed(log, request.user)
    if not isinstance(preview, services.Preview):
        return _result_page(request, log, error=preview)
    return _preview_page(request, preview)


def _analysed(log, user):
    """The log's preview, or why its file can no longer be read."""
    try:
        return services.analyse(log, user=user)
    except FileProblem as problem:
        return problem.message
    except ValidationError as error:
        return " ".join(error.messages)


def _columns_form(preview, data=None):
    return ColumnsForm(
        data,
        headers=preview.match.unknown_headers,
        free_columns=preview.free_columns(),
        prefix="columns",
    )


def _preview_page(request, preview, columns_form=None):
    target = TARGETS[preview.log.target]
    plan = preview.plan
    return render(
        request,
        "dataimport/preview.html",
        {
            "preview": preview,
            "log": preview.log,
            "target": target,
            "columns_form": columns_form or _columns_form(preview),
            "defaults": target.describe_defaults(preview.log.defaults),
            "counts": _counts(plan.counts) if plan else [],
            "columns": preview.columns(),
            "problems": plan.problems[:PROBLEMS_SHOWN] if plan else [],
            "row_problems": preview.row_problems[:PROBLEMS_SHOWN],
            "shown": PROBLEMS_SHOWN,
            "inline_max_rows": settings.IMPORT_INLINE_MAX_ROWS,
        },
    )


def _progress_page(request, log):
    """A queued or running import; htmx asks for the progress card every second."""
    context = {"log": log, "target": TARGETS[log.target], **selectors.progress_figures(log)}
    if request.htmx:
        return render(request, "dataimport/_progress.html", context)
    return render(request, "dataimport/progress.html", context)


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
    for log in page_obj:
        log.target_label = TARGETS[log.target].label if log.target in TARGETS else log.target
    return render(request, "dataimport/history.html", {"page_obj": page_obj})


@require_GET
@import_permission_required
def export_existing(request, target, file_format):
    """Every record of a target, in the columns of its import: export, edit, import back."""
    chosen = _target_or_denied(request, target)
    if not exports.exportable(chosen):
        raise Http404("This import has no export.")
    return exports.export_existing(chosen, file_format)
