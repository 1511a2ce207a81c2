from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Company
from .services import install_chart_of_accounts


@receiver(post_save, sender=Company, dispatch_uid="company_chart_of_accounts")
def company_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        install_chart_of_accounts(company=instance)
