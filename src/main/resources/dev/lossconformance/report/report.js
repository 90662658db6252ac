(function () {
  'use strict';
  var text = document.getElementById('filter');
  var loss = document.getElementById('filter-loss');
  var engine = document.getElementById('filter-engine');
  var status = document.getElementById('filter-status');
  var count = document.getElementById('visible-count');
  var groups = document.querySelectorAll('table.matrix tbody.loss-group');

  function detailRow(row) {
    var next = row.nextElementSibling;
    return next !== null && next.classList.contains('detail-row') ? next : null;
  }

  function apply() {
    var q = text.value.trim().toLowerCase();
    var l = loss.value;
    var e = engine.value;
    var s = status.value;
    var visible = 0;
    for (var g = 0; g < groups.length; g++) {
      var rows = groups[g].querySelectorAll('tr.case');
      var shown = 0;
      for (var i = 0; i < rows.length; i++) {
        var r = rows[i];
        var ok = true;
        if (q !== '' && r.getAttribute('data-id').toLowerCase().indexOf(q) === -1) { ok = false; }
        if (ok && l !== 'any' && r.getAttribute('data-loss') !== l) { ok = false; }
        if (ok && e !== 'any' && (' ' + r.getAttribute('data-engines') + ' ').indexOf(' ' + e + ' ') === -1) { ok = false; }
        if (ok && s !== 'any') {
          var v = e === 'any' ? r.getAttribute('data-status') : r.getAttribute('data-status-' + e);
          if (v !== s) { ok = false; }
        }
        r.style.display = ok ? '' : 'none';
        var d = detailRow(r);
        if (d !== null) { d.style.display = ok ? '' : 'none'; }
        if (ok) { shown++; }
      }
      var head = groups[g].querySelector('tr.group-head');
      if (head !== null) { head.style.display = shown === 0 ? 'none' : ''; }
      visible += shown;
    }
    count.textContent = String(visible);
  }

  // an opened details panel gets a full-width row under its case instead of widening the last column
  function toggle(ev) {
    var det = ev.target;
    if (!(det instanceof HTMLDetailsElement) || !det.classList.contains('case-details')) { return; }
    var row = det.closest('tr');
    if (row === null) { return; }
    var existing = detailRow(row);
    if (det.open) {
      var body = det.querySelector('.detail-body');
      if (body === null || existing !== null) { return; }
      var tr = document.createElement('tr');
      tr.className = 'detail-row';
      var td = document.createElement('td');
      td.colSpan = row.cells.length;
      td.appendChild(body);
      tr.appendChild(td);
      row.parentNode.insertBefore(tr, row.nextSibling);
    } else if (existing !== null) {
      var moved = existing.querySelector('.detail-body');
      if (moved !== null) { det.appendChild(moved); }
      existing.parentNode.removeChild(existing);
    }
  }

  // the matrix header sticks right under the (sticky) filter bar, whatever its height
  function pinHeader() {
    var bar = document.getElementById('filters');
    var top = document.querySelector('header.top');
    if (bar !== null && top !== null) {
      document.documentElement.style.setProperty('--under-filters', (top.offsetHeight + bar.offsetHeight) + 'px');
    }
  }

  text.addEventListener('input', apply);
  window.addEventListener('resize', pinHeader);
  pinHeader();
  loss.addEventListener('change', apply);
  engine.addEventListener('change', apply);
  status.addEventListener('change', apply);
  document.addEventListener('toggle', toggle, true);
  apply();
}());
