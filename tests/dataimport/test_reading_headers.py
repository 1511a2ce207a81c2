"""Matching a file's headers to the fields an importer knows."""

import pytest

from dataimport.reading import FileProblem, HeaderMatch, match_headers, normalize_header

FIELDS = {
    "customer_name": ["Customer", "Name", "Company"],
    "email": ["E-mail", "Email Address", "Mail"],
    "postal_code": ["Zip", "ZIP Code", "Postcode", "PLZ", "Código Postal"],
    "phone": ["Phone 1", "Telephone", "Tel."],
}


@pytest.mark.parametrize(
    "text", ["Customer Name", "customer_name", " CUSTOMER-NAME ", "Customer.Name", "customerName"]
)
def test_normalize_header_ignores_case_spaces_and_punctuation(text):
    assert normalize_header(text) == "customername"


def test_normalize_header_ignores_accents_and_full_width_forms():
    assert normalize_header("Código Postal") == "codigopostal"
    assert normalize_header("\uff25\uff2d\uff21\uff29\uff2c") == "email"  # full-width EMAIL
    assert normalize_header("Straße") == "strasse"


def test_headers_match_fields_by_name_or_alias():
    headers = ["Customer Name", "E-mail", "Zip", "Tel.", "Notes"]

    match = match_headers(headers, FIELDS, required=["customer_name", "email"])

    assert match == HeaderMatch(
        mapping={
            "customer_name": "Customer Name",
            "email": "E-mail",
            "postal_code": "Zip",
            "phone": "Tel.",
        },
        unknown_headers=["Notes"],
        missing_required=[],
    )


def test_aliases_match_whatever_their_spelling_in_the_file():
    mapping, unknown, missing, _ = match_headers(["EMAIL ADDRESS", "zip_code", "TELEPHONE"], FIELDS)

    assert mapping == {"email": "EMAIL ADDRESS", "postal_code": "zip_code", "phone": "TELEPHONE"}
    assert unknown == missing == []


def test_required_fields_without_a_header_are_listed_in_field_order():
    _, unknown, missing, _ = match_headers(["Notes"], FIELDS, required=["email", "customer_name"])

    assert unknown == ["Notes"]
    assert missing == ["email", "customer_name"]


def test_two_headers_for_one_field_are_a_file_problem():
    with pytest.raises(FileProblem) as raised:
        match_headers(["Email", "E-mail"], FIELDS)

    assert raised.value.code == "ambiguous_headers"
    assert raised.value.message == (
        'The columns "Email" and "E-mail" both mean email. Remove or rename one of them and '
        "upload the file again."
    )


def test_one_alias_for_two_fields_is_a_programming_error():
    with pytest.raises(ValueError, match="given to both email and other_email"):
        match_headers(["Mail"], {"email": ["Mail"], "other_email": ["mail"]})


def test_headers_the_user_chose_are_matched_or_left_out_as_chosen():
    match = match_headers(
        ["Firma", "E-mail", "Bemerkung"],
        FIELDS,
        required=["customer_name"],
        chosen={"Firma": "customer_name", "Bemerkung": ""},
    )
    assert match.mapping == {"customer_name": "Firma", "email": "E-mail"}
    assert (match.unknown_headers, match.missing_required) == ([], [])
    assert match.ignored_headers == ["Bemerkung"]


def test_a_chosen_column_that_another_header_already_gives_makes_the_file_ambiguous():
    with pytest.raises(FileProblem, match='"E-mail" and "Mail 2" both mean email'):
        match_headers(["E-mail", "Mail 2"], FIELDS, chosen={"Mail 2": "email"})
