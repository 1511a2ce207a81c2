"""The verbs of invoicing: raise a draft, submit it (credit check, number, journal), cancel it."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import ZERO, Account
from accounts.services import JournalLine, next_numbers, post_journal, reverse_journal, to_money
from crm.models import Customer, SalesTeamMember, missing_group_message
from crm.selectors import credit_limit_for, customer_outstanding, due_date_for, price_list_for
from crm.services import open_receivable_ledger
from pricing.selectors import item_rates

from .models import (
    Payment,
    PaymentAllocation,
    SalesInvoice,
    SalesInvoiceLine,
    SalesInvoiceTeamMember,
    line_amount,
)

CREDIT_CONTROLLER = "Credit Controller"
VOUCHER_TYPE = "Sales Invoice"
PAYMENT_VOUCHER_TYPE = "Payment"
SET_RATE_PERMISSION = "invoicing.set_rate_salesinvoice"


def may_set_rates_of(user) -> bool:
    """Whether `user` may type a rate other than the price list's (no user: the system)."""
    return user is None or user.has_perm(SET_RATE_PERMISSION)


PAYMENT_ACCOUNT_TYPES = (Account.Type.CASH, Account.Type.BANK)
RATE_STEP = Decimal("0.000001")  # quantities and rates keep six decimal places
LARGEST_RATE = Decimal(10) ** 12  # 18 digits of which 6 are decimals
LARGEST_AMOUNT = Decimal(10) ** 16  # 18 digits of which 2 are decimals


# --- drafts -------------------------------------------------------------------------------


KEEP = object()  # "leave as the customer's defaults give it"


@transaction.atomic
def create_draft_invoice(
    *,
    company,
    customer,
    posting_date,
    lines,
    due_date=None,
    sales_partner=KEEP,
    commission_rate=None,
    user=None,
) -> SalesInvoice:
    """A draft invoice with the customer's price list, terms, partner and sales team.

    `lines` are (item, quantity, rate); a rate of None is looked up in the price list, and
    only a user with the set_rate_salesinvoice permission may type another (no user: the system).
    `due_date`, `sales_partner` and `commission_rate` default to what the customer's terms
    and defaults give; a due date later than the terms is for a Credit Controller only.
    """
    invoice = SalesInvoice(company=company, customer=customer)
    _fill_header(invoice, posting_date, due_date, sales_partner, commission_rate, user)
    invoice.save()
    _write_lines(invoice, lines, user)
    _copy_sales_team(invoice, customer)
    return invoice


@transaction.atomic
def update_draft_invoice(
    *,
    invoice,
    customer,
    posting_date,
    lines,
    due_date=None,
    sales_partner=KEEP,
    commission_rate=None,
    user=None,
) -> SalesInvoice:
    """Change a draft's customer, dates, partner and lines; the defaults are filled again
    from the (possibly new) customer where the caller gives none."""
    invoice = _locked(invoice)
    _require_draft(invoice, "it cannot be edited")
    customer_changed = invoice.customer_id != customer.pk
    invoice.customer = customer
    _fill_header(invoice, posting_date, due_date, sales_partner, commission_rate, user)
    invoice.save()
    invoice.lines.all().delete()
    _write_lines(invoice, lines, user)
    if customer_changed:
        invoice.sales_team.all().delete()
        _copy_sales_team(invoice, customer)
    return invoice


def _fill_header(invoice, posting_date, due_date, sales_partner, commission_rate, user):
    customer, company = invoice.customer, invoice.company
    _refuse_uninvoiceable(customer)
    invoice.posting_date = posting_date
    invoice.price_list, invoice.price_list_source = _price_list(customer, company)
    invoice.currency = company.default_currency
    _set_due_date(invoice, due_date, user)
    invoice.sales_partner = (
        customer.default_sales_partner if sales_partner is KEEP else sales_partner
    )
    invoice.commission_rate = (
        default_commission_rate(customer, invoice.sales_partner)
        if commission_rate is None
        else commission_rate
    )
    invoice.full_clean(exclude=["number", "journal", "total", "outstanding"])


