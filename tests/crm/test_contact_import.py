"""Importing contacts in bulk: each linked to a customer or supplier by its code."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.importing import Mode
from crm import importing_contacts
from crm.importing_contacts import CONTACT_COLUMNS, ContactImport
from crm.models import Contact, ContactEmail, ContactLink, ContactPhone
from crm.services import save_contact
from dataimport.selectors import targets_for
from dataimport.targets import TARGETS
from dataimport.targets_contacts import CONTACTS
from tests.crm.import_helpers import (
    CHINOOK_CUSTOMERS,
    file_rows,
    planned_and_written,
    statements,
)
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADERS = {
    "customer_code": "Customer",
    "supplier_code": "Supplier code",
    "salutation": "Salutation",
    "first_name": "First Name",
    "last_name": "Last Name",
    "designation": "Job title",
    "email": "E-mail",
    "phone": "Phone",
    "country": "Country",
    "is_primary": "Primary",
}


def an_import(mode=Mode.INSERT, headers=HEADERS, user=None):
    return ContactImport(mode=mode, headers=headers, user=user)


def row(number=2, **cells):
    base = {
        "customer_code": "CUST-00012",
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "Jane.Doe@example.com",
        "phone": "030 901820",
        "country": "Germany",
    }
    return number, {**base, **cells}


def imported(rows, **options):
    return planned_and_written(an_import(**options), rows)


def existing_contact(party, first="Jane", last="Doe", email="jane.doe@example.com", **fields):
    emails = [(email, True)] if email else []
    return save_contact(
        contact=Contact(first_name=first, last_name=last, **fields), emails=emails, party=party
    )


def primary_names(party):
    links = ContactLink.objects.filter(**{party._meta.model_name: party}, is_primary=True)
    return [link.contact.first_name for link in links]


# --- new contacts -----------------------------------------------------------------------------


def test_a_new_contact_is_linked_with_its_email_phone_and_history(acme):
    clerk = UserFactory()
    plan = imported([row(salutation="Dr.", designation="Buyer")], user=clerk)

    assert (plan.counts.new, plan.counts.total) == (1, 1)
    assert plan.new_keys(5) == ["CUST-00012: Jane Doe"]
    link = ContactLink.objects.get(customer=acme)
    contact = link.contact
    assert (contact.salutation, contact.full_name, contact.designation) == (
        "Dr.",
        "Dr. Jane Doe",
        "Buyer",
    )
    assert contact.emails.get().email == "jane.doe@example.com"
    phone = contact.phones.get()
    assert (phone.number, phone.is_primary) == ("+4930901820", True)
    history = contact.history.get()
    assert (history.history_type, history.history_user) == ("+", clerk)


def test_a_contact_of_a_supplier_is_linked_to_the_supplier(vendor):
    imported([row(customer_code="", supplier_code="supp-00001")])
    link = ContactLink.objects.get()
    assert (link.supplier, link.customer) == (vendor, None)


def test_the_first_contact_of_a_party_without_one_becomes_primary(acme):
    imported([row(2), row(3, first_name="John", email="john@example.com")])
    assert primary_names(acme) == ["Jane"]
    assert ContactLink.objects.filter(customer=acme).count() == 2


def test_a_party_with_a_primary_keeps_it_unless_a_row_says_primary(acme):
    existing_contact(acme, first="Old", email="old@example.com")
    imported([row()])
    assert primary_names(acme) == ["Old"]


def test_a_row_marked_primary_takes_over_from_the_previous_primary(acme):
    existing_contact(acme, first="Old", email="old@example.com")
    imported([row(2, first_name="John", email="john@example.com"), row(3, is_primary="yes")])
    assert primary_names(acme) == ["Jane"]
    assert ContactLink.objects.get(contact__first_name="Old").is_primary is False


def test_a_contact_name_is_split_when_there_are_no_name_columns(acme):
    headers = {"customer_code": "Customer", "contact_name": "Full Name"}
    imported([(2, {"customer_code": "CUST-00012", "contact_name": "Mary Ann Smith"})],
             headers=headers)  # fmt: skip
    contact = Contact.objects.get()
    assert (contact.first_name, contact.last_name) == ("Mary Ann", "Smith")


def test_the_dry_run_writes_nothing(acme):
    plan = an_import().plan([row()])
    assert plan.counts.new == 1 and not Contact.objects.exists()


# --- bad input: a clear message, nothing written -------------------------------------------------


def assert_nothing_written(job, plan):
    with pytest.raises(ValidationError, match="Fix the problems"):
        job.write(plan)
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("cells", "column", "value", "message"),
    [
        ({"customer_code": "CUST-404"}, "Customer", "CUST-404", "no customer has this code."),
        ({"customer_code": "", "supplier_code": "SUPP-404"}, "Supplier code", "SUPP-404",
         "no supplier has this code."),
        ({"supplier_code": "SUPP-00001"}, "Supplier code", "SUPP-00001",
         "give a customer code or a supplier code, not both."),
        ({"customer_code": ""}, "Customer", "",
         "give the code of the customer or supplier this contact belongs to."),
        ({"email": "jane at example"}, "E-mail", "jane at example", "not an email address."),
        ({"country": "Narnia"}, "Country", "Narnia", "not a country name or ISO code."),
        ({"first_name": "", "email": "x@example.com"}, "First Name", "",
         "a new contact needs a first name."),
        ({"first_name": "", "email": ""}, "First Name", "",
         "give a first name or an email to tell which contact this is."),
        ({"last_name": "x" * 101}, "Last Name", "x" * 101, "longer than 100 characters (101)."),
        ({"salutation": "Most Honourable Sir Dr"}, "Salutation", "Most Honourable Sir Dr",
         "longer than 20 characters (22)."),
        ({"is_primary": "maybe"}, "Primary", "maybe", "use yes or no."),
    ],
)  # fmt: skip
def test_a_bad_cell_names_the_row_the_column_the_value_and_the_fix(
    acme, vendor, cells, column, value, message
):
    job = an_import()
    plan = job.plan([row(7, **cells)])

    assert [(p.row, p.column, p.value, p.message) for p in plan.problems] == [
        (7, column, value, message)
    ]
    assert plan.counts.invalid == 1 and not plan.rows
    assert_nothing_written(job, plan)


def test_one_bad_row_stops_the_whole_file(acme):
    job = an_import()
    plan = job.plan([row(2), row(3, email="nope")])
    assert (plan.counts.new, plan.counts.invalid) == (1, 1)
    with pytest.raises(ValidationError):
        job.write(plan)
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("headers", "mode", "message"),
    [
        ({"first_name": "First name"}, Mode.INSERT, "no Customer code or Supplier code column"),
        ({"customer_code": "Customer", "email": "Email"}, Mode.UPSERT,
         "no First name or Contact name column"),
        ({"customer_code": "Customer", "phone": "Phone"}, Mode.UPDATE,
         "Updating needs an Email or a First name column"),
    ],
)  # fmt: skip
def test_a_missing_column_is_refused_before_any_row(headers, mode, message):
    with pytest.raises(ValidationError, match=message):
        an_import(mode=mode, headers=headers).plan(iter(()))


def test_two_rows_making_one_party_s_primary_name_both_rows(acme):
    plan = an_import().plan(
        [row(2, is_primary="yes"), row(3, first_name="John", email="j@x.example", is_primary="y")]
    )
    assert [str(problem) for problem in plan.problems] == [
        "row 3, Primary 'y': row 2 already makes its contact the primary contact of CUST-00012; "
        "mark only one."
    ]


def test_primaries_of_different_parties_do_not_clash(acme, vendor):
    plan = an_import().plan(
        [row(2, is_primary="yes"), row(3, customer_code="", supplier_code="SUPP-00001",
                                      is_primary="yes")]
    )  # fmt: skip
    assert plan.is_valid


def test_the_same_contact_twice_in_a_file_names_both_rows(acme):
    plan = an_import().plan([row(2), row(3, email="JANE.DOE@example.com", first_name="J")])
    assert [str(problem) for problem in plan.problems] == [
        "row 3, E-mail 'jane.doe@example.com': row 2 has the same contact; give each contact once."
    ]


def test_duplicates_are_found_across_batches(acme, monkeypatch):
    monkeypatch.setattr(importing_contacts, "BATCH_SIZE", 2)
    rows = [row(2), row(3, email="a@x.example"), row(4, email="b@x.example"), row(5)]
    plan = an_import().plan(rows)
    assert [(p.row, p.message) for p in plan.problems] == [
        (5, "row 2 has the same contact; give each contact once.")
    ]


def test_a_key_that_matches_two_contacts_says_so(acme):
    existing_contact(acme, email="")
    existing_contact(acme, email="")
    plan = an_import(mode=Mode.UPDATE).plan([row(email="", designation="Buyer")])
    assert [(p.column, p.value, p.message) for p in plan.problems] == [
        ("First Name", "Jane", "2 contacts of CUST-00012 match; tell them apart on their pages "
         "first, or give a contact's email.")
    ]  # fmt: skip


def test_inserting_a_contact_the_party_has_is_refused(acme):
    existing_contact(acme)
    plan = an_import().plan([row()])
    assert plan.problems[0].message == (
        "CUST-00012 already has this contact; choose update or insert-or-update."
    )


def test_updating_a_contact_the_party_does_not_have_is_refused(acme):
    plan = an_import(mode=Mode.UPDATE).plan([row()])
    assert plan.problems[0].message == (
        "no contact of CUST-00012 matches; use insert-or-update to add it."
    )


def test_a_contact_of_another_party_is_not_matched(acme, company):
    other = CustomerFactory(code="OTHER", company=company)
    existing_contact(other)
    plan = an_import(mode=Mode.UPSERT).plan([row()])
    assert plan.counts.new == 1


# --- updating -------------------------------------------------------------------------------


def test_an_update_finds_the_contact_by_any_email_without_case(acme):
    contact = existing_contact(acme, email="Jane.Doe@Example.com")
    ContactEmail.objects.create(contact=contact, email="jd@example.com")
    clerk = UserFactory()

    plan = imported([row(email="JD@example.com", designation="Buyer")], mode=Mode.UPDATE,
                    user=clerk)  # fmt: skip

    assert plan.counts.updated == 1
    contact.refresh_from_db()
    assert contact.designation == "Buyer"
    history = contact.history.first()
    assert (history.history_type, history.history_user, history.designation) == (
        "~",
        clerk,
        "Buyer",
    )


def test_an_update_without_email_finds_the_contact_by_its_names(acme):
    contact = existing_contact(acme)
    imported([row(email="", phone="", first_name="JANE", last_name="doe", designation="CEO")],
             mode=Mode.UPDATE)  # fmt: skip
    contact.refresh_from_db()
    assert (contact.first_name, contact.last_name, contact.designation) == ("JANE", "doe", "CEO")


def test_a_row_whose_email_is_new_finds_the_contact_by_name_and_adds_the_email(acme):
    contact = existing_contact(acme, email="old@example.com")

    plan = imported([row(email="Jane@New.example", phone="")], mode=Mode.UPDATE)

    assert plan.counts.updated == 1
    emails = dict(contact.emails.values_list("email", "is_primary"))
    assert emails == {"old@example.com": True, "jane@new.example": False}
    assert ContactLink.objects.filter(customer=acme).count() == 1


def test_a_new_phone_becomes_primary_when_the_contact_has_none(acme):
    contact = existing_contact(acme)
    imported([row(phone="+44 20 7946 0958")], mode=Mode.UPDATE)
    imported([row(phone="+49 30 901820")], mode=Mode.UPDATE)
    phones = dict(contact.phones.values_list("number", "is_primary"))
    assert phones == {"+442079460958": True, "+4930901820": False}


def test_an_update_changes_only_the_columns_the_file_has(acme):
    contact = existing_contact(acme, designation="Buyer", department="Sales")
    headers = {"customer_code": "Customer", "email": "Email", "department": "Dept"}
    imported([(2, {"customer_code": "CUST-00012", "email": "jane.doe@example.com",
                   "department": "Purchasing"})], mode=Mode.UPDATE, headers=headers)  # fmt: skip
    contact.refresh_from_db()
    assert (contact.first_name, contact.designation, contact.department) == (
        "Jane",
        "Buyer",
        "Purchasing",
    )


def test_an_empty_first_name_keeps_the_contact_s_first_name(acme):
    contact = existing_contact(acme)
    imported([row(first_name="", last_name="", phone="")], mode=Mode.UPDATE)
    contact.refresh_from_db()
    assert (contact.first_name, contact.last_name) == ("Jane", "")


def test_upsert_adds_new_updates_changed_and_skips_unchanged_contacts(acme):
    same = existing_contact(acme, first="Same", email="same@example.com")
    changed = existing_contact(acme, first="Changed", email="changed@example.com")
    rows = [
        row(2, first_name="Same", last_name="Doe", email="same@example.com", phone=""),
        row(3, first_name="Changed", last_name="Smith", email="changed@example.com", phone=""),
        row(4, first_name="New", email="new@example.com"),
    ]
    plan = imported(rows, mode=Mode.UPSERT)

    assert (plan.counts.unchanged, plan.counts.updated, plan.counts.new) == (1, 1, 1)
    assert plan.new_keys(5) == ["CUST-00012: New Doe"]
    changed.refresh_from_db()
    assert changed.last_name == "Smith"
    assert same.history.count() == 1


def test_importing_the_same_file_twice_changes_nothing_the_second_time(acme, vendor):
    rows = [
        row(2, is_primary="yes"),
        row(3, first_name="John", email="", phone="+44 20 7946 0958"),
        row(4, customer_code="", supplier_code="SUPP-00001", email="sales@mill.example"),
    ]
    imported(rows)
    counts = (Contact.objects.count(), ContactEmail.objects.count(), ContactPhone.objects.count())

    plan = imported(rows, mode=Mode.UPSERT)

    assert (plan.counts.unchanged, plan.counts.total) == (3, 3)
    assert counts == (
        Contact.objects.count(),
        ContactEmail.objects.count(),
        ContactPhone.objects.count(),
    )


def test_making_an_existing_contact_primary_switches_from_the_old_one(acme):
    existing_contact(acme, first="Old", email="old@example.com")
    existing_contact(acme)
    plan = imported([row(phone="", is_primary="yes")], mode=Mode.UPDATE)
    assert plan.counts.updated == 1
    assert primary_names(acme) == ["Jane"]


def test_a_file_switching_many_parties_keeps_one_primary_each(company):
    parties = [CustomerFactory(code=f"P-{n}", company=company) for n in range(5)]
    for party in parties:
        existing_contact(party, first="Old", email="old@example.com")
    rows = [
        row(n, customer_code=f"P-{n}", email=f"n{n}@example.com", is_primary="yes")
        for n in range(5)
    ]
    imported(rows, mode=Mode.UPSERT)
    for party in parties:
        assert primary_names(party) == ["Jane"]


# --- queries --------------------------------------------------------------------------------


def contact_rows(company, offset, count):
    """Rows for `count` customers with a contact each, half of them to update."""
    rows = []
    for n in range(count):
        customer = CustomerFactory(code=f"Q-{offset + n}", company=company)
        if n % 2:
            existing_contact(customer, email=f"q{n}@example.com")
        rows.append(
            row(n + 2, customer_code=customer.code, email=f"q{n}@example.com",
                designation="Buyer", is_primary="yes")
        )  # fmt: skip
    rows.append(row(count + 2, customer_code="", supplier_code="SUPP-00001"))
    return rows


def test_queries_do_not_grow_with_the_rows(company, vendor):
    def cost(rows):
        with CaptureQueriesContext(connection) as queries:
            plan = imported(rows, mode=Mode.UPSERT)
        assert plan.counts.new and plan.counts.updated
        return statements(queries)

    assert cost(contact_rows(company, 0, 10)) == cost(contact_rows(company, 100, 100))


def test_the_dry_run_reads_parties_and_contacts_in_a_few_queries(
    company, vendor, django_assert_max_num_queries
):
    rows = contact_rows(company, 0, 100)
    with django_assert_max_num_queries(5):  # customers, suppliers, links, emails, phones
        an_import(mode=Mode.UPSERT).plan(rows)


def test_each_batch_reads_the_database_again(company, vendor, monkeypatch):
    rows = contact_rows(company, 0, 20)
    with CaptureQueriesContext(connection) as one_batch:
        an_import(mode=Mode.UPSERT).plan(rows)
    monkeypatch.setattr(importing_contacts, "BATCH_SIZE", 11)
    with CaptureQueriesContext(connection) as two_batches:
        an_import(mode=Mode.UPSERT).plan(rows)
    assert len(two_batches) == 2 * len(one_batch) - 1  # the supplier sits in the last batch


# --- real files and the import page ---------------------------------------------------------


def test_chinook_s_customers_import_as_contacts_and_again_unchanged(company):
    headers, rows = file_rows(CHINOOK_CUSTOMERS, CONTACT_COLUMNS)
    assert headers["customer_code"] == "CustomerId" and headers["email"] == "Email"
    for number in range(1, len(rows) + 1):
        CustomerFactory(code=str(number), company=company)

    assert [str(p) for p in an_import(headers=headers).plan(rows).problems] == [
        "row 50, Email 'stanisław.wójcik@wp.pl': not an email address."  # as EmailField says
    ]
    rows = [(number, cells) for number, cells in rows if number != 50]

    plan = imported(rows, headers=headers)

    assert plan.counts.new == len(rows) == 58
    luis = ContactLink.objects.get(customer__code="1", is_primary=True).contact
    assert (luis.first_name, luis.last_name) == ("Luís", "Gonçalves")
    assert luis.phones.get().number == "+551239235555"
    assert luis.emails.get().email == "luisg@embraer.com.br"
    again = imported(rows, headers=headers, mode=Mode.UPSERT)
    assert again.counts.unchanged == 58


@pytest.fixture
def contacts_target(monkeypatch):
    """The contacts import on the page, registered for the test if it is not yet."""
    monkeypatch.setitem(TARGETS, "contacts", CONTACTS)
    return CONTACTS


def upload_contacts(client, content: bytes, mode="insert"):
    data = {
        "target": "contacts",
        "file": SimpleUploadedFile("contacts.csv", content),
        "mode": mode,
        "encoding": "",
        "delimiter": "",
    }
    return client.post(reverse("dataimport:start"), data)


CONTACTS_CSV = (
    b"Customer Id,First Name,Last Name,Email,Phone 1,Primary\n"
    b"CUST-00012,Jane,Doe,jane@example.com,+49 30 901820,yes\n"
    b"cust-00012,John,Roe,john@example.com,,\n"
)


def test_the_page_previews_and_imports_contacts_with_links_to_the_party(
    role_client, acme, contacts_target
):
    clerk = role_client("Sales User")
    preview = upload_contacts(clerk, CONTACTS_CSV).context["preview"]
    assert preview.problem_count == 0 and preview.plan.counts.new == 2
    assert not Contact.objects.exists()

    response = clerk.post(reverse("dataimport:log", args=[preview.log.pk]))

    assert response.status_code == 302
    assert primary_names(acme) == ["Jane"] and Contact.objects.count() == 2
    result = clerk.get(response["Location"])
    assert result.context["links"][0] == (
        "CUST-00012: Jane Doe",
        reverse("crm:customer_detail", args=[acme.pk]),
    )


def test_the_page_lists_a_bad_row_and_imports_nothing(role_client, acme, contacts_target):
    clerk = role_client("Sales User")
    content = CONTACTS_CSV + b"NOPE-1,Ann,Lee,ann@example.com,,\n"
    preview = upload_contacts(clerk, content).context["preview"]

    assert [str(problem) for problem in preview.plan.problems] == [
        "row 4, Customer Id 'NOPE-1': no customer has this code."
    ]
    clerk.post(reverse("dataimport:log", args=[preview.log.pk]))
    assert not Contact.objects.exists()


def test_the_contact_template_s_example_row_imports(role_client, company, contacts_target):
    CustomerFactory(code="CUST-EXAMPLE", company=company)
    clerk = role_client("Sales User")
    template = clerk.get(reverse("dataimport:template"), {"target": "contacts", "format": "csv"})

    preview = upload_contacts(clerk, template.content).context["preview"]

    assert preview.problem_count == 0 and preview.plan.counts.new == 1
    assert preview.plan.new_keys(1) == ["CUST-EXAMPLE: Sheryl Baxter"]


def test_only_users_who_may_add_contacts_can_import_them(contacts_target):
    accountant, clerk = UserFactory(roles=["Accounts User"]), UserFactory(roles=["Sales User"])
    assert CONTACTS not in targets_for(accountant)
    assert CONTACTS in targets_for(clerk)
