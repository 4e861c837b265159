"""Species names as entered in the field -> the taxon the reference tables know.

Resolution of one entered name (cached per distinct name, so a million rows cost a few hundred
resolutions):

1. Local/common names (``parcels/data/taxonomy/local_names.csv``, matched without case or
   accents, e.g. "bolaina" -> *Guazuma crinita*); form codes such as ``cedrela_odorata`` or
   ``inga_spp`` are read as names (underscores are spaces).
2. Genus = first word (capitalised), epithet = second word (lower case). Indeterminate epithets
   (``sp``, ``sp.``, ``spp``, ``indet``...) and an empty one mean "genus only"; qualifiers
   ``cf.``/``aff.`` and hybrid signs (``×``, ``x``) are dropped. Unknown genera ("indet",
   "unknown", "desconocida") mean "no taxon" (the tree gets the plot or dataset wood density).
   Deviation from BIOMASS, on purpose: BIOMASS would match ``Inga sp`` against the GWDD rows
   whose epithet is ``sp`` at *species* level; we treat it as genus level.
3. Synonyms (``synonyms.csv``): the accepted binomial is tried first, then every known synonym,
   so a lookup finds the name under which each table stores it (*Tabebuia serratifolia* in
   GWDD v1, *Handroanthus serratifolius* in v2). Family names are normalised the same way
   (Leguminosae -> Fabaceae).
4. Family = the one given with the record (normalised), else the genus -> family table
   (``genus_family.csv``, BIOMASS ``genusFamily``).
5. Growth form (``growth_forms.csv``): palm, banana, coffee, bamboo or tree.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from . import reference

GROWTH_FORM_TREE = "tree"
GROWTH_FORMS = ("tree", "palm", "banana", "coffee", "bamboo", "shrub")

_INDETERMINATE = frozenset(
    {"", "sp", "sp.", "spp", "spp.", "ssp", "ssp.", "indet", "indet.", "sp1", "sp2"}
)
_NO_GENUS = frozenset(
    {"", "indet", "indet.", "unknown", "desconocida", "desconocido", "other", "otra", "na"}
)
_QUALIFIERS = frozenset({"cf", "cf.", "aff", "aff.", "×", "x"})


@dataclass(frozen=True)
class Taxon:
    """A resolved name. ``names`` are the (genus, epithet) pairs to try in a table, accepted
    name first; ``genus``/``epithet`` are the accepted ones (epithet ``""`` = genus only)."""

    entered: str
    genus: str
    epithet: str
    family: str
    family_given: bool
    local_name: str
    names: tuple[tuple[str, str], ...]
    growth_form: str

    @property
    def binomial(self) -> str:
        return f"{self.genus} {self.epithet}" if self.genus and self.epithet else ""

    @property
    def label(self) -> str:
        """Accepted binomial, or genus, or ``""`` for an unknown taxon."""
        return self.binomial or self.genus


def plain(text: str) -> str:
    """Lower case, no accents, underscores as spaces, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.replace("_", " "))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())


@cache
def _local_names() -> Mapping[str, str]:
    rows = reference.read_rows(reference.LOCAL_NAMES_FILE)
    return MappingProxyType({plain(r["local_name"]): r["scientific_name"] for r in rows})


@cache
def _synonyms(rank: str) -> Mapping[str, str]:
    rows = reference.read_rows(reference.SYNONYMS_FILE)
    return MappingProxyType({r["name"]: r["accepted"] for r in rows if r["rank"] == rank})


@cache
def genus_family() -> Mapping[str, str]:
    """BIOMASS ``genusFamily``: genus -> family (three genera have an empty family)."""
    rows = reference.read_rows(reference.GENUS_FAMILY_FILE)
    return MappingProxyType({r["genus"]: r["family"] for r in rows})


@cache
def _growth_forms() -> Mapping[tuple[str, str], str]:
    rows = reference.read_rows(reference.GROWTH_FORMS_FILE)
    return MappingProxyType({(r["rank"], r["name"]): r["growth_form"] for r in rows})


def taxonomy_digests() -> Mapping[str, str]:
    return reference.digests(
        reference.LOCAL_NAMES_FILE,
        reference.SYNONYMS_FILE,
        reference.GENUS_FAMILY_FILE,
        reference.GROWTH_FORMS_FILE,
    )


def normalise_family(family: str, *, use_synonyms: bool = True) -> str:
    name = family.strip().capitalize()
    return _synonyms("family").get(name, name) if use_synonyms else name


def _split(name: str) -> tuple[str, str]:
    words = [w for w in name.replace("_", " ").split() if w.lower() not in _QUALIFIERS]
    genus = words[0].capitalize() if words else ""
    if genus.lower() in _NO_GENUS:
        return "", ""
    epithet = words[1].lower() if len(words) > 1 else ""
    return genus, "" if epithet in _INDETERMINATE else epithet


def _alternatives(genus: str, epithet: str, use_synonyms: bool) -> tuple[tuple[str, str], ...]:
    entered = f"{genus} {epithet}"
    if not (use_synonyms and epithet):
        return ((genus, epithet),)
    synonyms = _synonyms("species")
    accepted = synonyms.get(entered, entered)
    others = sorted(n for n, acc in synonyms.items() if acc == accepted and n != accepted)
    names = [accepted, *([entered] if entered != accepted else []), *others]
    unique = dict.fromkeys(names)
    return tuple(tuple(n.split(" ", 1)) for n in unique)  # type: ignore[misc]


def _growth_form(genus: str, family: str) -> str:
    forms = _growth_forms()
    return forms.get(("genus", genus)) or forms.get(("family", family)) or GROWTH_FORM_TREE


@cache
def resolve(name: str, family: str = "", *, use_synonyms: bool = True) -> Taxon:
    """Resolve one entered species name (and optional family) to a :class:`Taxon`."""
    local = _local_names().get(plain(name), "")
    genus, epithet = _split(local or name)
    names = _alternatives(genus, epithet, use_synonyms) if genus else ()
    if names:
        genus, epithet = names[0]
    given = normalise_family(family, use_synonyms=use_synonyms) if family.strip() else ""
    known = given or genus_family().get(genus, "")
    return Taxon(
        entered=name,
        genus=genus,
        epithet=epithet,
        family=known,
        family_given=bool(given),
        local_name=plain(name) if local else "",
        names=names,
        growth_form=_growth_form(genus, known),
    )


@cache
def default_growth_groups() -> Mapping[str, str]:
    """Genus (or binomial) -> ex-ante growth group (carbon-methods §9.1)."""
    rows = reference.read_rows(reference.GROWTH_GROUPS_FILE)
    return MappingProxyType({r["name"]: r["growth_group"] for r in rows})
