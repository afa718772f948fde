"""What the wall legibility and layout tests measure in the browser, at canvas scale.

``MEASURE_JS`` walks the wall canvas (``.wall-canvas``) and returns one dict:

- ``scale``: the canvas's CSS scale (rendered width / layout width);
- ``fill``: the canvas's rendered width and height over the window's (1.0: all of it);
- ``small``: every visible text (HTML text nodes and Plotly's SVG ``text``: ticks,
  labels, annotations, legends, bar labels) whose rendered font size divided by the
  canvas scale is under ``min_px``, as ``{text, px, where}``;
- ``kpi``: each KPI tile's figure (``.tile-value``) and its rendered size at canvas scale;
- ``overflow``: texts that do not fit their box: an HTML text node whose rendered extent
  leaves the nearest box that clips it (or the tile/panel/header/ticker it is in), an
  element whose content is wider or taller than itself (scrollWidth > clientWidth + 1),
  and an SVG text outside its chart; the ticker's scrolling track is exempt (it is a
  marquee by design);
- ``overlaps``: pairs of boxes that must not intersect: tiles, panels, header, ticker,
  the title with the 数据截至 line and with the tiles, the stale banner with the ticker
  and the panels, and tick labels of one axis with each other (and a horizontal bar
  chart that does not name every bar: Plotly drops ticks it has no room for);
  (vertically, a text may reach past its box by its font's leading, 0.3 em, and tick
  labels are compared less 0.22 em above and below: a CJK font's line box, about
  1.45 em, is taller than its ink);
- ``outside``: tiles, panels, header and ticker not inside the canvas.

The rendered size of a text is its computed font size times every scale between it and
the screen: the CSS transforms of its HTML ancestors (the canvas's scale among them) or,
for SVG, ``getScreenCTM()`` (which includes those transforms and Plotly's own, e.g. the
shrinking of a bar label to fit its bar).
"""

