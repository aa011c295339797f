"""``{% load calendar_grid %}``: the calendar grid's rows, a few hundred cells a week.

Rendered with ``format_html`` (escaped like the template would) because the template language's
loops and tags over each cell were most of the week page's time (issue 24: the rows in Python
halved the week's rendering).
"""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from anagen.scheduling.grid import Cell, Row

register = template.Library()


def _appointment_cell(cell: Cell, secondary: str) -> SafeString:
    a = cell.appointment
    if a is None:
        return mark_safe("")
    badge = format_html(' <span class="badge status-{}">{}</span>', a.status, a.get_status_display()) if a.status != "booked" else ""
    number = (" · " + gettext("session %(number)s") % {"number": a.course_session_number}) if a.course_session_number else ""
    where = a.practitioner if secondary == "practitioner" else a.room
    return format_html(
        '<td rowspan="{}" class="cal-appt span-{} kind-{} status-{}">\n'
        '        <a href="{}" class="cal-card">\n'
        '          <span class="cal-line"><span class="cal-when">{}–{}</span>{}</span>\n'
        '          <strong class="cal-patient cal-line">{}</strong>\n'
        '          <span class="cal-kind cal-line">{}{} · <span class="cal-where">{}</span></span>\n'
        '        </a>\n      </td>',
        cell.rowspan, cell.rowspan, a.kind, a.status, cell.url,
        time_format(timezone.localtime(a.starts_at)), time_format(timezone.localtime(a.ends_at)), badge,
        a.patient.full_name, a.get_kind_display(), number, where)


@register.simple_tag
def grid_rows(rows: list[Row], secondary: str) -> SafeString:
    """Every row of the grid: the time, then each cell (an appointment card, a free slot linking
    to the booking form, or a past slot), as the template wrote them."""
    book = gettext("Book")
    out = []
    for row in rows:
        cells = []
        for cell in row.cells:
            if cell.appointment is not None:
                cells.append(_appointment_cell(cell, secondary))
            elif not cell.url:
                cells.append(mark_safe('<td class="cal-free cal-past"></td>'))
            else:
                cells.append(format_html('<td class="cal-free"><a class="cal-book" href="{}">{}<span class="visually-hidden"> {}, {}</span></a></td>',
                                         cell.url, book, row.label, cell.column.label))
        out.append(format_html('<tr class="{}">\n      <th scope="row" class="cal-time">{}</th>\n      {}\n    </tr>',
                               "cal-hour" if row.on_the_hour else "cal-quarter", row.label, mark_safe("".join(cells))))
    return mark_safe("\n".join(out))
