// The graph of an entity's ties (cytoscape.js, shipped in static/vendor), fetched as JSON
// from this server; a click on a party opens its page. The table of relationships below
// the graph carries the same ties for keyboards and screen readers.
(function () {
  "use strict";
  var box = document.getElementById("graph");
  if (!box || typeof cytoscape === "undefined") { return; }
  fetch(box.getAttribute("data-src"), { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (g) {
      if (!g.nodes || g.nodes.length < 2) { box.hidden = true; return; }
      var elements = g.nodes.map(function (n) {
        return { data: { id: n.id, label: n.label, center: n.center ? 1 : 0, designated: n.designated ? 1 : 0,
                         known: n.known ? 1 : 0, schema: n.schema } };
      }).concat(g.edges.map(function (e) {
        return { data: { id: "e:" + e.id, source: e.source, target: e.target, label: e.kind.replace(/_/g, " ") } };
      }));
      var cy = cytoscape({
        container: box, elements: elements, wheelSensitivity: 0.3, minZoom: 0.2, maxZoom: 1.4,
        layout: { name: "cose", animate: false, padding: 20, nodeRepulsion: 9000, idealEdgeLength: 140 },
        style: [
          { selector: "node", style: { "label": "data(label)", "font-size": 11, "text-wrap": "wrap", "text-max-width": 140,
                                        "background-color": "#5c6670", "color": "#1b1f24", "text-valign": "bottom" } },
          { selector: "node[designated = 1]", style: { "background-color": "#a1261b" } },
          { selector: "node[center = 1]", style: { "border-width": 4, "border-color": "#0b5cad", "width": 38, "height": 38 } },
          { selector: "edge", style: { "label": "data(label)", "font-size": 9, "curve-style": "bezier",
                                        "target-arrow-shape": "triangle", "line-color": "#9aa5b1", "target-arrow-color": "#9aa5b1",
                                        "color": "#5c6670", "text-rotation": "autorotate" } }
        ]
      });
      cy.on("tap", "node", function (evt) {
        var node = evt.target;
        if (node.data("center") || !node.data("known")) { return; }
        window.location.href = "/ui/entities/" + encodeURIComponent(node.id());
      });
    })
    .catch(function () { box.hidden = true; });
})();
