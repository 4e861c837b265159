"""The map's vector tiles (PostGIS): the parcels a person may see, every colouring measure,
cached until the project's field data changes, nothing from outside the person's scope."""

import math

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from parcels.choices import ParcelStatus
from parcels.models import Parcel
from smallholders.models import Cooperative

pytestmark = pytest.mark.postgres_only
MEASURES = {"cooperative", "status", "tco2e_ha", "monitored", "survival"}


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def tile_of(parcel: Parcel, z: int) -> tuple[int, int, int]:
    point = parcel.boundary.point_on_surface
    n = 2**z
    x = int((point.x + 180) / 360 * n)
    lat = math.radians(point.y)
    y = int((1 - math.log(math.tan(lat) + 1 / math.cos(lat)) / math.pi) / 2 * n)
    return z, x, y


def fields(data: bytes):
    """(field number, value) of a protobuf message: varints as int, length-delimited as bytes."""
    at = 0

    def varint() -> int:
        nonlocal at
        value = shift = 0
        while True:
            byte = data[at]
            at += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    while at < len(data):
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            yield number, varint()
        elif wire == 2:
            size = varint()
            yield number, data[at : at + size]
            at += size
        else:  # fixed 64/32-bit values (doubles, floats): skipped
            at += 8 if wire == 1 else 4


def decode(tile: bytes) -> dict:
    """The layers of a Mapbox vector tile: name -> features count, keys and string values."""
    layers = {}
    for number, layer in fields(tile):
        assert number == 3  # Tile.layers
        parts = list(fields(layer))
        name = next(v for n, v in parts if n == 1).decode()
        values = {v.decode() for n, value in parts if n == 4 for k, v in fields(value) if k == 1}
        layers[name] = {
            "features": sum(1 for n, _ in parts if n == 2),
            "keys": {v.decode() for n, v in parts if n == 3},
            "strings": values,
        }
    return layers


def get_tile(client: Client, z: int, x: int, y: int, **headers):
    url = reverse("backoffice:map-tile", args=["pch", z, x, y])
    return client.get(url, headers=headers)


def test_a_tile_over_the_parcels_carries_them_with_every_measure(demo) -> None:
    parcel = Parcel.objects.filter(project=demo).order_by("pk").first()
    answer = get_tile(client_for("gestor"), *tile_of(parcel, 14))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/vnd.mapbox-vector-tile"
    layer = decode(answer.content)["parcels"]
    assert layer["features"] >= 1
    assert layer["keys"] >= MEASURES
    assert parcel.code in layer["strings"]
    assert parcel.smallholder.cooperative.name in layer["strings"]
    far = get_tile(client_for("gestor"), 14, 0, 0)
    assert far.status_code == 200 and far.content == b""


def test_a_technician_gets_an_empty_tile_over_another_cooperatives_parcel(demo) -> None:
    own = Cooperative.objects.get(code="cac-ubiriki")
    theirs = Parcel.objects.filter(project=demo).exclude(smallholder__cooperative=own)
    parcel = theirs.order_by("pk").first()
    z, x, y = tile_of(parcel, 18)
    manager = decode(get_tile(client_for("gestor"), z, x, y).content)["parcels"]
    assert parcel.code in manager["strings"]
    answer = get_tile(client_for("tecnico-cac-ubiriki"), z, x, y)
    assert answer.status_code == 200
    assert answer.content == b""
    # And over their own parcels, only their own cooperative's.
    mine = Parcel.objects.filter(project=demo, smallholder__cooperative=own).first()
    layer = decode(get_tile(client_for("tecnico-cac-ubiriki"), *tile_of(mine, 12)).content)
    names = set(Cooperative.objects.values_list("name", flat=True))
    assert layer["parcels"]["strings"] & names == {own.name}


