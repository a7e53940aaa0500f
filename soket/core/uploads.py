"""The one path every spreadsheet upload takes from a form to an importer."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from soket.core import filecheck, tabular

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx or .csv)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.SOKET_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                filecheck.FileRefused.too_large(settings.SOKET_MAX_UPLOAD_BYTES)
            )
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."))
        return upload


def template_response(
    *, basename: str, fmt: str, title: str, columns, instructions
) -> HttpResponse:
    if fmt == "csv":
        content = tabular.template_csv(columns=columns)
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        content = tabular.template_xlsx(
            title=title, columns=columns, instructions=[str(line) for line in instructions]
        )
        response = HttpResponse(content, content_type=XLSX_TYPE)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{basename}.{fmt}"'
    return response


def template_urls(url_name: str, *args: Any) -> dict[str, str]:
    return {fmt: reverse(url_name, args=[*args, fmt]) for fmt in ("xlsx", "csv")}


def import_page(
    request: HttpRequest,
    *,
    run: Callable[[str, bytes], Any],
    success_message: Callable[[Any], str],
    success_url: str,
    context: dict,
) -> HttpResponse:
    """Show the upload form; on a valid file run the import, then redirect or list every error."""
    form = UploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and "file" in getattr(request, "refused_uploads", ()):
        form.add_error(None, filecheck.FileRefused.too_large(settings.SOKET_MAX_UPLOAD_BYTES))
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = run(upload.name, upload.read())
        except tabular.TableError as error:
            errors = error.errors
        else:
            messages.success(request, success_message(result))
            return redirect(success_url)
    status = 400 if errors or form.errors else 200
    return render(
        request, "core/import.html", {"form": form, "errors": errors, **context}, status=status
    )
