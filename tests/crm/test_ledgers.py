from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, Company
from accounts.selectors import account_balance
from accounts.services import JournalLine, post_journal
from crm.models import Customer, PartyLedger
from crm.services import open_receivable_ledger, open_receivable_ledgers
from tests.factories import CompanyFactory, CustomerFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def test_saving_a_customer_opens_its_receivable_ledger(customer, company):
    ledger = customer.ledgers.get()
    assert ledger.company == company
    assert ledger.account.name == "Acme - DT"
    assert ledger.account.parent == company.receivable_group
    assert ledger.account.account_type == Account.Type.RECEIVABLE
    assert not ledger.account.is_group
    assert ledger.account.root_type == Account.RootType.ASSET


def test_a_customer_gets_a_code_when_left_blank(company):
    first, second = CustomerFactory(company=company), CustomerFactory(company=company)
    assert (first.code, second.code) == ("CUST-00001", "CUST-00002")


def test_generated_codes_skip_codes_already_taken_by_hand(company):
    CustomerFactory(company=company, code="CUST-00001")
    assert CustomerFactory(company=company).code == "CUST-00002"


def test_a_taken_ledger_name_gets_the_customer_code(company, customer):
    twin = CustomerFactory(name="Acme", company=company)
    assert twin.ledgers.get().account.name == f"Acme ({twin.code}) - DT"


def test_saving_again_changes_nothing(customer, django_assert_num_queries):
    before = list(Account.objects.values_list("pk", "name"))
    # savepoint, UPDATE, history row, savepoint, one ledger look-up, two releases
    with django_assert_num_queries(7):
        customer.save()
    assert list(Account.objects.values_list("pk", "name")) == before
    assert PartyLedger.objects.count() == 1