def test_a_tile_is_cached_until_the_projects_field_data_changes(
    demo, django_capture_on_commit_callbacks, tasks_run_inline
) -> None:
    parcel = Parcel.objects.filter(project=demo, status=ParcelStatus.VALIDATED).first()
    client = client_for("gestor")
    where = tile_of(parcel, 18)
    first = get_tile(client, *where)
    assert first["Cache-Control"] == "private, no-cache"
    again = get_tile(client, *where, if_none_match=first["ETag"])
    assert again.status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        parcel.status = ParcelStatus.SUBMITTED
        parcel.save()
    after = get_tile(client, *where, if_none_match=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"]
    with translation.override(settings.LANGUAGE_CODE):  # the page's language, Spanish
        submitted = str(dict(ParcelStatus.choices)[ParcelStatus.SUBMITTED])
    assert submitted in decode(after.content)["parcels"]["strings"]


def test_a_tile_outside_the_grid_or_the_persons_projects_is_not_found(demo) -> None:
    assert get_tile(client_for("gestor"), 3, 8, 0).status_code == 404
    nobody = Client()
    nobody.force_login(User.objects.create_user("sin-rol"))
    assert get_tile(nobody, 3, 0, 0).status_code == 404
    other = reverse("backoffice:map-tile", args=["otro", 3, 0, 0])
    assert client_for("gestor").get(other).status_code == 404


def test_the_map_page_draws_vector_tiles_on_postgis(demo) -> None:
    assert settings.POSTGRES
    page = client_for("gestor").get(reverse("backoffice:map", args=["pch"])).content.decode()
    assert 'data-mvt="/panel/pch/map/tiles/{z}/{x}/{y}.pbf"' in page


def test_low_zoom_tiles_are_cut_from_cells_summing_every_parcel(demo) -> None:
    from backoffice.mapcells import CELL_MAX_ZOOM
    from backoffice.models import MapCell

    client_for("gestor").get(reverse("backoffice:dashboard", args=["pch"]))  # rollups made
    parcels = Parcel.objects.filter(project=demo)
    for zoom in range(CELL_MAX_ZOOM + 1):
        cells = MapCell.objects.filter(project=demo, zoom=zoom)
        assert sum(c.parcels for c in cells.filter(cooperative=None)) == parcels.count()
        for cooperative in Cooperative.objects.filter(projects=demo):
            mine = parcels.filter(smallholder__cooperative=cooperative).count()
            assert sum(c.parcels for c in cells.filter(cooperative=cooperative)) == mine
    parcel = parcels.order_by("pk").first()
    _z, cx, cy = tile_of(parcel, CELL_MAX_ZOOM + 4)  # its cell: a tile four zooms closer
    x, y = cx // 16, cy // 16
    layer = decode(get_tile(client_for("gestor"), CELL_MAX_ZOOM, x, y).content)["parcels"]
    in_tile = MapCell.objects.filter(
        project=demo, cooperative=None, zoom=CELL_MAX_ZOOM,
        x__range=(x * 16, x * 16 + 15), y__range=(y * 16, y * 16 + 15),
    )  # fmt: skip
    assert layer["features"] == in_tile.count() >= 1
    assert layer["keys"] >= MEASURES | {"parcels", "cell"}
    # A technician's overview holds their own cooperative's cells only.
    own = Cooperative.objects.get(code="cac-ubiriki")
    mine = parcels.filter(smallholder__cooperative=own).order_by("pk").first()
    _z, cx, cy = tile_of(mine, CELL_MAX_ZOOM + 4)
    answer = get_tile(client_for("tecnico-cac-ubiriki"), CELL_MAX_ZOOM, cx // 16, cy // 16)
    names = set(Cooperative.objects.values_list("name", flat=True))
    assert decode(answer.content)["parcels"]["strings"] & names == {own.name}


def test_the_cells_follow_the_parcels_once_an_edit_commits(
    demo, django_capture_on_commit_callbacks, tasks_run_inline
) -> None:
    from backoffice.mapcells import CELL_MAX_ZOOM
    from backoffice.models import MapCell

    client_for("gestor").get(reverse("backoffice:dashboard", args=["pch"]))  # rollups made
    zoom = CELL_MAX_ZOOM
    alone = {
        (c.cooperative_id, c.x, c.y)
        for c in MapCell.objects.filter(project=demo, zoom=zoom, parcels=1).exclude(
            cooperative=None
        )
    }
    validated = Parcel.objects.filter(project=demo, status=ParcelStatus.VALIDATED)
    parcel = next(
        p
        for p in validated.select_related("smallholder").order_by("pk")
        if (p.smallholder.cooperative_id, *tile_of(p, zoom + 4)[1:]) in alone
    )
    _z, cx, cy = tile_of(parcel, zoom + 4)
    cell = MapCell.objects.filter(
        project=demo, cooperative=parcel.smallholder.cooperative_id, zoom=zoom, x=cx, y=cy
    )
    assert cell.get().status == ParcelStatus.VALIDATED
    with django_capture_on_commit_callbacks(execute=True):
        parcel.status = ParcelStatus.SUBMITTED
        parcel.save()
    assert cell.get().status == ParcelStatus.SUBMITTED
