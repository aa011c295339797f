"""``{% load calendar_grid %}``: the calendar's free cells, a few hundred a week.

Rendered with ``format_html`` (escaped like the template would) because nested template tags for
each free cell were most of the week page's time.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from anagen.scheduling.grid import Cell, Row

register = template.Library()


@register.simple_tag
def free_cell(cell: Cell, row: Row) -> SafeString:
    if not cell.url:
        return mark_safe('<td class="cal-free cal-past"></td>')
    return format_html('<td class="cal-free"><a class="cal-book" href="{}">{}<span class="visually-hidden"> {}, {}</span></a></td>',
                       cell.url, gettext("Book"), row.label, cell.column.label)
