import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import Company
from crm import demo
from crm.models import AddressLink, ContactLink, Customer, PartyLedger, SalesPerson

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_demo_data_loads_once_and_a_second_run_adds_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(demo, "DEMO_LOGIN_FILE", tmp_path / ".demo-login")
    call_command("load_demo")
    first = capsys.readouterr().out
    counts = (Company.objects.count(), Customer.objects.count(), PartyLedger.objects.count())
    call_command("load_demo")
    second = capsys.readouterr().out

    assert counts == (2, demo.CUSTOMER_COUNT, demo.CUSTOMER_COUNT)
    assert (
        Company.objects.count(),
        Customer.objects.count(),
        PartyLedger.objects.count(),
    ) == counts
    assert Customer.objects.filter(company__abbreviation="DSI").exists()
    assert ContactLink.objects.filter(is_primary=True).count() == demo.CUSTOMER_COUNT
    assert AddressLink.objects.filter(is_primary_billing=True).count() == demo.CUSTOMER_COUNT
    assert SalesPerson.objects.filter(is_group=False).count() == 6
    login_line = next(line for line in first.splitlines() if line.startswith("Log in as demo / "))
    assert login_line in second
    assert (tmp_path / ".demo-login").read_text().strip() == login_line.rsplit(" ", 1)[1]


def run_manage(*args, **env):
    unset = ("SECRET_KEY", "DEBUG", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="k" * 20 + "a-real-long-random-production-secret-0123456789",
        ALLOWED_HOSTS="crm.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
