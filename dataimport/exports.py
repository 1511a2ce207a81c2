""" "Export existing": the records of an import target as CSV or XLSX, through the target's
django-import-export resource, with the import's headers, so the file can be edited and
imported back. Cells pass config.exporting's formula neutralisation."""

from django.utils.module_loading import import_string

from config.exporting import export_filename, export_response

from .targets import Target

CHUNK_SIZE = 2000


def exportable(target: Target) -> bool:
    return bool(target.resource)


def export_existing(target: Target, file_format: str):
    """The download of every record of `target` (streamed for CSV; the rows are read
    CHUNK_SIZE at a time)."""
    resource = import_string(target.resource)()
    return export_response(
        file_format,
        filename=export_filename(target.name, file_format),
        headers=resource.get_export_headers(),
        rows=_rows(resource),
    )


def _rows(resource):
    for record in resource.get_queryset().iterator(chunk_size=CHUNK_SIZE):
        yield resource.export_resource(record, force_native_type=True)
