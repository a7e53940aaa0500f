from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from soket.campaigns.models import PlanSection
from soket.campaigns.plan import FOOTNOTE_MARK, Footnote, section_paragraphs

register = template.Library()


@register.filter
def plan_body(section: PlanSection, footnotes: list[Footnote]) -> SafeString:
    """Paragraphs and bullets of a plan section, with footnote marks as links."""
    numbers = {note.code: note.number for note in footnotes}

    def mark(match) -> str:
        number = numbers.get(match.group(1))
        if number is None:
            return ""
        return format_html('<sup><a href="#fn-{0}" id="ref-{0}">{0}</a></sup>', number)

    html = []
    for paragraph in section_paragraphs(section.number, section.heading, section.body):
        text = FOOTNOTE_MARK.sub(mark, str(escape(paragraph.text)))
        css = "bullet" if paragraph.is_bullet else "para"
        html.append(f'<p class="{css}">{text}</p>')
    return mark_safe("\n".join(html))
