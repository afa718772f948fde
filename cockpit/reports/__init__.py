"""Weekly reports (周报): PDF and PNG for the school and each department.

- ``data``: a report's figures from the snapshot of the week's end (service readers,
  figure builders with ``theme="print"``)
- ``narrative``: the Chinese narrative, generated from those figures
- ``render``: a headless Chromium (selenium) — charts → inline SVG (plotly.js in a
  local page), HTML → PDF (Page.printToPDF), screenshots of pages → PNG
- ``job``: the batch (CLI, schedule, /reports), the archive, the store record; the
  screens come from ``python -m cockpit.render_server`` (a subprocess), never from
  a Dash app built here
- ``browser``: the export buttons' warm, bounded pool of headless Chromiums that
  render the requester's exact view of the running app
- ``mail``: optional SMTP delivery

The public API for pages lives in ``job`` (``list_archive``, ``archive_dir``) and
``cockpit.files`` (docs/reports.md).
"""
