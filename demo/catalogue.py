"""Fixed ingredients of the demo: project, cooperatives, names, places, species and strata.

Community names are places of Pichanaqui district, but where the demo puts them is invented;
the cooperatives, people, identity numbers and accounts are fictitious.
"""

import datetime as dt
from dataclasses import dataclass

from parcels.choices import Arrangement, GrowthGroup

PROJECT_CODE = "pch"
PROJECT_NAME = "Captura de Carbono Pichanaki"
PROJECT_DESCRIPTION = (
    "Proyecto de demostración: árboles de sombra, linderos y bosquetes plantados en 2010–2012 "
    "por familias cafetaleras de tres cooperativas del distrito de Pichanaqui (Chanchamayo, "
    "Junín). Datos ficticios generados por `seed_demo`; límite distrital: INEI, IDE-INEI, "
    "actualización 2023 (CC BY 4.0)."
)
METHODOLOGY = "CarbonFix v3.2 / AR-AMS0007"
CREDITING_START = dt.date(2010, 1, 1)
CREDITING_END = dt.date(2039, 12, 31)
DISTRICT_UBIGEO = "120303"  # INEI code of Pichanaqui (120306 is Vitoc)
DISTRICT_NAME = "Pichanaqui"
REGION = "Junín"

SMALLHOLDERS_PER_SCALE = 240
HECTARES_PER_SCALE = 800
PLOT_RADIUS_M = "12.62"  # 500 m² circular permanent plots
PLOT_SHARE = 0.05  # of the parcels with plantings
PLOT_YEARS = (2015, 2018, 2022)
# Two plots are the engine's minimum; three keep a small demo's first verification (young
# trees, few plots) from losing everything to the uncertainty deduction.
MIN_PLOTS_PER_STRATUM = 3


@dataclass(frozen=True)
class CooperativeSpec:
    code: str
    name: str
    ruc_first_ten: str
    share: float  # of the smallholders
    address: str
    contact_name: str
    communities: tuple[str, ...]


COOPERATIVES = (
    CooperativeSpec(
        "cac-ubiriki",
        "Cooperativa Agraria Cafetalera Río Ubiriki Ltda.",
        "2048612037",
        0.45,
        "Jr. Los Cafetales 214, Pichanaki",
        "Elena Camposano Rojas",
        ("Santa Rosa de Ubiriki", "Alto Ubiriki", "Bajo Pichanaqui", "Alto Pichanaqui"),
    ),
    CooperativeSpec(
        "cafe-kuviriari",
        "Cooperativa Agroforestal Alto Kuviriari",
        "2060214876",
        0.35,
        "Av. Marginal s/n, Alto Kuviriari",
        "Teodoro Ñaupari Quinto",
        ("Alto Kuviriari", "Bajo Kuviriari", "Nueva Esperanza", "Villa Progreso"),
    ),
    CooperativeSpec(
        "csm-ipoki",
        "Cooperativa de Servicios Múltiples Valle Ipoki",
        "2048730519",
        0.20,
        "Carretera Marginal km 4, Ipoki",
        "Gladys Huaynate Meza",
        ("Ipoki", "Alto Ipoki", "Bajo Autiki", "San Antonio"),
    ),
)

