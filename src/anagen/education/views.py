from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from anagen.accounts.permissions import admin_only, staff_required
from anagen.education import services
from anagen.education.forms import FaqFormSet


@staff_required()
def options(request: HttpRequest) -> HttpResponse:
    context = {"options": services.treatment_options(), "faq": services.faq_for(request.clinic)}
    return render(request, "education/options.html", context)


@admin_only
def edit_faq(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        formset = FaqFormSet(request.POST, prefix="faq")
        if formset.is_valid():
            answers = [
                services.Answer(f.cleaned_data["question"], f.cleaned_data["answer"], f.cleaned_data.get("source", ""))
                for f in formset.forms if f.cleaned_data.get("question", "").strip()
            ]
            services.save_faq(request.clinic, answers, request.user)
            messages.success(request, gettext("Saved the clinic's answers."))
            return redirect("education:options")
        status = 400
    else:
        initial = [{"question": a.question, "answer": a.answer, "source": a.source} for a in services.faq_for(request.clinic)]
        formset = FaqFormSet(initial=initial, prefix="faq")
        status = 200
    return render(request, "education/faq_form.html", {"formset": formset}, status=status)
