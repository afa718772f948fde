/* The export buttons (pages/_export.py): a click fetches the export of the page AS
   IT IS NOW (its current address: filters and language), shows progress on the
   button, saves the file under the server's name, or shows the server's one-line
   reason when it fails. Local, no library; event delegation, so buttons drawn by
   Dash later work too. */
(function () {
  'use strict';

  function fileName(header, fallback) {
    var m = /filename\*=UTF-8''([^;]+)/i.exec(header || '');
    if (m) { try { return decodeURIComponent(m[1]); } catch (e) { /* fall through */ } }
    m = /filename="([^"]+)"/i.exec(header || '');
    return m ? m[1] : fallback;
  }

  function status(button, text, isError) {
    var box = button.parentNode && button.parentNode.querySelector('.export-status');
    if (!box) { return; }
    box.textContent = text || '';
    box.classList.toggle('is-error', !!isError);
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.style.display = 'none';
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(url); a.remove(); }, 1000);
  }

  document.addEventListener('click', function (ev) {
    var button = ev.target && ev.target.closest ? ev.target.closest('a.export-button[data-format]') : null;
    if (!button || !window.fetch) { return; }
    ev.preventDefault();
    if (button.getAttribute('aria-busy') === 'true') { return; }
    var fmt = button.getAttribute('data-format');
    var base = button.getAttribute('href').split('?')[0];
    var url = base + '?path=' + encodeURIComponent(window.location.pathname + window.location.search);
    var label = button.textContent;
    button.setAttribute('aria-busy', 'true');
    button.classList.add('is-busy');
    button.textContent = button.getAttribute('data-busy') || '…';
    status(button, '', false);
    fetch(url, { credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) {
          return r.text().then(function (text) {
            var err = new Error(text.trim() || ('HTTP ' + r.status));
            err.fromServer = !!text.trim();  // the server's line already says the export failed
            throw err;
          });
        }
        var name = fileName(r.headers.get('Content-Disposition'), 'export.' + fmt);
        return r.blob().then(function (blob) { save(blob, name); });
      })
      .catch(function (err) {
        var failed = button.getAttribute('data-failed') || 'Export failed';
        status(button, err.fromServer ? err.message : failed + ': ' + err.message, true);
      })
      .then(function () {
        button.textContent = label;
        button.classList.remove('is-busy');
        button.removeAttribute('aria-busy');
      });
  });
})();
