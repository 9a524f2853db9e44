(function () {
  'use strict';
  var slice = function (list) { return Array.prototype.slice.call(list); };
  var keyOf = function (el) { return el.getAttribute('data-key') || ''; };
  var say = function (box, n) {
    box.setAttribute('data-count', String(n));
    var spots = box.querySelectorAll('.n');
    for (var i = 0; i < spots.length; i++) { spots[i].textContent = String(n); }
  };

  // The plan announcement: filter the task table and the announcements.
  var taskFilter = document.getElementById('task-filter');
  var taskRows = slice(document.querySelectorAll('#task-table tbody tr'));
  var taskKeys = taskRows.map(keyOf);
  var anns = slice(document.querySelectorAll('details.task-ann'));
  var annKeys = anns.map(keyOf);
  var taskCount = document.getElementById('task-count');
  var noTask = document.getElementById('no-task');
  taskFilter.addEventListener('input', function () {
    var q = taskFilter.value.trim().toLowerCase();
    var n = 0;
    for (var i = 0; i < taskRows.length; i++) {
      var show = q === '' || taskKeys[i].indexOf(q) !== -1;
      if (taskRows[i].hidden === show) { taskRows[i].hidden = !show; }
      if (show) { n++; }
    }
    for (var j = 0; j < anns.length; j++) {
      var shown = q === '' || annKeys[j].indexOf(q) !== -1;
      if (anns[j].hidden === shown) { anns[j].hidden = !shown; }
    }
    say(taskCount, n);
    noTask.hidden = n !== 0;
    if (q !== '') { document.getElementById('task-list').open = true; }
  });

  // A link to a task opens its announcement.
  var openTask = function () {
    var id = '';
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    var el = id.indexOf('task-') === 0 ? document.getElementById(id) : null;
    if (el && el.tagName === 'DETAILS') {
      el.hidden = false;
      el.open = true;
      el.scrollIntoView();
    }
  };
  window.addEventListener('hashchange', openTask);
  openTask();

  // Each announcement's search: the rows are rendered once; typing only
  // toggles `hidden`.
  document.addEventListener('input', function (e) {
    var box = e.target;
    if (!box.classList || !box.classList.contains('task-search')) { return; }
    var ann = box.closest('details.task-ann');
    var rows = ann.querySelectorAll('.task-targets tbody tr');
    var q = box.value.trim().toLowerCase();
    var n = 0;
    for (var i = 0; i < rows.length; i++) {
      var show = q === '' || keyOf(rows[i]).indexOf(q) !== -1;
      if (rows[i].hidden === show) { rows[i].hidden = !show; }
      if (show) { n++; }
    }
    say(ann.querySelector('.task-count'), n);
    ann.querySelector('.no-match').hidden = n !== 0;
  });

  // The firm lookup over every visit of the batch: nothing is shown until
  // two characters are typed; at most 200 visits are shown.
  var firmSearch = document.getElementById('firm-search');
  var visits = slice(document.querySelectorAll('#visits tbody tr'));
  var visitKeys = visits.map(keyOf);
  var visitCount = document.getElementById('visit-count');
  var noVisit = document.getElementById('no-visit');
  var limit = 200;
  firmSearch.addEventListener('input', function () {
    var q = firmSearch.value.trim().toLowerCase();
    var n = 0;
    for (var i = 0; i < visits.length; i++) {
      var match = q.length >= 2 && visitKeys[i].indexOf(q) !== -1;
      if (match) { n++; }
      var show = match && n <= limit;
      if (visits[i].hidden === show) { visits[i].hidden = !show; }
    }
    say(visitCount, n);
    noVisit.hidden = !(q.length >= 2 && n === 0);
  });
})();
