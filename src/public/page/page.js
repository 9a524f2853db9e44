(function () {
  'use strict';
  var body = document.body;

  // Search: the rows are rendered once; typing only toggles `hidden`.
  var search = document.getElementById('search');
  var count = document.getElementById('match-count');
  if (search && count) {
    var rows = Array.prototype.slice.call(document.querySelectorAll('#targets tbody tr'));
    var keys = rows.map(function (r) { return r.getAttribute('data-key') || ''; });
    var numbers = count.querySelectorAll('.n');
    var none = document.getElementById('no-match');
    var filter = function () {
      var q = search.value.trim().toLowerCase();
      var n = 0;
      for (var i = 0; i < rows.length; i++) {
        var show = q === '' || keys[i].indexOf(q) !== -1;
        if (rows[i].hidden === show) { rows[i].hidden = !show; }
        if (show) { n++; }
      }
      count.setAttribute('data-count', String(n));
      for (var j = 0; j < numbers.length; j++) { numbers[j].textContent = String(n); }
      none.hidden = n !== 0;
    };
    search.addEventListener('input', filter);
    if (search.value) { filter(); }
  }

  // Language: Chinese first; the button switches every UI string.
  var toggle = document.getElementById('lang-toggle');
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