def test_a_second_ledger_in_the_same_company_is_impossible(customer):
    ledger = customer.ledgers.get()
    other = Account.objects.create(
        company=ledger.company,
        parent=ledger.account.parent,
        name="Spare - DT",
        account_type="receivable",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PartyLedger.objects.create(customer=customer, company=ledger.company, account=other)


def test_changing_company_and_saving_opens_a_second_ledger(customer, other_company):
    post_to_ledger(customer, "500.00")
    customer.company = other_company
    customer.save()
    ledgers = {ledger.company.abbreviation: ledger for ledger in customer.ledgers.all()}
    assert set(ledgers) == {"DT", "OW"}
    assert ledgers["OW"].account.name == "Acme - OW"
    assert account_balance(account=ledgers["DT"].account) == 500


def test_renaming_the_customer_renames_its_ledgers(customer, other_company):
    customer.company = other_company
    customer.save()
    customer.name = "Acme Holdings"
    customer.save()
    assert sorted(customer.ledgers.values_list("account__name", flat=True)) == [
        "Acme Holdings - DT",
        "Acme Holdings - OW",
    ]


def test_renaming_onto_a_taken_name_uses_the_code(company, customer):
    other = CustomerFactory(name="Bolt", company=company)
    other.name = "Acme"
    other.save()
    assert other.ledgers.get().account.name == f"Acme ({other.code}) - DT"


def test_a_company_without_a_receivable_group_saves_no_customer(company):
    Company.objects.filter(pk=company.pk).update(receivable_group=None)
    company.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        CustomerFactory(name="Nope", company=company)
    message = (
        "Company Demo Trading has no receivable group. "
        "Set it first (Companies > Demo Trading > Receivable group)."
    )
    assert error.value.message_dict == {"company": [message]}
    assert not Customer.objects.filter(name="Nope").exists()


def test_the_form_check_names_the_company_too(company):
    Company.objects.filter(pk=company.pk).update(receivable_group=None)
    company.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        CustomerFactory.build(company=company).full_clean()
    assert (
        "Set it first (Companies > Demo Trading > Receivable group)"
        in error.value.message_dict["company"][0]
    )


def test_a_new_receivable_group_affects_ledgers_opened_afterwards(company, customer):
    new_group = Account.objects.create(
        company=company,
        parent=company.receivable_group.parent,
        name="Trade Debtors - DT",
        is_group=True,
        account_type=Account.Type.RECEIVABLE,
    )
    company.receivable_group = new_group
    company.save()
    later = CustomerFactory(company=company)
    assert later.ledgers.get().account.parent == new_group
    assert customer.ledgers.get().account.parent.name == "Accounts Receivable - DT"


def test_deleting_a_customer_with_postings_is_refused(customer):
    post_to_ledger(customer, "10.00")
    with pytest.raises(ValidationError) as error:
        customer.delete()
    assert error.value.messages == [
        "Ledger Acme - DT has postings, so Acme (CUST-00001) cannot be deleted. Disable it instead."
    ]
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_deleting_a_customer_without_postings_takes_its_ledgers_along(customer, other_company):
    customer.company = other_company
    customer.save()
    customer.delete()
    assert not PartyLedger.objects.exists()
    assert not Account.objects.filter(name__startswith="Acme").exists()


def test_a_supplier_ledger_opens_under_the_payable_group(company):
    supplier = SupplierFactory(name="Parts Co", company=company)
    ledger = supplier.ledgers.get()
    assert supplier.code == "SUPP-00001"
    assert ledger.account.name == "Parts Co - DT"
    assert ledger.account.parent == company.payable_group
    assert ledger.account.account_type == Account.Type.PAYABLE
    assert ledger.account.root_type == Account.RootType.LIABILITY


def test_a_supplier_and_a_customer_of_the_same_name_get_distinct_ledgers(company, customer):
    supplier = SupplierFactory(name="Acme", company=company)
    assert supplier.ledgers.get().account.name == f"Acme ({supplier.code}) - DT"


def test_the_batch_service_opens_ledgers_in_a_constant_number_of_queries(company, other_company):
    # 100 rows still fit one INSERT on SQLite (999 parameters); PostgreSQL takes any batch.
    def queries_to_open(count):
        customers = make_unsaved(count, [company, other_company])
        with CaptureQueriesContext(connection) as context:
            open_receivable_ledgers(customers=customers)
        return len(context.captured_queries)

    assert queries_to_open(10) == queries_to_open(100)
    assert PartyLedger.objects.count() == 110


def test_the_batch_service_is_idempotent_and_names_duplicates_apart(company):
    customers = make_unsaved(3, [company], name="Same")
    first = open_receivable_ledgers(customers=customers)
    again = open_receivable_ledgers(customers=customers)
    assert [ledger.pk for ledger in first] == [ledger.pk for ledger in again]
    assert sorted(ledger.account.name for ledger in first) == sorted(
        ["Same - DT"] + [f"Same ({c.code}) - DT" for c in customers[1:]]
    )


def test_the_single_service_returns_the_existing_ledger(customer):
    assert open_receivable_ledger(customer=customer) == customer.ledgers.get()


def make_unsaved(count, companies, name=None):
    """Customers written with bulk_create, which fires no post_save: no ledgers yet."""
    template = CustomerFactory.build(company=companies[0])
    customers = [
        Customer(
            code=f"BULK-{Customer.objects.count() + i:05d}",
            name=name or f"Bulk {Customer.objects.count() + i}",
            customer_group=template.customer_group,
            territory=template.territory,
            company=companies[i % len(companies)],
        )
        for i in range(count)
    ]
    return Customer.objects.bulk_create(customers)


def post_to_ledger(customer, amount):
    ledger = customer.ledgers.get(company=customer.company)
    company = customer.company
    post_journal(
        company=company,
        posting_date=date(2026, 1, 5),
        lines=[
            JournalLine(ledger.account, debit=amount),
            JournalLine(company.default_income_account, credit=amount),
        ],
    )


def test_company_factory_works_for_many_companies():
    assert CompanyFactory().accounts.exists()


def test_a_ledger_can_be_opened_in_another_company_without_moving_the_customer(
    customer, other_company
):
    ledger = open_receivable_ledger(customer=customer, company=other_company)
    assert ledger.company == other_company
    assert ledger.account.name == "Acme - OW"
    assert ledger.account.parent == other_company.receivable_group
    customer.refresh_from_db()
    assert customer.company.abbreviation == "DT"
    assert open_receivable_ledger(customer=customer, company=other_company) == ledger
