(function () {
  'use strict';
  // The plan page checks its own list, as SPEC.md §2 and §3 say, with
  // nothing but the browser: every ticket is T(seed, uscc); each
  // stratum's ranks are 1…k in ticket order; each stratum lists its k;
  // and k follows from N where the ratio is public. For a ceremony draw
  // it also derives the seed from the evidence inlined in the page
  // (SPEC.md §5.2, §5.3). A batch's page (data-verify="batch") makes the
  // same checks for every task, whose seed is S_t = S ‖ ":task:" ‖ task id
  // (SPEC.md §10.3). <body> carries data-verify-status: running, then ok
  // or failed.
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
  // the decimal zero-padded to at least 64 digits (SPEC.md §2).
  var ticketOf = function (seedHex, id) {
    return sha256(seedHex + id).then(function (d) {
      var digits = BigInt('0x' + hex(d)).toString();
      while (digits.length < 64) { digits = '0' + digits; }
      return '0.' + digits.split('').reverse().join('');
    });
  };
  var ticket = function (seed, id) {
    return sha256(seed).then(function (s) { return ticketOf(hex(s), id); });
  };
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
  // One check's outcome: ok, failed or not made ("skipped"), its name,
  // and what failed (at most 20 lines, then how many more).
  var report = function (id, outcome, zh, en, problems) {
    var li = document.createElement('li');
    li.id = 'verify-' + id;
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
    list.appendChild(li);
    return outcome !== 'failed';
  };

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
      var cells = tr.cells;
      var code = tr.querySelector('td.code');
      var t = tr.querySelector('td.ticket code');
      return {
        row: i + 1,
        stratum: cells[0] ? cells[0].textContent : '',
        rank: cells[1] ? cells[1].textContent : '',
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

    // 1. Tickets, in batches so that the page stays responsive.
    bad = [];
    var batch = 400;
    var done = 0;
    for (var gi = 0; gi < groups.length; gi++) {
      var g = groups[gi];
      var seedHex = hex(await sha256(g.seed));
      for (var start = 0; start < g.rows.length; start += batch) {
        var part = g.rows.slice(start, start + batch);
        var tickets = await Promise.all(part.map(function (r) { return ticketOf(seedHex, r.uscc); }));
        part.forEach(function (r, j) {
          if (tickets[j] !== r.ticket) {
            var w = where(g, r);
            bad.push([w[0] + '：随机号与 T(' + S + ', uscc) 不符', w[1] + ': ticket is not T(' + S + ', uscc)']);
          }
        });
        done += part.length;
        both(progress, '已核验 ' + done + ' / ' + total, 'checked ' + done + ' / ' + total);
      }
    }
    ok = report('tickets', bad.length ? 'failed' : 'ok',
      batchPage ? groups.length + ' 项任务名单中全部 ' + total + ' 个随机号都等于 T(S_t, uscc)'
        : '名单中全部 ' + total + ' 家企业的随机号都等于 T(seed, uscc)',
      batchPage ? 'every ticket of the ' + total + ' listed in the ' + groups.length + ' tasks is T(S_t, uscc)'
        : 'every ticket of the ' + total + ' firms listed is T(seed, uscc)', bad) && ok;

    // 2. Ranks: in each stratum 1…k, ascending by ticket, ties by code.
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
    // (A batch's page does not mark its strata tables yet: there is
    // nothing to count against, and spotcheck verify counts.)
    if (!batchPage) {
      ok = report('counts', bad.length ? 'failed' : 'ok',
        '每层名单恰好列出 k 家企业', 'each stratum lists exactly its k firms', bad) && ok;
    }

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

    var ms = Math.round(performance.now() - started);
    body.setAttribute('data-verify-ms', String(ms));
    both(progress,
      (ok ? '核验通过' : '核验未通过') + '：已核验 ' + total + ' / ' + total + '，用时 ' + (ms / 1000).toFixed(2) + ' 秒',
      (ok ? 'All checks passed' : 'A check FAILED') + ': checked ' + total + ' / ' + total + ' in ' + (ms / 1000).toFixed(2) + ' s');
    section.setAttribute('data-outcome', ok ? 'ok' : 'failed');
    body.setAttribute('data-verify-status', ok ? 'ok' : 'failed');
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
      report('beacon-signature', 'skipped',
        'drand 信标的 BLS 签名（需用 spotcheck verify 核验）',
        "the beacon's BLS signature against drand quicknet's key: this one needs spotcheck verify");
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

  window.spotcheckVerify = { ticket: ticket, seed: seedOf };
  if (!window.crypto || !crypto.subtle || typeof BigInt !== 'function') {
    body.setAttribute('data-verify-status', 'failed');
    both(progress, '本浏览器不支持核验所需的 Web Crypto 或 BigInt。', 'This browser lacks Web Crypto or BigInt, which the check needs.');
    return;
  }
  run().catch(function (e) {
    body.setAttribute('data-verify-status', 'failed');
    both(progress, '核验出错：' + e, 'The check stopped: ' + e);
  });
})();
