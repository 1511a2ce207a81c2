import pytest
from django.contrib.auth.models import Group

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["Sales User", "Sales Manager", "Accounts User", "Accounts Manager", "Credit Controller"]


def test_the_roles_exist_with_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)
    for role in ROLES:
        assert Group.objects.get(name=role).permissions.exists(), role


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (
            "Sales User",
            ["crm.add_customer", "crm.change_customer"],
            ["crm.delete_customer", "accounts.add_journalentry"],
        ),
        (
            "Sales Manager",
            ["crm.delete_customer", "crm.change_territory"],
            ["accounts.change_account"],
        ),
        (
            "Accounts User",
            ["accounts.view_account", "accounts.add_journalentry"],
            ["crm.change_customer"],
        ),
        (
            "Accounts Manager",
            ["accounts.add_account", "accounts.change_company"],
            ["crm.delete_customer"],
        ),
        (
            "Credit Controller",
            ["crm.change_customer", "accounts.view_account"],
            ["crm.delete_customer"],
        ),
    ],
)
def test_each_role_may_do_what_it_needs_and_no_more(role, allowed, refused):
    user = UserFactory(roles=[role])
    assert all(user.has_perm(p) for p in allowed), allowed
    assert not any(user.has_perm(p) for p in refused), refused


def test_no_model_change_lacks_a_migration():
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
