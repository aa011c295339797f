"""Display names come from one place (anagen.ui.labels), and every code has one (issue 20)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from anagen.core import display
from anagen.ui import labels


@pytest.mark.parametrize("vocabulary", sorted(labels.ENUMS))
def test_every_code_of_every_vocabulary_has_a_name_without_underscores(vocabulary):
    enum = labels.ENUMS[vocabulary]
    names = labels.VOCABULARIES[vocabulary]
    assert {str(m) for m in enum} <= set(names), f"unnamed {vocabulary} codes"
    for member in enum:
        assert "_" not in labels.label(member, vocabulary)


def test_every_ingredient_of_the_catalogue_has_its_name():
    from anagen.core.formulation import CATALOGUE

    for code, ingredient in CATALOGUE.items():
        assert labels.label(code, "ingredient") == ingredient.name


def test_a_code_no_vocabulary_knows_yet_still_reads_as_words():
    assert labels.label("brand_new_code", "finding") == "Brand new code"
    assert labels.label(None, "finding") == ""


def test_sources_lose_the_projects_internal_references_but_keep_the_evidence():
    assert labels.readable_source("source article (domain.md §1); Protocol.advanced_stages") == "source article; clinic protocol"
    assert labels.readable_source("lab-dependent range ~0.4-4.5 mIU/L (domain.md §5; Protocol.tsh_low_miu_l/tsh_high_miu_l)") == \
        "lab-dependent range ~0.4-4.5 mIU/L (clinic protocol)"
    assert labels.readable_source("domain.md §6 (contraindications seen in studies); Ivan 2013 Emerg Infect Dis 19:1493") == \
        "contraindications seen in studies; Ivan 2013 Emerg Infect Dis 19:1493"
    assert labels.readable_source("deficient <200 pg/mL (domain.md §5); borderline/high: Protocol.b12_*") == \
        "deficient <200 pg/mL; borderline/high: clinic protocol"


def test_every_rule_source_of_the_core_reads_without_codes_or_internal_references():
    from anagen.core import screening

    for _, _, source in screening._RULES.values():
        text = labels.readable_source(source)
        assert "domain.md" not in text and "Protocol." not in text
        assert not re.search(r"\b[a-z]+_[a-z0-9_]+\b", text), text


def test_units_read_as_people_write_them():
    assert labels.readable_unit("m[IU]/L") == "mIU/L"
    assert labels.readable_unit("ug/dL") == "µg/dL"


def test_one_date_format_and_a_24_hour_clock():
    moment = dt.datetime(2026, 12, 3, 14, 5)
    assert display.day(moment.date()) == "3 Dec 2026"
    assert display.moment(moment) == "3 Dec 2026, 14:05"
    assert display.weekday_day(moment.date()) == "Thu 3 Dec 2026"
    assert display.clock(dt.time(9, 30)) == "09:30"


def test_templates_get_the_same_date_format(settings):
    from django.template import Context, Template
    from django.utils import translation

    # In English, whatever language an earlier test in this thread left active (a page rendered in
    # Hindi or Marathi by the demo walk once did): the format files are per language.
    with translation.override("en-in"):
        rendered = Template('{{ d|date }} · {{ m|date:"DATETIME_FORMAT" }} · {{ m|time }}').render(
            Context({"d": dt.date(2026, 12, 3), "m": dt.datetime(2026, 12, 3, 14, 5)}))
    assert rendered == "3 Dec 2026 · 3 Dec 2026, 14:05 · 14:05"


# The formats a template may ask for: the named ones (from the format files), the day with its
# year, optionally after the weekday, and the same with the 24-hour clock. A day without its year
# ("3 Dec, 14:05") or a 12-hour clock is a second format, which issue 20 ruled out.
_TEMPLATE_DATE_FORMATS = {"DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATE_FORMAT", "TIME_FORMAT",
                          "j M Y", "D j M Y", "j M Y, H:i", "D j M Y, H:i", "H:i", "l"}


def test_no_template_asks_for_a_date_format_of_its_own():
    from pathlib import Path

    import anagen

    source = Path(anagen.__file__).parent
    asked = {(path.relative_to(source).as_posix(), before, fmt)
             for path in source.rglob("*.html")
             for before, fmt in re.findall(r"""(.)\{\{[^}]*?\|(?:date|time):["']([^"']*)["']""",
                                           path.read_text())}
    assert asked, "the scan found no date filter at all: the pattern no longer matches templates"
    # The ISO day is for machines only: a link's query (?day=...) or a form's hidden value.
    shown = {(path, fmt) for path, before, fmt in asked if not (fmt == "Y-m-d" and before in '="')}
    assert {(path, fmt) for path, fmt in shown if fmt not in _TEMPLATE_DATE_FORMATS} == set()


def test_lab_numbers_read_without_trailing_zeros():
    from decimal import Decimal

    from anagen.web.templatetags.wording import number

    assert number(Decimal("15.000")) == "15"
    assert number(Decimal("150.000")) == "150"
    assert number(Decimal("0.400")) == "0.4"
    assert number(None) == ""
