(function () {
  'use strict';
  // The searches are the plan page's (page.js, window.spotcheck).
  var S = window.spotcheck;
  var all = function (selector, root) { return S.slice((root || document).querySelectorAll(selector)); };

  // The plan announcement: filter the task table and the announcements.
  var taskFilter = document.getElementById('task-filter');
  var taskRows = all('#task-table tbody tr');
  var taskKeys = S.keys(taskRows);
  var anns = all('details.task-ann');
  var annKeys = S.keys(anns);
  var taskCount = document.getElementById('task-count');
  var noTask = document.getElementById('no-task');
  taskFilter.addEventListener('input', function () {
    var q = taskFilter.value.trim().toLowerCase();
    var n = S.filter(taskRows, taskKeys, q, 0, Infinity);
    S.filter(anns, annKeys, q, 0, Infinity);
    S.say(taskCount, n);
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

  // Each announcement's search.
  document.addEventListener('input', function (e) {
    var box = e.target;
    if (!box.classList || !box.classList.contains('task-search')) { return; }
    var ann = box.closest('details.task-ann');
    var rows = all('.task-targets tbody tr', ann);
    var n = S.filter(rows, S.keys(rows), box.value.trim().toLowerCase(), 0, Infinity);
    S.say(ann.querySelector('.task-count'), n);
    ann.querySelector('.no-match').hidden = n !== 0;
  });

  // The firm lookup over every visit of the batch: nothing is shown until
  // two characters are typed; at most 200 visits are shown.
  S.search(document.getElementById('firm-search'), all('#visits tbody tr'), document.getElementById('visit-count'),
    document.getElementById('no-visit'), 2, 200);
})();
