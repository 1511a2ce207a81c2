"""Due dates from credit terms: the rules of accounts.models.CreditTerms as date arithmetic."""

import calendar
from datetime import date, timedelta

from .models import CreditTerms

Rule = CreditTerms.Rule


def due_date(*, posting_date: date, rule: str, days: int | None = None) -> date:
    """When an invoice posted on `posting_date` falls due; no rule: on the posting date."""
    if rule == Rule.FIXED_DAYS:
        return posting_date + timedelta(days=days)
    if rule == Rule.END_OF_NEXT_MONTH:
        return end_of_next_month(posting_date)
    return posting_date


def end_of_next_month(day: date) -> date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, calendar.monthrange(year, month)[1])


def terms_text(rule: str, days: int | None = None) -> str:
    """The terms as a user reads them: "30 days after the invoice date"."""
    if rule == Rule.FIXED_DAYS:
        return f"{days} day{'' if days == 1 else 's'} after the invoice date"
    if rule == Rule.END_OF_NEXT_MONTH:
        return "Last day of the month after the invoice date"
    return "Due on the invoice date"
