(function () {
  'use strict';
  // The page checks itself, as SPEC.md says, with nothing but the
  // browser: every ticket is T(seed, uscc) (§2); each stratum's ranks are
  // 1…k in ticket order; each stratum lists its k; and k follows from N
  // where the ratio is public (§3). For a ceremony draw it derives the
  // seed from the evidence inlined in the page (§5.2, §5.3) and checks the
  // beacon, its BLS signature with the inlined bls.js. A batch's page
  // (data-verify="batch") makes the same checks for every task, whose seed
  // is S_t = S ‖ ":task:" ‖ task id (§10.3). Beside public.json (served
  // from a website, or the folder chosen or dropped), it checks every
  // file's SHA-256 (§8) and the results log's chain (§11.4, §11.8).
  // <body> carries data-verify-status: running, then ok or failed.
  // Tickets are hashed in a worker, so that a long list keeps the page
  // responsive.
  var section = document.getElementById('verify');
  if (!section) { return; }
  var body = document.body;
  var progress = document.getElementById('verify-progress');
  var list = document.getElementById('verify-checks');
  var enc = new TextEncoder();

  var hex = function (buf) {
    var b = new Uint8Array(buf);
    var s = '';
    for (var i = 0; i < b.length; i++) { s += (b[i] < 16 ? '0' : '') + b[i].toString(16); }
    return s;
  };
  var sha256 = function (text) { return crypto.subtle.digest('SHA-256', enc.encode(text)); };
  // The bytes of a lowercase hex text, or null when it is not one.
  var unhex = function (text) {
    if (typeof text !== 'string' || !/^([0-9a-f]{2})*$/.test(text)) { return null; }
    var b = new Uint8Array(text.length / 2);
    for (var i = 0; i < b.length; i++) { b[i] = parseInt(text.substr(2 * i, 2), 16); }
    return b;
  };

  // T(S, I) = "0." ‖ reverse(decimal(int(SHA-256(hex(SHA-256(S)) ‖ I)))),
  // the decimal zero-padded to at least 64 digits (SPEC.md §2). `tickets`
  // is written so that it also runs alone, as the worker's source: it
  // uses nothing outside itself.
  var tickets = async function (seedHex, ids, each) {
    var te = new TextEncoder();
    var out = new Array(ids.length);
    for (var start = 0; start < ids.length; start += 500) {
      var part = ids.slice(start, start + 500);
      var ds = await Promise.all(part.map(function (id) { return crypto.subtle.digest('SHA-256', te.encode(seedHex + id)); }));
      for (var j = 0; j < ds.length; j++) {
        var b = new Uint8Array(ds[j]);
        var h = '0x';
        for (var i = 0; i < b.length; i++) { h += (b[i] < 16 ? '0' : '') + b[i].toString(16); }
        var digits = BigInt(h).toString();
        while (digits.length < 64) { digits = '0' + digits; }
        out[start + j] = '0.' + digits.split('').reverse().join('');
      }
      if (each) { each(start + part.length); }
    }
    return out;
  };
  var ticket = function (seed, id) {
    return sha256(seed).then(function (s) { return tickets(hex(s), [id]); }).then(function (t) { return t[0]; });
  };
  // The tickets of `ids` under the seed whose SHA-256 is `seedHex`, in a
  // worker made from `tickets` itself (the page's policy allows workers
  // from blob: URLs only); `each(n)` is told how many are done. Where no
  // worker can be made, the same function runs here.
  var worker = null;
  var inWorker = function (seedHex, ids, each) {
    if (worker === null) {
      try {
        var src = 'var tickets = ' + tickets.toString() + ';\n' +
          'onmessage = function (e) { tickets(e.data.seedHex, e.data.ids, function (n) { postMessage({ done: n }); })' +
          '.then(function (t) { postMessage({ tickets: t }); }, function (err) { postMessage({ error: String(err) }); }); };\n';
        worker = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
      } catch (e) {
        worker = false;
      }
    }
    body.setAttribute('data-verify-worker', worker ? 'yes' : 'no');
    if (!worker) { return tickets(seedHex, ids, each); }
    return new Promise(function (resolve, reject) {
      worker.onmessage = function (e) {
        if (e.data.tickets) { resolve(e.data.tickets); } else if (e.data.error) { reject(new Error(e.data.error)); } else if (each) { each(e.data.done); }
      };
      worker.onerror = function (e) { reject(new Error(e.message || 'worker')); };
      worker.postMessage({ seedHex: seedHex, ids: ids });
    });
  };
  // Lets the page answer between two long steps.
  var breathe = function () { return new Promise(function (r) { setTimeout(r, 0); }); };
  // Byte order of ASCII texts (tickets, credit codes).
  var cmp = function (a, b) { return a < b ? -1 : a > b ? 1 : 0; };

  // A text in both languages: the page's CSS shows the page's language.
  var both = function (el, zh, en) {
    el.textContent = '';
    [['zh', zh], ['en', en]].forEach(function (p) {
      var span = document.createElement('span');
      span.setAttribute('data-l', p[0]);
      span.textContent = p[1];
      el.appendChild(span);
    });
    return el;
  };
  // A reporter into the list `into`: one check's outcome (ok, failed or
  // not made, "skipped"), its name, and what failed (at most 20 lines,
  // then how many more), as <li id="PREFIX-ID" data-outcome="…">.
  var reporter = function (into, prefix) { return function (id, outcome, zh, en, problems) {
    var li = document.createElement('li');
    li.id = prefix + id;
    li.className = outcome;
    li.setAttribute('data-outcome', outcome);
    var mark = { ok: ['通过', 'passed'], failed: ['未通过', 'FAILED'], skipped: ['未核验', 'not checked'] }[outcome];
    both(li, mark[0] + '：' + zh, mark[1] + ': ' + en);
    if (problems && problems.length) {
      var ul = document.createElement('ul');
      problems.slice(0, 20).forEach(function (p) { ul.appendChild(both(document.createElement('li'), p[0], p[1])); });
      if (problems.length > 20) {
        var more = problems.length - 20;
        ul.appendChild(both(document.createElement('li'), '另有 ' + more + ' 处', 'and ' + more + ' more'));
      }
      li.appendChild(ul);
    }
    into.appendChild(li);
    return outcome !== 'failed';
  }; };
  var report = reporter(list, 'verify-');

  // Basis points of a ratio as SPEC.md §1.5 writes it ("3%", "2.5%"), or null.
  var basisPoints = function (r) {
    var m = /^(0|[1-9][0-9]{0,2})(?:\.([0-9]{1,2}))?%$/.exec(r);
    if (!m) { return null; }
    var bp = Number(m[1]) * 100 + Number(((m[2] || '') + '00').slice(0, 2));
    return bp <= 10000 ? bp : null;
  };

  // The rows of a list of targets: stratum, rank, code and full ticket.
  var rowsOf = function (trs) {
    return Array.prototype.slice.call(trs).map(function (tr, i) {
      // (tr.cells would make a live collection per row: slow for a long list.)
      var c0 = tr.firstElementChild;
      var c1 = c0 ? c0.nextElementSibling : null;
      var code = tr.querySelector('td.code');
      // (Two steps: a selector with a descendant, asked of a row, looks
      // through the whole document's elements of that kind, every time.)
      var td = tr.querySelector('td.ticket');
      var t = td ? td.querySelector('code') : null;
      return {
        row: i + 1,
        stratum: c0 ? c0.textContent : '',
        rank: c1 ? c1.textContent : '',
        uscc: code ? code.textContent : '',
        ticket: t ? t.getAttribute('title') || '' : ''
      };
    });
  };
  var all = function (root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); };
  // What is checked, as groups of { task, seed, rows, strata }: the plan
  // page is one group (task null); a batch's page (data-verify="batch")
  // has one per task, whose seed is S_t = S ‖ ":task:" ‖ id (SPEC.md §10.3).
  var groupsOf = function (seed) {
    if (section.getAttribute('data-verify') !== 'batch') {
      return [{ task: null, seed: seed, rows: rowsOf(document.querySelectorAll('#targets tbody tr')),
        strata: all(document, '#strata-table tbody tr[data-stratum]') }];
    }
    return all(document, 'details.task-ann').map(function (ann) {
      var s = ann.querySelector('.task-seed');
      return { task: ann.getAttribute('data-task') || '', seed: s ? s.textContent : '',
        rows: rowsOf(ann.querySelectorAll('.task-targets tbody tr')),
        strata: all(ann, '.task-strata tbody tr[data-stratum]') };
    });
  };
  // "任务 X 第n行" / "task X row n", or the plan page's "第n行" / "row n".
  var where = function (g, r) {
    return g.task === null ? ['第' + r.row + '行', 'row ' + r.row]
      : ['任务 ' + g.task + ' 第' + r.row + '行', 'task ' + g.task + ' row ' + r.row];
  };
  var inTask = function (g) { return g.task === null ? ['', ''] : ['任务 ' + g.task + ' ', 'task ' + g.task + ', ']; };

  var run = async function () {
    var started = performance.now();
    body.setAttribute('data-verify-status', 'running');
    var seedEl = document.getElementById('seed');
    var seed = seedEl ? seedEl.textContent : '';
    var groups = groupsOf(seed);
    var batchPage = section.getAttribute('data-verify') === 'batch';
    var S = batchPage ? 'S_t' : 'seed';
    var total = 0;
    groups.forEach(function (g) { total += g.rows.length; });
    var ok = true;
    var bad = [];

    // 0. A batch's task seeds: S_t = S ‖ ":task:" ‖ task id.
    if (batchPage) {
      groups.forEach(function (g) {
        if (g.seed !== seed + ':task:' + g.task) {
          bad.push(['任务 ' + g.task + '：任务种子不是 S:task:' + g.task, 'task ' + g.task + ': its seed is not S:task:' + g.task]);
        }
      });
      ok = report('task-seeds', bad.length ? 'failed' : 'ok',
        '全部 ' + groups.length + ' 项任务的种子 S_t 为 S:task:任务编号',
        'the seed S_t of each of the ' + groups.length + ' tasks is S:task:TASK-ID', bad) && ok;
    }

    // 1. Tickets, in a worker, task by task.
    bad = [];
    var done = 0;
    for (var gi = 0; gi < groups.length; gi++) {
      var g = groups[gi];
      var seedHex = hex(await sha256(g.seed));
      var got = await inWorker(seedHex, g.rows.map(function (r) { return r.uscc; }), function (n) {
        both(progress, '已核验 ' + (done + n) + ' / ' + total, 'checked ' + (done + n) + ' / ' + total);
      });
      g.rows.forEach(function (r, j) {
        if (got[j] !== r.ticket) {
          var w = where(g, r);
          bad.push([w[0] + '：随机号与 T(' + S + ', uscc) 不符', w[1] + ': ticket is not T(' + S + ', uscc)']);
        }
      });
      done += g.rows.length;
    }
    ok = report('tickets', bad.length ? 'failed' : 'ok',
      batchPage ? groups.length + ' 项任务名单中全部 ' + total + ' 个随机号都等于 T(S_t, uscc)'
        : '名单中全部 ' + total + ' 家企业的随机号都等于 T(seed, uscc)',
      batchPage ? 'every ticket of the ' + total + ' listed in the ' + groups.length + ' tasks is T(S_t, uscc)'
        : 'every ticket of the ' + total + ' firms listed is T(seed, uscc)', bad) && ok;

    // 2. Ranks: in each stratum 1…k, ascending by ticket, ties by code.
    await breathe();
    bad = [];
    groups.forEach(function (g) {
      var byStratum = {};
      g.rows.forEach(function (r) { (byStratum[r.stratum] = byStratum[r.stratum] || []).push(r); });
      g.byStratum = byStratum;
      Object.keys(byStratum).forEach(function (s) {
        var sorted = byStratum[s].slice().sort(function (a, b) { return cmp(a.ticket, b.ticket) || cmp(a.uscc, b.uscc); });
        sorted.forEach(function (r, j) {
          if (r.rank !== String(j + 1)) {
            var w = where(g, r);
            bad.push([w[0] + '：分层 ' + s + ' 的层内序号为 ' + r.rank + '，按随机号顺序应为 ' + (j + 1),
              w[1] + ': rank ' + r.rank + ' in stratum ' + s + ', by ticket order it is ' + (j + 1)]);
          }
        });
      });
    });
    ok = report('ranks', bad.length ? 'failed' : 'ok',
      (batchPage ? '每项任务' : '') + '每层的层内序号为 1…k，按随机号从小到大排列（相同时按代码）',
      (batchPage ? 'in every task, ' : '') + "each stratum's ranks are 1…k in ascending ticket order (ties by code)", bad) && ok;

    // 3. Each stratum lists exactly its k.
    await breathe();
    bad = [];
    groups.forEach(function (g) {
      var known = {};
      var p = inTask(g);
      g.strata.forEach(function (tr) {
        var s = tr.getAttribute('data-stratum');
        var k = Number(tr.getAttribute('data-k'));
        var n = (g.byStratum[s] || []).length;
        known[s] = true;
        if (n !== k) {
          bad.push([p[0] + '分层 ' + s + '：名单列出 ' + n + ' 家，抽取数 k 为 ' + k, p[1] + 'stratum ' + s + ': ' + n + ' firms listed, k is ' + k]);
        }
      });
      Object.keys(g.byStratum).forEach(function (s) {
        if (!known[s]) {
          bad.push([p[0] + '分层 ' + s + '：不在分层表中', p[1] + 'stratum ' + s + ': not in the table of strata']);
        }
      });
    });
    ok = report('counts', bad.length ? 'failed' : 'ok',
      (batchPage ? '每项任务' : '') + '每层名单恰好列出 k 家企业',
      (batchPage ? 'in every task, ' : '') + 'each stratum lists exactly its k firms', bad) && ok;

    // 4. k from N where the ratio is public (SPEC.md §3): ceil(N × bp /
    // 10000), then at least min, at most max, at most N.
    bad = [];
    var unknown = [];
    var checked = 0;
    groups.forEach(function (g) {
      var p = inTask(g);
      g.strata.forEach(function (tr) {
        var s = tr.getAttribute('data-stratum');
        var n = Number(tr.getAttribute('data-n'));
        var k = Number(tr.getAttribute('data-k'));
        var ratio = tr.getAttribute('data-ratio');
        var bp = ratio === null ? null : basisPoints(ratio);
        if (bp === null) {
          unknown.push(p[1] + s);
          return;
        }
        checked++;
        var want = Math.floor((n * bp + 9999) / 10000);
        if (tr.hasAttribute('data-min')) { want = Math.max(want, Number(tr.getAttribute('data-min'))); }
        if (tr.hasAttribute('data-max')) { want = Math.min(want, Number(tr.getAttribute('data-max'))); }
        want = Math.min(want, n);
        if (want !== k) {
          bad.push([p[0] + '分层 ' + s + '：N = ' + n + '，比例 ' + ratio + '，k 应为 ' + want + '，公示为 ' + k,
            p[1] + 'stratum ' + s + ': N = ' + n + ', ratio ' + ratio + ', k should be ' + want + ', shown ' + k]);
        }
      });
    });
    if (checked) {
      ok = report('sizes', bad.length ? 'failed' : 'ok',
        checked + ' 个分层的抽取数 k 按计划的比例（及上下限）由 N 算出',
        'k follows from N by the plan\u2019s ratio (and bounds) in ' + checked + ' strata', bad) && ok;
    }
    if (unknown.length) {
      report('sizes-unknown', 'skipped', batchPage
        ? unknown.length + ' 个分层的抽取比例不公开（信用风险分类不予公开），未核验其抽取数 k'
        : '分层 ' + unknown.join('、') + ' 的抽取比例不公开（信用风险分类不予公开），未核验其抽取数 k',
      batchPage
        ? 'the ratio of ' + unknown.length + ' strata is not public (credit classes are withheld): their k was not checked'
        : 'the ratio of stratum ' + unknown.join(', ') + ' is not public (credit classes are withheld): its k was not checked');
    }

    // 5. The seed of a ceremony draw (SPEC.md §5.2, §5.3), from the
    // evidence inlined in the page (commitment.json, secret.txt and
    // beacon.json as text, and the dice string).
    if (!batchPage || document.getElementById('evidence') || document.getElementById('operator-seed')) {
      ok = (await ceremony(seed)) && ok;
    } else {
      report('seed', 'skipped', '本页面不含公开仪式的证据：种子请用 spotcheck verify 核验',
        'this page does not carry the ceremony evidence: check the seed with spotcheck verify');
    }

    // 6. With results published: every drawn firm is in the results
    // announcement once, and nothing else is.
    var results = document.getElementById('results');
    if (results) { ok = resultRows(groups) && ok; }

    var ms = Math.round(performance.now() - started);
    body.setAttribute('data-verify-ms', String(ms));
    verdict.draw = ok;
    verdict.line = [total, (ms / 1000).toFixed(2)];

    // 7. The files beside the page: fetched when the page came from a
    // website; chosen or dropped when it was opened from disk.
    await besideThePage();
  };

  // The verdict so far: the draw's checks, and the files' (null until
  // they are read). Shown on <body> and on the section.
  var verdict = { draw: true, files: null, line: null };
  var show = function () {
    var ok = verdict.draw && verdict.files !== false;
    if (verdict.line) {
      var n = verdict.line[0];
      var s = verdict.line[1];
      both(progress,
        (ok ? '核验通过' : '核验未通过') + '：已核验 ' + n + ' / ' + n + '，用时 ' + s + ' 秒',
        (ok ? 'All checks passed' : 'A check FAILED') + ': checked ' + n + ' / ' + n + ' in ' + s + ' s');
    }
    section.setAttribute('data-outcome', ok ? 'ok' : 'failed');
    body.setAttribute('data-verify-status', ok ? 'ok' : 'failed');
  };

  // Every (task, firm) listed appears exactly once among the rows of the
  // results announcement (results.csv, SPEC.md §11.8), and no other.
  var resultRows = function (groups) {
    var plan = section.getAttribute('data-task');
    var want = {};
    var bad = [];
    var n = 0;
    groups.forEach(function (g) {
      var task = g.task === null ? plan : g.task;
      g.rows.forEach(function (r) { want[task + '\n' + r.uscc] = 0; n++; });
    });
    all(document, '#results-table tbody tr').forEach(function (tr, i) {
      var task = tr.getAttribute('data-task');
      var uscc = tr.getAttribute('data-uscc');
      var key = task + '\n' + uscc;
      if (!(key in want)) {
        bad.push(['结果公告第' + (i + 1) + '行：' + uscc + ' 不在任务 ' + task + ' 的名单中',
          'results row ' + (i + 1) + ': ' + uscc + ' is not on the list of task ' + task]);
      } else if (++want[key] === 2) {
        bad.push(['结果公告中 ' + uscc + '（任务 ' + task + '）出现不止一次', 'the results list ' + uscc + ' (task ' + task + ') more than once']);
      }
    });
    Object.keys(want).forEach(function (key) {
      if (want[key] === 0) {
        var p = key.split('\n');
        bad.push(['结果公告中缺少 ' + p[1] + '（任务 ' + p[0] + '）', 'the results do not list ' + p[1] + ' (task ' + p[0] + ')']);
      }
    });
    return report('results-rows', bad.length ? 'failed' : 'ok',
      '结果公告恰好列出每一' + (groups[0].task !== null ? '项任务的' : '家') + '抽中企业各一次（共 ' + n + ' 行）',
      'the results announcement lists every firm drawn' + (groups[0].task !== null ? ' by each task' : '') + ' exactly once (' + n + ' rows)', bad);
  };

  // A reader of the public bundle's files by name ("public.json",
  // "tasks/ID/targets.csv"): their bytes, or null when there is none.
  var fetched = function (name) {
    return fetch(name.split('/').map(encodeURIComponent).join('/'), { cache: 'no-store' })
      .then(function (r) { return r.ok ? r.arrayBuffer() : null; }, function () { return null; });
  };
  var chosen = function (files) {
    var byName = {};
    files.forEach(function (f) { byName[f.path] = f.file; });
    return function (name) {
      var f = byName[name];
      return f ? f.arrayBuffer() : Promise.resolve(null);
    };
  };

  var besideThePage = async function () {
    var box = document.getElementById('verify-chooser');
    var run = async function (read, how, manifest) {
      ['files', 'files-unread', 'public-json', 'results-log'].forEach(function (id) {
        var old = document.getElementById('verify-' + id);
        if (old) { old.remove(); }
      });
      verdict.files = await filesCheck(read, how, manifest);
      show();
    };
    if (location.protocol === 'http:' || location.protocol === 'https:') {
      var manifest = await fetched('public.json');
      if (manifest !== null) {
        await run(fetched, 'site', manifest);
        return;
      }
    }
    if (box) {
      box.hidden = false;
      var pick = function (files) {
        var read = chosen(files);
        read('public.json').then(function (manifest) { return run(read, 'chosen', manifest); }).catch(function (e) {
          verdict.files = false;
          show();
          both(progress, '核验出错：' + e, 'The check stopped: ' + e);
        });
      };
      var input = document.getElementById('verify-folder');
      input.addEventListener('change', function () {
        pick(Array.prototype.slice.call(input.files).map(function (f) {
          var rel = f.webkitRelativePath || f.name;
          return { path: rel.indexOf('/') === -1 ? rel : rel.slice(rel.indexOf('/') + 1), file: f };
        }));
      });
      box.addEventListener('dragover', function (e) { e.preventDefault(); box.classList.add('over'); });
      box.addEventListener('dragleave', function () { box.classList.remove('over'); });
      box.addEventListener('drop', function (e) {
        e.preventDefault();
        box.classList.remove('over');
        dropped(e.dataTransfer).then(pick);
      });
    }
    report('files-unread', 'skipped',
      '各文件的哈希值与结果日志：' + (location.protocol === 'file:' ? '从本机打开时，页面不能读取同一文件夹中的文件；请在下面选择公开包的文件夹。' : '页面旁没有 public.json；请在下面选择公开包的文件夹。'),
      "the files' hashes and the results log: " + (location.protocol === 'file:' ? 'opened from disk, the page cannot read the files beside it; choose the public bundle\u2019s folder below.' : 'there is no public.json beside the page; choose the public bundle\u2019s folder below.'));
    show();
  };

  // The files of a drop: a folder's files by their path inside it, or
  // the files dropped, by name.
  var dropped = async function (dt) {
    var out = [];
    var entries = Array.prototype.slice.call(dt.items || []).map(function (i) { return i.webkitGetAsEntry && i.webkitGetAsEntry(); })
      .filter(Boolean);
    // A folder's entries, each under `prefix`.
    var inside = async function (folder, prefix) {
      var reader = folder.createReader();
      for (;;) {
        var batch = await new Promise(function (res, rej) { reader.readEntries(res, rej); });
        if (!batch.length) { return; }
        for (var i = 0; i < batch.length; i++) { await walk(batch[i], prefix); }
      }
    };
    var walk = async function (entry, prefix) {
      if (entry.isFile) {
        var file = await new Promise(function (res, rej) { entry.file(res, rej); });
        out.push({ path: prefix + entry.name, file: file });
      } else {
        await inside(entry, prefix + entry.name + '/');
      }
    };
    if (entries.length === 1 && entries[0].isDirectory) {
      await inside(entries[0], '');
    } else if (entries.length) {
      for (var j = 0; j < entries.length; j++) { await walk(entries[j], ''); }
    } else {
      Array.prototype.slice.call(dt.files || []).forEach(function (f) { out.push({ path: f.name, file: f }); });
    }
    return out;
  };

  // public.json is this page's (its source manifest, seed and, for a
  // plan, Merkle root are the ones shown); every file it lists has that
  // SHA-256; and, with results, the log's chain leads to the head shown.
  // `manifest` is public.json's bytes (null when there is none).
  var filesCheck = async function (read, how, manifest) {
    var place = how === 'site' ? ['网站上', 'on the website'] : ['所选文件夹中', 'in the chosen folder'];
    var m = manifest === null ? null : parse(new TextDecoder().decode(manifest));
    var bad = [];
    var text = function (id) { var el = document.getElementById(id); return el ? el.textContent : null; };
    if (!m) {
      bad.push([place[0] + '没有 public.json，或其无法解析', 'public.json is missing ' + place[1] + ' or does not parse']);
    } else {
      if (m.source_manifest_sha256 !== text('source-sha256')) {
        bad.push(['public.json 的来源清单 SHA-256 不是本页面的', "public.json's source manifest SHA-256 is not this page's"]);
      }
      if (!m.seed || m.seed.value !== text('seed')) {
        bad.push(['public.json 的种子不是本页面所示的种子', "public.json's seed is not the seed this page shows"]);
      }
      var root = text('merkle-root');
      if (root !== null && (!m.frame || m.frame.merkle_root !== root)) {
        bad.push(['public.json 的 Merkle 树根不是本页面所示的', "public.json's Merkle root is not the one this page shows"]);
      }
    }
    var ok = report('public-json', bad.length ? 'failed' : 'ok',
      place[0] + '的 public.json 与本页面一致（来源清单、种子' + (text('merkle-root') !== null ? '、Merkle 树根' : '') + '）',
      'public.json ' + place[1] + ' is this page\u2019s (source manifest, seed' + (text('merkle-root') !== null ? ', Merkle root' : '') + ')', bad);
    if (!m) { return false; }
    bad = [];
    var names = Object.keys(m.files || {}).sort();
    for (var i = 0; i < names.length; i++) {
      var b = await read(names[i]);
      if (b === null) {
        bad.push([names[i] + '：' + place[0] + '没有此文件', names[i] + ': not found ' + place[1]]);
      } else if (hex(await crypto.subtle.digest('SHA-256', b)) !== m.files[names[i]]) {
        bad.push([names[i] + '：SHA-256 与 public.json 所记不符', names[i] + ': its SHA-256 is not the one public.json records']);
      }
    }
    if (!names.length) { bad.push(['public.json 没有列出任何文件', 'public.json lists no files']); }
    ok = report('files', bad.length ? 'failed' : 'ok',
      'public.json 所列全部 ' + names.length + ' 个文件（含本页面 index.html）的 SHA-256 均相符',
      'all ' + names.length + ' files public.json lists (this page, index.html, too) have the SHA-256 it records', bad) && ok;
    if (document.getElementById('results')) { ok = (await resultsLog(read, text('source-sha256'))) && ok; }
    return ok;
  };

  // The results log (SPEC.md §11.4): each line canonical, numbered, its
  // prev the SHA-256 of the line before (of manifest.json for line 1);
  // as many lines as announced, the last one's SHA-256 the head shown;
  // and each row of the announcement shows the entry that the log leaves
  // in force for its (task, firm), on the line it names.
  var resultsLog = async function (read, source) {
    var sec = document.getElementById('results');
    var bytes = await read('results.jsonl');
    var bad = [];
    var lines = [];
    if (bytes === null) {
      bad.push(['没有 results.jsonl', 'results.jsonl is missing']);
    } else {
      var text;
      try { text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch (e) { text = null; }
      if (text === null) {
        bad.push(['results.jsonl 不是 UTF-8', 'results.jsonl is not UTF-8']);
      } else if (text.length && text[text.length - 1] !== '\n') {
        bad.push(['results.jsonl 的最后一行没有换行符', 'the last line of results.jsonl has no line feed']);
      } else {
        lines = text.length ? text.slice(0, -1).split('\n') : [];
      }
    }
    var prev = source;
    var inForce = {};
    var entries = [];
    for (var i = 0; i < lines.length && bad.length < 20; i++) {
      var n = i + 1;
      var e = parse(lines[i]);
      if (!e || typeof e !== 'object' || JSON.stringify(e) !== lines[i]) {
        bad.push(['第' + n + '行不是规范形式的 JSON', 'line ' + n + ' is not canonical JSON']);
      } else {
        if (e.line !== n) { bad.push(['第' + n + '行的行号为 ' + e.line, 'line ' + n + ' is numbered ' + e.line]); }
        if (e.prev !== prev) {
          bad.push(['第' + n + '行的 prev 不是上一行的 SHA-256（该行或上一行被改动、删除或移动）',
            'line ' + n + ': prev is not the SHA-256 of the line before (it, or the line before, was changed, removed or moved)']);
        }
        if (e.kind === 'result' || e.kind === 'correction') { inForce[e.task + '\n' + e.uscc] = n; }
      }
      entries.push(e);
      prev = hex(await sha256(lines[i]));
    }
    var want = Number(sec.getAttribute('data-lines'));
    if (bytes !== null && lines.length !== want) {
      bad.push(['results.jsonl 有 ' + lines.length + ' 行，公告所据为 ' + want + ' 行', 'results.jsonl has ' + lines.length + ' lines, the announcement follows ' + want]);
    }
    if (bytes !== null && prev !== sec.getAttribute('data-head')) {
      bad.push(['results.jsonl 最后一行的 SHA-256 不是公告所示的 ' + sec.getAttribute('data-head'),
        'the SHA-256 of the last line of results.jsonl is not the head shown, ' + sec.getAttribute('data-head')]);
    }
    if (bytes !== null && !bad.length) {
      all(document, '#results-table tbody tr').forEach(function (tr, i) {
        var key = tr.getAttribute('data-task') + '\n' + tr.getAttribute('data-uscc');
        var cell = tr.querySelector('td.line');
        var shown = cell ? cell.textContent : '';
        var line = inForce[key];
        var rc = tr.querySelector('td.result');
        var res = rc ? rc.querySelector('span[data-l="zh"]') : null;
        var e = line ? entries[line - 1] : null;
        var when = tr.querySelector('td.when');
        if (!line ? shown !== '—' : shown !== String(line) || !res || res.textContent !== e.result || !when || when.textContent !== e.inspected_on) {
          bad.push(['结果公告第' + (i + 1) + '行（' + tr.getAttribute('data-uscc') + '）与日志第 ' + (line || '—') + ' 行不符',
            'results row ' + (i + 1) + ' (' + tr.getAttribute('data-uscc') + ') does not show log line ' + (line || '—')]);
        }
      });
    }
    return report('results-log', bad.length ? 'failed' : 'ok',
      '结果日志 results.jsonl 的 ' + lines.length + ' 行逐行以 SHA-256 相链，末行的 SHA-256 为公告所示；公告每行所示结果为日志中现行的记录',
      'the ' + lines.length + ' lines of the results log chain by SHA-256, the last one\u2019s is the head shown, and every row of the announcement shows the entry in force in the log', bad);
  };

  var seedOf = function (C, K, B, D) {
    return sha256('spotcheck-seed/1\ncommitment:' + C + '\nsecret:' + K + '\nbeacon:' + B + '\ndice:' + D + '\n').then(hex);
  };
  var parse = function (text) {
    try { return JSON.parse(text); } catch (e) { return null; }
  };
  var ceremony = async function (seed) {
    var el = document.getElementById('evidence');
    if (!el && document.getElementById('operator-seed')) {
      report('seed', 'skipped', '不是公开仪式抽取：种子由操作人员输入', 'not a ceremony draw: the seed was typed by the operator');
      return true;
    }
    if (!el) {
      return report('seed', 'failed', '公开仪式的证据（承诺文件、秘密值、信标）', 'the ceremony evidence (commitment, secret, beacon)',
        [['页面中缺少证据', 'the page does not carry the evidence']]);
    }
    var ev = parse(el.textContent) || {};
    var ok = true;
    var commitment = typeof ev.commitment === 'string' ? parse(ev.commitment) : null;
    var committed = commitment && commitment.beacon ? commitment.beacon : null;
    var beacon = typeof ev.beacon === 'string' ? parse(ev.beacon) : null;

    // The beacon: its randomness is SHA-256 of its signature, and its
    // round is the committed one.
    var B = '';
    if (committed || ev.beacon != null) {
      var bad = [];
      var sig = beacon ? unhex(beacon.signature) : null;
      if (!committed) {
        bad.push(['承诺文件未约定信标，却附有 beacon.json', 'beacon.json is present, but the commitment names no beacon']);
      }
      if (!beacon) {
        bad.push(['缺少 beacon.json 或其无法解析', 'beacon.json is missing or does not parse']);
      } else if (!sig || !sig.length) {
        bad.push(['beacon.json 的签名不是十六进制', 'beacon.json: the signature is not hex']);
      } else {
        B = hex(await crypto.subtle.digest('SHA-256', sig));
        if (beacon.randomness !== B) {
          bad.push(['beacon.json 的随机数 ' + beacon.randomness + ' 不是签名的 SHA-256（' + B + '）',
            'beacon.json: randomness ' + beacon.randomness + ' is not SHA-256 of the signature (' + B + ')']);
        }
      }
      ok = report('beacon-randomness', bad.length ? 'failed' : 'ok',
        '信标随机数等于其签名的 SHA-256', "the beacon's randomness is SHA-256 of its signature", bad) && ok;
      bad = [];
      var want = committed ? committed.round : undefined;
      var got = beacon ? beacon.round : undefined;
      if (typeof want !== 'number' || got !== want) {
        bad.push(['beacon.json 为第 ' + got + ' 轮，承诺的是第 ' + want + ' 轮',
          'beacon.json is round ' + got + ', the commitment names round ' + want]);
      }
      ok = report('beacon-round', bad.length ? 'failed' : 'ok',
        '信标轮次为承诺文件约定的轮次', 'the beacon round is the committed round', bad) && ok;
      // The signature: with the inlined bls.js (@noble/curves), against
      // quicknet's pinned key, on SHA-256 of the round (SPEC.md §5.2).
      if (window.spotcheckBls && beacon) {
        var valid = window.spotcheckBls.verifyQuicknet(beacon.round, beacon.signature);
        ok = report('beacon-signature', valid ? 'ok' : 'failed',
          'drand quicknet 信标第 ' + beacon.round + ' 轮的 BLS 签名在 quicknet 公钥下有效',
          "the BLS signature of drand quicknet round " + beacon.round + " is valid under quicknet's key",
          valid ? [] : [['签名不是 quicknet 对该轮的有效签名', 'the signature is not a valid quicknet signature for that round']]) && ok;
      } else {
        report('beacon-signature', 'skipped',
          'drand 信标的 BLS 签名（需用 spotcheck verify 核验）',
          "the beacon's BLS signature against drand quicknet's key: this one needs spotcheck verify");
      }
    }

    // The seed: S = hex(SHA-256("spotcheck-seed/1\ncommitment:" C
    // "\nsecret:" K "\nbeacon:" B "\ndice:" D "\n")), C being SHA-256
    // of commitment.json's bytes and K the secret that it committed to.
    var bad2 = [];
    var K = typeof ev.secret === 'string' ? ev.secret.trim() : '';
    var D = typeof ev.dice === 'string' ? ev.dice : '';
    if (!commitment) {
      bad2.push(['缺少 commitment.json 或其无法解析', 'commitment.json is missing or does not parse']);
    } else {
      var K256 = hex(await sha256(K));
      if (!/^[0-9a-f]{64}$/.test(K) || commitment.secret_sha256 !== K256) {
        bad2.push(['secret.txt 的 SHA-256 不是承诺文件中的 secret_sha256', "secret.txt's SHA-256 is not the commitment's secret_sha256"]);
      }
      if (!commitment.dice !== !D) {
        bad2.push(['骰子串与承诺文件是否约定骰子不符', 'the dice string does not match whether the commitment names dice']);
      }
      var C = hex(await sha256(ev.commitment));
      var S = await seedOf(C, K, B, D);
      if (S !== seed) {
        bad2.push(['由证据算出的种子为 ' + S + '，页面所示种子为 ' + seed, 'the evidence gives the seed ' + S + ', the page shows ' + seed]);
      }
    }
    return report('seed', bad2.length ? 'failed' : 'ok',
      '种子由承诺文件、秘密值、信标随机数与骰子串按 spotcheck-seed/1 算出（SPEC.md 5.3）',
      'the seed is spotcheck-seed/1 of the commitment, the secret, the beacon randomness and the dice string (SPEC.md §5.3)',
      bad2) && ok;
  };

  window.spotcheckVerify = { ticket: ticket, seed: seedOf, both: both, hex: hex, unhex: unhex, reporter: reporter, rowsOf: rowsOf };
  if (!window.crypto || !crypto.subtle || typeof BigInt !== 'function') {
    body.setAttribute('data-verify-status', 'failed');
    both(progress, '本浏览器不支持核验所需的 Web Crypto 或 BigInt。', 'This browser lacks Web Crypto or BigInt, which the check needs.');
    return;
  }
  run().catch(function (e) {
    verdict.draw = false;
    show();
    both(progress, '核验出错：' + e, 'The check stopped: ' + e);
  });
})();
