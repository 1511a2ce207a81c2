from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Account, GLEntry, JournalEntry
from accounts.selectors import account_balance
from accounts.services import JournalLine, post_journal, reverse_journal, to_money

pytestmark = pytest.mark.django_db


def account(name):
    return Account.objects.get(name=name)


def sale(company, amount="100.00", debit="Cash - DT", credit="Sales - DT"):
    return post_journal(
        company=company,
        posting_date=date(2026, 1, 10),
        lines=[
            JournalLine(account(debit), debit=amount),
            JournalLine(account(credit), credit=amount),
        ],
        remark="Cash sale",
    )


def test_a_balanced_journal_posts_its_lines(company):
    journal = sale(company, "250.00")
    assert journal.lines.count() == 2
    assert account_balance(account=account("Cash - DT")) == Decimal("250.00")
    assert account_balance(account=account("Sales - DT")) == Decimal("-250.00")


def test_an_unbalanced_journal_is_refused_and_writes_nothing(company):
    with pytest.raises(ValidationError) as error:
        post_journal(
            company=company,
            posting_date=date(2026, 1, 10),
            lines=[
                JournalLine(account("Cash - DT"), debit="100.00"),
                JournalLine(account("Sales - DT"), credit="99.99"),
            ],
        )
    assert error.value.messages == [
        "The journal does not balance: debits 100.00 != credits 99.99 (difference 0.01)."
    ]
    assert not JournalEntry.objects.exists() and not GLEntry.objects.exists()


def test_a_group_account_is_refused(company):
    with pytest.raises(ValidationError) as error:
        sale(company, debit="Current Assets - DT")
    assert error.value.messages == [
        "Account Current Assets - DT is a group; post to one of its ledgers."
    ]


def test_a_frozen_account_is_refused(company):
    Account.objects.filter(name="Cash - DT").update(frozen=True)
    with pytest.raises(ValidationError) as error:
        sale(company)
    assert error.value.messages == ["Account Cash - DT is frozen and takes no postings."]


def test_an_account_of_another_company_is_refused(company, other_company):
    with pytest.raises(ValidationError) as error:
        sale(company, debit="Cash - OW")
    assert error.value.messages == [
        "Account Cash - OW belongs to another company, not Demo Trading."
    ]


@pytest.mark.parametrize(
    ("debit", "credit", "message"),
    [
        ("-5", "0", "amounts cannot be negative"),
        ("5", "5", "either a debit or a credit, not both"),
        ("0", "0", "the amount is zero"),
    ],
)
def test_bad_lines_are_refused(company, debit, credit, message):
    with pytest.raises(ValidationError) as error:
        post_journal(
            company=company,
            posting_date=date(2026, 1, 10),
            lines=[
                JournalLine(account("Cash - DT"), debit=debit, credit=credit),
                JournalLine(account("Sales - DT"), credit="5"),
            ],
        )
    assert message in error.value.messages[0]
    assert error.value.messages[0].startswith("Line 1 (Cash - DT)")


def test_a_journal_needs_two_lines(company):
    with pytest.raises(ValidationError, match="at least two lines"):
        post_journal(
            company=company,
            posting_date=date(2026, 1, 10),
            lines=[JournalLine(account("Cash - DT"), debit="1")],
        )


def test_money_is_rounded_half_up_and_never_a_float():
    assert to_money("2.345") == Decimal("2.35")
    assert to_money("2.344") == Decimal("2.34")
    assert to_money("-2.345") == Decimal("-2.35")
    with pytest.raises(TypeError):
        to_money(0.1)
    with pytest.raises(ValidationError):
        to_money("ten")


def test_the_database_refuses_negative_or_double_sided_lines(company):
    journal = sale(company)
    cash = account("Cash - DT")
    for debit, credit in [("-1", "0"), ("0", "-1"), ("1", "1")]:
        with pytest.raises(IntegrityError), transaction.atomic():
            GLEntry.objects.bulk_create(
                [GLEntry(journal=journal, account=cash, debit=debit, credit=credit)]
            )


def test_posted_entries_cannot_be_edited_or_deleted(company):
    journal = sale(company)
    line = journal.lines.first()
    line.debit = Decimal("1.00")
    with pytest.raises(ValidationError):
        line.save()
    with pytest.raises(ValidationError):
        line.delete()
    with pytest.raises(ValidationError):
        journal.save()
    with pytest.raises(ValidationError):
        journal.delete()
    with pytest.raises(ValidationError):
        GLEntry.objects.all().update(debit=0)
    with pytest.raises(ValidationError):
        JournalEntry.objects.all().delete()
    assert journal.lines.get(pk=line.pk).debit == Decimal("100.00")


def test_a_reversal_cancels_a_journal_and_leaves_it_untouched(company):
    journal = sale(company, "80.00")
    reversal = reverse_journal(journal=journal)
    assert reversal.reverses == journal
    assert journal.lines.get(account__name="Cash - DT").debit == Decimal("80.00")
    assert reversal.lines.get(account__name="Cash - DT").credit == Decimal("80.00")
    assert account_balance(account=account("Cash - DT")) == 0
    journal.refresh_from_db()
    assert journal.is_cancelled


def test_a_journal_cannot_be_cancelled_twice(company):
    journal = sale(company)
    reverse_journal(journal=journal)
    with pytest.raises(ValidationError, match="already cancelled"):
        reverse_journal(journal=journal)


def test_a_reversal_cannot_itself_be_cancelled(company):
    reversal = reverse_journal(journal=sale(company))
    with pytest.raises(ValidationError, match="is itself a reversal"):
        reverse_journal(journal=reversal)


def test_a_group_balance_rolls_up_its_descendants(company):
    sale(company, "100.00")
    sale(company, "40.00", debit="Bank - DT")
    assert account_balance(account=account("Current Assets - DT")) == Decimal("140.00")
    assert account_balance(account=account("Assets - DT")) == Decimal("140.00")
    assert account_balance(account=account("Income - DT")) == Decimal("-140.00")
    assert account_balance(account=account("Expenses - DT")) == 0
