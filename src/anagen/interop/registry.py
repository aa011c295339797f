"""The patient registry as CSV: export, and validation of an import (docs/fhir.md, "Registry CSV").

Columns (header names, any order, case-insensitive; spaces count as underscores):
``record_number`` (export only; ignored on import: new numbers are issued), ``given_name``*,
``family_name``, ``date_of_birth``* (YYYY-MM-DD, or DD/MM/YYYY and DD-MM-YYYY as Indian
spreadsheets write it), ``sex``* (female/male/other or F/M/O), ``phone``*, ``email``, ``address``,
``emergency_contact_name``, ``emergency_contact_phone``, ``abha_number``, ``abha_address``.
(* required). UTF-8 with or without a byte-order mark.

Text cells that a spreadsheet would run as a formula (starting with = + - @) are written with a
leading apostrophe and read back without it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from anagen.accounts.models import Clinic
from anagen.core.identifiers import format_abha_number
from anagen.patients.forms import PatientForm
from anagen.patients.models import DEMOGRAPHIC_FIELDS, Patient
from anagen.patients.services import likely_duplicates

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
EXPORT_COLUMNS = ("record_number", *DEMOGRAPHIC_FIELDS)
REQUIRED_COLUMNS = ("given_name", "date_of_birth", "sex", "phone")
TEXT_COLUMNS = frozenset({"given_name", "family_name", "email", "address", "emergency_contact_name", "abha_address"})
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")
SEX_ALIASES = {"f": "female", "female": "female", "m": "male", "male": "male", "o": "other", "other": "other"}


@dataclass(frozen=True, order=True)
class RowError:
    row: int      # the line of the file: the header is row 1, the first patient row 2; 0 for the whole file
    column: str
    message: str


@dataclass
class ParsedImport:
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _safe_cell(column: str, value: str) -> str:
    if column in TEXT_COLUMNS and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _unsafe_cell(value: str) -> str:
    if value.startswith("'") and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value


def export_csv(patients: Iterable[Patient]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for p in patients:
        values = {
            "record_number": p.mrn,
            **{name: getattr(p, name) for name in DEMOGRAPHIC_FIELDS},
            "date_of_birth": p.date_of_birth.isoformat(),
            "abha_number": format_abha_number(p.abha_number),
        }
        writer.writerow([_safe_cell(column, str(values[column] or "")) for column in EXPORT_COLUMNS])
    # A byte-order mark so spreadsheet programs open the file as UTF-8 (Devanagari names survive).
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _header(name: str) -> str:
    return "_".join((name or "").strip().lower().replace("-", " ").split())


def _parse_date(raw: str) -> str | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    return None


def parse_import(clinic: Clinic, data: bytes, today: dt.date) -> ParsedImport:
    """Validate every row with the registry's own form and duplicate rules; write nothing."""
    result = ParsedImport()
    if len(data) > MAX_BYTES:
        result.errors.append(RowError(0, "file", gettext("The file is larger than %(megabytes)s MB; split it into smaller files.") % {"megabytes": MAX_BYTES // (1024 * 1024)}))
        return result
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append(RowError(0, "file", "The file is not UTF-8 text. Save it from your spreadsheet as \"CSV UTF-8\"."))
        return result
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        result.errors.append(RowError(0, "file", gettext("The file is empty: the first line must name the columns.")))
        return result
    columns = [_header(name) for name in header]
    known = set(EXPORT_COLUMNS)
    for name, raw in zip(columns, header, strict=True):
        if name and name not in known:
            result.errors.append(RowError(1, raw.strip(), f"Unknown column \"{raw.strip()}\". Columns are: {', '.join(EXPORT_COLUMNS)}."))
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            result.errors.append(RowError(1, name, f"The column \"{name}\" is missing."))
    duplicates = sorted({c for c in columns if c and columns.count(c) > 1})
    for name in duplicates:
        result.errors.append(RowError(1, name, f"The column \"{name}\" appears more than once."))
    if result.errors:
        return result

    seen_person: dict[tuple[str, str], int] = {}
    seen_abha: dict[str, int] = {}
    count = 0
    line = 1
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            count += 1
            if count > MAX_ROWS:
                result.errors.append(RowError(line, "file", gettext("The file has more than %(most)s patients; split it into smaller files.") % {"most": MAX_ROWS}))
                return result
            if len(cells) > len(columns):
                result.errors.append(RowError(line, "file", gettext("This row has %(cells)s cells but the header names %(columns)s columns.") % {"cells": len(cells), "columns": len(columns)}))
                continue
            raw = {name: _unsafe_cell(cells[i].strip()) if i < len(cells) else "" for i, name in enumerate(columns) if name}
            _validate_row(clinic, line, raw, today, result, seen_person, seen_abha)
    except csv.Error as exc:
        result.errors.append(RowError(line + 1, "file", gettext("The CSV cannot be read here: %(problem)s.") % {"problem": exc}))
    if not result.rows and not result.errors:
        result.errors.append(RowError(0, "file", gettext("The file has no patient rows.")))
    return result


def _validate_row(clinic: Clinic, line: int, raw: dict[str, str], today: dt.date, result: ParsedImport,
                  seen_person: dict[tuple[str, str], int], seen_abha: dict[str, int]) -> None:
    errors: list[RowError] = []
    data = {name: raw.get(name, "") for name in DEMOGRAPHIC_FIELDS}
    if data["date_of_birth"]:
        parsed = _parse_date(data["date_of_birth"])
        if parsed is None:
            errors.append(RowError(line, "date_of_birth", gettext("Write the date of birth as YYYY-MM-DD or DD/MM/YYYY.")))
        data["date_of_birth"] = parsed or ""
    if data["sex"]:
        sex = SEX_ALIASES.get(data["sex"].lower())
        if sex is None:
            errors.append(RowError(line, "sex", gettext("Sex must be female, male or other (or F, M, O).")))
        data["sex"] = sex or ""
    form = PatientForm(data=data, today=today)
    if not form.is_valid():
        flagged = {e.column for e in errors}
        for name, messages in form.errors.items():
            if name in flagged:
                continue
            for message in messages:
                errors.append(RowError(line, name if name != "__all__" else "row", message))
    if errors:
        result.errors.extend(errors)
        return
    values = form.registry_values()
    person = (values["phone"], values["date_of_birth"].isoformat())
    if person in seen_person:
        errors.append(RowError(line, "phone", gettext("Same phone number and date of birth as row %(row)s.") % {"row": seen_person[person]}))
    else:
        existing = likely_duplicates(clinic, values["phone"], values["date_of_birth"])
        if existing:
            errors.append(RowError(line, "phone", gettext("A patient with this phone number and date of birth is already registered (%(mrn)s).") % {"mrn": existing[0].mrn}))
    if values["abha_number"]:
        if values["abha_number"] in seen_abha:
            errors.append(RowError(line, "abha_number", gettext("Same ABHA number as row %(row)s.") % {"row": seen_abha[values["abha_number"]]}))
        elif Patient.objects.filter(clinic=clinic, abha_number=values["abha_number"]).exists():
            errors.append(RowError(line, "abha_number", gettext("Another patient of this clinic already has this ABHA number.")))
        seen_abha.setdefault(values["abha_number"], line)
    seen_person.setdefault(person, line)
    if errors:
        result.errors.extend(errors)
    else:
        result.rows.append((line, values))


def errors_csv(errors: Iterable[RowError]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["row", "column", "message"])
    for error in errors:
        writer.writerow([error.row, error.column, error.message])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
