"""The demo story's calendar: when each step happened (see `clock.story_clock`).

Planting 2010–2012 < plot measurements < run approval < issuance < sale < retirement.
"""

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class RunCalendar:
    """When the story's run was started, approved and (for credits) issued."""

    queued: dt.date
    approved: dt.date
    issued: dt.date


# When each kind of field data was entered (created_at and history stamps): the project set up
# before the first agreement; smallholders and parcels once the last agreement was signed (June
# 2012); plantings with their survival counts after the 2016 count; plot measurements after the
# 2022 campaign. Each date is after every date the step's rows carry (no record of the future).
FIELD_DATA_ENTERED_ON = {
    "project": dt.date(2009, 12, 1),
    "cooperatives": dt.date(2009, 12, 1),
    "species": dt.date(2009, 12, 1),
    "smallholders": dt.date(2012, 6, 29),
    "strata": dt.date(2012, 6, 29),
    "parcels": dt.date(2012, 6, 29),
    "plantings": dt.date(2016, 9, 30),
    "monitoring": dt.date(2022, 9, 30),
}

# The story's calendar (see `clock`): after the plantings of 2010–2012, the ex-ante projection
# is approved and its forward units issued and partly sold; each ex-post run follows the plot
# measurements of its last year (June–August) and is issued once approved.
PARAMETERS_ON = dt.date(2013, 1, 14)
EX_ANTE_CALENDAR = RunCalendar(dt.date(2013, 1, 21), dt.date(2013, 2, 18), dt.date(2013, 3, 4))
EX_POST_CALENDAR = {
    dt.date(2015, 12, 31): RunCalendar(
        dt.date(2016, 2, 1), dt.date(2016, 3, 7), dt.date(2016, 4, 4)
    ),
    dt.date(2018, 12, 31): RunCalendar(
        dt.date(2019, 2, 4), dt.date(2019, 3, 11), dt.date(2019, 4, 8)
    ),
    dt.date(2022, 12, 31): RunCalendar(
        dt.date(2023, 2, 6), dt.date(2023, 3, 13), dt.date(2023, 4, 10)
    ),
}

# The last day of the story: every event of the demo (not periods) happens on or before it.
# The benefit-sharing step (`demo.benefits`) comes last: distribution and payments in May and
# June 2024, after the retirement, and a family's grievance in June.
STORY_END = dt.date(2024, 6, 30)
