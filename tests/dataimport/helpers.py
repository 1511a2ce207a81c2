"""Uploading files to the import page in tests."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.models import CustomerGroup, Territory
from dataimport.models import ImportLog

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CUSTOMERS_100 = SHARED / "datablist" / "customers-100.csv"


def upload_data(company, content: bytes, name="customers.csv", mode="insert", **extra):
    """The POST data of the upload form, with the first leaf group and territory."""
    return {
        "target": "customers",
        "file": SimpleUploadedFile(name, content),
        "mode": mode,
        "encoding": "",
        "delimiter": "",
        "defaults-company": company.pk,
        "defaults-customer_group": CustomerGroup.objects.leaves().first().pk,
        "defaults-territory": Territory.objects.leaves().first().pk,
        "defaults-customer_type": "company",
        **extra,
    }


def upload(client, company, content: bytes, **kwargs):
    return client.post(reverse("dataimport:start"), upload_data(company, content, **kwargs))


def previewed_log(company, content=b"Name\nMatrix Customer\n") -> ImportLog:
    """A previewed one-row file, as the upload form leaves it."""
    group, territory = CustomerGroup.objects.leaves().first(), Territory.objects.leaves().first()
    return ImportLog.objects.create(
        target="customers",
        file_name="matrix.csv",
        sha256="0" * 64,
        size=len(content),
        content=content,
        mode="insert",
        defaults={
            "company": {"id": company.pk, "name": company.name},
            "customer_group": {"id": group.pk, "name": group.name},
            "territory": {"id": territory.pk, "name": territory.name},
            "customer_type": "company",
        },
        new=1,
    )


def choose_columns(client, log: ImportLog, choices: dict[str, str] | None = None):
    """Post the preview's column choices: header -> template header, "-" (the default) to leave
    the column out."""
    choices = choices or {}
    data = {"choose_columns": "1"}
    for index, header in enumerate(log.unknown_columns):
        data[f"columns-column_{index}"] = choices.get(header, "-")
    return client.post(reverse("dataimport:log", args=[log.pk]), data)


def import_previewed(client, log: ImportLog):
    """Leave out the columns the page did not recognise, then import."""
    if log.unknown_columns:
        choose_columns(client, log)
    return client.post(reverse("dataimport:log", args=[log.pk]))
