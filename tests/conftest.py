import pytest

from tests.factories import CompanyFactory, CustomerFactory, UserFactory


@pytest.fixture
def company(db):
    return CompanyFactory(name="Demo Trading", abbreviation="DT")


@pytest.fixture
def other_company(db):
    return CompanyFactory(name="Other Works", abbreviation="OW")


@pytest.fixture
def customer(company):
    return CustomerFactory(name="Acme", company=company)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def role_client(client, db):
    """Log the client in as a fresh user holding the given roles."""

    def login(*roles, **user_fields):
        user = UserFactory(roles=roles, **user_fields)
        client.force_login(user)
        return client

    return login


@pytest.fixture
def migrated_rows(transactional_db):
    """Transactional tests flush every table; put back the rows data migrations create."""
    from django.apps import apps

    from crm.bootstrap import create_tree_roots
    from crm.roles import sync_roles

    create_tree_roots(apps)
    sync_roles(apps)
