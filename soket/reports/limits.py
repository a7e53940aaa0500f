"""How long a report's texts may be: one limit, whatever door the text comes in by
(the web form, the Excel form, later the API)."""

TEXT = 50_000  # a section of the narrative, the assessment of a review item
SHORT_TEXT = 5_000  # the causes of a shortfall, the reason for a hand-set assessment
