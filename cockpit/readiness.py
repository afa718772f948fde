"""The readiness signal: when is a Dash page fully drawn?

One definition for everything that waits on a page — the report renderer's
screenshots, the browser tests and the screen benchmark — so that none of them
ever waits for a fixed time: Dash is idle (layout loaded, no callback pending,
nothing loading), every graph has drawn its SVG, every AG Grid its rows, and the
fonts are in.
The script returns false, or {figures: n} once the page is ready.
"""

from __future__ import annotations

_JS = """
var s = window.store;
if (!s || document.readyState !== 'complete') { return false; }
if (document.querySelector('._dash-loading')) { return false; }
var st = s.getState();
if (!st.layoutRequest || st.layoutRequest.status !== 200) { return false; }
if (st.isLoading) { return false; }
var cbs = st.callbacks || {};
var pending = ['requested', 'prioritized', 'blocked', 'executing', 'watched', 'executed'];
for (var i = 0; i < pending.length; i++) {
  if (cbs[pending[i]] && cbs[pending[i]].length) { return false; }
}
if (st.pendingCallbacks && st.pendingCallbacks.length) { return false; }
if (document.querySelector('[data-dash-is-loading="true"]')) { return false; }
var pc = document.getElementById('_pages_content');
if (pc && !pc.children.length) { return false; }
var graphs = document.querySelectorAll('.dash-graph');
for (var j = 0; j < graphs.length; j++) {
  if (!graphs[j].querySelector('.js-plotly-plot')) { return false; }
}
var plots = document.querySelectorAll('.js-plotly-plot');
if (REQUIRE_FIGURES && !plots.length) { return false; }
for (var k = 0; k < plots.length; k++) {
  if (!plots[k].querySelector('.main-svg') || !plots[k]._fullLayout) { return false; }
}
var grids = document.querySelectorAll('[class*="ag-theme-"]');
for (var m = 0; m < grids.length; m++) {
  if (!grids[m].querySelector('.ag-row, .ag-overlay-no-rows-wrapper')) { return false; }
}
if (document.fonts && document.fonts.status !== 'loaded') { return false; }
return {figures: plots.length};
"""


def ready_js(require_figures: bool = True) -> str:
    """The readiness script; ``require_figures``: a page without any figure is not ready
    (a wall screen), else a page may have none (the catalog, the status page)."""
    return "var REQUIRE_FIGURES = %s;\n" % ("true" if require_figures else "false") + _JS
