import pycountry
from django.core.exceptions import ValidationError


def validate_currency_code(value):
    if pycountry.currencies.get(alpha_3=value) is None:
        raise ValidationError(
            "%(value)s is not an ISO 4217 currency code (for example EUR, USD, GBP).",
            params={"value": value},
        )
