"""How long a report's texts may be: one limit, whatever door the text comes in by
(the web form, the Excel form, later the API).

TEXT is what one Excel cell holds (32,767 characters), because the Excel form carries
each section in one cell and a longer text would be cut on its way out. It was 50,000:
a text stored then that a cell cannot hold is never cut; the Excel form refuses it by
name (documents/report_form.py) and the web form asks for it to be shortened.
"""

from soket.core.tabular import CELL_CHARACTERS

TEXT = CELL_CHARACTERS  # a section of the narrative, the assessment of a review item
SHORT_TEXT = 5_000  # the causes of a shortfall, the reason for a hand-set assessment
