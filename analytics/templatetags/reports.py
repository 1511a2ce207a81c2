from django import template

from accounts.services import to_money

register = template.Library()

NOTHING = "\N{EN DASH}"  # shown where there is nothing to compare with


@register.filter
def percent(value):
    """35.714 -> "35.71 %"; None (nothing to compare with) -> an en dash."""
    if value is None or value == "":
        return NOTHING
    return f"{to_money(value):,.2f} %"


@register.filter
def signed_percent(value):
    """A change: "+12.50 %" or "-3.00 %"; None -> an en dash."""
    if value is None or value == "":
        return NOTHING
    return f"{to_money(value):+,.2f} %"
