"""Display helpers for contacts and addresses."""

from django import template

from crm import address_format, services

register = template.Library()


@register.filter
def phone(stored):
    """A stored number in international layout: "+4930901820" -> "+49 30 901820"."""
    return services.display_phone(stored) if stored else ""


@register.filter
def address_lines(address):
    """The address's lines the way its country writes them, the country name last."""
    return address_format.address_lines(address)
