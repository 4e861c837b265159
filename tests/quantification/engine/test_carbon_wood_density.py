"""Wood density hierarchy (carbon-methods §4) and examples T8-T10."""

import csv
import hashlib
import re
import statistics
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from quantification.engine import taxonomy
from quantification.engine import wood_density as wdm
from quantification.engine.notices import CarbonInputError, ParameterError

from .conftest import assert_stated

DATA = Path(wdm.__file__).resolve().parent / "data"

# carbon-methods §4.2: (species, GWDD1 world, GWDD1 trop. S-America, GWDD v2 species)
SELVA_CENTRAL = [
    ("Inga edulis", "0.587", "0.587", "0.523"),
    ("Inga marginata", "0.552", "0.547", "0.552"),
    ("Inga vera", "0.575", "0.575", "0.513"),
    ("Cedrela odorata", "0.447", "0.427", "0.418"),
    ("Cedrela fissilis", "0.467", "0.437", "0.445"),
    ("Cedrela montana", "0.340", "0.340", "0.397"),
    ("Swietenia macrophylla", "0.520", "0.514", "0.486"),
    ("Cordia alliodora", "0.520", "0.461", "0.490"),
    ("Calycophyllum spruceanum", "0.719", "0.707", "0.705"),
    ("Guazuma crinita", "0.560", "0.440", "0.486"),
    ("Schizolobium parahyba", "0.346", "0.358", "0.382"),
    ("Cedrelinga cateniformis", "0.504", "0.504", "0.472"),
    ("Pinus oocarpa", "0.580", "0.580", "0.493"),
    ("Erythrina poeppigiana", "0.305", "0.200", "0.303"),
    ("Retrophyllum rospigliosii", "0.500", "0.500", "0.485"),
    ("Ochroma pyramidale", "0.158", "0.135", "0.196"),
    ("Terminalia amazonia", "0.674", "0.680", "0.673"),
    ("Calophyllum brasiliense", "0.589", "0.594", "0.550"),
]


def _lookup(name, table, family=""):
    taxon = taxonomy.resolve(name, family)
    return table.lookup(taxon, taxonomy.genus_family())


@pytest.mark.parametrize(("name", "world", "sat", "v2"), SELVA_CENTRAL)
def test_it_reproduces_the_selva_central_table(name, world, sat, v2):
    for table, stated in (
        (wdm.load_table(), world),
        (wdm.load_table("gwdd_v1", "SouthAmericaTrop"), sat),
        (wdm.load_table("gwdd_v2"), v2),
    ):
        value = _lookup(name, table)
        assert value.level == "species"
        assert_stated(value.wd, stated)


