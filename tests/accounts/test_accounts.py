import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError

from accounts.models import Account
from accounts.services import JournalLine, post_journal
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def account(name):
    return Account.objects.get(name=name)


def test_a_child_takes_the_root_type_of_its_parent(company):
    child = AccountFactory(company=company, parent=account("Income - DT"), name="Consulting - DT")
    assert child.root_type == Account.RootType.INCOME


def test_a_ledger_cannot_have_children(company):
    child = Account(company=company, parent=account("Cash - DT"), name="Petty - DT")
    with pytest.raises(ValidationError) as error:
        child.full_clean()
    assert error.value.message_dict["parent"] == [
        "Cash - DT is a ledger; only a group can have children."
    ]


def test_the_parent_must_belong_to_the_same_company(company, other_company):
    child = Account(company=company, parent=account("Current Assets - OW"), name="Odd - DT")
    with pytest.raises(ValidationError) as error:
        child.full_clean()
    assert "belongs to another company" in error.value.message_dict["parent"][0]


def test_a_group_with_children_cannot_become_a_ledger(company):
    group = account("Current Assets - DT")
    group.is_group = False
    with pytest.raises(ValidationError) as error:
        group.full_clean()
    assert error.value.message_dict["is_group"] == [
        "This group has child accounts; it cannot become a ledger."
    ]


def test_an_account_with_postings_cannot_become_a_group(company):
    post_cash_sale(company)
    cash = account("Cash - DT")
    cash.is_group = True
    with pytest.raises(ValidationError) as error:
        cash.full_clean()
    assert error.value.message_dict["is_group"] == [
        "This account has postings; it cannot become a group."
    ]


def test_an_account_with_postings_cannot_be_deleted(company):
    post_cash_sale(company)
    with pytest.raises(ProtectedError):
        account("Cash - DT").delete()


def test_an_account_without_postings_can_be_deleted(company):
    account("Furniture and Equipment - DT").delete()
    assert not Account.objects.filter(name="Furniture and Equipment - DT").exists()


def test_a_group_with_children_cannot_be_deleted(company):
    with pytest.raises(IntegrityError):
        account("Fixed Assets - DT").delete()


def test_no_cycles(company):
    assets = account("Assets - DT")
    assets.parent = account("Current Assets - DT")
    with pytest.raises(ValidationError) as error:
        assets.full_clean()
    assert "cannot be made a descendant of itself" in str(error.value)


def test_an_account_cannot_be_its_own_parent_in_the_database(company):
    cash = account("Cash - DT")
    with pytest.raises(IntegrityError):
        Account.objects.filter(pk=cash.pk).update(parent=cash.pk)


def test_account_names_are_unique_per_company_but_not_across(company, other_company):
    AccountFactory(company=other_company, name="Shared name")
    AccountFactory(company=company, name="Shared name")
    with pytest.raises(IntegrityError):
        AccountFactory(company=company, name="Shared name")


def test_account_numbers_are_unique_per_company_when_given(company):
    AccountFactory(company=company, number="")
    AccountFactory(company=company, number="")
    with pytest.raises(IntegrityError):
        AccountFactory(company=company, number="1300")


def test_a_top_level_account_needs_a_root_type(company):
    top = Account(company=company, name="Loose - DT", is_group=True)
    with pytest.raises(ValidationError) as error:
        top.full_clean()
    assert "root_type" in error.value.message_dict


def post_cash_sale(company, amount="100.00"):
    return post_journal(
        company=company,
        posting_date="2026-01-10",
        lines=[
            JournalLine(account("Cash - DT"), debit=amount),
            JournalLine(account("Sales - DT"), credit=amount),
        ],
    )
