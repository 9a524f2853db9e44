(function () {
  'use strict';
  var body = document.body;
  var slice = function (list) { return Array.prototype.slice.call(list); };

  // Searches, shared with the batch page's script (window.spotcheck): the
  // rows are rendered once; typing only toggles `hidden`. `filter` shows
  // the rows whose key (data-key) holds the query, once the query has
  // `min` characters, and at most `limit` of them; it returns how many
  // hold it.
  var keys = function (rows) { return rows.map(function (r) { return r.getAttribute('data-key') || ''; }); };
  var filter = function (rows, rowKeys, q, min, limit) {
    var n = 0;
    for (var i = 0; i < rows.length; i++) {
      var match = q.length >= min && rowKeys[i].indexOf(q) !== -1;
      if (match) { n++; }
      var show = match && n <= limit;
      if (rows[i].hidden === show) { rows[i].hidden = !show; }
    }
    return n;
  };
  // Writes a count into a box's `.n` spots and its data-count.
  var say = function (box, n) {
    box.setAttribute('data-count', String(n));
    var spots = box.querySelectorAll('.n');
    for (var i = 0; i < spots.length; i++) { spots[i].textContent = String(n); }
  };
  // A search box over `rows`: the count in `count`, and `none` shown when
  // a query long enough finds nothing.
  var search = function (box, rows, count, none, min, limit) {
    var rowKeys = keys(rows);
    var run = function () {
      var q = box.value.trim().toLowerCase();
      var n = filter(rows, rowKeys, q, min, limit);
      say(count, n);
      none.hidden = !(q.length >= min && n === 0);
    };
    box.addEventListener('input', run);
    if (box.value) { run(); }
  };
  window.spotcheck = { slice: slice, keys: keys, filter: filter, say: say, search: search };

  var byId = function (id) { return document.getElementById(id); };
  // The list of targets: every row shown until something is typed (a
  // long list: its first data-limit rows, and at most that many found).
  if (byId('search') && byId('match-count')) {
    search(byId('search'), slice(document.querySelectorAll('#targets tbody tr')), byId('match-count'),
      byId('no-match'), 0, Number(byId('targets').getAttribute('data-limit')) || Infinity);
  }
  // The results announcement: a firm's result, from two characters on;
  // at most 200 rows are shown.
  if (byId('result-search')) {
    search(byId('result-search'), slice(document.querySelectorAll('#results-table tbody tr')), byId('result-count'),
      byId('no-result'), 2, 200);
  }

  // Language: Chinese first; the button switches every UI string.
  var toggle = byId('lang-toggle');
  var title = document.querySelector('title');
  function setLang(lang) {
    body.setAttribute('data-lang', lang);
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = title.getAttribute('data-' + lang);
    var boxes = document.querySelectorAll('input[data-ph-zh]');
    for (var b = 0; b < boxes.length; b++) { boxes[b].placeholder = boxes[b].getAttribute('data-ph-' + lang); }
    toggle.textContent = toggle.getAttribute('data-' + lang);
    toggle.setAttribute('aria-label', toggle.getAttribute('data-label-' + lang));
  }
  toggle.addEventListener('click', function () {
    setLang(body.getAttribute('data-lang') === 'zh' ? 'en' : 'zh');
  });

  // Show the name of the folder this page is in, in the commands.
  try {
    var path = decodeURIComponent(location.pathname).split('/');
    var dir = path.length > 1 ? path[path.length - 2] : '';
    if (dir && /^[^\s'"\\$`;&|<>()*?!#~{}\[\]]+$/.test(dir)) {
      var spots = document.querySelectorAll('.dir');
      for (var k = 0; k < spots.length; k++) { spots[k].textContent = dir; }
    }
  } catch (e) { /* keep PUBLIC_DIR */ }
})();
