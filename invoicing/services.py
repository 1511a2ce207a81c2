"""The verbs of invoicing: raise a draft, submit it (credit check, number, journal), cancel it."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import ZERO
from accounts.services import JournalLine, next_numbers, post_journal, reverse_journal, to_money
from crm.models import Customer, SalesTeamMember, missing_group_message
from crm.selectors import credit_limit_for, customer_outstanding, due_date_for, price_list_for
from crm.services import open_receivable_ledger
from pricing.selectors import item_rates

from .models import SalesInvoice, SalesInvoiceLine, SalesInvoiceTeamMember, line_amount

CREDIT_CONTROLLER = "Credit Controller"
VOUCHER_TYPE = "Sales Invoice"
RATE_STEP = Decimal("0.000001")  # quantities and rates keep six decimal places
LARGEST_RATE = Decimal(10) ** 12  # 18 digits of which 6 are decimals


# --- drafts -------------------------------------------------------------------------------


@transaction.atomic
def create_draft_invoice(
    *, company, customer, posting_date, lines, due_date=None, user=None
) -> SalesInvoice:
    """A draft invoice with the customer's price list, terms, partner and sales team.

    `lines` are (item, quantity, rate); a rate of None is looked up in the price list.
    `due_date` defaults to the one the customer's credit terms give.
    """
    _refuse_uninvoiceable(customer)
    price_list = _price_list(customer, company)
    if due_date is None:
        due_date, _ = due_date_for(customer=customer, company=company, posting_date=posting_date)
    partner = customer.default_sales_partner
    invoice = SalesInvoice(
        company=company,
        customer=customer,
        posting_date=posting_date,
        due_date=due_date,
        price_list=price_list,
        currency=company.default_currency,
        sales_partner=partner,
        commission_rate=_commission_rate(customer, partner),
    )
    invoice.clean()
    invoice.save()
    _write_lines(invoice, lines)
    _copy_sales_team(invoice, customer)
    return invoice


@transaction.atomic
def set_invoice_lines(*, invoice, lines) -> SalesInvoice:
    """Replace a draft's lines; a submitted or cancelled invoice keeps its lines."""
    invoice = _locked(invoice)
    _require_draft(invoice, "its lines cannot be changed")
    invoice.lines.all().delete()
    _write_lines(invoice, lines)
    return invoice


@transaction.atomic
def refresh_draft_total(*, invoice) -> SalesInvoice:
    """Recompute a draft's total from its lines (after its lines were edited one by one)."""
    invoice = _locked(invoice)
    _require_draft(invoice, "its total cannot change")
    invoice.total = _total_of_lines(invoice)
    invoice.save(update_fields=["total", "updated_at"])
    return invoice


@transaction.atomic
def delete_draft_invoice(*, invoice) -> None:
    invoice = _locked(invoice)
    _require_draft(invoice, "it cannot be deleted; cancel it instead")
    invoice.delete()


def _refuse_uninvoiceable(customer):
    for flag in ("disabled", "frozen"):
        if getattr(customer, flag):
            raise ValidationError(f"{customer} is {flag} and cannot be invoiced.")


def _price_list(customer, company):
    price_list, source = price_list_for(customer=customer, company=company)
    if price_list is not None and price_list.currency != company.default_currency:
        raise ValidationError(
            f"Price list {price_list} ({source}) is in {price_list.currency}, but {company} "
            f"invoices in {company.default_currency}. Give {customer} a price list in "
            f"{company.default_currency}."
        )
    return price_list


def _commission_rate(customer, partner) -> Decimal:
    if customer.default_commission_rate is not None:
        return customer.default_commission_rate
    return partner.commission_rate if partner else Decimal(0)


def _write_lines(invoice, lines):
    """Validate the (item, quantity, rate) triples, price the missing rates, save the lines."""
    lines = list(lines)
    if not lines:
        raise ValidationError("An invoice needs at least one line.")
    unpriced = [item for item, _, rate in lines if rate is None]
    rates = _list_rates(invoice, unpriced) if unpriced else {}
    rows = []
    for index, (item, quantity, rate) in enumerate(lines, start=1):
        quantity = _decimal(index, item, "quantity", quantity)
        if quantity <= 0:
            raise ValidationError(f"Line {index} ({item}): the quantity must be more than 0.")
        if rate is None:
            rate = _listed_rate(invoice, rates, index, item)
        else:
            rate = _decimal(index, item, "rate", rate)
        if rate < 0:
            raise ValidationError(f"Line {index} ({item}): the rate cannot be negative.")
        amount = line_amount(quantity, rate)
        rows.append(
            SalesInvoiceLine(
                invoice=invoice, item=item, quantity=quantity, rate=rate, amount=amount
            )
        )
    SalesInvoiceLine.objects.bulk_create(rows)
    invoice.total = sum((row.amount for row in rows), ZERO)
    invoice.save(update_fields=["total", "updated_at"])


def _list_rates(invoice, items) -> dict[int, Decimal]:
    if invoice.price_list is None:
        return {}
    return item_rates(price_list=invoice.price_list, items=items, on_date=invoice.posting_date)


def _listed_rate(invoice, rates, index, item) -> Decimal:
    if item.pk in rates:
        return rates[item.pk]
    if invoice.price_list is None:
        raise ValidationError(
            f"Line {index} ({item}): give a rate; {invoice.customer} has no price list."
        )
    raise ValidationError(
        f"Line {index} ({item}): the item has no price in {invoice.price_list} "
        f"on {invoice.posting_date}; give a rate."
    )


