"""Panels that apps built on the CRM add to the customer page.

The CRM cannot import the apps that depend on it, so they register here (in their
`AppConfig.ready()`) a template and a function that gives its context; the customer page
renders every registered panel, lowest `order` first.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

# (request, customer) -> the panel's context, or None to leave the panel out (for example
# for a user who may not see what it shows)
PanelContext = Callable[..., dict | None]


@dataclass(frozen=True)
class CustomerPanel:
    template_name: str
    context_function: PanelContext
    order: int


_customer_panels: dict[str, CustomerPanel] = {}


def register_customer_panel(template_name: str, context_function: PanelContext, order: int = 100):
    """Show `template_name` on every customer page; registering it again replaces it."""
    _customer_panels[template_name] = CustomerPanel(template_name, context_function, order)


def customer_panels(request, customer) -> list[SafeString]:
    """The registered panels rendered for `customer`, in order; each gets `customer`, its own
    context, and the request's (user, perms)."""
    rendered = []
    for panel in sorted(_customer_panels.values(), key=lambda p: (p.order, p.template_name)):
        context = panel.context_function(request, customer)
        if context is None:
            continue
        rendered.append(
            render_to_string(
                panel.template_name, {"customer": customer, **context}, request=request
            )
        )
    return rendered
