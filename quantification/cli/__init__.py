"""The ``manage.py carbon_trees`` and ``manage.py carbon_estimate`` commands, without Django.

Contract of ``carbon_trees INPUT.csv -o OUTPUT.csv``:

- Input: UTF-8 CSV with a header; columns ``tree_id, species, dbh_cm, height_m`` (height empty
  when not measured), optional ``wood_density`` (g/cm³, empty = look it up), ``plot_id``
  (enables the plot-mean wood density and per-plot height models), ``family`` and ``status``
  (alive/dead/cut/missing or the field-form spellings). Other columns are ignored.
- Output: exactly :data:`.trees.OUTPUT_COLUMNS`, one line per input row in input order.
  ``tree_id``, ``species`` and ``dbh_cm`` repeat the input text; computed numbers have 6
  decimals (kg to the milligram, heights to the micrometre), so equal inputs give
  byte-identical files; ``agb_kg`` is the credited AGB (0 below Dmin, for excluded growth forms
  and non-live trees); an empty ``wood_density``/``height_m`` means "not applicable" (palms,
  bananas...).
- Bad rows: **any** bad row (or header) makes the command print every problem with its line
  number and reason on stderr, write nothing (no partial file) and exit with status 1.
  Warnings (flags such as D > 150 cm, unmatched species) go to stderr; the exit status stays 0.

Modules: :mod:`.parameters` (the options shared by both commands), :mod:`.reading` (the CSV
files as engine tables, read by :func:`parcels.importing.readers.tabular.read_text_columns`),
:mod:`.reporting` (messages and atomic writes), :mod:`.trees` (``carbon_trees``) and
:mod:`.estimate` (``carbon_estimate``).

Speed: files without quote characters are split column-wise in C (``str.split``) and numbers
converted with ``float``; files with quotes go through the ``csv`` module. The garbage
collector is paused while millions of small strings are built (it would otherwise rescan them
over and over), and output strings are formatted once per distinct value.
"""
