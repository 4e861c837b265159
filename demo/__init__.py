"""Demo data: a seeded, deterministic carbon project in the real Pichanaki district.

`services.load_demo` runs the steps of `steps.STEPS` in order inside one transaction; each step
draws from its own random stream (`numpy.random.default_rng([seed, step number])`) so a step
appended later never changes what the earlier steps produce. `layout` (parcel shapes) and
`growth` (tree diameters and heights) are pure modules; `catalogue` holds the names and species.
Everything here is invented except the district boundary and the place and species names.
"""