MALE_NAMES = (
    "Juan",
    "José",
    "Luis",
    "Carlos",
    "Jorge",
    "Víctor",
    "Pedro",
    "Miguel",
    "Julio",
    "César",
    "Teodoro",
    "Alejandro",
    "Wilmer",
    "Edwin",
    "Rubén",
    "Hugo",
    "Walter",
    "Máximo",
    "Fortunato",
    "Eusebio",
    "Hilario",
    "Abel",
    "Elías",
    "Santos",
    "Marcelino",
    "Genaro",
    "Nilo",
    "Percy",
    "Roger",
    "Fredy",
    "Isidro",
    "Gregorio",
)
FEMALE_NAMES = (
    "María",
    "Rosa",
    "Juana",
    "Carmen",
    "Elena",
    "Luzmila",
    "Yolanda",
    "Norma",
    "Gladys",
    "Marleni",
    "Nelly",
    "Flor",
    "Delia",
    "Haydee",
    "Teodora",
    "Agripina",
    "Susana",
    "Edith",
    "Maribel",
    "Lidia",
    "Eulalia",
    "Sonia",
    "Marisol",
    "Rocío",
    "Doris",
    "Felícita",
)
SURNAMES = (
    "Quispe",
    "Huamán",
    "Rojas",
    "Pérez",
    "Ramos",
    "Torres",
    "Meza",
    "Camposano",
    "Quinto",
    "Poma",
    "Cóndor",
    "Ricse",
    "Orihuela",
    "Lázaro",
    "Ñaupari",
    "Chuquillanqui",
    "Huaynate",
    "Mendoza",
    "Castro",
    "Flores",
    "Gutiérrez",
    "Vilcapoma",
    "Salazar",
    "Espinoza",
    "Aliaga",
    "Cárdenas",
    "Yupanqui",
    "Huatuco",
    "Rivera",
    "Mucha",
    "Sulca",
    "Chamorro",
    "Palomino",
    "Zevallos",
    "Ingaruca",
    "Manrique",
    "Canchari",
    "Santivañez",
    "Shingari",
    "Chimanca",
    "Quinchori",
    "Mahuanca",
    "Baquerizo",
    "Untiveros",
)

BANKS = (
    # (name, CCI bank code, account digits)
    ("Banco de la Nación", "018", 11),
    ("Banco de Crédito del Perú", "002", 14),
    ("Caja Huancayo", "808", 14),
)

LAND_USE_WEIGHTS = {"coffee": 0.6, "pasture": 0.15, "annual_crops": 0.1, "fallow": 0.15}
ELIGIBILITY_NOTE = (
    "Imágenes Landsat 2000–2009 revisadas por el técnico de la cooperativa: cafetal, pasto o "
    "purma joven, sin bosque en los 10 años anteriores a la plantación."
)
REJECTION_REASON = (
    "Bosque secundario visible en la imagen Landsat de 2005: no cumple el criterio de "
    "elegibilidad (sin bosque en los 10 años anteriores)."
)


@dataclass(frozen=True)
class SpeciesSpec:
    """What the demo needs of a species; used to create it only if the catalogue lacks it."""

    scientific_name: str
    family: str
    common_name_es: str
    native: bool
    group: str


SPECIES = (
    SpeciesSpec("Inga edulis", "Fabaceae", "guaba, pacay", True, GrowthGroup.SERVICE_SHADE),
    SpeciesSpec("Erythrina poeppigiana", "Fabaceae", "amasisa", True, GrowthGroup.SERVICE_SHADE),
    SpeciesSpec("Cedrela odorata", "Meliaceae", "cedro", True, GrowthGroup.MEDIUM_NATIVE),
    SpeciesSpec("Cordia alliodora", "Boraginaceae", "laurel", True, GrowthGroup.MEDIUM_NATIVE),
    SpeciesSpec(
        "Calycophyllum spruceanum", "Rubiaceae", "capirona", True, GrowthGroup.MEDIUM_NATIVE
    ),
    SpeciesSpec("Swietenia macrophylla", "Meliaceae", "caoba", True, GrowthGroup.MEDIUM_NATIVE),
    SpeciesSpec("Cedrelinga cateniformis", "Fabaceae", "tornillo", True, GrowthGroup.MEDIUM_NATIVE),
    SpeciesSpec("Guazuma crinita", "Malvaceae", "bolaina blanca", True, GrowthGroup.FAST_PIONEER),
    SpeciesSpec("Schizolobium parahyba", "Fabaceae", "pashaco", True, GrowthGroup.FAST_PIONEER),
    SpeciesSpec("Eucalyptus grandis", "Myrtaceae", "eucalipto", False, GrowthGroup.EXOTIC),
    SpeciesSpec("Pinus tecunumanii", "Pinaceae", "pino", False, GrowthGroup.EXOTIC),
)


@dataclass(frozen=True)
class StratumSpec:
    """A stratum and how its parcels are planted: arrangements, species weights, trees/ha."""

    code: str
    name: str
    description: str
    share: float  # of the parcels
    arrangements: tuple[str, ...]
    species_weights: dict[str, float]
    density_per_ha: tuple[int, int]
    cohorts: tuple[int, int]