def test_it_recomputes_v1_means_the_way_biomass_does():
    """Species = mean of records; genus = mean of species means; family = mean of genus means
    (recomputed here straight from the CSV, independently of the engine)."""
    records = defaultdict(list)
    with (DATA / "wood_density" / "gwdd.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            records[(row["family"], row["genus"], row["species"])].append(float(row["wd"]))
    species = {k: statistics.fmean(v) for k, v in records.items()}
    inga = [m for (f, g, _), m in species.items() if (f, g) == ("Fabaceae", "Inga")]
    genera = defaultdict(list)
    for (f, g, _), m in species.items():
        genera[(f, g)].append(m)
    meliaceae = [statistics.fmean(v) for (f, _), v in genera.items() if f == "Meliaceae"]
    table = wdm.load_table()
    assert table.species[("Meliaceae", "Cedrela", "odorata")][0] == pytest.approx(
        species[("Meliaceae", "Cedrela", "odorata")], rel=1e-15
    )
    assert table.genus[("Fabaceae", "Inga")][:3:2] == (pytest.approx(statistics.fmean(inga)), 40)
    assert table.family["Meliaceae"][0] == pytest.approx(statistics.fmean(meliaceae), rel=1e-15)
    assert table.n_records == 16467


def test_it_reproduces_the_family_means_and_the_overall_mean():
    table = wdm.load_table()
    stated = {
        "Fabaceae": "0.702",
        "Meliaceae": "0.594",
        "Boraginaceae": "0.649",
        "Rubiaceae": "0.637",
        "Malvaceae": "0.489",
        "Myrtaceae": "0.766",
        "Pinaceae": "0.443",
        "Podocarpaceae": "0.502",
        "Lauraceae": "0.564",
    }
    for family, value in stated.items():
        assert_stated(table.family[family][0], value)
    assert_stated(statistics.fmean(v[0] for v in table.species.values()), "0.616")
    assert_stated(table.sd_total, "0.176")


def test_it_falls_back_to_the_genus_t8():
    table = wdm.load_table()
    inga = _lookup("Inga densiflora", table)
    assert (inga.level, inga.n) == ("genus", 40)
    assert_stated(inga.wd, "0.578")
    pinus = _lookup("Pinus tecunumanii", table)
    assert (pinus.level, pinus.n) == ("genus", 57)
    assert_stated(pinus.wd, "0.440")
    assert_stated(
        _lookup("Pinus tecunumanii", wdm.load_table("gwdd_v1", "SouthAmericaTrop")).wd, "0.483"
    )
    assert_stated(_lookup("Pinus tecunumanii", wdm.load_table("gwdd_v2")).wd, "0.451")


def test_it_falls_back_to_the_family_only_when_the_family_was_given_t9():
    table = wdm.load_table()
    plain = taxonomy.resolve("Retrophyllum rospigliosii", "Podocarpaceae", use_synonyms=False)
    value = table.lookup(plain, taxonomy.genus_family())
    assert value.level == "family"
    assert_stated(value.wd, "0.502")
    by_family = table.lookup(taxonomy.resolve("indet", "Meliaceae"), taxonomy.genus_family())
    assert by_family.level == "family"
    assert_stated(by_family.wd, "0.594")
    no_family = taxonomy.resolve("Retrophyllum rospigliosii", use_synonyms=False)
    assert table.lookup(no_family, taxonomy.genus_family()) is None


def test_it_resolves_synonyms_to_the_name_each_table_uses():
    v1, v2 = wdm.load_table(), wdm.load_table("gwdd_v2")
    assert_stated(_lookup("Tabebuia serratifolia", v1).wd, "0.924")
    assert_stated(_lookup("Tabebuia serratifolia", v2).wd, "0.880")
    assert_stated(_lookup("Handroanthus serratifolius", v1).wd, "0.924")
    assert_stated(_lookup("Retrophyllum rospigliosii", v1).wd, "0.500")
    assert_stated(_lookup("Schizolobium amazonicum", v1).wd, "0.346")
    assert_stated(_lookup("Schizolobium amazonicum", v2).wd, "0.382")
    plain = taxonomy.resolve("Tabebuia serratifolia", use_synonyms=False)
    assert_stated(v2.lookup(plain, taxonomy.genus_family()).wd, "0.586")


def test_it_reads_local_names_and_field_codes():
    assert taxonomy.resolve("Bolaina").binomial == "Guazuma crinita"
    assert taxonomy.resolve("GUABA").binomial == "Inga edulis"
    assert taxonomy.resolve("cedrela_odorata").binomial == "Cedrela odorata"
    inga = taxonomy.resolve("inga_spp")
    assert (inga.genus, inga.epithet, inga.family) == ("Inga", "", "Fabaceae")
    assert taxonomy.resolve("Plátano").growth_form == "banana"
    assert taxonomy.resolve("Musa × paradisiaca").binomial == "Musa paradisiaca"
    assert taxonomy.resolve("desconocida").label == ""
    assert taxonomy.resolve("Inga sp.").epithet == ""
    assert taxonomy.resolve("Inga", "Leguminosae").family == "Fabaceae"


def test_it_knows_the_growth_forms_that_are_not_trees():
    assert taxonomy.resolve("Bactris gasipaes").growth_form == "palm"
    assert taxonomy.resolve("Coffea arabica").growth_form == "coffee"
    assert taxonomy.resolve("Guadua angustifolia").growth_form == "bamboo"
    assert taxonomy.resolve("Cedrela odorata").growth_form == "tree"


def _assign(names, *, plots=None, given=None, applicable=None, table=None, local=None):
    unique = list(dict.fromkeys(names))
    taxa = [taxonomy.resolve(n) for n in unique]
    codes = np.array([unique.index(n) for n in names], dtype=np.int32)
    return wdm.assign_wood_density(
        taxa,
        codes,
        table=table or wdm.load_table(),
        given=None if given is None else np.asarray(given, float),
        plot_codes=None if plots is None else np.asarray(plots),
        applicable=None if applicable is None else np.asarray(applicable),
        local_values=local,
    )


def test_it_assigns_the_plot_mean_to_unmatched_trees_t10():
    names = [
        "Cedrela odorata",
        "Inga edulis",
        "Inga edulis",
        "Swietenia macrophylla",
        "Inga densiflora",
        "Unknown",
        "Cedrela odorata",
        "Unknown",
    ]
    given = [0.447, 0.587, 0.587, 0.520, 0.578, np.nan, np.nan, np.nan]
    result = _assign(names, plots=[0, 0, 0, 0, 0, 0, 1, 1], given=given)
    levels = result.levels()
    assert list(levels[:5]) == ["local"] * 5
    assert levels[5] == "plot" and levels[7] == "plot"
    assert result.wd[5] == pytest.approx(0.5438, rel=1e-12)
    assert_stated(result.sd[5], "0.0609")
    assert result.sd[5] == pytest.approx(statistics.stdev(given[:5]), rel=1e-12)
    # plot 1 has a single assigned tree: its sd is replaced by the sd of the whole table
    assert result.wd[7] == result.wd[6]
    assert result.sd[7] == wdm.load_table().sd_total


def test_it_uses_table_values_for_the_plot_mean_when_nothing_is_given():
    names = [
        "Cedrela odorata",
        "Inga edulis",
        "Inga edulis",
        "Cordia alliodora",
        "Inga densiflora",
        "Unknown",
    ]
    result = _assign(names, plots=[0] * 6)
    assert list(result.levels()) == ["species"] * 4 + ["genus", "plot"]
    assert_stated(result.wd[5], "0.544")
    assert result.wd[5] == pytest.approx(result.wd[:5].mean(), rel=1e-15)


def test_it_falls_back_to_the_dataset_mean_without_plots():
    result = _assign(["Cedrela odorata", "Inga edulis", "Unknown"])
    assert result.levels()[2] == "dataset"
    assert result.wd[2] == pytest.approx(result.wd[:2].mean(), rel=1e-15)
    assert result.sd[2] == pytest.approx(np.std(result.wd[:2], ddof=1), rel=1e-12)


def test_it_gives_no_wood_density_to_excluded_growth_forms():
    result = _assign(
        ["Bactris gasipaes", "Cedrela odorata", "Unknown"],
        plots=[0, 0, 0],
        applicable=[False, True, True],
    )
    assert list(result.levels()) == ["not_applicable", "species", "plot"]
    assert np.isnan(result.wd[0])
    assert result.wd[2] == result.wd[1]


def test_it_prefers_project_values_to_the_table():
    result = _assign(["Inga edulis", "Inga vera"], local={"Inga": 0.61})
    assert list(result.wd) == [0.61, 0.61]
    assert list(result.levels()) == ["local", "local"]


def test_it_uses_fixed_sds_by_level_in_v1_and_taxon_sds_in_v2():
    v1 = _assign(["Cedrela odorata", "Inga densiflora"])
    assert v1.sd[0] == pytest.approx(0.07082326172167734)
    assert v1.sd[1] == pytest.approx(0.09413390980361774)
    v2 = _assign(["Cedrela odorata"], table=wdm.load_table("gwdd_v2"))
    assert_stated(v2.sd[0], "0.072")


def test_it_stops_when_no_tree_can_get_a_wood_density():
    with pytest.raises(CarbonInputError, match="no tree has a wood density"):
        _assign(["Unknown", "indet"])


def test_it_warns_about_unmatched_names_and_small_regions():
    notes = _assign(["Cedrela odorata", "Zzz yyy"]).warnings
    assert [n.code for n in notes] == ["wood_density.unmatched_taxa"]
    assert "Zzz yyy" in notes[0].message
    europe = wdm.load_table("gwdd_v1", "Europe")
    assert europe.n_records == 77
    assert "wood_density.few_records" in {
        n.code for n in _assign(["Quercus robur"], table=europe).warnings
    }


def test_it_rejects_unknown_tables_and_regions():
    with pytest.raises(ParameterError, match="wood_density_table"):
        wdm.load_table("gwdd_v9")
    with pytest.raises(ParameterError, match="wood_density_region"):
        wdm.load_table("gwdd_v1", "Atlantis")
    with pytest.raises(ParameterError, match="no region filter"):
        wdm.load_table("gwdd_v2", "SouthAmericaTrop")


def test_it_ships_the_reference_files_listed_in_the_data_readme():
    readme = (DATA / "wood_density" / "README.md").read_text(encoding="utf-8")
    listed = dict(
        (name, digest)
        for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+\.csv)$", readme, flags=re.M)
    )
    assert len(listed) == 6
    for name, digest in listed.items():
        assert hashlib.sha256((DATA / "wood_density" / name).read_bytes()).hexdigest() == digest
    assert "GPL-2" in readme and "doi:10.5061/dryad.234" in readme
