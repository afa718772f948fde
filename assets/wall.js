/* 领导驾驶舱 — the wall's browser side (served from assets/, no CDN):
 * - fit the fixed canvas (.wall-canvas, data-width × data-height) to the window
 *   with a CSS transform: scale = min(innerWidth / w, available height / h);
 * - the live clock in the header;
 * - names and labels that fit their box ([data-fit]: shrink, then wrap);
 * - 翻牌器: a tile whose figure changes flips it in; under prefers-reduced-motion
 *   nothing moves (no flip, and the ticker pages instead of scrolling);
 * - clientside callbacks: the light snapshot poll (recovers by itself, reloads
 *   the page after N failed polls once the server answers again) and ?rotate=.
 */
(function () {
  "use strict";

  function fit() {
    var canvases = document.querySelectorAll(".wall-canvas");
    for (var i = 0; i < canvases.length; i++) {
      var c = canvases[i];
      var w = Number(c.dataset.width) || c.offsetWidth;
      var h = Number(c.dataset.height) || c.offsetHeight;
      var vp = c.parentElement;
      var top = vp.getBoundingClientRect().top + window.scrollY;
      var scale = Math.min(window.innerWidth / w, Math.max(window.innerHeight - top, 100) / h);
      var left = Math.max(0, (window.innerWidth - w * scale) / 2);
      var t = "translate(" + left.toFixed(1) + "px, 0) scale(" + scale.toFixed(5) + ")";
      if (c.style.transform !== t) {
        c.style.transform = t;
        vp.style.height = (h * scale).toFixed(0) + "px";
      }
    }
  }

  var ZH_DAYS = { Sun: "日", Mon: "一", Tue: "二", Wed: "三", Thu: "四", Fri: "五", Sat: "六" };
  /* Date parts in the school's time zone (data-tz), whatever the display's zone. */
  function partsIn(tz, d) {
    var f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz || undefined, year: "numeric", month: "numeric", day: "numeric",
      hour: "2-digit", minute: "2-digit", second: "2-digit", weekday: "short", hourCycle: "h23"
    });
    var o = {};
    f.formatToParts(d).forEach(function (p) { o[p.type] = p.value; });
    return o;
  }
  function tick() {
    var clocks = document.querySelectorAll(".wall-clock");
    if (!clocks.length) { return; }
    var now = new Date();
    for (var i = 0; i < clocks.length; i++) {
      // data-at: a report's render, whose clock shows when its snapshot was taken
      var d = clocks[i].dataset.at ? new Date(clocks[i].dataset.at) : now;
      var en = clocks[i].dataset.lang === "en";
      var tz = clocks[i].dataset.tz;
      var p = partsIn(tz, d);
      var time = p.hour + ":" + p.minute + ":" + p.second;
      var day = en
        ? d.toLocaleDateString("en-GB", { timeZone: tz || undefined, weekday: "short", day: "numeric", month: "short", year: "numeric" })
        : p.year + "年" + p.month + "月" + p.day + "日 星期" + ZH_DAYS[p.weekday];
      var text = day + " " + time;
      if (clocks[i].textContent !== text) { clocks[i].textContent = text; }
    }
  }

  /* -- fitting text into its box ------------------------------------------------
   * data-fit="MIN" or "MIN,WRAPPED_MIN" (px on the canvas): the element keeps its CSS
   * size when its text fits; else it shrinks (never below MIN); with WRAPPED_MIN it
   * may then wrap (class fit-wrap) and shrink down to that. Layout sizes are canvas
   * pixels (the canvas scale is a transform), so this works at any display size. */
  /* Wider than its box, or taller by more than the font's own leading: CJK fonts'
   * line boxes (about 1.45 em) reach past a tight line height without any ink doing so. */
  function overflows(el) {
    // A wrapped element gets no leading allowance: its second line would be cut.
    var lead = el.classList.contains("fit-wrap") ? 0 : 0.3 * parseFloat(getComputedStyle(el).fontSize);
    return el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1 + lead;
  }
  function shrink(el, lo, hi, box) {
    // The largest whole pixel size in [lo, hi] at which box (el itself unless given)
    // fits (binary search: few reflows).
    var best = lo;
    while (lo <= hi) {
      var mid = Math.floor((lo + hi) / 2);
      el.style.fontSize = mid + "px";
      if (overflows(box || el)) { hi = mid - 1; } else { best = mid; lo = mid + 1; }
    }
    el.style.fontSize = best + "px";
  }
  function fitText(root) {
    var els = (root || document).querySelectorAll(".wall-canvas [data-fit]");
    var i, todo = [];
    for (i = 0; i < els.length; i++) { els[i].style.fontSize = ""; els[i].classList.remove("fit-wrap"); }
    for (i = 0; i < els.length; i++) { if (overflows(els[i])) { todo.push(els[i]); } }  // one layout
    // Innermost first (a tile's unit before its figure), each checked again: fitting a
    // child may have made its parent fit already.
    for (i = todo.length - 1; i >= 0; i--) {
      var el = todo[i];
      if (!overflows(el)) { continue; }
      var spec = String(el.dataset.fit).split(",").map(Number);
      var size = Math.floor(parseFloat(getComputedStyle(el).fontSize));
      shrink(el, Math.min(spec[0], size), size);
      if (overflows(el) && spec[1]) {
        el.classList.add("fit-wrap");
        shrink(el, Math.min(spec[1], size), size);
      }
      // Still too wide at its smallest: its fitting parts shrink for it (a tile's unit
      // for its figure, which stays at least 40 px).
      var parts = el.querySelectorAll("[data-fit]");
      for (var k = 0; k < parts.length && overflows(el); k++) {
        var p = parts[k], psize = Math.floor(parseFloat(getComputedStyle(p).fontSize));
        shrink(p, Math.min(Number(String(p.dataset.fit).split(",")[0]), psize), psize, el);
      }
    }
  }

  /* -- motion --------------------------------------------------------------------- */
  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }
  var shown = {};  // tile metric -> the figure it showed last (this page's life only)
  function flipTiles() {
    var vals = document.querySelectorAll(".wall-canvas .tile-value[data-metric]");
    for (var i = 0; i < vals.length; i++) {
      var v = vals[i], m = v.dataset.metric, text = v.textContent;
      if (m in shown && shown[m] !== text && !reducedMotion()) {
        v.classList.remove("flip");
        void v.offsetWidth;  // restart the animation
        v.classList.add("flip");
      }
      shown[m] = text;
    }
  }
  /* Reduced motion: the ticker shows one window of alerts at a time and jumps to the
   * next every few seconds (no animation), so every alert is still read. */
  function pageTicker() {
    var tracks = document.querySelectorAll(".ticker-track");
    for (var i = 0; i < tracks.length; i++) {
      var tr = tracks[i];
      if (!reducedMotion()) {
        if (tr.classList.contains("paged")) { tr.classList.remove("paged"); tr.style.transform = ""; }
        continue;
      }
      tr.classList.add("paged");
      var win = tr.parentElement.clientWidth;
      var at = Number(tr.dataset.offset || 0), next = 0, items = tr.children;
      for (var k = 0; k < items.length / 2; k++) {  // the items are there twice (the loop)
        if (items[k].offsetLeft > at && items[k].offsetLeft + items[k].offsetWidth > at + win) {
          next = items[k].offsetLeft;
          break;
        }
      }
      tr.dataset.offset = String(next);
      tr.style.transform = "translateX(" + -next + "px)";
    }
  }

  var pending = false;
  function refresh() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; fit(); fitText(); flipTiles(); });
  }
  function onMutations(records) {
    var clockOnly = records.every(function (r) {
      return r.target.closest && r.target.closest(".wall-clock");
    });
    if (clockOnly) { fitText(document.querySelector(".wall-header") || document); return; }
    fit(); tick(); refresh();
  }

  window.addEventListener("resize", function () { fit(); refresh(); });
  // A screen drawn by Dash after load gets its scale and its clock at once, not a second later.
  new MutationObserver(onMutations).observe(document.documentElement, { childList: true, subtree: true });
  setInterval(tick, 1000);
  setInterval(pageTicker, 6000);
  document.addEventListener("DOMContentLoaded", function () {
    fit(); tick(); refresh();
    // The navigation bar and the stale banner have their own rows above the canvas:
    // when one shows or hides (?kiosk=1 hides the bar by a class, no DOM change), the
    // canvas is scaled again into what is left of the window.
    if (window.ResizeObserver) {
      var watch = new ResizeObserver(function () { fit(); });
      var poll = setInterval(function () {
        var banner = document.getElementById("stale-banner"), nav = document.getElementById("nav");
        if (banner && nav) { watch.observe(banner); watch.observe(nav); clearInterval(poll); }
      }, 200);
    }
  });

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    wall: {
      /* The folded navigation menu (narrow screens): the toggler opens and closes it,
       * opening another page closes it. */
      menu: function (n, pathname, open) {
        var ctx = window.dash_clientside.callback_context;
        var trig = ctx && ctx.triggered && ctx.triggered[0];
        if (trig && trig.prop_id === "url.pathname") { return false; }
        return !open;
      },
      /* The light poll: the current snapshot id and the stale banner. A failed
       * fetch counts; when the server answers again after `limit` failures, the
       * page reloads (new server, maybe new code). */
      poll: async function (n, current, state, search) {
        var nu = window.dash_clientside.no_update;
        var st = Object.assign({ fails: 0, limit: 4, offline: {} }, state || {});
        var lang = new URLSearchParams(search || "").get("lang") === "en" ? "en" : "zh";
        try {
          var ctl = new AbortController();
          var timer = setTimeout(function () { ctl.abort(); }, 10000);
          var r = await fetch("/api/snapshot?lang=" + lang, { cache: "no-store", signal: ctl.signal });
          clearTimeout(timer);
          if (!r.ok) { throw new Error("HTTP " + r.status); }
          var d = await r.json();
          if (st.fails >= st.limit) { window.location.reload(); return [nu, nu, nu, nu]; }
          var banner = d.banner || "";
          return [
            d.snapshot_id !== current ? d.snapshot_id : nu,
            banner,
            banner ? "stale-banner show" : "stale-banner",
            st.fails ? Object.assign({}, st, { fails: 0 }) : nu,
          ];
        } catch (e) {
          return [nu, st.offline[lang] || "", "stale-banner show", Object.assign({}, st, { fails: st.fails + 1 })];
        }
      },
      rotateSetup: function (search) {
        var s = Number(new URLSearchParams(search || "").get("rotate"));
        if (!s || s <= 0) { return [60000, true]; }
        return [Math.max(1, s) * 1000, false];
      },
      rotate: function (n, pathname, order) {
        if (!order || !order.length) { return window.dash_clientside.no_update; }
        var i = order.indexOf(pathname);
        return order[(i + 1) % order.length];
      },
    },
  });
})();
