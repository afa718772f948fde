/* 领导驾驶舱 — the wall's browser side (served from assets/, no CDN):
 * - fit the fixed canvas (.wall-canvas, data-width × data-height) to the window
 *   with a CSS transform: scale = min(innerWidth / w, available height / h);
 * - the live clock in the header;
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
    var d = new Date();
    for (var i = 0; i < clocks.length; i++) {
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

  window.addEventListener("resize", fit);
  // A screen drawn by Dash after load gets its scale and its clock at once, not a second later.
  new MutationObserver(function () { fit(); tick(); }).observe(document.documentElement, { childList: true, subtree: true });
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", function () { fit(); tick(); });

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
