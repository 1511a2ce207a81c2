import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import Account, Company
from accounts.services import create_company
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def names(company):
    return set(company.accounts.values_list("name", flat=True))


def test_creating_a_company_creates_its_standard_chart_suffixed_with_the_abbreviation(company):
    assert {
        "Assets - DT",
        "Current Assets - DT",
        "Accounts Receivable - DT",
        "Bank - DT",
        "Cash - DT",
        "Liabilities - DT",
        "Current Liabilities - DT",
        "Accounts Payable - DT",
        "Duties and Taxes - DT",
        "Equity - DT",
        "Income - DT",
        "Sales - DT",
        "Expenses - DT",
        "Cost of Goods Sold - DT",
    } <= names(company)


def test_the_chart_has_the_expected_shape(company):
    receivable = Account.objects.get(name="Accounts Receivable - DT")
    assert receivable.parent.name == "Current Assets - DT"
    assert receivable.parent.parent.name == "Assets - DT"
    assert receivable.is_group and receivable.account_type == Account.Type.RECEIVABLE
    assert receivable.root_type == Account.RootType.ASSET
    sales = Account.objects.get(name="Sales - DT")
    assert sales.parent.name == "Income - DT" and sales.root_type == Account.RootType.INCOME
    assert not sales.is_group


def test_the_company_defaults_point_into_its_own_chart(company):
    assert company.receivable_group.name == "Accounts Receivable - DT"
    assert company.payable_group.name == "Accounts Payable - DT"
    assert company.default_income_account.name == "Sales - DT"


def test_two_companies_have_separate_charts(company, other_company):
    assert "Sales - OW" in names(other_company)
    assert "Sales - OW" not in names(company)


def test_company_and_chart_are_one_transaction(monkeypatch):
    def broken_chart(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("accounts.receivers.install_chart_of_accounts", broken_chart)
    with pytest.raises(RuntimeError):
        Company.objects.create(name="Half Made", abbreviation="HM", default_currency="EUR")
    assert not Company.objects.filter(name="Half Made").exists()


@pytest.mark.parametrize("abbreviation", ["D T", "D-T", "DT!", "ÄB", ""])
def test_abbreviation_takes_letters_and_digits_only(abbreviation):
    with pytest.raises(ValidationError) as error:
        create_company(name="X", abbreviation=abbreviation, default_currency="EUR")
    assert "abbreviation" in error.value.message_dict
    assert not Company.objects.exists()


def test_abbreviation_longer_than_ten_characters_is_refused():
    with pytest.raises(ValidationError) as error:
        create_company(name="X", abbreviation="ABCDEFGHIJK", default_currency="EUR")
    assert "abbreviation" in error.value.message_dict


def test_currency_must_be_iso_4217():
    with pytest.raises(ValidationError) as error:
        create_company(name="X", abbreviation="X", default_currency="XYZ")
    assert "XYZ is not an ISO 4217 currency code" in error.value.message_dict["default_currency"][0]


def test_currency_is_stored_upper_case():
    assert (
        create_company(name="X", abbreviation="X", default_currency="usd").default_currency == "USD"
    )


def test_company_name_and_abbreviation_are_unique_in_the_database(company):
    with pytest.raises(IntegrityError):
        Company.objects.bulk_create(
            [Company(name="Demo Trading", abbreviation="ZZ", default_currency="EUR")]
        )


def test_duplicate_abbreviation_gets_a_clear_message(company):
    with pytest.raises(ValidationError) as error:
        create_company(name="Another", abbreviation="DT", default_currency="EUR")
    assert "abbreviation" in error.value.message_dict


def test_negative_credit_limit_is_refused_by_the_database(company):
    with pytest.raises(IntegrityError):
        Company.objects.filter(pk=company.pk).update(credit_limit=-1)


def test_receivable_group_can_move_to_another_receivable_group_of_the_same_company(company):
    new_group = Account.objects.create(
        company=company,
        parent=company.receivable_group.parent,
        name="Trade Debtors - DT",
        is_group=True,
        account_type=Account.Type.RECEIVABLE,
    )
    company.receivable_group = new_group
    company.full_clean()


def test_receivable_group_cannot_be_a_ledger(company):
    company.receivable_group = Account.objects.get(name="Cash - DT")
    with pytest.raises(ValidationError) as error:
        company.full_clean()
    assert error.value.message_dict["receivable_group"] == ["Choose a receivable group account."]


def test_receivable_group_cannot_be_a_group_of_another_type(company):
    company.receivable_group = Account.objects.get(name="Current Assets - DT")
    with pytest.raises(ValidationError) as error:
        company.full_clean()
    assert error.value.message_dict["receivable_group"] == ["Choose a receivable group account."]


def test_receivable_group_cannot_belong_to_another_company(company, other_company):
    company.receivable_group = other_company.receivable_group
    with pytest.raises(ValidationError) as error:
        company.full_clean()
    assert error.value.message_dict["receivable_group"] == [
        "Accounts Receivable - OW belongs to Other Works, not to Demo Trading."
    ]


def test_payable_group_and_income_account_are_checked_too(company):
    company.payable_group = Account.objects.get(name="Sales - DT")
    company.default_income_account = Account.objects.get(name="Cash - DT")
    with pytest.raises(ValidationError) as error:
        company.full_clean()
    assert set(error.value.message_dict) == {"payable_group", "default_income_account"}


def test_company_factory_makes_independent_companies():
    first, second = CompanyFactory(), CompanyFactory()
    assert first.receivable_group != second.receivable_group
