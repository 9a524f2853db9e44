(function () {
  'use strict';
  // A firm's proof (spotcheck-proof/1), pasted, chosen or dropped, checked
  // as SPEC.md §9 says, against this page alone: the leaf and its audit
  // path lead to the Merkle root shown (§6, RFC 6962); the ticket is
  // T(seed, uscc); the stratum's position, label (or label commitment),
  // N and k are the page's; and the firm is listed at its rank with its
  // ticket (drawn), or is not listed and its ticket is larger than every
  // ticket listed in its stratum, which lists exactly k (not drawn), or is
  // not eligible and names no stratum. <body> carries data-proof-status:
  // running, then ok or failed (the draw's own verdict is
  // data-verify-status).
  var sectionEl = document.getElementById('proof');
  var V = window.spotcheckVerify;
  if (!sectionEl || !V) { return; }
  var body = document.body;
  var text = document.getElementById('proof-text');
  var file = document.getElementById('proof-file');
  var button = document.getElementById('proof-check');
  var drop = document.getElementById('proof-drop');
  var list = document.getElementById('proof-checks');
  var verdictEl = document.getElementById('proof-verdict');
  var explain = document.getElementById('proof-explanation');
  var enc = new TextEncoder();

  var digest = function (parts) {
    var n = 0;
    parts.forEach(function (p) { n += p.length; });
    var all = new Uint8Array(n);
    var at = 0;
    parts.forEach(function (p) { all.set(p, at); at += p.length; });
    return crypto.subtle.digest('SHA-256', all).then(function (d) { return new Uint8Array(d); });
  };
  var byte = function (b) { return new Uint8Array([b]); };
  var isHash = function (h) { return typeof h === 'string' && /^[0-9a-f]{64}$/.test(h); };
  var isCount = function (n) { return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0; };

  // RFC 6962's audit path, from the leaf up to the root (SPEC.md §6).
  var rootFromPath = async function (leaf, index, size, path) {
    if (index >= size) { return null; }
    var fn = index;
    var sn = size - 1;
    var r = leaf;
    for (var i = 0; i < path.length; i++) {
      if (sn === 0) { return null; }
      if (fn % 2 === 1 || fn === sn) {
        r = await digest([byte(1), path[i], r]);
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
        }
      } else {
        r = await digest([byte(1), r, path[i]]);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 ? r : null;
  };

  // Each check as <li id="proof-check-ID" data-outcome="…">.
  var say = V.reporter(list, 'proof-check-');

  // What the page shows that a proof is checked against.
  var page = function () {
    var v = document.getElementById('verify');
    var get = function (id) { var el = document.getElementById(id); return el ? el.textContent : ''; };
    var strata = Array.prototype.slice.call(document.querySelectorAll('#strata-table tbody tr[data-stratum]')).map(function (tr) {
      return {
        label: tr.getAttribute('data-stratum'),
        n: Number(tr.getAttribute('data-n')),
        k: Number(tr.getAttribute('data-k')),
        commitment: tr.getAttribute('data-label-commitment')
      };
    });
    var rows = V.rowsOf(document.querySelectorAll('#targets tbody tr'));
    return {
      task: v ? v.getAttribute('data-task') : '',
      leaves: v ? Number(v.getAttribute('data-leaves')) : NaN,
      source: get('source-sha256'),
      seed: get('seed'),
      root: get('merkle-root'),
      strata: strata,
      rows: rows
    };
  };

  var check = async function (raw) {
    list.textContent = '';
    explain.textContent = '';
    body.setAttribute('data-proof-status', 'running');
    var p;
    try { p = JSON.parse(raw); } catch (e) { p = null; }
    var fields = ['format', 'task_id', 'public', 'leaf', 'leaf_index', 'tree_size', 'audit_path', 'ticket', 'drawn'];
    if (!p || typeof p !== 'object' || p.format !== 'spotcheck-proof/1' ||
        fields.some(function (f) { return !(f in p); }) || !p.public || !p.leaf ||
        typeof p.leaf.uscc !== 'string' || typeof p.leaf.stratum !== 'string' || typeof p.leaf.eligibility !== 'string' ||
        !Array.isArray(p.audit_path) || !isCount(p.leaf_index) || !isCount(p.tree_size)) {
      say('format', 'failed', '证明文件', 'the proof file', [['这不是 spotcheck 的证明文件（spotcheck-proof/1 格式，由 spotcheck prove 生成）',
        'this is not a spotcheck proof (spotcheck-proof/1, as spotcheck prove writes it)']]);
      return finish(false);
    }
    var d = page();
    var ok = true;
    var uscc = p.leaf.uscc;

    // The proof is for this draw.
    var bad = [];
    if (p.task_id !== d.task) { bad.push(['证明属于任务 ' + p.task_id + '，本页面为任务 ' + d.task, 'the proof is for task ' + p.task_id + ', this page for ' + d.task]); }
    if (p.public.source_manifest_sha256 !== d.source) { bad.push(['证明的来源清单 SHA-256 不是本页面的', "the proof's source manifest SHA-256 is not this page's"]); }
    if (p.public.seed !== d.seed) { bad.push(['证明的种子不是本页面的种子', "the proof's seed is not this page's"]); }
    if (p.public.merkle_root !== d.root) { bad.push(['证明的 Merkle 树根不是本页面的', "the proof's Merkle root is not this page's"]); }
    ok = say('draw', bad.length ? 'failed' : 'ok', '证明属于本次抽取（任务、来源清单、种子、Merkle 树根）',
      'the proof is for this draw (task, source manifest, seed, Merkle root)', bad) && ok;

    // The leaf, up to the root.
    bad = [];
    var path = p.audit_path.every(isHash) ? p.audit_path.map(V.unhex) : null;
    var data = uscc + '\n' + p.leaf.stratum + '\n' + p.leaf.eligibility;
    if (p.tree_size !== d.leaves) { bad.push(['证明的树有 ' + p.tree_size + ' 片叶子，名录为 ' + d.leaves, "the proof's tree has " + p.tree_size + ' leaves, the directory ' + d.leaves]); }
    if (!path || !isHash(d.root)) {
      bad.push(['审计路径不是十六进制的 SHA-256', 'the audit path is not hex SHA-256']);
    } else {
      var leaf = await digest([byte(0), enc.encode(data)]);
      var root = await rootFromPath(leaf, p.leaf_index, p.tree_size, path);
      if (root === null || V.hex(root) !== d.root) {
        bad.push(['叶子与审计路径不能得出本页面的 Merkle 树根（叶子、其序号或路径被改动）',
          'the leaf and its audit path do not lead to the Merkle root (the leaf, its index or the path was changed)']);
      }
    }
    ok = say('leaf', bad.length ? 'failed' : 'ok',
      '叶子 “' + data.replace(/\n/g, ' / ') + '”（第 ' + p.leaf_index + ' 片，共 ' + d.leaves + ' 片）经审计路径得出本页面的 Merkle 树根',
      'the leaf “' + data.replace(/\n/g, ' / ') + '” (index ' + p.leaf_index + ' of ' + d.leaves + ') leads to the Merkle root by its audit path', bad) && ok;

    // The ticket.
    var t = await V.ticket(d.seed, uscc);
    ok = say('ticket', t === p.ticket ? 'ok' : 'failed', '随机号等于 T(seed, uscc)', 'the ticket is T(seed, uscc)',
      t === p.ticket ? [] : [['证明的随机号为 ' + p.ticket + '，应为 ' + t, "the proof's ticket is " + p.ticket + ', it should be ' + t]]) && ok;

    // The stratum, and drawn or not.
    var eligible = p.leaf.eligibility === 'eligible';
    var listed = d.rows.filter(function (r) { return r.uscc === uscc; });
    var ps = p.stratum;
    bad = [];
    var s = null;
    if (!eligible) {
      if (ps) { bad.push(['企业不符合条件，证明却列出分层', 'the firm is not eligible, but the proof names a stratum']); }
      if (p.drawn || listed.length) { bad.push([uscc + ' 不符合条件，却被抽中或列在名单中', uscc + ' is not eligible, but it is drawn or listed']); }
      ok = say('eligibility', bad.length ? 'failed' : 'ok', '企业不符合抽查条件（' + p.leaf.eligibility + '），未列在名单中',
        'the firm is not eligible (' + p.leaf.eligibility + ') and is not listed', bad) && ok;
      return finish(ok, ok && ['企业 ' + uscc + ' 在本次抽查的企业名录中，但不属于本次抽查范围（' + p.leaf.eligibility + '），因此没有参加抽取。',
        'Firm ' + uscc + ' is in the directory of this draw, but not part of it (' + p.leaf.eligibility + '); it was not drawn.']);
    }
    if (!ps || typeof ps !== 'object' || !isCount(ps.index)) {
      bad.push(['企业符合条件，证明却没有列出分层', 'the firm is eligible, but the proof names no stratum']);
    } else if (!(s = d.strata[ps.index])) {
      bad.push(['证明的分层序号 ' + ps.index + ' 不在本页面的 ' + d.strata.length + ' 个分层中', "the proof's stratum index " + ps.index + ' is not one of the ' + d.strata.length + ' strata']);
    } else {
      if (s.label !== ps.public_label) { bad.push(['第 ' + (ps.index + 1) + ' 层为 ' + s.label + '，不是 ' + ps.public_label, 'stratum ' + (ps.index + 1) + ' is ' + s.label + ', not ' + ps.public_label]); }
      if (s.commitment && typeof ps.label_salt === 'string') {
        var c = V.hex(await crypto.subtle.digest('SHA-256', enc.encode('spotcheck-stratum-label/1\n' + ps.label_salt + '\n' + p.leaf.stratum)));
        if (s.label !== 'S' + (ps.index + 1)) { bad.push(['不公开的分层 ' + s.label + ' 不是 S' + (ps.index + 1), 'opaque stratum ' + s.label + ' is not labelled S' + (ps.index + 1)]); }
        if (c !== s.commitment) { bad.push(['叶子的分层不能打开 ' + s.label + ' 的标签承诺', "the leaf's stratum does not open the label commitment of " + s.label]); }
      } else if (!s.commitment && ps.label_salt === undefined) {
        if (s.label !== p.leaf.stratum) { bad.push(['叶子的分层 ' + p.leaf.stratum + ' 不是分层 ' + s.label, "the leaf's stratum " + p.leaf.stratum + ' is not stratum ' + s.label]); }
      } else {
        bad.push(['证明与本页面对分层标签是否公开不一致', 'the proof and this page disagree on whether stratum labels are withheld']);
      }
      if (ps.n !== s.n || ps.k !== s.k) { bad.push(['证明称 N = ' + ps.n + '、k = ' + ps.k + '，本页面为 N = ' + s.n + '、k = ' + s.k, 'the proof says N = ' + ps.n + ', k = ' + ps.k + '; this page says N = ' + s.n + ', k = ' + s.k]); }
    }
    ok = say('stratum', bad.length ? 'failed' : 'ok', s ? '企业属于分层 ' + s.label + '（N = ' + s.n + '，k = ' + s.k + '）' : '企业的分层',
      s ? 'the firm is in stratum ' + s.label + ' (N = ' + s.n + ', k = ' + s.k + ')' : "the firm's stratum", bad) && ok;
    if (!s) { return finish(false); }

    var inStratum = d.rows.filter(function (r) { return r.stratum === s.label; });
    var max = inStratum.reduce(function (m, r) { return m === null || r.ticket > m ? r.ticket : m; }, null);
    bad = [];
    var why;
    if (p.drawn) {
      var row = listed.length === 1 ? listed[0] : null;
      if (!row || row.stratum !== s.label || row.rank !== String(p.rank) || row.ticket !== p.ticket) {
        bad.push(['证明称 ' + uscc + ' 以第 ' + p.rank + ' 位被抽中，名单却不是这样列的', 'the proof says ' + uscc + ' was drawn at rank ' + p.rank + ', but the list does not show it so']);
      }
      ok = say('listed', bad.length ? 'failed' : 'ok', '名单在分层 ' + s.label + ' 第 ' + p.rank + ' 位列出本企业及其随机号',
        'the list shows the firm in stratum ' + s.label + ' at rank ' + p.rank + ' with this ticket', bad) && ok;
      why = ['企业 ' + uscc + ' 符合抽查条件，属于分层 ' + s.label + '（共 ' + s.n + ' 家，抽取 ' + s.k + ' 家）。它的随机号在该层排第 ' + p.rank + ' 位，在前 ' + s.k + ' 位之内，因此被抽中。',
        'Firm ' + uscc + ' is eligible, in stratum ' + s.label + ' (' + s.n + ' firms, ' + s.k + ' drawn). Its ticket is number ' + p.rank + ' there, within the first ' + s.k + ', so it was drawn.'];
    } else {
      if (listed.length) { bad.push(['证明称 ' + uscc + ' 未被抽中，名单却列出了它', 'the proof says ' + uscc + ' was not drawn, but the list shows it']); }
      if (inStratum.length !== s.k) { bad.push(['分层 ' + s.label + ' 列出 ' + inStratum.length + ' 家，不是 k = ' + s.k, 'stratum ' + s.label + ' lists ' + inStratum.length + ', not k = ' + s.k]); }
      if (!(max === null ? s.k === 0 : p.ticket > max)) { bad.push(['企业的随机号不大于该层每个被抽中者的随机号', "the firm's ticket is not larger than every ticket drawn in the stratum"]); }
      if ((ps.cutoff_ticket === undefined ? null : ps.cutoff_ticket) !== max) { bad.push(['证明的截止随机号不是该层名单中最大的随机号', "the proof's cut-off ticket is not the largest ticket listed in the stratum"]); }
      ok = say('not-listed', bad.length ? 'failed' : 'ok', '企业未列在名单中；分层 ' + s.label + ' 恰好列出 k = ' + s.k + ' 家，企业的随机号大于最后一家被抽中者的',
        'the firm is not listed; stratum ' + s.label + ' lists exactly k = ' + s.k + ', and the firm\u2019s ticket is larger than the last one drawn', bad) && ok;
      why = ['企业 ' + uscc + ' 符合抽查条件，属于分层 ' + s.label + '（共 ' + s.n + ' 家，抽取随机号最小的 ' + s.k + ' 家）。它的随机号大于该层最后一家被抽中企业的随机号，因此本次未被抽中。',
        'Firm ' + uscc + ' is eligible, in stratum ' + s.label + ' (' + s.n + ' firms; the ' + s.k + ' smallest tickets are drawn). Its ticket is larger than the last one drawn there, so it was not drawn.'];
    }
    return finish(ok, ok && why);
  };

  var finish = function (ok, why) {
    V.both(verdictEl, ok ? '证明核验通过。' : '证明核验未通过：见下列未通过的项目。', ok ? 'The proof checks out.' : 'The proof does NOT check out: see the failed items below.');
    verdictEl.className = ok ? 'ok' : 'failed';
    if (why) { explain.appendChild(V.both(document.createElement('p'), why[0], why[1])); }
    body.setAttribute('data-proof-status', ok ? 'ok' : 'failed');
  };

  var run = function (raw) {
    check(raw).catch(function (e) {
      say('stopped', 'failed', '证明核验出错', 'the check stopped', [[String(e), String(e)]]);
      finish(false);
    });
  };
  var load = function (f) {
    if (!f) { return; }
    f.text().then(function (t) { text.value = t; run(t); });
  };
  button.addEventListener('click', function () { run(text.value); });
  file.addEventListener('change', function () { load(file.files[0]); });
  drop.addEventListener('dragover', function (e) { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', function () { drop.classList.remove('over'); });
  drop.addEventListener('drop', function (e) {
    e.preventDefault();
    drop.classList.remove('over');
    load(e.dataTransfer.files[0]);
  });
})();
