"""The standard chart of accounts every new company starts with.

Each node: (name, number, account type, children). A node with a children tuple (even an
empty one) is a group; `None` marks a ledger. Root nodes also carry their root type.
"""

from .models import Account

T = Account.Type
R = Account.RootType

STANDARD_CHART = [
    (R.ASSET, ("Assets", "1000", T.NONE, [
        ("Current Assets", "1100", T.NONE, [
            ("Accounts Receivable", "1200", T.RECEIVABLE, []),
            ("Bank", "1300", T.BANK, None),
            ("Cash", "1400", T.CASH, None),
        ]),
        ("Fixed Assets", "1500", T.NONE, [
            ("Furniture and Equipment", "1510", T.NONE, None),
        ]),
    ])),
    (R.LIABILITY, ("Liabilities", "2000", T.NONE, [
        ("Current Liabilities", "2100", T.NONE, [
            ("Accounts Payable", "2200", T.PAYABLE, []),
            ("Duties and Taxes", "2300", T.TAX, [
                ("VAT", "2310", T.TAX, None),
            ]),
        ]),
    ])),
    (R.EQUITY, ("Equity", "3000", T.NONE, [
        ("Capital Stock", "3100", T.NONE, None),
        ("Retained Earnings", "3200", T.NONE, None),
    ])),
    (R.INCOME, ("Income", "4000", T.NONE, [
        ("Sales", "4100", T.INCOME, None),
        ("Service", "4200", T.INCOME, None),
    ])),
    (R.EXPENSE, ("Expenses", "5000", T.NONE, [
        ("Cost of Goods Sold", "5100", T.EXPENSE, None),
        ("Administrative Expenses", "5200", T.EXPENSE, None),
        ("Round Off", "5300", T.EXPENSE, None),
    ])),
]  # fmt: skip

RECEIVABLE_GROUP = "Accounts Receivable"
PAYABLE_GROUP = "Accounts Payable"
DEFAULT_INCOME = "Sales"
