// The project map: parcels inside the visible box, coloured by the chosen measure.
// Works offline: a plain background unless the page names a tile server (data-tiles).
(function () {
  "use strict";
  var el = document.getElementById("panel-map");
  var text = JSON.parse(document.getElementById("map-text").textContent);
  var statusEl = document.getElementById("map-status");
  var card = document.getElementById("parcel-card");
  var legend = document.getElementById("map-legend");
  var measure = document.getElementById("measure");
  var palette = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"];
  var ramp = ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"];
  var colours = {};

  function colourFor(value, range) {
    if (value === null || value === undefined) return "#cccccc";
    if (typeof value === "number" && range) {
      var span = range[1] - range[0] || 1;
      var i = Math.min(ramp.length - 1, Math.floor(((value - range[0]) / span) * ramp.length));
      return ramp[i];
    }
    if (!(value in colours)) colours[value] = palette[Object.keys(colours).length % palette.length];
    return colours[value];
  }

  var range = null;
  var tiled = Boolean(el.dataset.mvt);  // PostGIS: vector tiles; SpatiaLite: GeoJSON by box
  var seen = {};  // tiled: each loaded parcel's values by id, for the legend's range
  var source = tiled ? new ol.source.VectorTile({
    format: new ol.format.MVT(),
    url: el.dataset.mvt + (el.dataset.cooperative ? "?cooperative=" + encodeURIComponent(el.dataset.cooperative) : "")
  }) : new ol.source.Vector({
    format: new ol.format.GeoJSON(),
    strategy: ol.loadingstrategy.bbox,
    loader: function (extent, resolution, projection, success, failure) {
      var box = ol.proj.transformExtent(extent, projection, "EPSG:4326").map(function (v) { return v.toFixed(6); });
      var url = el.dataset.url + (el.dataset.url.indexOf("?") < 0 ? "?" : "&") +
        "bbox=" + box.join(",") + "&measure=" + encodeURIComponent(measure.value);
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
        var features = source.getFormat().readFeatures(data, { featureProjection: projection });
        source.addFeatures(features);
        statusEl.textContent = data.truncated ? text.more : "";
        updateRange();
        success(features);
      }).catch(function () { source.removeLoadedExtent(extent); failure(); });
    }
  });
  // Tiles carry every measure: the value is the chosen one's attribute ("value" in GeoJSON).
  function valueOf(f) { return tiled ? f.get(measure.value) : f.get("value"); }
  if (tiled) {
    source.on("tileloadend", function (evt) {
      // Overview cells (low zooms) have no parcel id: their "cell" names them.
      evt.tile.getFeatures().forEach(function (f) { seen[f.getId() || "cell " + f.get("cell")] = f.getProperties(); });
      updateRange();
    });
  }

  function updateRange() {
    var features = tiled ? Object.values(seen) : source.getFeatures().map(function (f) { return f.getProperties(); });
    var values = features.map(function (p) { return tiled ? p[measure.value] : p.value; })
      .filter(function (v) { return typeof v === "number"; });
    range = values.length ? [Math.min.apply(null, values), Math.max.apply(null, values)] : null;
    drawLegend();
  }

  function drawLegend() {
    legend.innerHTML = "";
    var entries = range ? ramp.map(function (c, i) {
      var lo = range[0] + ((range[1] - range[0]) * i) / ramp.length;
      return [c, lo.toLocaleString(document.documentElement.lang, { maximumFractionDigits: 1 }) + "+"];
    }) : Object.keys(colours).map(function (k) { return [colours[k], k]; });
    entries.forEach(function (e) {
      var li = document.createElement("li");
      var sw = document.createElement("span");
      sw.className = "swatch"; sw.style.background = e[0];
      li.appendChild(sw); li.appendChild(document.createTextNode(e[1]));
      legend.appendChild(li);
    });
  }

  var layers = [];
  if (el.dataset.tiles) layers.push(new ol.layer.Tile({ source: new ol.source.XYZ({ url: el.dataset.tiles }) }));
  var parcels = new (tiled ? ol.layer.VectorTile : ol.layer.Vector)({
    source: source,
    style: function (f) {
      return new ol.style.Style({
        fill: new ol.style.Fill({ color: colourFor(valueOf(f), range) }),
        stroke: new ol.style.Stroke({ color: "#333", width: 0.5 })
      });
    }
  });
  layers.push(parcels);
  var map = new ol.Map({ target: el, layers: layers,
    view: new ol.View({ center: ol.proj.fromLonLat([-74.87, -10.93]), zoom: 12 }) });

  function num(v, digits) {
    return v === null || v === undefined ? text.none
      : Number(v).toLocaleString(document.documentElement.lang, { maximumFractionDigits: digits });
  }
  map.on("singleclick", function (evt) {
    var hit = map.forEachFeatureAtPixel(evt.pixel, function (f) { return f; });
    if (!hit) { card.hidden = true; return; }
    card.hidden = false;
    card.innerHTML = "";
    var summary = text.cooperative + ": " + hit.get("cooperative") + " · " + text.status + ": " +
      hit.get("status") + " · " + text.area + ": " + num(hit.get("area_ha"), 2) + " · " +
      text.value + ": " + (typeof valueOf(hit) === "number" ? num(valueOf(hit), 1) : (valueOf(hit) || text.none));
    if (hit.get("parcels")) {  // a cell of the overview: what it sums, then closer
      var cell = document.createElement("p");
      cell.textContent = num(hit.get("parcels"), 0) + " " + text.parcels + " · " + summary + ". " + text.zoom;
      card.appendChild(cell);
      map.getView().animate({ center: evt.coordinate, zoom: map.getView().getZoom() + 2 });
      return;
    }
    var link = document.createElement("a");
    link.href = "/admin/parcels/parcel/" + hit.getId() + "/change/";
    link.textContent = text.parcel + " " + hit.get("code");
    var dl = document.createElement("p");
    dl.textContent = summary;
    card.appendChild(link); card.appendChild(dl);
  });
  // Categories get their colour while being drawn: list them once the map has rendered.
  map.on("rendercomplete", drawLegend);
  measure.addEventListener("change", function () {
    colours = {};
    if (tiled) { updateRange(); parcels.changed(); } else { source.clear(); source.refresh(); }
  });
  // Start on the project area when it is known; the loader then follows the view.
  if (el.dataset.extent) {
    var extent = ol.proj.transformExtent(el.dataset.extent.split(",").map(Number), "EPSG:4326", "EPSG:3857");
    map.getView().fit(extent, { padding: [20, 20, 20, 20], maxZoom: 16 });
  }
})();