def _set_due_date(invoice, due_date, user):
    """The due date the terms give, or an earlier one; a later one only for a Credit
    Controller, with a note that says by whom and how much later."""
    terms_date, source = due_date_for(
        customer=invoice.customer, company=invoice.company, posting_date=invoice.posting_date
    )
    invoice.due_date = terms_date if due_date is None else due_date
    invoice.due_date_extended_by, invoice.due_date_note = None, ""
    if invoice.due_date < invoice.posting_date:
        raise ValidationError(
            {
                "due_date": f"The due date {invoice.due_date} is before the posting date "
                f"{invoice.posting_date}."
            }
        )
    if invoice.due_date <= terms_date:
        return
    allowed = (
        f"the terms of {source} make it due on {terms_date}"
        if source.kind != "none"
        else f"without credit terms it is due on {terms_date}"
    )
    if not is_credit_controller(user):
        raise ValidationError(
            {
                "due_date": f"The due date {invoice.due_date} is later than the terms allow: "
                f"{allowed}. A Credit Controller can extend it."
            }
        )
    invoice.due_date_extended_by = user
    invoice.due_date_note = (
        f"Due date {invoice.due_date} is {(invoice.due_date - terms_date).days} days later "
        f"than the terms allow: {allowed}. Extended by {user} on {timezone.localdate()}."
    )


@transaction.atomic
def set_invoice_lines(*, invoice, lines, user=None) -> SalesInvoice:
    """Replace a draft's lines; a submitted or cancelled invoice keeps its lines."""
    invoice = _locked(invoice)
    _require_draft(invoice, "its lines cannot be changed")
    invoice.lines.all().delete()
    _write_lines(invoice, lines, user)
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


def _price_list(customer, company) -> tuple:
    """The price list that applies and where it comes from; one in another currency than the
    company's is refused."""
    price_list, source = price_list_for(customer=customer, company=company)
    if price_list is not None and price_list.currency != company.default_currency:
        raise ValidationError(
            f"Price list {price_list} ({source}) is in {price_list.currency}, but {company} "
            f"invoices in {company.default_currency}. Give {customer} a price list in "
            f"{company.default_currency}."
        )
    return price_list, source


def default_commission_rate(customer, partner) -> Decimal:
    """The customer's own commission rate, else its sales partner's, else 0."""
    if customer.default_commission_rate is not None:
        return customer.default_commission_rate
    return partner.commission_rate if partner else Decimal(0)


def _write_lines(invoice, lines, user=None):
    """Validate the (item, quantity, rate) triples, price the missing rates, save the lines."""
    lines = list(lines)
    if not lines:
        raise ValidationError("An invoice needs at least one line.")
    may_set_rates = may_set_rates_of(user)
    looked_up = [item for item, _, rate in lines if rate is None or not may_set_rates]
    rates = _list_rates(invoice, looked_up) if looked_up else {}
    rows = []
    for index, (item, quantity, rate) in enumerate(lines, start=1):
        quantity = _decimal(index, item, "quantity", quantity)
        if quantity <= 0:
            raise line_error(index, item, "quantity", "the quantity must be more than 0.")
        if rate is None:
            rate = _listed_rate(invoice, rates, index, item)
        else:
            rate = _decimal(index, item, "rate", rate)
            if not may_set_rates and rates.get(item.pk) != rate:
                raise line_error(index, item, "rate", _rate_not_allowed(invoice, rates, item))
        if rate < 0:
            raise line_error(index, item, "rate", "the rate cannot be negative.")
        amount = line_amount(quantity, rate)
        if amount >= LARGEST_AMOUNT:
            raise line_error(index, item, "quantity", f"the amount {amount:,.2f} is too large.")
        rows.append(
            SalesInvoiceLine(
                invoice=invoice, item=item, quantity=quantity, rate=rate, amount=amount
            )
        )
    total = sum((row.amount for row in rows), ZERO)
    if total >= LARGEST_AMOUNT:
        raise ValidationError(f"The total {total:,.2f} is too large for one invoice.")
    SalesInvoiceLine.objects.bulk_create(rows)
    invoice.total = total
    invoice.save(update_fields=["total", "updated_at"])


def _rate_not_allowed(invoice, rates, item) -> str:
    listed = rates.get(item.pk)
    if listed is None:
        return (
            f"the item has no price in {invoice.price_list or 'any price list'}, and only users "
            "allowed to set rates may type one; ask for a price to be added."
        )
    return f"only users allowed to set rates may change the price list's {listed:,.2f}."


def line_error(index, item, field, detail) -> ValidationError:
    """A refusal of one line: its text names the line; `line`, `field` and `detail` let a
    form show it next to the line's field."""
    error = ValidationError(f"Line {index} ({item}): {detail}")
    error.line, error.field, error.detail = index, field, detail
    return error


