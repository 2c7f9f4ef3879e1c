/**
 * The live dashboard: one self-contained page (inline CSS and JS, charts drawn by hand in SVG), no build step and no
 * external request. It reads `/dashboard/events` with `fetch` rather than `EventSource`, because only `fetch` can send
 * the gateway key as a header. Stable hooks for tests: `data-testid` on each panel, `data-deployment` rows with a
 * `data-state` pill, `data-kind` on feed items. (Plain string concatenation inside: this file is a template literal.)
 */
export const dashboardPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Circuit Breaker · Dashboard</title>
<style>
:root { --bg:#0f1419; --panel:#171e26; --line:#263241; --text:#e6edf3; --muted:#8b98a8; --accent:#4aa3ff;
  --green:#2fbf71; --amber:#f0b429; --red:#f25f5c; --violet:#a78bfa; }
* { box-sizing:border-box; }
html, body { margin:0; height:100%; background:var(--bg); color:var(--text); }
body { display:flex; flex-direction:column;
  font:13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header { display:flex; align-items:center; gap:20px; padding:10px 18px; border-bottom:1px solid var(--line); background:#121920; }
header h1 { font-size:15px; margin:0; font-weight:600; letter-spacing:.2px; white-space:nowrap; }
header h1 span { color:var(--accent); }
.totals { display:flex; gap:10px; flex:1; flex-wrap:wrap; }
.stat { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:5px 12px; min-width:92px; }
.stat .label { color:var(--muted); font-size:10.5px; text-transform:uppercase; letter-spacing:.6px; }
.stat .value { font-size:18px; font-weight:600; font-variant-numeric:tabular-nums; }
.stat.live .value { color:var(--accent); }
.conn { display:flex; align-items:center; gap:6px; color:var(--muted); white-space:nowrap; }
.dot { width:9px; height:9px; border-radius:50%; background:var(--red); }
.conn[data-status=live] .dot { background:var(--green); box-shadow:0 0 0 3px rgba(47,191,113,.18); }
main { display:grid; grid-template-columns: minmax(0,1.25fr) minmax(0,1fr); gap:12px; padding:12px 18px; flex:1; min-height:0; }
.col { display:flex; flex-direction:column; gap:12px; min-height:0; }
section { background:var(--panel); border:1px solid var(--line); border-radius:10px; padding:10px 12px; min-height:0; display:flex; flex-direction:column; }
section h2 { margin:0 0 8px; font-size:11.5px; color:var(--muted); text-transform:uppercase; letter-spacing:.7px; font-weight:600; display:flex; justify-content:space-between; }
table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
th { text-align:left; color:var(--muted); font-weight:500; font-size:11px; padding:4px 6px; border-bottom:1px solid var(--line); }
td { padding:5px 6px; border-bottom:1px solid rgba(38,50,65,.6); white-space:nowrap; overflow:hidden; text-overflow:ellipsis; max-width:240px; }
td.num, th.num { text-align:right; }
.pill { display:inline-block; padding:1px 9px; border-radius:999px; font-size:11px; font-weight:600; text-transform:uppercase; letter-spacing:.4px; }
.pill[data-state=closed] { background:rgba(47,191,113,.16); color:var(--green); }
.pill[data-state=half-open] { background:rgba(240,180,41,.16); color:var(--amber); }
.pill[data-state=open] { background:rgba(242,95,92,.18); color:var(--red); }
.scroll { overflow:auto; min-height:0; flex:1; }
.empty { color:var(--muted); padding:8px 6px; font-style:italic; }
.charts { display:grid; grid-template-rows:1fr 1fr; gap:12px; flex:0 0 300px; }
svg.chart { width:100%; height:100%; display:block; }
svg.chart text { fill:var(--muted); font-size:10px; }
.chart-wrap { flex:1; min-height:0; }
.bar { height:6px; background:#223042; border-radius:4px; overflow:hidden; width:90px; display:inline-block; vertical-align:middle; margin-right:6px; }
.bar i { display:block; height:100%; background:var(--accent); }
ul.feed { list-style:none; margin:0; padding:0; }
ul.feed li { display:flex; gap:8px; padding:4px 2px; border-bottom:1px solid rgba(38,50,65,.6); align-items:baseline; }
ul.feed time { color:var(--muted); font-variant-numeric:tabular-nums; font-size:11px; min-width:58px; }
.kind { font-size:10px; font-weight:700; text-transform:uppercase; border-radius:4px; padding:0 5px; min-width:62px; text-align:center; }
.kind[data-kind=error] { color:var(--red); background:rgba(242,95,92,.14); }
.kind[data-kind=failover], .kind[data-kind=fallback] { color:var(--violet); background:rgba(167,139,250,.15); }
.kind[data-kind=retry], .kind[data-kind=hedge] { color:var(--amber); background:rgba(240,180,41,.14); }
.kind[data-kind=circuit] { color:var(--accent); background:rgba(74,163,255,.14); }
#login { position:fixed; inset:0; background:rgba(8,12,16,.82); display:none; align-items:center; justify-content:center; }
#login form { background:var(--panel); border:1px solid var(--line); border-radius:12px; padding:22px; width:340px; }
#login input { width:100%; padding:8px 10px; margin:10px 0; border-radius:6px; border:1px solid var(--line); background:#0d1217; color:var(--text); }
#login button { padding:7px 14px; border-radius:6px; border:0; background:var(--accent); color:#06121f; font-weight:600; cursor:pointer; }
.err { color:var(--red); min-height:18px; }
</style>
</head>
<body>
<header>
  <h1>Circuit <span>Breaker</span></h1>
  <div class="totals">
    <div class="stat live"><div class="label">Active streams</div><div class="value" data-testid="active-streams">0</div></div>
    <div class="stat"><div class="label">Requests</div><div class="value" data-testid="total-requests">0</div></div>
    <div class="stat"><div class="label">Errors</div><div class="value" data-testid="total-errors">0</div></div>
    <div class="stat"><div class="label">Tokens in / out</div><div class="value" data-testid="total-tokens">0 / 0</div></div>
    <div class="stat"><div class="label">Cost</div><div class="value" data-testid="total-cost">$0.00</div></div>
    <div class="stat"><div class="label">Tokens/s</div><div class="value" data-testid="current-tps">0</div></div>
  </div>
  <div class="conn" data-testid="connection-status" data-status="connecting"><span class="dot"></span><span id="conn-text">connecting</span></div>
</header>
<main>
  <div class="col">
    <section style="flex:0 1 auto; max-height:44%">
      <h2>Deployments <span id="uptime"></span></h2>
      <div class="scroll"><table data-testid="deployments">
        <thead><tr><th>Deployment</th><th>Circuit</th><th class="num">TTFT</th><th class="num">In flight</th><th class="num">Requests</th><th class="num">Errors</th></tr></thead>
        <tbody id="deployments"></tbody>
      </table></div>
    </section>
    <section style="flex:1">
      <h2>Active streams <span id="stream-count"></span></h2>
      <div class="scroll"><table>
        <thead><tr><th>Request</th><th>Model</th><th>Deployment</th><th>Tokens</th><th class="num">Elapsed</th><th class="num">Tok/s</th></tr></thead>
        <tbody id="streams" data-testid="stream-list"></tbody>
      </table></div>
    </section>
  </div>
  <div class="col">
    <div class="charts">
      <section><h2>Time to first token <span id="ttft-now"></span></h2><div class="chart-wrap"><svg class="chart" data-testid="chart-ttft" id="chart-ttft"></svg></div></section>
      <section><h2>Tokens per second <span id="tps-now"></span></h2><div class="chart-wrap"><svg class="chart" data-testid="chart-tps" id="chart-tps"></svg></div></section>
    </div>
    <section style="flex:1">
      <h2>Errors, failovers &amp; circuits</h2>
      <div class="scroll"><ul class="feed" data-testid="event-feed" id="feed"></ul></div>
    </section>
  </div>
</main>
<div id="login"><form id="login-form">
  <div style="font-weight:600">Gateway key</div>
  <div style="color:var(--muted); font-size:12px">The dashboard uses the same keys as the API. Kept in this tab only (sessionStorage).</div>
  <input id="key" type="password" autocomplete="off" placeholder="sk-…">
  <div class="err" id="login-error"></div>
  <button type="submit">Connect</button>
</form></div>
<script>
(function () {
  'use strict';
  var STORE = 'circuit-breaker-key';
  var params = new URLSearchParams(location.search);
  if (params.get('api_key')) {
    sessionStorage.setItem(STORE, params.get('api_key'));
    params.delete('api_key');
    var rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? '?' + rest : ''));
  }
  var $ = function (id) { return document.getElementById(id); };
  var state = { snapshot: null, feed: [] };
  var fmt = new Intl.NumberFormat('en-US');

  function esc(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function ms(value) { return value == null ? '–' : value < 1000 ? Math.round(value) + ' ms' : (value / 1000).toFixed(2) + ' s'; }
  function clock(time) { return new Date(time).toLocaleTimeString([], { hour12: false }); }
  function setConn(status, text) { var el = $('conn-text').parentNode; el.setAttribute('data-status', status); $('conn-text').textContent = text; }

  function renderDeployments(list) {
    var body = $('deployments');
    if (!list.length) { body.innerHTML = '<tr><td colspan="6" class="empty">No deployments configured yet.</td></tr>'; return; }
    body.innerHTML = list.map(function (d) {
      return '<tr data-deployment="' + esc(d.key) + '"><td title="' + esc(d.key) + '">' + esc(d.key) + '</td>' +
        '<td><span class="pill" data-state="' + esc(d.state) + '">' + esc(d.state) + '</span></td>' +
        '<td class="num">' + ms(d.latencyMs) + '</td><td class="num">' + d.inFlight + '</td>' +
        '<td class="num">' + fmt.format(d.requests) + '</td><td class="num">' + fmt.format(d.errors) + '</td></tr>';
    }).join('');
  }

  function renderStreams(list, now) {
    var body = $('streams');
    $('stream-count').textContent = list.length ? list.length + ' live' : '';
    if (!list.length) { body.innerHTML = '<tr><td colspan="6" class="empty">No streams in flight.</td></tr>'; return; }
    var max = Math.max.apply(null, list.map(function (s) { return s.tokens; }).concat([1]));
    body.innerHTML = list.map(function (s) {
      var elapsed = Math.max(0.001, (now - s.startedAt) / 1000);
      return '<tr data-stream-id="' + esc(s.id) + '"><td title="' + esc(s.id) + '">' + esc(s.id.slice(-10)) + '</td>' +
        '<td>' + esc(s.model || '…') + '</td><td>' + esc(s.deployment || 'waiting') + '</td>' +
        '<td><span class="bar"><i style="width:' + Math.round((s.tokens / max) * 100) + '%"></i></span><b data-testid="stream-tokens">' + s.tokens + '</b></td>' +
        '<td class="num">' + elapsed.toFixed(1) + ' s</td><td class="num">' + (s.tokens / elapsed).toFixed(1) + '</td></tr>';
    }).join('');
  }

  function renderFeed() {
    var items = state.feed.slice(-60).reverse();
    $('feed').innerHTML = items.length ? items.map(function (item) {
      return '<li data-kind="' + esc(item.kind) + '"' + (item.state ? ' data-state="' + esc(item.state) + '"' : '') + '><time>' + clock(item.time) + '</time>' +
        '<span class="kind" data-kind="' + esc(item.kind) + '">' + esc(item.kind) + '</span><span>' + esc(item.text) + '</span></li>';
    }).join('') : '<li class="empty">Nothing has gone wrong yet.</li>';
  }

  function drawChart(svg, points, options) {
    var box = svg.getBoundingClientRect();
    var w = Math.max(200, box.width), h = Math.max(80, box.height);
    var left = 44, right = 8, top = 8, bottom = 18;
    var values = points.map(function (p) { return p.value; }).filter(function (v) { return v != null; });
    var peak = Math.max.apply(null, values.concat([options.floor]));
    var step = Math.pow(10, Math.floor(Math.log10(peak)));
    var max = Math.ceil(peak / step) * step;
    var span = options.seconds * 1000, end = Date.now(), start = end - span;
    var x = function (t) { return left + ((t - start) / span) * (w - left - right); };
    var y = function (v) { return top + (1 - v / max) * (h - top - bottom); };
    var out = '';
    for (var i = 0; i <= 4; i++) {
      var v = (max / 4) * i, yy = y(v).toFixed(1);
      out += '<line x1="' + left + '" x2="' + (w - right) + '" y1="' + yy + '" y2="' + yy + '" stroke="#263241" stroke-width="1"/>';
      out += '<text x="' + (left - 6) + '" y="' + (Number(yy) + 3) + '" text-anchor="end">' + options.label(v) + '</text>';
    }
    for (var m = 0; m <= options.seconds / 60; m++) {
      var tx = x(end - m * 60000);
      out += '<text x="' + tx.toFixed(1) + '" y="' + (h - 4) + '" text-anchor="middle">' + (m === 0 ? 'now' : '-' + m + 'm') + '</text>';
    }
    var line = '', area = '', started = false, firstX = 0, lastX = 0;
    points.forEach(function (p) {
      if (p.time < start) return;
      if (p.value == null) { if (options.gaps) { started = false; } return; }
      var px = x(p.time).toFixed(1), py = y(p.value).toFixed(1);
      line += (started ? 'L' : 'M') + px + ' ' + py;
      if (!area) firstX = px;
      area += (area ? 'L' : 'M') + px + ' ' + py;
      lastX = px; started = true;
    });
    if (area && !options.gaps) out += '<path d="' + area + 'L' + lastX + ' ' + y(0) + 'L' + firstX + ' ' + y(0) + 'Z" fill="' + options.color + '" fill-opacity="0.16"/>';
    if (line) out += '<path d="' + line + '" fill="none" stroke="' + options.color + '" stroke-width="1.8" stroke-linejoin="round"/>';
    if (options.gaps) points.forEach(function (p) {
      if (p.time >= start && p.value != null) out += '<circle cx="' + x(p.time).toFixed(1) + '" cy="' + y(p.value).toFixed(1) + '" r="2" fill="' + options.color + '"/>';
    });
    if (!values.length) out += '<text x="' + (w / 2) + '" y="' + (h / 2) + '" text-anchor="middle">no data yet</text>';
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    svg.innerHTML = out;
  }

  function render() {
    var s = state.snapshot;
    if (!s) return;
    var now = Date.now();
    document.querySelector('[data-testid=active-streams]').textContent = s.totals.activeStreams;
    document.querySelector('[data-testid=total-requests]').textContent = fmt.format(s.totals.requests);
    document.querySelector('[data-testid=total-errors]').textContent = fmt.format(s.totals.errors);
    document.querySelector('[data-testid=total-tokens]').textContent = fmt.format(s.totals.promptTokens) + ' / ' + fmt.format(s.totals.completionTokens);
    document.querySelector('[data-testid=total-cost]').textContent = '$' + s.totals.costUsd.toFixed(s.totals.costUsd < 1 ? 4 : 2);
    var last = s.series.length ? s.series[s.series.length - 1] : null;
    document.querySelector('[data-testid=current-tps]').textContent = last ? fmt.format(last.tokensPerSecond) : '0';
    var up = Math.round((now - s.startedAt) / 1000);
    $('uptime').textContent = 'up ' + (up < 3600 ? Math.floor(up / 60) + 'm ' + (up % 60) + 's' : Math.floor(up / 3600) + 'h ' + Math.floor((up % 3600) / 60) + 'm');
    if (s.state && s.state.backend === 'redis') $('uptime').textContent += s.state.health === 'up' ? ' · redis: shared' : ' · redis: DEGRADED (local state)';
    renderDeployments(s.deployments);
    renderStreams(s.streams, now);
    var ttft = s.series.map(function (p) { return { time: p.time, value: p.ttftMs }; });
    var tps = s.series.map(function (p) { return { time: p.time, value: p.tokensPerSecond }; });
    var lastTtft = ttft.filter(function (p) { return p.value != null; }).pop();
    $('ttft-now').textContent = lastTtft ? 'last ' + ms(lastTtft.value) : '';
    $('tps-now').textContent = last ? last.tokensPerSecond + ' tok/s' : '';
    drawChart($('chart-ttft'), ttft, { color: '#f0b429', seconds: 300, floor: 100, gaps: true, label: function (v) { return v >= 1000 ? (v / 1000).toFixed(1) + 's' : Math.round(v) + 'ms'; } });
    drawChart($('chart-tps'), tps, { color: '#4aa3ff', seconds: 300, floor: 10, gaps: false, label: function (v) { return fmt.format(Math.round(v)); } });
  }

  function onEvent(name, data) {
    if (name === 'snapshot') {
      state.snapshot = data;
      if (!state.seeded) { state.feed = data.feed.slice(); state.seeded = true; renderFeed(); }
      render();
    } else if (name === 'activity') {
      state.feed.push(data);
      if (state.feed.length > 200) state.feed.splice(0, state.feed.length - 200);
      renderFeed();
    }
  }

  function showLogin(message) {
    $('login').style.display = 'flex';
    $('login-error').textContent = message || '';
    $('key').focus();
  }
  $('login-form').addEventListener('submit', function (event) {
    event.preventDefault();
    sessionStorage.setItem(STORE, $('key').value.trim());
    $('login').style.display = 'none';
    connect();
  });

  var retry = 0;
  function connect() {
    var key = sessionStorage.getItem(STORE);
    var headers = key ? { authorization: 'Bearer ' + key } : {};
    setConn('connecting', 'connecting');
    fetch('/dashboard/events', { headers: headers, cache: 'no-store' }).then(function (res) {
      if (res.status === 401) { setConn('auth', 'key needed'); showLogin(key ? 'That key was not accepted.' : ''); return; }
      if (!res.ok || !res.body) throw new Error('HTTP ' + res.status);
      setConn('live', 'live');
      retry = 0;
      var reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      var buffer = '';
      function pump() {
        return reader.read().then(function (result) {
          if (result.done) throw new Error('closed');
          buffer += result.value.replace(/\\r\\n/g, '\\n');
          var index;
          while ((index = buffer.indexOf('\\n\\n')) !== -1) {
            var frame = buffer.slice(0, index);
            buffer = buffer.slice(index + 2);
            var name = 'message', data = '';
            frame.split('\\n').forEach(function (line) {
              if (line.indexOf('event:') === 0) name = line.slice(6).trim();
              else if (line.indexOf('data:') === 0) data += line.slice(5).trim();
            });
            if (data) { try { onEvent(name, JSON.parse(data)); } catch (e) { /* a bad frame is skipped */ } }
          }
          return pump();
        });
      }
      return pump();
    }).catch(function () {
      setConn('offline', 'reconnecting');
      retry = Math.min(retry + 1, 5);
      setTimeout(connect, 500 * retry);
    });
  }
  window.addEventListener('resize', render);
  renderFeed();
  connect();
})();
</script>
</body>
</html>
`;
