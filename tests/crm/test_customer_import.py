"""Importing customers in bulk: the dry run's verdict on every row, then the writes."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.importing import Mode
from crm import importing
from crm.importing import CustomerImport
from crm.models import (
    Address,
    AddressLink,
    Contact,
    ContactEmail,
    ContactLink,
    Customer,
    CustomerGroup,
    PartyLedger,
)
from crm.services import link_address, save_address, save_contact
from tests.crm.import_helpers import statements
from tests.factories import CompanyFactory, CustomerFactory, UserFactory
from tests.test_naughty_strings import STRINGS

pytestmark = pytest.mark.django_db

HEADERS = {
    "code": "Customer Id",
    "name": "Company",
    "contact_first_name": "First Name",
    "contact_last_name": "Last Name",
    "email": "Email",
    "phone": "Phone 1",
    "address_line1": "Street",
    "city": "City",
    "postal_code": "Zip",
    "country": "Country",
    "customer_group": "Group",
    "territory": "Territory",
    "company": "Selling company",
    "credit_limit": "Credit limit",
}


def an_import(defaults, mode=Mode.INSERT, headers=HEADERS, user=None):
    return CustomerImport(mode=mode, defaults=defaults, headers=headers, user=user)


def row(number=2, **cells):
    base = {
        "code": "",
        "name": "Rasmussen Group",
        "contact_first_name": "Sheryl",
        "contact_last_name": "Baxter",
        "email": "Zunigavanessa@smith.info",
        "phone": "+49 30 901820",
        "address_line1": "Unter den Linden 1",
        "city": "Berlin",
        "postal_code": "01067",
        "country": "Germany",
    }
    return number, {**base, **cells}


def imported(defaults, rows, **options):
    job = an_import(defaults, **options)
    plan = job.plan(rows)
    assert plan.is_valid, [str(problem) for problem in plan.problems]
    job.write(plan)
    return plan


def test_a_new_customer_gets_its_code_ledger_contact_address_and_history(defaults):
    clerk = UserFactory()
    plan = imported(defaults, [row()], user=clerk)

    assert (plan.counts.new, plan.counts.total) == (1, 1)
    customer = Customer.objects.get()
    assert customer.code == "CUST-00001" and customer.company == defaults.company
    ledger = PartyLedger.objects.get(customer=customer)
    assert ledger.account.name == "Rasmussen Group - DT"
    assert ledger.account.parent == defaults.company.receivable_group
    link = ContactLink.objects.get(customer=customer)
    contact = link.contact
    assert link.is_primary and (contact.first_name, contact.last_name) == ("Sheryl", "Baxter")
    assert contact.emails.get().email == "zunigavanessa@smith.info"
    assert contact.phones.get().number == "+4930901820"
    address = AddressLink.objects.get(customer=customer)
    assert address.is_primary_billing and address.is_primary_shipping
    assert (address.address.postal_code, address.address.country.code) == ("01067", "DE")
    history = customer.history.get()
    assert (history.history_type, history.history_user) == ("+", clerk)
    assert contact.history.count() == address.address.history.count() == 1


@pytest.mark.parametrize(
    "email", ["o'brien@example.ie", "jane.doe+crm@sub.example.co.uk", "x@[127.0.0.1]"]
)
def test_addresses_of_every_shape_django_accepts_are_taken_in_lower_case(defaults, email):
    plan = an_import(defaults).plan([row(2, email=email.upper())])
    assert plan.is_valid and plan.rows[0].contact["email"] == email.lower()


def test_the_dry_run_writes_nothing(defaults):
    plan = an_import(defaults).plan([row(), row(3, name="Other")])
    assert plan.counts.new == 2
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"name": ""}, "Company", "a name is required."),
        ({"company": "Nowhere Ltd"}, "Selling company", "no selling company has this name."),
        ({"customer_group": "Martians"}, "Group", "no customer group has this name."),
        ({"customer_group": "All Customer Groups"}, "Group", "this is a group of others"),
        ({"territory": "Atlantis"}, "Territory", "no territory has this name."),
        ({"email": "not-an-email"}, "Email", "not an email address."),
        ({"email": "a..b@example.com"}, "Email", "not an email address."),
        ({"email": f"{'x' * 250}@example.com"}, "Email", "longer than 254 characters."),
        ({"credit_limit": "lots"}, "Credit limit", "not a number."),
        ({"credit_limit": "-5"}, "Credit limit", "must be at least 0."),
        ({"country": "Narnia"}, "Country", "not a country name or ISO code."),
        ({"city": ""}, "City", "an address needs a city."),
        ({"name": "x" * 141}, "Company", "longer than 140 characters (141)."),
    ],
)
def test_a_bad_cell_names_the_row_the_column_the_value_and_the_problem(
    defaults, cells, column, message
):
    plan = an_import(defaults).plan([row(7, **cells)])

    assert plan.counts.invalid == 1 and not plan.rows
    problem = plan.problems[0]
    assert (problem.row, problem.column) == (7, column)
    assert problem.value == next(iter(cells.values()))
    assert problem.message.startswith(message)


def test_every_problem_of_a_row_is_reported(defaults):
    plan = an_import(defaults).plan([row(4, company="Nowhere", territory="Atlantis")])
    assert [(p.row, p.column) for p in plan.problems] == [
        (4, "Selling company"),
        (4, "Territory"),
    ]


def test_companies_groups_and_territories_match_by_name_or_abbreviation_in_any_case(
    defaults, other_company
):
    leaf = CustomerGroup.objects.leaves().last()
    plan = an_import(defaults).plan(
        [row(company=other_company.abbreviation.lower(), customer_group=leaf.name.upper())]
    )
    assert plan.is_valid
    values = plan.rows[0].values
    assert (values["company_id"], values["customer_group_id"]) == (other_company.pk, leaf.pk)


def test_duplicate_codes_in_one_file_name_both_rows(defaults):
    plan = an_import(defaults).plan([row(2, code="A-1"), row(3, code="B-1"), row(9, code="a-1")])
    assert [str(problem) for problem in plan.problems] == [
        "row 9, Customer Id 'a-1': the same code is on row 2; codes must be unique."
    ]


def test_duplicates_are_found_across_batches(defaults, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_SIZE", 2)
    rows = [row(2, code="A"), row(3, code="B"), row(4, code="C"), row(5, code="A")]
    plan = an_import(defaults).plan(rows)
    assert [(p.row, p.message) for p in plan.problems] == [
        (5, "the same code is on row 2; codes must be unique.")
    ]


def test_a_missing_required_column_is_refused_before_any_row(defaults):
    headers = {key: value for key, value in HEADERS.items() if key != "name"}
    with pytest.raises(ValidationError, match=r"The file has no Name column; it is required\."):
        an_import(defaults, headers=headers).plan(iter(()))


def test_inserting_a_code_that_exists_is_refused_with_the_customer(defaults, company):
    CustomerFactory(code="ACME-1", name="Acme", company=company)
    plan = an_import(defaults).plan([row(code="acme-1")])
    assert plan.problems[0].message == (
        "Acme already has this code; choose update or insert-or-update."
    )


def test_updating_an_unknown_code_is_refused(defaults):
    plan = an_import(defaults, mode=Mode.UPDATE).plan([row(code="NOPE")])
    assert plan.problems[0].message == (
        "no customer has this code; use insert-or-update to add it."
    )


def test_upsert_updates_changed_customers_and_skips_unchanged_ones(defaults, company):
    same = CustomerFactory(code="SAME", name="Same Name", company=company)
    renamed = CustomerFactory(code="OLD", name="Old Name", company=company)
    headers = {"code": "Code", "name": "Name"}
    rows = [
        (2, {"code": "SAME", "name": "Same Name"}),
        (3, {"code": "OLD", "name": "New Name"}),
        (4, {"code": "NEW", "name": "Brand New"}),
    ]
    plan = imported(defaults, rows, mode=Mode.UPSERT, headers=headers)

    assert (plan.counts.unchanged, plan.counts.updated, plan.counts.new) == (1, 1, 1)
    renamed.refresh_from_db()
    assert renamed.name == "New Name"
    assert renamed.ledgers.get().account.name == "New Name - DT"
    assert renamed.history.first().history_type == "~"
    assert same.history.count() == 1
    assert Customer.objects.get(code="NEW").ledgers.exists()


def test_an_update_changes_only_the_columns_the_file_has(defaults, company):
    customer = CustomerFactory(code="KEEP", name="Keep", company=company, tax_id="DE1")
    headers = {"code": "Code", "credit_limit": "Credit limit"}
    imported(defaults, [(2, {"code": "KEEP", "credit_limit": "1.234,50"})], mode=Mode.UPDATE,
             headers=headers)  # fmt: skip
    customer.refresh_from_db()
    assert (customer.name, customer.tax_id) == ("Keep", "DE1")
    assert customer.credit_limit == Decimal("1234.50")


def test_importing_the_same_file_twice_changes_nothing_the_second_time(defaults):
    rows = [row(2, code="C-1"), row(3, code="C-2", name="Second")]
    imported(defaults, rows)
    counts = (Customer.objects.count(), PartyLedger.objects.count(), ContactLink.objects.count())

    plan = imported(defaults, rows, mode=Mode.UPSERT)

    assert (plan.counts.unchanged, plan.counts.total) == (2, 2)
    assert counts == (
        Customer.objects.count(),
        PartyLedger.objects.count(),
        ContactLink.objects.count(),
    )


def test_assigned_codes_skip_codes_used_in_the_file(defaults):
    imported(defaults, [row(2, code="CUST-00001"), row(3, name="No Code")])
    assert set(Customer.objects.values_list("code", flat=True)) == {"CUST-00001", "CUST-00002"}


def test_a_ledger_name_already_taken_gets_the_code(defaults, company):
    CustomerFactory(name="Rasmussen Group", company=company)
    imported(defaults, [row(code="R-2")])
    ledger = PartyLedger.objects.get(customer__code="R-2")
    assert ledger.account.name == "Rasmussen Group (R-2) - DT"


def test_two_rows_with_the_same_name_get_distinct_ledgers(defaults):
    imported(defaults, [row(2, code="T-1"), row(3, code="T-2")])
    names = set(PartyLedger.objects.values_list("account__name", flat=True))
    assert names == {"Rasmussen Group - DT", "Rasmussen Group (T-2) - DT"}


def test_a_company_without_a_receivable_group_stops_the_import(defaults):
    bare = CompanyFactory(abbreviation="BARE")
    bare.receivable_group = None
    bare.save()
    job = an_import(defaults)
    plan = job.plan([row(company="BARE")])
    with pytest.raises(ValidationError, match="receivable"):
        job.write(plan)


def test_no_contact_or_address_without_their_columns(defaults):
    headers = {"code": "Code", "name": "Name"}
    imported(defaults, [(2, {"code": "BARE", "name": "Bare"})], headers=headers)
    customer = Customer.objects.get()
    assert not customer.contact_links.exists() and not customer.address_links.exists()


def test_queries_do_not_grow_with_the_rows_of_a_batch(defaults):
    def cost(count, offset):
        rows = [row(n, code=f"Q-{offset + n}", name=f"Q {offset + n}") for n in range(count)]
        with CaptureQueriesContext(connection) as queries:
            imported(defaults, rows)
        return len(queries)

    assert cost(3, 0) == cost(30, 100)


def test_naughty_strings_are_stored_verbatim(defaults):
    strings = [text.strip() for text in STRINGS if 0 < len(text.strip()) <= 140]
    rows = [(n, {"name": text, "notes": text}) for n, text in enumerate(strings, start=2)]
    imported(defaults, rows, headers={"name": "Name", "notes": "Notes"})
    stored = list(Customer.objects.order_by("pk").values_list("name", "notes"))
    assert stored == [(text, text) for text in strings]


@pytest.mark.parametrize(
    ("website", "stored"),
    [
        ("https://www.gallegos.com/", "https://www.gallegos.com/"),
        ("www.example.org", "http://www.example.org"),
        ("http://example.com:8080/shop?x=1", "http://example.com:8080/shop?x=1"),
        ("http://127.0.0.1/", "http://127.0.0.1/"),
    ],
)
def test_websites_are_kept_with_a_scheme(defaults, website, stored):
    plan = an_import(defaults, headers={"name": "Name", "website": "Web"}).plan(
        [(2, {"name": "Web Shop", "website": website})]
    )
    assert plan.is_valid and plan.rows[0].values["website"] == stored


@pytest.mark.parametrize(
    "website", ["http://exa mple.com", "http://-bad.com", "http://example.com@evil", "ftp:x"]
)
def test_a_website_that_is_no_web_address_is_a_problem(defaults, website):
    plan = an_import(defaults, headers={"name": "Name", "website": "Web"}).plan(
        [(2, {"name": "Web Shop", "website": website})]
    )
    assert [problem.message for problem in plan.problems] == ["not a web address."]


def test_the_apostrophe_an_export_puts_before_a_formula_is_taken_off(defaults):
    plan = an_import(defaults, headers={"name": "Name", "notes": "Notes"}).plan(
        [(2, {"name": '\'=HYPERLINK("x")', "notes": "'not a formula"})]
    )
    assert plan.rows[0].values["name"] == '=HYPERLINK("x")'
    assert plan.rows[0].values["notes"] == "'not a formula"


# --- updating an existing customer's primary contact and address ----------------------------


@pytest.fixture
def kept(company):
    """A customer as a first import of row(code="KEPT") leaves it."""
    customer = CustomerFactory(code="KEPT", name="Rasmussen Group", company=company)
    save_contact(
        contact=Contact(first_name="Sheryl", last_name="Baxter"),
        emails=[("zunigavanessa@smith.info", True)],
        phones=[("+49 30 901820", True)],
        party=customer,
    )
    address = Address(line1="Unter den Linden 1", city="Berlin", postal_code="01067", country="DE")
    save_address(address=address, party=customer)
    return customer


def primary_contact(customer):
    return ContactLink.objects.get(customer=customer, is_primary=True).contact


def primary_address(customer):
    return AddressLink.objects.get(customer=customer, is_primary_billing=True).address


def test_the_same_contact_and_address_leave_an_existing_customer_unchanged(defaults, kept):
    plan = imported(defaults, [row(code="KEPT")], mode=Mode.UPSERT)
    assert (plan.counts.unchanged, plan.counts.total) == (1, 1)


def test_updating_renames_the_primary_contact_and_makes_a_new_email_primary(defaults, kept):
    contact = primary_contact(kept)
    plan = imported(
        defaults,
        [row(code="KEPT", contact_first_name="Shery", email="New@Example.com")],
        mode=Mode.UPDATE,
    )

    assert plan.counts.updated == 1
    contact.refresh_from_db()
    assert (contact.first_name, contact.last_name) == ("Shery", "Baxter")
    emails = dict(contact.emails.values_list("email", "is_primary"))
    assert emails == {"new@example.com": True, "zunigavanessa@smith.info": False}
    assert contact.phones.get().number == "+4930901820"
    assert contact.history.first().history_type == "~"
    assert kept.history.count() == 1  # the customer itself did not change
    assert ContactLink.objects.filter(customer=kept).count() == 1


def test_an_email_the_contact_has_already_becomes_primary_without_a_copy(defaults, kept):
    contact = primary_contact(kept)
    ContactEmail.objects.create(contact=contact, email="second@example.com")
    imported(defaults, [row(code="KEPT", email="SECOND@example.com")], mode=Mode.UPDATE)
    emails = dict(contact.emails.values_list("email", "is_primary"))
    assert emails == {"second@example.com": True, "zunigavanessa@smith.info": False}


def test_an_email_in_other_letter_case_is_no_change(defaults, kept):
    ContactEmail.objects.filter(contact=primary_contact(kept)).update(
        email="Zunigavanessa@Smith.INFO"
    )
    plan = imported(defaults, [row(code="KEPT")], mode=Mode.UPDATE)
    assert plan.counts.unchanged == 1


def test_a_new_phone_becomes_the_primary_phone(defaults, kept):
    imported(defaults, [row(code="KEPT", phone="+44 20 7946 0958")], mode=Mode.UPDATE)
    phones = dict(primary_contact(kept).phones.values_list("number", "is_primary"))
    assert phones == {"+442079460958": True, "+4930901820": False}


def test_empty_contact_cells_change_nothing(defaults, kept):
    plan = imported(
        defaults, [row(code="KEPT", email="", phone="", contact_first_name="",
                       contact_last_name="")], mode=Mode.UPDATE
    )  # fmt: skip
    assert plan.counts.unchanged == 1
    assert primary_contact(kept).emails.get().email == "zunigavanessa@smith.info"


def test_an_email_column_alone_keeps_the_contact_name(defaults, kept):
    headers = {"code": "Code", "email": "Email"}
    imported(defaults, [(2, {"code": "KEPT", "email": "other@example.com"})],
             mode=Mode.UPDATE, headers=headers)  # fmt: skip
    contact = primary_contact(kept)
    assert (contact.first_name, contact.last_name) == ("Sheryl", "Baxter")
    assert contact.emails.get(is_primary=True).email == "other@example.com"


def test_a_customer_without_a_primary_contact_gets_one(defaults, company):
    customer = CustomerFactory(code="BARE", name="Bare Ltd", company=company)
    headers = {"code": "Code", "email": "Email", "phone": "Phone"}
    plan = imported(defaults, [(2, {"code": "BARE", "email": "info@bare.example", "phone": ""})],
                    mode=Mode.UPDATE, headers=headers)  # fmt: skip

    assert plan.counts.updated == 1
    contact = primary_contact(customer)
    assert contact.first_name == "Bare Ltd"  # as for a new customer: its name stands in
    assert contact.emails.get().email == "info@bare.example"
    assert contact.history.get().history_type == "+"


def test_the_primary_address_is_updated_in_place(defaults, kept):
    address = primary_address(kept)
    plan = imported(defaults, [row(code="KEPT", address_line1="Unter den Linden 2",
                                   postal_code="10117")], mode=Mode.UPDATE)  # fmt: skip

    assert plan.counts.updated == 1
    assert primary_address(kept).pk == address.pk
    address.refresh_from_db()
    assert (address.line1, address.postal_code, address.city) == (
        "Unter den Linden 2",
        "10117",
        "Berlin",
    )
    assert address.history.first().history_type == "~"


def test_address_parts_without_a_column_are_left_alone(defaults, kept):
    address = primary_address(kept)
    address.state = "Berlin"
    address.save()
    headers = {key: value for key, value in HEADERS.items() if key != "postal_code"}
    headers["state"] = "State"
    plan = imported(defaults, [row(code="KEPT", state="Brandenburg")], mode=Mode.UPDATE,
                    headers=headers)  # fmt: skip
    assert plan.counts.updated == 1
    address.refresh_from_db()
    assert (address.state, address.postal_code) == ("Brandenburg", "01067")


def test_a_customer_without_a_primary_address_gets_one_for_billing_and_shipping(defaults, company):
    customer = CustomerFactory(code="BARE", company=company)
    imported(defaults, [row(code="BARE", email="", phone="", contact_first_name="",
                            contact_last_name="")], mode=Mode.UPDATE)  # fmt: skip
    link = AddressLink.objects.get(customer=customer)
    assert (link.is_primary_billing, link.is_primary_shipping) == (True, True)
    assert link.address.city == "Berlin"
    assert not customer.contact_links.exists()


def test_a_new_primary_billing_address_leaves_the_shipping_one(defaults, company):
    customer = CustomerFactory(code="SHIP", company=company)
    depot = Address.objects.create(line1="Depot 1", city="Hamburg", country="DE")
    link_address(address=depot, party=customer, primary_for=["shipping"])

    imported(defaults, [row(code="SHIP")], mode=Mode.UPDATE)

    billing = AddressLink.objects.get(customer=customer, is_primary_billing=True)
    shipping = AddressLink.objects.get(customer=customer, is_primary_shipping=True)
    assert (billing.address.line1, shipping.address) == ("Unter den Linden 1", depot)


def test_queries_of_updating_primaries_do_not_grow_with_the_rows(defaults, company):
    def customers(offset, count):
        rows = [row(n, code=f"U-{offset + n}", name=f"U {offset + n}") for n in range(count)]
        imported(defaults, rows)
        return [
            row(n, code=f"U-{offset + n}", name=f"U {offset + n}", email=f"u{n}@example.com",
                phone="+44 20 7946 0958", address_line1=f"{n} Road", contact_first_name="X")
            for n in range(count)
        ]  # fmt: skip

    def cost(rows):
        with CaptureQueriesContext(connection) as queries:
            plan = imported(defaults, rows, mode=Mode.UPDATE)
        assert plan.counts.updated == len(rows)
        return statements(queries)

    few, many = customers(0, 10), customers(1000, 100)
    assert cost(few) == cost(many)
