"""The customer form: create with a first contact and address, edit, delete, sales team."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from accounts.models import Account, Company
from accounts.services import JournalLine, post_journal
from crm import services
from crm.models import (
    Address,
    AddressLink,
    Contact,
    ContactLink,
    Customer,
    CustomerGroup,
    PartyLedger,
    SalesPerson,
    SalesTeamMember,
    Territory,
)
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW = reverse("crm:customer_create")


def customer_data(company, **fields):
    """What the browser posts for a new customer, with empty contact and address sections."""
    data = {
        "code": "",
        "name": "Globex",
        "customer_type": "company",
        "company": company.pk,
        "customer_group": CustomerGroup.objects.get(name="Commercial").pk,
        "territory": Territory.objects.get(name="Rest of the World").pk,
        "default_sales_partner": "",
        "default_commission_rate": "",
        "tax_id": "",
        "website": "",
        "notes": "",
        "contact-first_name": "",
        "contact-last_name": "",
        "contact-email": "",
        "contact-phone": "",
        "address-title": "",
        "address-address_type": "billing",
        "address-line1": "",
        "address-line2": "",
        "address-city": "",
        "address-state": "",
        "address-postal_code": "",
        "address-country": "",
    }
    data.update(fields)
    return data


FIRST_CONTACT = {
    "contact-first_name": "Ada",
    "contact-last_name": "Lovelace",
    "contact-email": "ada@globex.example",
    "contact-phone": "030 901820",
}
FIRST_ADDRESS = {
    "address-title": "Head office",
    "address-line1": "Unter den Linden 1",
    "address-city": "Berlin",
    "address-postal_code": "10117",
    "address-country": "DE",
}


def row_counts():
    models = (Customer, Contact, Address, PartyLedger, ContactLink, AddressLink, Account)
    return {model.__name__: model.objects.count() for model in models}


def errors_of(response, form="form"):
    return response.context[form].errors


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["customer_update", "customer_delete", "customer_sales_team"])
def test_customer_pages_need_login(client, customer, page):
    response = client.get(reverse(f"crm:{page}", args=[customer.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_new_customer_page_needs_login(client, db):
    response = client.get(NEW)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_accounts_user_cannot_create_or_edit_customers(role_client, customer):
    client = role_client("Accounts User")
    assert client.get(NEW).status_code == 403
    assert client.get(reverse("crm:customer_update", args=[customer.pk])).status_code == 403
    assert client.get(reverse("crm:customer_sales_team", args=[customer.pk])).status_code == 403


def test_a_sales_user_creates_and_edits_but_cannot_delete_a_customer(role_client, customer):
    client = role_client("Sales User")
    assert client.get(NEW).status_code == 200
    assert client.get(reverse("crm:customer_update", args=[customer.pk])).status_code == 200
    assert client.get(reverse("crm:customer_sales_team", args=[customer.pk])).status_code == 200
    delete = reverse("crm:customer_delete", args=[customer.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete).status_code == 403
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_a_sales_manager_may_delete_a_customer(role_client, customer):
    response = role_client("Sales Manager").get(reverse("crm:customer_delete", args=[customer.pk]))
    assert response.status_code == 200


# --- create ---------------------------------------------------------------------------------


def test_a_new_customer_without_code_gets_the_next_code_and_its_ledger(role_client, company):
    response = role_client("Sales User").post(NEW, customer_data(company))
    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("crm:customer_detail", args=[customer.pk])
    assert customer.code == "CUST-00001"
    assert customer.ledgers.get().account.name == "Globex - DT"
    assert not Contact.objects.exists() and not Address.objects.exists()
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["Customer Globex (CUST-00001) created."]


def test_every_customer_field_is_saved(role_client, company):
    data = customer_data(
        company,
        code="GLX",
        customer_type="individual",
        tax_id="DE123456789",
        website="https://globex.example",
        notes="Met at the fair.",
        default_commission_rate="12.5",
        disabled="on",
        frozen="on",
    )
    role_client("Sales User").post(NEW, data)
    customer = Customer.objects.get()
    assert customer.code == "GLX"
    assert customer.customer_type == "individual"
    assert (customer.tax_id, customer.website, customer.notes) == (
        "DE123456789",
        "https://globex.example",
        "Met at the fair.",
    )
    assert customer.default_commission_rate == Decimal("12.5")
    assert customer.disabled and customer.frozen


def test_the_only_company_is_preselected(role_client, company):
    form = role_client("Sales User").get(NEW).context["form"]
    assert form["company"].value() == company.pk


def test_no_company_is_preselected_when_there_are_several(role_client, company, other_company):
    form = role_client("Sales User").get(NEW).context["form"]
    assert form["company"].value() is None


def test_group_and_territory_pickers_offer_only_leaves_labelled_with_their_path(
    role_client, company
):
    form = role_client("Sales User").get(NEW).context["form"]
    groups = [label for value, label in form.fields["customer_group"].choices if value]
    territories = [label for value, label in form.fields["territory"].choices if value]
    assert "All Customer Groups › Commercial" in groups
    assert not any(label.endswith("All Customer Groups") for label in groups)
    assert territories == ["All Territories › Rest of the World"]


def test_a_group_node_is_refused_next_to_its_field(role_client, company):
    root = CustomerGroup.objects.get(name="All Customer Groups")
    response = role_client("Sales User").post(NEW, customer_data(company, customer_group=root.pk))
    assert response.status_code == 200
    assert "Select a valid choice" in errors_of(response)["customer_group"][0]
    assert not Customer.objects.exists()


def test_a_missing_name_is_shown_next_to_the_name_and_nothing_is_written(role_client, company):
    before = row_counts()
    response = role_client("Sales User").post(NEW, customer_data(company, name=""))
    assert errors_of(response)["name"] == ["This field is required."]
    assert "Nothing was saved" in response.content.decode()
    assert row_counts() == before


def test_a_company_without_receivable_group_is_refused_next_to_the_company(role_client, company):
    Company.objects.filter(pk=company.pk).update(receivable_group=None)
    before = row_counts()
    response = role_client("Sales User").post(
        NEW, customer_data(company, **FIRST_CONTACT, **FIRST_ADDRESS)
    )
    assert errors_of(response)["company"] == [
        "Company Demo Trading has no receivable group. Set it first "
        "(Companies > Demo Trading > Receivable group)."
    ]
    assert row_counts() == before


def test_a_commission_rate_out_of_range_says_so(role_client, company):
    response = role_client("Sales User").post(
        NEW, customer_data(company, default_commission_rate="101")
    )
    assert errors_of(response)["default_commission_rate"] == ["Enter a percentage from 0 to 100."]
    assert not Customer.objects.exists()


def test_a_taken_code_is_refused_next_to_the_code(role_client, customer):
    response = role_client("Sales User").post(
        NEW, customer_data(customer.company, code=customer.code)
    )
    assert errors_of(response)["code"] == ["Customer with this Code already exists."]
    assert Customer.objects.count() == 1


def test_saving_a_namesake_warns_but_saves(role_client, customer):
    response = role_client("Sales User").post(NEW, customer_data(customer.company, name="acme"))
    assert Customer.objects.count() == 2
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert warnings == [
        f"Another customer already has the name acme: {customer.code}. "
        "Check that this is not a duplicate."
    ]


# --- the first contact and address ----------------------------------------------------------


def test_a_first_contact_and_address_become_the_primary_ones(role_client, company):
    role_client("Sales User").post(NEW, customer_data(company, **FIRST_CONTACT, **FIRST_ADDRESS))
    customer = Customer.objects.get()
    contact_link = ContactLink.objects.get(customer=customer)
    assert contact_link.is_primary
    contact = contact_link.contact
    assert (contact.first_name, contact.last_name) == ("Ada", "Lovelace")
    assert [(e.email, e.is_primary) for e in contact.emails.all()] == [("ada@globex.example", True)]
    # typed without +: read as a number of the address country (Germany)
    assert [(p.number, p.is_primary) for p in contact.phones.all()] == [("+4930901820", True)]
    address_link = AddressLink.objects.get(customer=customer)
    assert address_link.is_primary_billing and address_link.is_primary_shipping
    address = address_link.address
    assert (address.line1, address.city, address.postal_code, str(address.country)) == (
        "Unter den Linden 1",
        "Berlin",
        "10117",
        "DE",
    )
    assert customer.ledgers.exists()


def test_a_contact_alone_is_created_without_an_address(role_client, company):
    role_client("Sales User").post(NEW, customer_data(company, **{"contact-first_name": "Bo"}))
    assert ContactLink.objects.get().contact.first_name == "Bo"
    assert not Address.objects.exists()


def test_choosing_only_an_address_type_does_not_start_an_address(role_client, company):
    response = role_client("Sales User").post(
        NEW, customer_data(company, **{"address-address_type": "office"})
    )
    assert response.status_code == 302
    assert not Address.objects.exists()


def test_an_address_without_city_is_an_error_next_to_the_city_and_nothing_is_written(
    role_client, company
):
    before = row_counts()
    response = role_client("Sales User").post(
        NEW, customer_data(company, **FIRST_CONTACT, **{**FIRST_ADDRESS, "address-city": ""})
    )
    assert response.status_code == 200
    assert errors_of(response, "address_form") == {"city": ["This field is required."]}
    assert 'id="id_address-city"' in response.content.decode()
    assert row_counts() == before


def test_a_contact_without_first_name_or_with_a_bad_email_is_an_error_on_those_fields(
    role_client, company
):
    before = row_counts()
    response = role_client("Sales User").post(
        NEW,
        customer_data(company, **{"contact-last_name": "Lovelace", "contact-email": "ada@"}),
    )
    assert errors_of(response, "contact_form") == {
        "first_name": ["This field is required."],
        "email": ["Enter a valid email address."],
    }
    assert row_counts() == before


def test_errors_in_every_section_show_at_once(role_client, company):
    response = role_client("Sales User").post(
        NEW,
        customer_data(company, name="", **{"contact-email": "x@y.example", "address-line1": "1"}),
    )
    assert set(errors_of(response)) == {"name"}
    assert set(errors_of(response, "contact_form")) == {"first_name"}
    assert set(errors_of(response, "address_form")) == {"city", "country"}


def test_the_sections_have_their_own_field_ids(role_client, company):
    html = role_client("Sales User").get(NEW).content.decode()
    for field_id in ("id_name", "id_contact-first_name", "id_address-title", "id_address-line1"):
        assert f'id="{field_id}"' in html


# --- the service underneath -----------------------------------------------------------------


def new_customer(company, **fields):
    return Customer(
        name="Globex",
        company=company,
        customer_group=CustomerGroup.objects.get(name="Commercial"),
        territory=Territory.objects.get(name="Rest of the World"),
        **fields,
    )


def test_create_customer_checks_every_part_before_writing(company):
    before = row_counts()
    with pytest.raises(services.PartErrors) as error:
        services.create_customer(
            customer=new_customer(company, website="not a url"),
            contact=services.FirstContact(person=Contact(first_name=""), email="nope"),
            address=Address(line1="1 Main St", country="DE"),
        )
    parts = {part: e.message_dict for part, e in error.value.errors_by_part.items()}
    assert parts["customer"] == {"website": ["Enter a valid URL."]}
    assert parts["contact"] == {
        "first_name": ["This field cannot be blank."],
        "email": ["Enter a valid email address."],
    }
    assert parts["address"] == {"city": ["This field cannot be blank."]}
    assert row_counts() == before


def test_create_customer_writes_nothing_when_the_ledger_cannot_be_opened(company, monkeypatch):
    def refuse(*, parties):
        raise ValidationError({"company": "The receivable group was just removed."})

    monkeypatch.setattr(services, "open_party_ledgers", refuse)
    before = row_counts()
    with pytest.raises(services.PartErrors) as error:
        services.create_customer(
            customer=new_customer(company),
            contact=services.FirstContact(person=Contact(first_name="Ada")),
            address=Address(line1="1 Main St", city="Berlin", country="DE"),
        )
    assert error.value.errors_by_part["customer"].message_dict == {
        "company": ["The receivable group was just removed."]
    }
    assert row_counts() == before


def test_create_customer_is_all_or_nothing_when_a_late_step_fails(company, monkeypatch):
    def fail(**kwargs):
        raise IntegrityError("the address link could not be written")

    monkeypatch.setattr(services, "link_address", fail)
    before = row_counts()
    with pytest.raises(IntegrityError):
        services.create_customer(
            customer=new_customer(company),
            contact=services.FirstContact(person=Contact(first_name="Ada"), email="a@b.example"),
            address=Address(line1="1 Main St", city="Berlin", country="DE"),
        )
    assert row_counts() == before


# --- edit -----------------------------------------------------------------------------------


def edit_data(customer, **fields):
    data = customer_data(customer.company, code=customer.code, name=customer.name)
    return {key: value for key, value in {**data, **fields}.items() if "-" not in key}


def test_editing_a_customer_renames_its_ledger(role_client, customer):
    url = reverse("crm:customer_update", args=[customer.pk])
    response = role_client("Sales User").post(url, edit_data(customer, name="Acme Corp"))
    assert response.status_code == 302
    assert response["Location"] == reverse("crm:customer_detail", args=[customer.pk])
    assert customer.ledgers.get().account.name == "Acme Corp - DT"


def test_the_edit_page_has_no_contact_or_address_sections(role_client, customer):
    response = role_client("Sales User").get(reverse("crm:customer_update", args=[customer.pk]))
    assert "contact_form" not in response.context
    assert 'id="id_contact-first_name"' not in response.content.decode()


def test_a_code_cannot_be_cleared_when_editing(role_client, customer):
    url = reverse("crm:customer_update", args=[customer.pk])
    response = role_client("Sales User").post(url, edit_data(customer, code=""))
    assert errors_of(response)["code"] == ["This field is required."]
    customer.refresh_from_db()
    assert customer.code.startswith("CUST-")


def test_moving_a_customer_to_a_company_without_receivable_group_is_refused(role_client, customer):
    broken = CompanyFactory(name="Broken Ltd", abbreviation="BR")
    Company.objects.filter(pk=broken.pk).update(receivable_group=None)
    url = reverse("crm:customer_update", args=[customer.pk])
    before = row_counts()
    response = role_client("Sales User").post(url, edit_data(customer, company=broken.pk))
    assert "Company Broken Ltd has no receivable group" in errors_of(response)["company"][0]
    customer.refresh_from_db()
    assert customer.company.name == "Demo Trading"
    assert row_counts() == before


# --- delete ---------------------------------------------------------------------------------


def customer_with_two_ledgers(customer, other_company):
    customer.company = other_company
    customer.save()
    return customer


def post_to(ledger_account, company):
    post_journal(
        company=company,
        posting_date=date(2026, 2, 1),
        lines=[
            JournalLine(ledger_account, debit="100"),
            JournalLine(Account.objects.get(name=company.suffixed("Sales")), credit="100"),
        ],
    )


def test_the_delete_page_says_what_goes_with_the_customer(role_client, customer, other_company):
    customer = customer_with_two_ledgers(customer, other_company)
    response = role_client("Sales Manager").get(reverse("crm:customer_delete", args=[customer.pk]))
    html = " ".join(response.content.decode().split())
    assert (
        f"deletes <strong>Acme ({customer.code})</strong> and its 2 ledgers: Acme - DT, Acme - OW."
        in html
    )


def test_deleting_a_customer_deletes_its_ledgers(role_client, customer, other_company):
    customer = customer_with_two_ledgers(customer, other_company)
    response = role_client("Sales Manager").post(reverse("crm:customer_delete", args=[customer.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("crm:customer_list")
    assert not Customer.objects.exists()
    assert not PartyLedger.objects.exists()
    assert not Account.objects.filter(name__startswith="Acme").exists()


def test_a_customer_with_postings_cannot_be_deleted_and_may_be_disabled(role_client, customer):
    post_to(customer.ledgers.get().account, customer.company)
    client = role_client("Sales Manager")
    url = reverse("crm:customer_delete", args=[customer.pk])
    reason = f"Ledger Acme - DT has postings, so {customer} cannot be deleted. Disable it instead."
    page = client.get(url)
    assert page.context["blockers"] == [reason]
    assert 'name="disable"' in page.content.decode()

    refused = client.post(url)
    assert refused.status_code == 200
    assert refused.context["blockers"] == [reason]
    assert Customer.objects.filter(pk=customer.pk).exists()

    disabled = client.post(url, {"disable": "1"})
    assert disabled["Location"] == reverse("crm:customer_detail", args=[customer.pk])
    customer.refresh_from_db()
    assert customer.disabled


def test_disabling_instead_needs_the_change_permission(client, customer):
    user = UserFactory()
    user.user_permissions.add(*permissions("view_customer", "delete_customer"))
    client.force_login(user)
    url = reverse("crm:customer_delete", args=[customer.pk])
    post_to(customer.ledgers.get().account, customer.company)
    assert 'name="disable"' not in client.get(url).content.decode()
    assert client.post(url, {"disable": "1"}).status_code == 403
    customer.refresh_from_db()
    assert not customer.disabled


def permissions(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="crm", codename__in=codenames)


# --- sales team -----------------------------------------------------------------------------


def sales_person(name, **fields):
    root = SalesPerson.objects.get(name="Sales Team")
    return SalesPerson.objects.create(name=name, parent=root, **fields)


def team_data(*rows, extra=3):
    rows = [*rows, *([("", "")] * extra)]
    data = {"team-TOTAL_FORMS": len(rows), "team-INITIAL_FORMS": 0}
    for index, (person, share) in enumerate(rows):
        data[f"team-{index}-sales_person"] = person.pk if person else ""
        data[f"team-{index}-contribution"] = share
    return data


def test_a_sales_team_that_totals_100_percent_is_saved(role_client, customer):
    ann, bob = sales_person("Ann"), sales_person("Bob")
    url = reverse("crm:customer_sales_team", args=[customer.pk])
    response = role_client("Sales User").post(url, team_data((ann, "60"), (bob, "40")))
    assert response["Location"] == reverse("crm:customer_detail", args=[customer.pk])
    assert {(m.sales_person.name, m.contribution) for m in customer.sales_team.all()} == {
        ("Ann", Decimal("60.00")),
        ("Bob", Decimal("40.00")),
    }


def test_a_sales_team_short_of_100_percent_says_its_total_and_writes_nothing(role_client, customer):
    ann, bob = sales_person("Ann"), sales_person("Bob")
    url = reverse("crm:customer_sales_team", args=[customer.pk])
    response = role_client("Sales User").post(url, team_data((ann, "60"), (bob, "30")))
    assert response.status_code == 200
    message = "Sales team contributions must total 100%; they total 90.00% now."
    assert response.context["team_errors"] == [message]
    assert message in response.content.decode()
    assert not SalesTeamMember.objects.exists()


def test_the_sales_team_page_shows_the_current_team_and_empty_rows(role_client, customer):
    ann = sales_person("Ann")
    services.set_sales_team(customer=customer, members=[(ann, 100)])
    url = reverse("crm:customer_sales_team", args=[customer.pk])
    formset = role_client("Sales User").get(url).context["formset"]
    assert len(formset.forms) == 4
    assert formset.forms[0]["sales_person"].value() == ann.pk
    labels = [label for value, label in formset.forms[0].fields["sales_person"].choices if value]
    assert labels == ["Sales Team › Ann"]


def test_emptying_every_row_clears_the_sales_team(role_client, customer):
    ann = sales_person("Ann")
    services.set_sales_team(customer=customer, members=[(ann, 100)])
    url = reverse("crm:customer_sales_team", args=[customer.pk])
    data = team_data(extra=4)
    data["team-INITIAL_FORMS"] = 1
    response = role_client("Sales User").post(url, data)
    assert response.status_code == 302
    assert not customer.sales_team.exists()


def test_a_sales_person_without_contribution_is_an_error_on_that_row(role_client, customer):
    ann = sales_person("Ann")
    url = reverse("crm:customer_sales_team", args=[customer.pk])
    response = role_client("Sales User").post(url, team_data((ann, ""), (None, "50")))
    forms = response.context["formset"].forms
    assert forms[0].errors == {"contribution": ["Enter Ann's contribution."]}
    assert forms[1].errors == {"sales_person": ["Choose the sales person for this contribution."]}
    assert not SalesTeamMember.objects.exists()


def test_a_sales_person_group_or_a_zero_share_is_refused_next_to_the_field(role_client, customer):
    north = sales_person("North", is_group=True)
    ann = sales_person("Ann")
    url = reverse("crm:customer_sales_team", args=[customer.pk])
    response = role_client("Sales User").post(url, team_data((north, "50"), (ann, "0")))
    forms = response.context["formset"].forms
    assert "Select a valid choice" in forms[0].errors["sales_person"][0]
    assert forms[1].errors["contribution"] == [
        "Ensure this value is greater than or equal to 0.01."
    ]
    assert not SalesTeamMember.objects.exists()


def test_a_sales_person_twice_is_refused(role_client, customer):
    ann = sales_person("Ann")
    url = reverse("crm:customer_sales_team", args=[customer.pk])
    response = role_client("Sales User").post(url, team_data((ann, "50"), (ann, "50")))
    assert response.context["team_errors"] == [
        "A sales person can appear only once in a sales team."
    ]


def test_the_sales_team_page_reads_the_sales_people_once_for_all_rows(
    role_client, customer, django_assert_max_num_queries
):
    client = role_client("Sales User")
    people = [sales_person(f"Person {n}") for n in range(4)]
    url = reverse("crm:customer_sales_team", args=[customer.pk])
    with django_assert_max_num_queries(12) as few_rows:
        client.get(url)
    services.set_sales_team(customer=customer, members=[(p, 25) for p in people])
    with django_assert_max_num_queries(len(few_rows.captured_queries)):
        client.get(url)


def test_the_first_address_phone_is_stored_in_international_form(company):
    customer = Customer(
        name="Phone Test",
        company=company,
        customer_group=CustomerGroup.objects.get(name="Commercial"),
        territory=Territory.objects.get(name="Rest of the World"),
    )
    address = Address(line1="Unter den Linden 1", city="Berlin", country="DE", phone="030 901820")
    services.create_customer(customer=customer, address=address)
    link = customer.address_links.get()
    assert link.address.phone == "+4930901820"
    assert link.is_primary_billing and link.is_primary_shipping
