from django.shortcuts import render

from crm import selectors


def home(request):
    return render(request, "home.html", {"counts": selectors.home_counts()})
