/* Read-only maps: every .readonly-map element draws the GeoJSON of its data-geojson attribute
   with the vendored OpenLayers, on a plain background (no tiles from another host). */
(function () {
  "use strict";
  function draw(element) {
    var features = new ol.format.GeoJSON().readFeatures(JSON.parse(element.dataset.geojson), {
      dataProjection: "EPSG:4326", featureProjection: "EPSG:3857"});
    var source = new ol.source.Vector({features: features});
    var style = new ol.style.Style({
      stroke: new ol.style.Stroke({color: "#2e6b34", width: 2}),
      fill: new ol.style.Fill({color: "rgba(46, 107, 52, 0.2)"}),
      image: new ol.style.Circle({radius: 6, fill: new ol.style.Fill({color: "#2e6b34"})})});
    var map = new ol.Map({target: element, view: new ol.View(),
      layers: [new ol.layer.Vector({source: source, style: style})]});
    map.getView().fit(source.getExtent(), {padding: [20, 20, 20, 20], maxZoom: 17});
    map.addControl(new ol.control.ScaleLine());
    element.dataset.ready = "true";
  }
  function drawAll() { document.querySelectorAll(".readonly-map").forEach(draw); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
