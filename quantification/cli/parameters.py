"""The parameter options shared by ``carbon_trees`` and ``carbon_estimate``."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from quantification.engine import hd_models, height
from quantification.engine.allometry import EQUATIONS
from quantification.engine.notices import ParameterError, gettext_noop
from quantification.engine.parameters import CarbonParameters
from quantification.engine.wood_density import TABLES

#: ``--height-model`` values: a height method, or ``local``/``best``/one H–D model form.
HEIGHT_CHOICES = (
    height.METHOD_FELDPAUSCH,
    height.METHOD_CHAVE_E,
    height.METHOD_MEASURED,
    height.METHOD_LOCAL,
    hd_models.HD_BEST,
    *hd_models.HD_METHODS,
)


def cli_parameters(
    *,
    base: CarbonParameters | None = None,
    equation: str | None = None,
    height_model: str | None = None,
    region: str | None = None,
    e: float | None = None,
    root_shoot: float | None = None,
    carbon_fraction: float | None = None,
    dmin: float | None = None,
    wood_density_table: str | None = None,
) -> CarbonParameters:
    """Parameter set of a command line. Without ``base`` the CLI defaults apply: Chave 2014
    Eq. 4, Feldpausch W-Amazonia for missing heights, R 0.27, CF 0.47, Dmin 5 cm."""
    params = base or CarbonParameters(height_method=height.METHOD_FELDPAUSCH)
    changes: dict[str, Any] = {
        "default_equation": equation,
        "feldpausch_region": region,
        "e_index": e,
        "root_shoot_ratio": root_shoot,
        "carbon_fraction": carbon_fraction,
        "dmin_cm": dmin,
        "wood_density_table": wood_density_table,
    }
    if height_model is not None:
        changes.update(_height_changes(height_model))
    return params.replace(**{k: v for k, v in changes.items() if v is not None})


def _height_changes(choice: str) -> dict[str, str]:
    if choice not in HEIGHT_CHOICES:
        raise ParameterError("height_model", f"must be one of {', '.join(HEIGHT_CHOICES)}")
    if choice in (height.METHOD_FELDPAUSCH, height.METHOD_CHAVE_E, height.METHOD_MEASURED):
        return {"height_method": choice}
    model = hd_models.HD_BEST if choice == height.METHOD_LOCAL else choice
    return {"height_method": height.METHOD_LOCAL, "height_model": model}


def load_parameters(path: str | Path) -> CarbonParameters:
    """A parameter set saved as JSON (``CarbonParameters.to_dict()``)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ParameterError("parameters", f"cannot read {path}: {error}") from None
    return CarbonParameters.from_dict(data)


def add_parameter_arguments(
    parser: argparse.ArgumentParser, translate: Callable[[str], str] = gettext_noop
) -> None:
    """The parameter options shared by both commands (argparse; ``translate`` the help)."""
    _ = translate
    parser.add_argument(
        "--parameters",
        metavar="PARAMS.json",
        help=_("parameter set saved as JSON (CarbonParameters.to_dict); options override it"),
    )
    parser.add_argument(
        "--equation", choices=sorted(EQUATIONS), help=_("default allometric equation")
    )
    parser.add_argument(
        "--height-model", choices=HEIGHT_CHOICES, help=_("how missing heights are filled")
    )
    parser.add_argument("--region", help=_("Feldpausch 2012 region (WAmazonia)"))
    parser.add_argument("--e", type=float, help=_("Chave 2014 environmental index E"))
    parser.add_argument("--root-shoot", type=float, help=_("root:shoot ratio R (0.27)"))
    parser.add_argument("--carbon-fraction", type=float, help=_("carbon fraction CF (0.47)"))
    parser.add_argument("--dmin", type=float, help=_("minimum diameter in cm (5)"))
    parser.add_argument(
        "--wood-density-table", choices=TABLES, help=_("wood density table version (gwdd_v1)")
    )


def parameters_from_options(options: Mapping[str, Any]) -> CarbonParameters:
    """Parameter set of parsed options (raises :class:`ParameterError`)."""
    base = load_parameters(options["parameters"]) if options.get("parameters") else None
    return cli_parameters(
        base=base,
        equation=options.get("equation"),
        height_model=options.get("height_model"),
        region=options.get("region"),
        e=options.get("e"),
        root_shoot=options.get("root_shoot"),
        carbon_fraction=options.get("carbon_fraction"),
        dmin=options.get("dmin"),
        wood_density_table=options.get("wood_density_table"),
    )