def _list_rates(invoice, items) -> dict[int, Decimal]:
    if invoice.price_list is None:
        return {}
    return item_rates(price_list=invoice.price_list, items=items, on_date=invoice.posting_date)


def _listed_rate(invoice, rates, index, item) -> Decimal:
    if item.pk in rates:
        return rates[item.pk]
    if invoice.price_list is None:
        raise line_error(index, item, "rate", f"give a rate; {invoice.customer} has no price list.")
    raise line_error(
        index,
        item,
        "rate",
        f"the item has no price in {invoice.price_list} on {invoice.posting_date}; give a rate.",
    )


def _decimal(index, item, field, value) -> Decimal:
    """`value` as a quantity or rate: six decimal places (half-up), fitting the column."""
    if isinstance(value, float):
        raise TypeError("Quantities and rates must be Decimals, ints or strings, never floats.")
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise line_error(index, item, field, f"{value!r} is not a valid {field}.") from exc
    if not number.is_finite() or abs(number) >= LARGEST_RATE:
        raise line_error(index, item, field, f"{value!r} is not a valid {field}.")
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
    if not (override and is_credit_controller(user)):
        raise ValidationError(
            f"Credit limit crossed for {customer}: {figures}. A Credit Controller can submit it."
        )
    invoice.credit_override_by = user
    invoice.credit_override_at = timezone.now()
    invoice.credit_override_note = f"Credit limit crossed: {figures} (limit from {source})."


def is_credit_controller(user) -> bool:
    return user is not None and user.groups.filter(name=CREDIT_CONTROLLER).exists()


def _receivable_account(customer, company):
    """The customer's ledger in `company`, opened there first if the customer has none."""
    return open_receivable_ledger(customer=customer, company=company).account


def _income_account(company):
    if company.default_income_account_id is None:
        raise ValidationError(missing_group_message(company, "default income account"))
    return company.default_income_account


# --- payments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Allocation:
    invoice: SalesInvoice
    amount: Decimal


@transaction.atomic
def receive_payment(
    *,
    company,
    customer,
    posting_date,
    amount,
    paid_to,
    mode=Payment.Mode.BANK_TRANSFER,
    allocations=(),
    reference="",
    user=None,
) -> Payment:
    """Post money received: debit `paid_to`, credit the customer's ledger in `company`.

    Each allocation lowers one invoice's outstanding, never below zero; what the allocations
    leave of `amount` stays on the ledger as an advance. All or nothing.
    """
    amount = _payment_amount(amount)
    _check_paid_to(paid_to, company)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    allocations = _locked_allocations(allocations, company=company, customer=customer)
    allocated = sum((allocation.amount for allocation in allocations), ZERO)
    if allocated > amount:
        raise ValidationError(
            f"The allocations total {allocated:,.2f}, more than the payment of {amount:,.2f}."
        )
    number = next_numbers(prefix=f"PAY-{company.abbreviation}-{posting_date.year}-")[0]
    journal = post_journal(
        company=company,
        posting_date=posting_date,
        lines=[
            JournalLine(paid_to, debit=amount),
            JournalLine(_receivable_account(customer, company), credit=amount),
        ],
        remark=f"Payment {number} from {customer}",
        voucher_type=PAYMENT_VOUCHER_TYPE,
        voucher_number=number,
        user=user,
    )
    payment = Payment.objects.create(
        number=number,
        company=company,
        customer=customer,
        posting_date=posting_date,
        amount=amount,
        unallocated=amount - allocated,
        mode=mode,
        paid_to=paid_to,
        reference=reference,
        journal=journal,
        created_by=user,
    )
    _apply_allocations(payment, allocations, allocated_on=posting_date)
    return payment


@transaction.atomic
def allocate_advance(*, payment, allocations, allocated_on=None) -> Payment:
    """Set what is left of an earlier payment (an advance) against invoices; posts nothing,
    since the money is already on the customer's ledger."""
    payment = Payment.objects.select_for_update().select_related("company").get(pk=payment.pk)
    if payment.docstatus != Payment.DocStatus.SUBMITTED:
        raise ValidationError(f"{payment} is cancelled; nothing of it can be allocated.")
    Customer.objects.select_for_update().get(pk=payment.customer_id)
    allocations = _locked_allocations(
        allocations, company=payment.company, customer=payment.customer
    )
    allocated = sum((allocation.amount for allocation in allocations), ZERO)
    if allocated > payment.unallocated:
        raise ValidationError(
            f"{payment} has {payment.unallocated:,.2f} left to allocate, not {allocated:,.2f}."
        )
    payment.unallocated -= allocated
    payment.save(update_fields=["unallocated"])
    _apply_allocations(payment, allocations, allocated_on=allocated_on or timezone.localdate())
    return payment


