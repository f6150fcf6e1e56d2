"""Simplified Chinese number formats: counts and amounts grouped by thousands, 1,234,567.

Django's zh_Hans leaves THOUSAND_SEPARATOR empty (and groups by four, as 万 does), so `intcomma`
printed 1234567. Chinese reports and bank statements print 1,234,567.89: group by three with a
comma. Only what differs is here; dates and the rest come from Django's zh_Hans module.
USE_THOUSAND_SEPARATOR stays off, so a bare `{{ number }}` (a year, an id in a link) is never
grouped: templates group counts and amounts with `intcomma` (or `thousands`).
"""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
