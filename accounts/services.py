"""The verbs of accounting: set up a company, post and reverse journals, number documents."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from . import chart
from .models import ZERO, Account, Company, GLEntry, JournalEntry, NamingSeries

CENT = Decimal("0.01")


def to_money(value) -> Decimal:
    """A Decimal rounded half-up to cents; refuses floats so binary noise never enters."""
    if isinstance(value, float):
        raise TypeError("Money must be a Decimal, int or str, never a float.")
    try:
        amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError) as exc:
        raise ValidationError(f"{value!r} is not an amount of money.") from exc
    if not amount.is_finite():  # NaN passes quantize unchanged
        raise ValidationError(f"{value!r} is not an amount of money.")
    return amount


# --- companies ---------------------------------------------------------------------------


@transaction.atomic
def create_company(*, name, abbreviation, default_currency, credit_limit=None) -> Company:
    company = Company(
        name=name,
        abbreviation=abbreviation,
        default_currency=default_currency.upper(),
        credit_limit=credit_limit,
    )
    company.full_clean()
    company.save()  # the post_save receiver installs the chart of accounts
    return company


@transaction.atomic
def install_chart_of_accounts(*, company) -> None:
    """Create the standard chart (names suffixed " - ABBR") and point the defaults at it."""
    created = {}
    for root_type, node in chart.STANDARD_CHART:
        _create_accounts(company, node, parent=None, root_type=root_type, created=created)
    company.receivable_group = created[chart.RECEIVABLE_GROUP]
    company.payable_group = created[chart.PAYABLE_GROUP]
    company.default_income_account = created[chart.DEFAULT_INCOME]
    company.save(update_fields=["receivable_group", "payable_group", "default_income_account"])


def _create_accounts(company, node, *, parent, root_type, created):
    name, number, account_type, children = node
    account = Account.objects.create(
        company=company,
        parent=parent,
        name=company.suffixed(name),
        number=number,
        is_group=children is not None,
        root_type=root_type,
        account_type=account_type,
    )
    created[name] = account
    for child in children or ():
        _create_accounts(company, child, parent=account, root_type=root_type, created=created)


# --- journals -----------------------------------------------------------------------------


@dataclass(frozen=True)
class JournalLine:
    account: Account
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    remark: str = ""


@transaction.atomic
def post_journal(
    *,
    company,
    posting_date,
    lines,
    remark="",
    voucher_type="",
    voucher_number="",
    user=None,
    reverses=None,
) -> JournalEntry:
    """Post a balanced journal. Refuses group, frozen or foreign accounts; writes all or nothing."""
    amounts = [_line_amounts(index, line) for index, line in enumerate(lines, start=1)]
    _check_accounts(company, [line.account for line in lines])
    total_debit = sum((debit for debit, _ in amounts), ZERO)
    total_credit = sum((credit for _, credit in amounts), ZERO)
    if len(amounts) < 2:
        raise ValidationError("A journal needs at least two lines.")
    if total_debit != total_credit:
        raise ValidationError(
            f"The journal does not balance: debits {total_debit:,.2f} "
            f"!= credits {total_credit:,.2f} (difference {total_debit - total_credit:,.2f})."
        )
    journal = JournalEntry.objects.create(
        company=company,
        posting_date=posting_date,
        remark=remark,
        voucher_type=voucher_type,
        voucher_number=voucher_number,
        created_by=user,
        reverses=reverses,
    )
    GLEntry.objects.bulk_create(
        GLEntry(
            journal=journal, account=line.account, debit=debit, credit=credit, remark=line.remark
        )
        for line, (debit, credit) in zip(lines, amounts, strict=True)
    )
    return journal


def _line_amounts(index, line):
    debit, credit = to_money(line.debit), to_money(line.credit)
    if debit < 0 or credit < 0:
        raise ValidationError(f"Line {index} ({line.account}): amounts cannot be negative.")
    if debit and credit:
        raise ValidationError(
            f"Line {index} ({line.account}): a line is either a debit or a credit, not both."
        )
    if not debit and not credit:
        raise ValidationError(f"Line {index} ({line.account}): the amount is zero.")
    return debit, credit


def _check_accounts(company, accounts):
    current = Account.objects.in_bulk({account.pk for account in accounts})
    for account in accounts:
        fresh = current.get(account.pk)
        if fresh is None:
            raise ValidationError(f"Account {account} does not exist.")
        if fresh.company_id != company.pk:
            raise ValidationError(f"Account {fresh} belongs to another company, not {company}.")
        if fresh.is_group:
            raise ValidationError(f"Account {fresh} is a group; post to one of its ledgers.")
        if fresh.frozen:
            raise ValidationError(f"Account {fresh} is frozen and takes no postings.")


@transaction.atomic
def reverse_journal(*, journal, posting_date=None, user=None, remark="") -> JournalEntry:
    """Cancel a posted journal by posting its mirror image; the original stays untouched."""
    original = JournalEntry.objects.select_for_update().get(pk=journal.pk)
    if original.reverses_id:
        raise ValidationError(f"{original} is itself a reversal and cannot be cancelled.")
    if JournalEntry.objects.filter(reverses=original).exists():
        raise ValidationError(f"{original} is already cancelled.")
    lines = [
        JournalLine(account=line.account, debit=line.credit, credit=line.debit, remark=line.remark)
        for line in original.lines.select_related("account")
    ]
    return post_journal(
        company=original.company,
        posting_date=posting_date or original.posting_date,
        lines=lines,
        remark=remark or f"Reversal of {original}",
        voucher_type=original.voucher_type,
        voucher_number=original.voucher_number,
        user=user,
        reverses=original,
    )


# --- document numbers ---------------------------------------------------------------------


def next_numbers(*, prefix, count=1, width=5) -> list[str]:
    """Reserve `count` consecutive numbers of a series; gap-free because the row is locked.

    Call inside the transaction that uses the numbers: if it rolls back, so does the counter.
    """
    with transaction.atomic():
        series = _locked_series(prefix)
        start = series.current + 1
        series.current += count
        series.save(update_fields=["current"])
    return [f"{prefix}{number:0{width}d}" for number in range(start, start + count)]


def _locked_series(prefix):
    """The series row, locked; created on first use (a concurrent creator wins, we re-read)."""
    series = NamingSeries.objects.select_for_update().filter(prefix=prefix).first()
    if series is None:
        NamingSeries.objects.get_or_create(prefix=prefix)
        series = NamingSeries.objects.select_for_update().get(prefix=prefix)
    return series
