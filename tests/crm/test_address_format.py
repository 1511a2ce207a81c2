"""Each country's addresses read the way that country writes them, the country name last."""

import pytest

from crm.address_format import address_lines
from crm.models import Address
from crm.templatetags import crm_format


def address(**fields):
    values = {"line1": "", "line2": "", "city": "", "state": "", "postal_code": "", **fields}
    return Address(**values)


def test_a_us_address_ends_with_city_state_and_zip_on_one_line():
    springfield = address(
        line1="742 Evergreen Terrace",
        line2="Apt 2",
        city="Springfield",
        state="IL",
        postal_code="62704",
        country="US",
    )
    assert address_lines(springfield) == [
        "742 Evergreen Terrace",
        "Apt 2",
        "Springfield, IL 62704",
        "United States of America",
    ]


def test_a_british_address_has_the_post_town_and_the_postcode_on_lines_of_their_own():
    downing_street = address(
        line1="10 Downing Street", city="London", postal_code="sw1a 2aa", country="GB"
    )
    assert address_lines(downing_street) == [
        "10 Downing Street",
        "LONDON",
        "SW1A 2AA",
        "United Kingdom",
    ]


def test_a_british_county_goes_between_the_town_and_the_postcode():
    lines = address_lines(
        address(
            line1="1 High St", city="Guildford", state="Surrey", postal_code="GU1 3AA", country="GB"
        )
    )
    assert lines[1:4] == ["GUILDFORD", "Surrey", "GU1 3AA"]


@pytest.mark.parametrize(
    ("country", "postal_code", "city", "locality", "name"),
    [
        ("DE", "10117", "Berlin", "10117 Berlin", "Germany"),
        ("FR", "75008", "Paris", "75008 Paris", "France"),
        ("NL", "1012 JS", "Amsterdam", "1012 JS Amsterdam", "Netherlands"),
        ("AT", "1010", "Wien", "1010 Wien", "Austria"),
        ("CH", "8001", "Zürich", "8001 Zürich", "Switzerland"),
        ("SE", "411 01", "Göteborg", "411 01 Göteborg", "Sweden"),
        ("ES", "08001", "Barcelona", "08001 Barcelona", "Spain"),
        ("IT", "00184", "Roma", "00184 Roma", "Italy"),
    ],
)
def test_continental_european_addresses_put_the_postal_code_before_the_city(
    country, postal_code, city, locality, name
):
    lines = address_lines(
        address(line1="Hauptstraße 1", postal_code=postal_code, city=city, country=country)
    )
    assert lines == ["Hauptstraße 1", locality, name]


def test_italian_and_spanish_provinces_follow_the_city():
    assert (
        address_lines(
            address(
                line1="Via Nazionale 1", postal_code="00184", city="Roma", state="RM", country="IT"
            )
        )[1]
        == "00184 Roma RM"
    )


def test_a_german_state_if_given_gets_a_line_of_its_own():
    lines = address_lines(
        address(
            line1="Marienplatz 1", postal_code="80331", city="München", state="Bayern", country="DE"
        )
    )
    assert lines == ["Marienplatz 1", "80331 München", "Bayern", "Germany"]


def test_a_japanese_address_in_japanese_script_runs_from_the_postal_code_down():
    tokyo = address(
        postal_code="100-8994",
        state="東京都",
        city="千代田区",
        line1="丸の内2-7-2",
        line2="JPタワー",
        country="JP",
    )
    assert address_lines(tokyo) == [
        "〒100-8994",
        "東京都千代田区",
        "丸の内2-7-2",
        "JPタワー",
        "Japan",
    ]


def test_a_japanese_address_in_latin_script_reads_as_japan_post_writes_it_for_abroad():
    tokyo = address(
        line1="2-3-1 Otemachi",
        city="Chiyoda-ku",
        state="Tokyo",
        postal_code="100-8798",
        country="JP",
    )
    assert address_lines(tokyo) == ["2-3-1 Otemachi", "Chiyoda-ku, Tokyo 100-8798", "Japan"]


def test_a_japanese_address_without_a_prefecture_has_no_stray_comma():
    tokyo = address(line1="41 Main Street", city="Tokyo", postal_code="100-0001", country="JP")
    assert address_lines(tokyo) == ["41 Main Street", "Tokyo 100-0001", "Japan"]


def test_other_countries_get_city_region_and_postal_code_on_one_line():
    sydney = address(
        line1="1 Macquarie St", city="Sydney", state="NSW", postal_code="2000", country="AU"
    )
    assert address_lines(sydney) == ["1 Macquarie St", "Sydney NSW 2000", "Australia"]


def test_missing_parts_leave_no_empty_lines_or_stray_commas():
    assert address_lines(address(line1="Main Road", city="Nairobi", country="KE")) == [
        "Main Road",
        "Nairobi",
        "Kenya",
    ]
    assert address_lines(address(line1="1 Main St", postal_code="10001", country="US")) == [
        "1 Main St",
        "10001",
        "United States of America",
    ]


def test_leading_zeros_and_extra_spaces():
    lines = address_lines(
        address(line1="  Rue   de la Paix 1 ", postal_code="01000", city="Bourg", country="FR")
    )
    assert lines == ["Rue de la Paix 1", "01000 Bourg", "France"]


def test_the_address_lines_filter_uses_the_same_layout():
    berlin = address(line1="Unter den Linden 1", postal_code="10117", city="Berlin", country="DE")
    assert crm_format.address_lines(berlin) == address_lines(berlin)