STRATA = (
    StratumSpec(
        "cafe-sombra",
        "Café con árboles de sombra",
        "Árboles de servicio y maderables nativos intercalados en cafetales.",
        0.6,
        (Arrangement.SHADE, Arrangement.SHADE, Arrangement.SHADE, Arrangement.BOUNDARY),
        {
            "Inga edulis": 5,
            "Erythrina poeppigiana": 2,
            "Cedrela odorata": 2,
            "Cordia alliodora": 2,
            "Swietenia macrophylla": 1,
            "Calycophyllum spruceanum": 1,
        },
        (100, 200),  # shade trees/ha in coffee (Somarriba 1990 models 120–290/ha)
        (2, 4),
    ),
    StratumSpec(
        "linderos",
        "Linderos y árboles dispersos",
        "Hileras en los linderos y árboles dispersos en pastos y chacras.",
        0.25,
        (Arrangement.BOUNDARY, Arrangement.DISPERSED),
        {
            "Cordia alliodora": 3,
            "Cedrela odorata": 2,
            "Calycophyllum spruceanum": 2,
            "Swietenia macrophylla": 1,
            "Guazuma crinita": 1,
            "Eucalyptus grandis": 4,
            "Pinus tecunumanii": 2,
        },
        (40, 100),  # boundary rows at 3–4 m and scattered trees
        (1, 3),
    ),
    StratumSpec(
        "bosquete",
        "Bosquetes maderables",
        "Plantaciones compactas de maderables en purmas y pastos degradados.",
        0.15,
        (Arrangement.WOODLOT,),
        {
            "Guazuma crinita": 3,
            "Calycophyllum spruceanum": 2,
            "Cedrelinga cateniformis": 2,
            "Schizolobium parahyba": 2,
            "Eucalyptus grandis": 5,
            "Pinus tecunumanii": 3,
        },
        (625, 830),  # woodlots at 4×4 m to 4×3 m
        (1, 2),
    ),
)
EXOTIC_TREE_SHARE = 0.2  # target: about 80% of the planted trees are native


# --- carbon runs and credits (steps 9 onwards) ------------------------------------------------
EX_POST_PERIODS = (
    # Monitoring periods ending with the plot measurements of 2015, 2018 and 2022.
    (dt.date(2010, 1, 1), dt.date(2015, 12, 31)),
    (dt.date(2016, 1, 1), dt.date(2018, 12, 31)),
    (dt.date(2019, 1, 1), dt.date(2022, 12, 31)),
)
PARAMETERS_NOTE = (
    "Valores por defecto de la especificación, con curvas de crecimiento, supervivencia y "
    "mortalidad calibradas para la Selva Central (ver demo/README.md)."
)


REVIEW_NOTE = "Revisión de demostración: datos de campo ficticios generados por seed_demo."


@dataclass(frozen=True)
class BuyerSpec:
    name: str
    country: str
    contact_name: str
    contact_email: str


BUYER = BuyerSpec(
    "Café Solidario S.A.C.", "PE", "Rosa Chuquillanqui Vela", "compras@cafesolidario.example.com"
)


@dataclass(frozen=True)
class SaleSpec:
    """A sale to the demo buyer: `share` of what is available of the vintage, in tens."""

    unit_type: str
    vintage: int
    share: float
    price_per_tonne: str
    currency: str
    invoice_reference: str
    sold_on: dt.date


# Forward units bought before the first verification; converted to verified units by it.
FORWARD_SALE = SaleSpec(
    "PER", 2014, 0.05, "9.50", "USD", "F001-000087", sold_on=dt.date(2013, 6, 10)
)
VERIFIED_SALE = SaleSpec(
    "VER", 2018, 0.05, "16.00", "USD", "F001-000142", sold_on=dt.date(2023, 10, 2)
)


@dataclass(frozen=True)
class RetirementSpec:
    """A retirement by the demo buyer: `share` of its holding of the vintage."""

    vintage: int
    share: float
    beneficiary: str
    purpose: str
    retired_on: dt.date


RETIREMENT = RetirementSpec(
    2018,
    0.5,
    "Café Solidario S.A.C.",
    "Compensación de las emisiones del tueste y del transporte del café vendido en 2023.",
    dt.date(2024, 3, 15),
)
