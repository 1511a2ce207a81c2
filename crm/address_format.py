"""Addresses laid out the way their country writes them, the country name last.

`address_lines` is the one place that knows these layouts; the address pages, the lists and the
`address_lines` template filter all call it.
"""

from django_countries import countries


def address_lines(address) -> list[str]:
    """The lines of `address` (anything with line1, line2, city, state, postal_code, country)."""
    code = str(address.country or "").upper()
    layout = LAYOUTS.get(code, _city_region_postal_code)
    lines = [" ".join(line.split()) for line in layout(address)]
    country_name = countries.name(code) if code else ""
    return [line for line in (*lines, country_name) if line]


def _streets(address):
    return [address.line1, address.line2]


def _joined(*parts):
    return " ".join(part for part in parts if part)


def _city_region_postal_code(address):
    """The default, close to what Canada, Australia and India write: "Sydney NSW 2000"."""
    return [*_streets(address), _joined(address.city, address.state, address.postal_code)]


def _american(address):
    """The United States: "Springfield, IL 62704"."""
    city_and_state = ", ".join(part for part in (address.city, address.state) if part)
    return [*_streets(address), _joined(city_and_state, address.postal_code)]


def _british(address):
    """Royal Mail: the post town in capitals, then the county, then the postcode, each alone."""
    return [
        *_streets(address),
        address.city.upper(),
        address.state,
        address.postal_code.upper(),
    ]


def _postal_code_city(address):
    """Most of Europe: "10115 Berlin"; a region, if given, on a line of its own."""
    return [*_streets(address), _joined(address.postal_code, address.city), address.state]


def _postal_code_city_province(address):
    """Italy and Spain put the province after the city: "00184 Roma RM"."""
    return [*_streets(address), _joined(address.postal_code, address.city, address.state)]


def _japanese(address):
    """In Japanese script from the largest unit down ("〒100-0001", "東京都千代田区", ...);
    in Latin script the way Japan Post writes it for abroad ("Chiyoda-ku, Tokyo 100-0001").
    """
    if not _is_japanese_script(address.state, address.city, address.line1):
        return _american(address)
    postal = f"〒{address.postal_code}" if address.postal_code else ""
    return [postal, f"{address.state}{address.city}", *_streets(address)]


def _is_japanese_script(*texts):
    return any(ord(char) >= 0x3000 for text in texts for char in text)


LAYOUTS = {
    "US": _american,
    "GB": _british,
    **dict.fromkeys(
        ["DE", "FR", "NL", "AT", "CH", "BE", "LU", "DK", "SE", "NO", "FI", "PT", "PL", "CZ"],
        _postal_code_city,
    ),
    **dict.fromkeys(["IT", "ES"], _postal_code_city_province),
    "JP": _japanese,
}
