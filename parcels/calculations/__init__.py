"""The database side of the carbon engine: parameter sets, calculation runs and their results.

`parcels.carbon` is the pure numerical engine; this package loads its inputs from the field
data, runs it inside Celery jobs and stores what it returns (see `services`).
"""
