// A family's parcels on a small read-only map (vendored OpenLayers, no background tiles).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("family-boundaries").textContent);
  var el = document.getElementById("family-map");
  if (!data.features.length) { el.hidden = true; return; }
  var source = new ol.source.Vector({
    features: new ol.format.GeoJSON().readFeatures(data, { featureProjection: "EPSG:3857" })
  });
  var map = new ol.Map({
    target: el,
    layers: [new ol.layer.Vector({
      source: source,
      style: function (f) {
        return new ol.style.Style({
          fill: new ol.style.Fill({ color: "rgba(46,107,58,0.35)" }),
          stroke: new ol.style.Stroke({ color: "#1f4d29", width: 2 }),
          text: new ol.style.Text({ text: f.get("code"), font: "12px sans-serif", overflow: true })
        });
      }
    })],
    view: new ol.View({ center: [0, 0], zoom: 2 })
  });
  map.getView().fit(source.getExtent(), { padding: [20, 20, 20, 20], maxZoom: 17 });
})();