MEASURE_JS = r"""
const minPx = arguments[0];
const canvas = document.querySelector('.wall-canvas');
if (!canvas) { return null; }
const cr = canvas.getBoundingClientRect();
const scale = cr.width / canvas.offsetWidth;
const visible = (el) => {
  for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
    const cs = getComputedStyle(e);
    if (cs.display === 'none' || cs.visibility === 'hidden' || Number(cs.opacity) === 0) { return false; }
  }
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
};
const htmlScale = (el) => {
  let s = 1;
  for (let e = el; e; e = e.parentElement) {
    const tr = getComputedStyle(e).transform;
    if (tr && tr !== 'none') { const m = new DOMMatrix(tr); s *= Math.hypot(m.a, m.b); }
  }
  return s;
};
const where = (el) => {
  const box = el.closest('.wall-tile, .wall-panel, .wall-header, .wall-ticker');
  return box ? box.className.split(' ').slice(0, 2).join('.') : el.tagName;
};
// Horizontally within tol; vertically also within the font's leading (lead): a CJK
// font's line box (about 1.45 em) reaches past a tight line height without ink doing so.
const inside = (a, b, tol, lead = 0) => a.left >= b.left - tol && a.right <= b.right + tol &&
  a.top >= b.top - tol - lead && a.bottom <= b.bottom + tol + lead;
const inset = (r, d) => ({left: r.left, right: r.right, top: r.top + d, bottom: r.bottom - d});
const meets = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
  Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
const rect = (r) => ({left: r.left, top: r.top, right: r.right, bottom: r.bottom});
const small = [], overflow = [], overlaps = [], outside = [];
const tol = 1.5 * scale;

// HTML text nodes
const walker = document.createTreeWalker(canvas, NodeFilter.SHOW_TEXT);
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
  const el = n.parentElement;
  if (!n.textContent.trim() || !el || el.closest('svg') || !visible(el)) { continue; }
  const px = parseFloat(getComputedStyle(el).fontSize) * htmlScale(el) / scale;
  const lead = 0.3 * px * scale;
  const text = n.textContent.trim().slice(0, 40);
  if (px < minPx - 0.01) { small.push({text, px, where: where(el)}); }
  if (el.closest('.ticker-track')) { continue; }  // the marquee scrolls by design
  const range = document.createRange(); range.selectNodeContents(n);
  const tr = range.getBoundingClientRect();
  let clip = null;
  for (let e = el; e && e !== canvas; e = e.parentElement) {
    const cs = getComputedStyle(e);
    if (cs.overflowX !== 'visible' || cs.overflowY !== 'visible' ||
        e.matches('.wall-tile, .wall-panel, .wall-header, .wall-ticker')) { clip = e; break; }
  }
  if (clip && !inside(tr, clip.getBoundingClientRect(), tol, lead)) {
    overflow.push({text, where: where(el), box: clip.className || clip.tagName});
  }
}
// elements whose content is bigger than they are
for (const el of canvas.querySelectorAll('[data-fit], h1, h2, .wall-tile, .wall-panel, .panel-head')) {
  if (!visible(el) || el.closest('.ticker-track')) { continue; }
  // a wrapped element gets no leading allowance: its last line would be cut
  const lead = el.classList.contains('fit-wrap') ? 0 : 0.3 * parseFloat(getComputedStyle(el).fontSize);
  if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1 + lead) {
    overflow.push({text: el.textContent.trim().slice(0, 40), where: where(el),
                   box: 'scroll ' + el.scrollWidth + 'x' + el.scrollHeight + ' > ' +
                        el.clientWidth + 'x' + el.clientHeight});
  }
}
// SVG text (Plotly)
for (const tx of canvas.querySelectorAll('svg text')) {
  if (!tx.textContent.trim() || !visible(tx)) { continue; }
  const m = tx.getScreenCTM();
  const px = parseFloat(getComputedStyle(tx).fontSize) * Math.hypot(m.a, m.b) / scale;
  const text = tx.textContent.trim().slice(0, 40);
  if (px < minPx - 0.01) {
    small.push({text, px, where: where(tx) + ' svg ' + (tx.parentElement.getAttribute('class') || '')});
  }
  const plot = tx.closest('.js-plotly-plot');
  if (plot && !inside(tx.getBoundingClientRect(), plot.getBoundingClientRect(), tol)) {
    overflow.push({text, where: where(tx), box: 'chart'});
  }
}
// tick labels of one axis must not overlap
for (const plot of canvas.querySelectorAll('.js-plotly-plot')) {
  for (const sel of ['.xtick text', '.ytick text']) {
    // each label's box less the font's leading above and below (see inside())
    const rs = [...plot.querySelectorAll(sel)].filter(visible).map((e) => {
      const m = e.getScreenCTM(), em = parseFloat(getComputedStyle(e).fontSize) * Math.hypot(m.a, m.b);
      return [e.textContent, inset(e.getBoundingClientRect(), 0.22 * em)];
    });
    for (let i = 0; i < rs.length; i++) for (let j = i + 1; j < rs.length; j++) {
      if (meets(rs[i][1], rs[j][1])) { overlaps.push([where(plot) + ' ' + rs[i][0], rs[j][0]]); }
    }
  }
}
// a horizontal bar chart names every bar: Plotly drops category ticks it has no room for
for (const plot of canvas.querySelectorAll('.js-plotly-plot')) {
  const bars = (plot.data || []).filter((t) => t.type === 'bar' && t.orientation === 'h');
  const names = new Set(bars.flatMap((t) => [...(t.y || [])]));
  const shown = plot.querySelectorAll('.ytick text').length;
  if (names.size && shown < names.size) {
    overlaps.push([where(plot) + ' names shown', shown + ' of ' + names.size]);
  }
}
// the parts of a tile must not run into each other (less their fonts' leading)
for (const tile of canvas.querySelectorAll('.wall-tile')) {
  const parts = [...tile.children].filter(visible).map((e) => [e.className,
    inset(e.getBoundingClientRect(), 0.2 * parseFloat(getComputedStyle(e).fontSize) * scale)]);
  for (let i = 0; i < parts.length; i++) for (let j = i + 1; j < parts.length; j++) {
    if (meets(parts[i][1], parts[j][1])) { overlaps.push([where(tile) + ' ' + parts[i][0], parts[j][0]]); }
  }
}
// boxes
const boxes = [...canvas.querySelectorAll('.wall-tile, .wall-panel, .wall-header, .wall-ticker')]
  .filter(visible);
for (let i = 0; i < boxes.length; i++) {
  const a = boxes[i].getBoundingClientRect();
  if (!inside(a, cr, tol)) { outside.push(where(boxes[i])); }
  for (let j = i + 1; j < boxes.length; j++) {
    if (boxes[i].contains(boxes[j])) { continue; }
    if (meets(a, boxes[j].getBoundingClientRect())) { overlaps.push([where(boxes[i]), where(boxes[j])]); }
  }
}
const title = canvas.querySelector('.wall-title');
const others = [['asof', '.wall-asof'], ['tiles', '.wall-tile'], ['clock', '.wall-clock']];
if (title) {
  const tr = title.getBoundingClientRect();
  for (const [name, sel] of others) {
    for (const e of canvas.querySelectorAll(sel)) {
      if (visible(e) && meets(tr, e.getBoundingClientRect())) { overlaps.push(['title', name]); }
    }
  }
}
const banner = document.querySelector('#stale-banner');
if (banner && visible(banner)) {
  const br = banner.getBoundingClientRect();
  for (const e of canvas.querySelectorAll('.wall-ticker, .wall-panel, .wall-tile, .wall-header')) {
    if (meets(br, e.getBoundingClientRect())) { overlaps.push(['banner', where(e)]); }
  }
}
const kpi = [...canvas.querySelectorAll('.tile-value')].filter(visible).map((e) => ({
  metric: e.dataset.metric, text: e.textContent,
  px: parseFloat(getComputedStyle(e).fontSize) * htmlScale(e) / scale}));
return {
  scale, band: [...canvas.classList].find((c) => c.startsWith('band-')) || '',
  fill: [cr.width / window.innerWidth, cr.height / window.innerHeight],
  canvas: rect(cr), small, kpi, overflow, overlaps, outside,
  banner: banner && visible(banner) ? rect(banner.getBoundingClientRect()) : null,
};
"""


def measure(browser, min_px: float = 14) -> dict:
    """The wall's measurements (see the module docstring) on the page now shown."""
    return browser.js(MEASURE_JS, min_px)
