"""The Django admin: every model registered, ledgers and history shown, refusals explained."""

from datetime import date

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from accounts.models import Company
from accounts.services import JournalLine, post_journal
from crm.models import Customer

pytestmark = pytest.mark.django_db

PROJECT_APPS = ["accounts", "crm", "pricing", "invoicing", "dataimport", "analytics"]


def test_every_model_is_in_the_admin():
    missing = [
        model.__name__
        for app in PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
        if not model.__name__.startswith("Historical") and model not in admin.site._registry
    ]
    assert missing == []


@pytest.mark.parametrize(
    "model",
    [
        m
        for app in PROJECT_APPS
        for m in apps.get_app_config(app).get_models()
        if not m.__name__.startswith("Historical")
    ],
)
def test_every_changelist_opens_and_searches(admin_client, customer, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "Acme"}).status_code == 200


def test_creating_a_company_in_the_admin_creates_its_chart(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_company_add"),
        {"name": "Northwind", "abbreviation": "NW", "default_currency": "usd", "credit_limit": ""},
    )
    assert response.status_code == 302
    company = Company.objects.get(name="Northwind")
    assert company.receivable_group.name == "Accounts Receivable - NW"


def test_a_bad_company_form_shows_errors_and_writes_nothing(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_company_add"),
        {"name": "Bad", "abbreviation": "B A D", "default_currency": "QQQ"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.keys() == {"abbreviation", "default_currency"}
    assert not Company.objects.exists()


def test_company_form_says_a_new_receivable_group_affects_later_ledgers(admin_client, company):
    response = admin_client.get(reverse("admin:accounts_company_change", args=[company.pk]))
    assert "affects ledgers opened afterwards" in response.content.decode()


def test_customer_admin_creates_a_customer_with_its_ledger_and_shows_it(admin_client, company):
    from crm.models import CustomerGroup, Territory

    response = admin_client.post(
        reverse("admin:crm_customer_add"),
        {
            "code": "",
            "name": "Globex",
            "customer_type": "company",
            "company": company.pk,
            "customer_group": CustomerGroup.objects.get(name="Commercial").pk,
            "territory": Territory.objects.get(name="Rest of the World").pk,
            "ledgers-TOTAL_FORMS": "0",
            "ledgers-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    customer = Customer.objects.get(name="Globex")
    page = admin_client.get(
        reverse("admin:crm_customer_change", args=[customer.pk])
    ).content.decode()
    assert "Globex - DT" in page
    history = admin_client.get(reverse("admin:crm_customer_history", args=[customer.pk]))
    assert history.status_code == 200


def test_customer_admin_offers_only_leaf_groups_and_territories_with_their_path(
    admin_client, company
):
    form = admin_client.get(reverse("admin:crm_customer_add")).context["adminform"].form
    groups = dict(form.fields["customer_group"].choices)
    labels = [str(label) for label in groups.values()]
    assert "All Customer Groups › Commercial" in labels
    assert not any(label == "All Customer Groups" for label in labels)
    assert form.initial["company"] == company.pk


def test_customer_admin_refuses_to_delete_a_customer_with_postings(admin_client, customer):
    ledger = customer.ledgers.get().account
    post_journal(
        company=customer.company,
        posting_date=date(2026, 1, 1),
        lines=[
            JournalLine(ledger, debit="5"),
            JournalLine(customer.company.default_income_account, credit="5"),
        ],
    )
    url = reverse("admin:crm_customer_delete", args=[customer.pk])
    page = admin_client.get(url).content.decode()
    assert "has postings, so Acme (CUST-00001) cannot be deleted. Disable it instead." in page
    admin_client.post(url, {"post": "yes"})
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_customer_admin_deletes_a_customer_without_postings_with_its_ledger(admin_client, customer):
    response = admin_client.post(
        reverse("admin:crm_customer_delete", args=[customer.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Customer.objects.exists()


def test_tree_admin_explains_why_a_node_cannot_be_deleted(admin_client, customer):
    url = reverse("admin:crm_customergroup_delete", args=[customer.customer_group.pk])
    assert (
        "Commercial has 1 customer(s); move them first." in admin_client.get(url).content.decode()
    )


def test_customer_admin_warns_when_another_customer_has_the_same_name(admin_client, customer):
    from crm.models import CustomerGroup, Territory

    response = admin_client.post(
        reverse("admin:crm_customer_add"),
        {
            "code": "",
            "name": "ACME",
            "customer_type": "company",
            "company": customer.company.pk,
            "customer_group": CustomerGroup.objects.get(name="Commercial").pk,
            "territory": Territory.objects.get(name="Rest of the World").pk,
            "ledgers-TOTAL_FORMS": "0",
            "ledgers-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    shown = [str(message) for message in response.context["messages"]]
    assert "Another customer already has the name ACME: CUST-00001." in " ".join(shown)
    assert Customer.objects.filter(name="ACME").exists()