@transaction.atomic
def cancel_payment(*, payment, user) -> Payment:
    """Reverse the payment's journal and give back to each invoice what was allocated to it."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.docstatus == Payment.DocStatus.CANCELLED:
        raise ValidationError(f"{payment} is already cancelled.")
    allocations = list(payment.allocations.all())
    invoices = _lock_invoices({allocation.invoice_id for allocation in allocations})
    for allocation in allocations:
        invoices[allocation.invoice_id].outstanding += allocation.amount
    SalesInvoice.objects.bulk_update(invoices.values(), ["outstanding"])
    reverse_journal(journal=payment.journal, user=user, remark=f"Cancelled {payment.number}")
    payment.docstatus = Payment.DocStatus.CANCELLED
    payment.save(update_fields=["docstatus"])
    return payment


def allocate_oldest_first(*, amount, invoices) -> list[Allocation]:
    """Spread `amount` over `invoices` (oldest due first), each up to its outstanding."""
    left = to_money(amount)
    allocations = []
    for invoice in sorted(invoices, key=lambda invoice: (invoice.due_date, invoice.pk)):
        if left <= 0:
            break
        share = min(left, invoice.outstanding)
        if share > 0:
            allocations.append(Allocation(invoice, share))
            left -= share
    return allocations


def _payment_amount(amount) -> Decimal:
    amount = to_money(amount)
    if amount <= 0:
        raise ValidationError("The amount must be more than 0.")
    if amount >= LARGEST_AMOUNT:
        raise ValidationError(f"{amount:,.2f} is too large an amount.")
    return amount


def _check_paid_to(account, company):
    if account.company_id != company.pk:
        raise ValidationError(f"{account} belongs to another company, not {company}.")
    if account.account_type not in PAYMENT_ACCOUNT_TYPES or account.is_group:
        raise ValidationError(f"{account} is not a cash or bank ledger; choose one that is.")


def _locked_allocations(allocations, *, company, customer) -> list[Allocation]:
    """The allocations with their invoices locked and checked; amounts rounded to cents."""
    allocations = [Allocation(a.invoice, _payment_amount(a.amount)) for a in allocations]
    invoices = _lock_invoices({allocation.invoice.pk for allocation in allocations})
    wanted: dict[int, Decimal] = {}
    for allocation in allocations:
        invoice = invoices[allocation.invoice.pk]
        _check_allocatable(invoice, company=company, customer=customer)
        wanted[invoice.pk] = wanted.get(invoice.pk, ZERO) + allocation.amount
        if wanted[invoice.pk] > invoice.outstanding:
            raise ValidationError(
                f"{invoice} has {invoice.outstanding:,.2f} outstanding; "
                f"{wanted[invoice.pk]:,.2f} cannot be allocated to it."
            )
    return [Allocation(invoices[a.invoice.pk], a.amount) for a in allocations]


def _lock_invoices(pks) -> dict[int, SalesInvoice]:
    """The invoices locked in primary-key order, so two payments never deadlock."""
    locked = SalesInvoice.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    return {invoice.pk: invoice for invoice in locked}


def _check_allocatable(invoice, *, company, customer):
    if invoice.customer_id != customer.pk or invoice.company_id != company.pk:
        raise ValidationError(f"{invoice} is not an invoice of {customer} in {company}.")
    if invoice.docstatus != SalesInvoice.DocStatus.SUBMITTED:
        raise ValidationError(
            f"{invoice} is {invoice.get_docstatus_display().lower()}; only submitted invoices "
            "can be paid."
        )


def _apply_allocations(payment, allocations, *, allocated_on):
    PaymentAllocation.objects.bulk_create(
        PaymentAllocation(
            payment=payment,
            invoice=allocation.invoice,
            amount=allocation.amount,
            allocated_on=allocated_on,
        )
        for allocation in allocations
    )
    invoices = {allocation.invoice.pk: allocation.invoice for allocation in allocations}
    for allocation in allocations:
        invoices[allocation.invoice.pk].outstanding -= allocation.amount
    SalesInvoice.objects.bulk_update(invoices.values(), ["outstanding"])