def _decimal(index, item, field, value) -> Decimal:
    """`value` as a quantity or rate: six decimal places (half-up), fitting the column."""
    if isinstance(value, float):
        raise TypeError("Quantities and rates must be Decimals, ints or strings, never floats.")
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise ValidationError(f"Line {index} ({item}): {value!r} is not a valid {field}.") from exc
    if not number.is_finite() or abs(number) >= LARGEST_RATE:
        raise ValidationError(f"Line {index} ({item}): {value!r} is not a valid {field}.")
    return number.quantize(RATE_STEP, rounding=ROUND_HALF_UP)


def _copy_sales_team(invoice, customer):
    members = SalesTeamMember.objects.filter(customer=customer).order_by()
    SalesInvoiceTeamMember.objects.bulk_create(
        SalesInvoiceTeamMember(
            invoice=invoice,
            sales_person_id=member.sales_person_id,
            contribution=member.contribution,
        )
        for member in members
    )


def _total_of_lines(invoice) -> Decimal:
    return to_money(invoice.lines.aggregate(total=Sum("amount"))["total"] or ZERO)


# --- submit and cancel --------------------------------------------------------------------


@transaction.atomic
def submit_invoice(*, invoice, user, override_credit_limit=False) -> SalesInvoice:
    """Check the credit limit, number the invoice, post its journal; all or nothing.

    The customer row is locked first, so two submits for the same customer take turns and
    the second sees the first one's posting in the outstanding.
    """
    invoice = _locked(invoice)
    _require_draft(invoice, "it cannot be submitted again")
    customer = Customer.objects.select_for_update().get(pk=invoice.customer_id)
    _refuse_uninvoiceable(customer)
    company = invoice.company
    invoice.total = _total_of_lines(invoice)
    if invoice.total == 0:
        raise ValidationError(f"{invoice} totals 0.00; there is nothing to submit.")
    _check_credit(invoice, customer, user, override_credit_limit)
    invoice.number = next_numbers(
        prefix=f"SINV-{company.abbreviation}-{invoice.posting_date.year}-"
    )[0]
    invoice.journal = post_journal(
        company=company,
        posting_date=invoice.posting_date,
        lines=[
            JournalLine(_receivable_account(customer, company), debit=invoice.total),
            JournalLine(_income_account(company), credit=invoice.total),
        ],
        remark=f"Sales invoice {invoice.number} to {customer}",
        voucher_type=VOUCHER_TYPE,
        voucher_number=invoice.number,
        user=user,
    )
    invoice.outstanding = invoice.total
    invoice.docstatus = SalesInvoice.DocStatus.SUBMITTED
    invoice.save()
    return invoice


@transaction.atomic
def cancel_invoice(*, invoice, user) -> SalesInvoice:
    """Reverse the journal of a submitted invoice nothing has been paid against."""
    invoice = _locked(invoice)
    if invoice.docstatus != SalesInvoice.DocStatus.SUBMITTED:
        raise ValidationError(
            f"{invoice} is {invoice.get_docstatus_display().lower()}; "
            "only a submitted invoice can be cancelled."
        )
    if invoice.outstanding != invoice.total:
        raise ValidationError(
            f"{invoice} has been paid in part ({invoice.total - invoice.outstanding:,.2f} of "
            f"{invoice.total:,.2f}); cancel its payments first."
        )
    reverse_journal(journal=invoice.journal, user=user, remark=f"Cancelled {invoice.number}")
    invoice.outstanding = ZERO
    invoice.docstatus = SalesInvoice.DocStatus.CANCELLED
    invoice.save(update_fields=["outstanding", "docstatus", "updated_at"])
    return invoice


def _locked(invoice) -> SalesInvoice:
    return (
        SalesInvoice.objects.select_for_update(of=("self",))
        .select_related("company", "customer")
        .get(pk=invoice.pk)
    )


def _require_draft(invoice, consequence):
    if not invoice.is_draft:
        raise ValidationError(
            f"{invoice} is {invoice.get_docstatus_display().lower()}; {consequence}."
        )


def _check_credit(invoice, customer, user, override):
    limit, source = credit_limit_for(customer=customer, company=invoice.company)
    if limit is None:
        return
    outstanding = customer_outstanding(customer=customer, company=invoice.company)
    if outstanding + invoice.total <= limit:
        return
    figures = (
        f"outstanding {outstanding:,.2f} + this invoice {invoice.total:,.2f} > limit {limit:,.2f}"
    )
    if not (override and _is_credit_controller(user)):
        raise ValidationError(
            f"Credit limit crossed for {customer}: {figures}. A Credit Controller can submit it."
        )
    invoice.credit_override_by = user
    invoice.credit_override_at = timezone.now()
    invoice.credit_override_note = f"Credit limit crossed: {figures} (limit from {source})."


def _is_credit_controller(user) -> bool:
    return user is not None and user.groups.filter(name=CREDIT_CONTROLLER).exists()


def _receivable_account(customer, company):
    """The customer's ledger in `company`, opened there first if the customer has none."""
    return open_receivable_ledger(customer=customer, company=company).account


def _income_account(company):
    if company.default_income_account_id is None:
        raise ValidationError(missing_group_message(company, "default income account"))
    return company.default_income_account
