// The map of the recycling centres: an enhancement only. It is drawn with
// Leaflet (bundled, self-hosted) from the tile server of the settings
// (PORTIQUE_MAP_TILES); the template includes this script only when one is
// set, so a site without it makes no third-party request. The markers come
// from the list of the page (data-lat / data-lon of each centre), which stays
// complete when the tiles cannot be reached or JavaScript is off.
import L from "leaflet";
import "leaflet/dist/leaflet.css";

function draw(el) {
  const tiles = el.dataset.tiles;
  if (!tiles) return;
  const places = Array.from(document.querySelectorAll("[data-lat][data-lon]"))
    .map((n) => ({ lat: parseFloat(n.dataset.lat), lon: parseFloat(n.dataset.lon), name: n.dataset.name, url: n.dataset.url }))
    .filter((p) => Number.isFinite(p.lat) && Number.isFinite(p.lon));
  if (places.length === 0) return;
  const wrap = el.closest(".centres-map-wrap");
  if (wrap) wrap.hidden = false;

  const map = L.map(el, { scrollWheelZoom: false, keyboard: false });
  let failed = 0;
  const layer = L.tileLayer(tiles, { attribution: el.dataset.attribution || "", maxZoom: 18 });
  layer.on("tileerror", () => {
    failed += 1;
    if (failed === 4 && wrap) {
      const p = document.createElement("p");
      p.className = "alert";
      p.setAttribute("role", "status");
      p.textContent = el.dataset.error || "";
      wrap.insertBefore(p, el);
    }
  });
  layer.addTo(map);
  const bounds = [];
  for (const p of places) {
    // Circle markers: no image to fetch, and a visible focus on the link.
    const m = L.circleMarker([p.lat, p.lon], { radius: 9, color: "#1b5e20", weight: 3, fillColor: "#ffffff", fillOpacity: 1 });
    const link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.name;
    m.bindPopup(link);
    m.bindTooltip(p.name);
    m.addTo(map);
    bounds.push([p.lat, p.lon]);
  }
  if (bounds.length === 1) map.setView(bounds[0], 14);
  else map.fitBounds(bounds, { padding: [24, 24] });
  // The map is a picture of the list: screen readers get the list.
  // Nothing in it takes the keyboard focus (the list holds the same links).
  el.setAttribute("aria-hidden", "true");
  el.removeAttribute("tabindex");
  const unfocus = () => el.querySelectorAll("a, button, [tabindex]").forEach((n) => n.setAttribute("tabindex", "-1"));
  unfocus();
  map.on("popupopen layeradd", unfocus);
}

document.querySelectorAll(".centres-map[data-tiles]").forEach(draw);
