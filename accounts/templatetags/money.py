from decimal import Decimal

from django import template
from django.utils.safestring import mark_safe

from accounts.services import to_money

register = template.Library()


@register.filter
def money(value):
    """1234567.5 -> "1,234,567.50" (rounded half-up; empty stays empty)."""
    if value is None or value == "":
        return ""
    return f"{to_money(value):,.2f}"


@register.filter
def dr_cr(balance):
    """A signed balance (debit minus credit) as "1,200.00 Dr" or "300.00 Cr"."""
    balance = to_money(balance or Decimal(0))
    if not balance:
        return mark_safe('<span class="text-body-secondary">0.00</span>')
    side = "Dr" if balance > 0 else "Cr"
    return f"{abs(balance):,.2f} {side}"
