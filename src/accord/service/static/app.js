// accord's pages: calls to the same-origin API with the session's CSRF token. No other origin.
"use strict";
const accord = (() => {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
  const fmt = (x) => (x === null || x === undefined ? "-" : Number(x).toFixed(3));

  async function api(method, path, body, headers) {
    const opts = {method, headers: {"X-CSRF-Token": csrf, ...(headers || {})}, credentials: "same-origin"};
    if (body !== undefined) { opts.body = JSON.stringify(body); opts.headers["Content-Type"] = "application/json"; }
    const r = await fetch(path, opts);
    let data = null;
    try { data = await r.json(); } catch (e) { data = null; }
    return {status: r.status, ok: r.ok, data, etag: r.headers.get("ETag")};
  }

  function problems(data) {
    if (!data) return "";
    const items = (data.problems || []).map((p) => (p.path ? p.path + ": " : "") + p.message);
    return esc(data.error || "") + (items.length ? "<br>" + items.map(esc).join("<br>") : "");
  }

  async function evaluation(sid, draft) {
    const box = document.getElementById("evaluation");
    const r = await api("GET", `/api/scenarios/${sid}/evaluate` + (draft ? `?draft=${encodeURIComponent(draft)}` : ""));
    if (!r.ok) { box.innerHTML = `<p class="error">${problems(r.data)}</p>`; return; }
    const rows = r.data.evaluations;
    if (!rows.length) { box.innerHTML = "<p>No draft.</p>"; return; }
    const parties = rows[0].parties.map((p) => p.party);
    let html = "<table id='evaluation-table'><thead><tr><th>draft</th>" + parties.map((p) => `<th>${esc(p)}</th>`).join("") + "<th>acceptable to all</th></tr></thead><tbody>";
    for (const e of rows) {
      html += `<tr><td>${esc(e.draft)}</td>` + e.parties.map((p) =>
        `<td class="num ${p.acceptable ? "" : "no"}" data-party="${esc(p.party)}">${fmt(p.utility)} (${p.gain >= 0 ? "+" : ""}${fmt(p.gain)})${p.red_lines.length ? " ✕" : ""}</td>`).join("") +
        `<td>${e.acceptable_to_all ? "yes" : "no"}</td></tr>`;
    }
    box.innerHTML = html + "</tbody></table>";
    box.dataset.version = r.data.version;
  }

  function setRow(issueId, issue, chosen) {
    const label = document.createElement("label");
    label.className = "sets";
    label.append(issue.name + " ");
    const select = document.createElement("select");
    select.name = "set";
    select.dataset.issue = issueId;
    for (const [id, text] of issue.options) {
      const option = new Option(text, id, false, id === chosen);
      select.add(option);
    }
    const unset = document.createElement("button");
    unset.type = "button";
    unset.className = "unset";
    unset.title = "The point no longer sets this issue";
    unset.textContent = "×";
    label.append(select, " ", unset);
    return label;
  }

  function editor(sid, draft) {
    const status = document.getElementById("status");
    const data = document.getElementById("issue-options");
    const issues = data ? JSON.parse(data.textContent) : {};
    document.addEventListener("click", (ev) => {
      if (ev.target.classList && ev.target.classList.contains("unset")) ev.target.closest("label").remove();
    });
    for (const pick of document.querySelectorAll("select.add-issue")) {
      pick.addEventListener("change", () => {
        const id = pick.value;
        if (!id) return;
        pick.closest(".point").querySelector(".set-rows").append(setRow(id, issues[id], issues[id].options[0][0]));
        pick.remove(pick.selectedIndex);
        pick.value = "";
      });
    }
    const adding = document.getElementById("new-point");
    if (adding) {
      adding.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const body = {number: Number(adding.number.value), text: adding.text.value};
        const r = await api("POST", `/api/scenarios/${sid}/drafts/${draft}/points`, body);
        if (r.ok) { window.location.reload(); return; }
        status.innerHTML = `<span class="error">${problems(r.data)}</span>`;
      });
    }
    for (const section of document.querySelectorAll(".point[data-number]")) {
      const button = section.querySelector("button.save");
      if (!button) continue;
      button.addEventListener("click", async () => {
        const number = section.dataset.number;
        const path = `/api/scenarios/${sid}/drafts/${draft}/points/${number}`;
        const current = await api("GET", path);
        if (current.etag !== section.dataset.etag) {
          status.innerHTML = `<span class="error">P${number} was changed by someone else since you opened the page: reload it to see their version.</span>`;
          return;
        }
        const body = {...current.data, text: section.querySelector("textarea").value};
        const sets = {};
        for (const s of section.querySelectorAll("select[name=set]")) sets[s.dataset.issue] = s.value;
        body.sets = sets;
        const r = await api("PUT", path, body, {"If-Match": section.dataset.etag});
        if (r.ok) {
          section.dataset.etag = r.etag;
          status.innerHTML = `<span class="ok">Saved P${number}.</span>`;
          await evaluation(sid, draft);
        } else if (r.status === 412) {
          status.innerHTML = `<span class="error">P${number} was changed by someone else: reload the page.</span>`;
        } else {
          status.innerHTML = `<span class="error">${problems(r.data)}</span>`;
        }
      });
    }
  }

  function diffForm(sid) {
    const form = document.getElementById("diff-form");
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const a = form.a.value, b = form.b.value;
      const r = await api("GET", `/api/scenarios/${sid}/diff?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
      const box = document.getElementById("diff");
      if (!r.ok) { box.innerHTML = `<p class="error">${problems(r.data)}</p>`; return; }
      const d = r.data.diff;
      let html = `<p>${esc(d.a)} → ${esc(d.b)}: ${d.points.length} point changes, ${d.unchanged_points} unchanged.</p><ul>`;
      for (const c of d.issues) html += `<li>${esc(c.issue)}: ${esc(c.a_option)} → ${esc(c.b_option)}</li>`;
      html += "</ul><table><thead><tr><th>party</th><th>before</th><th>after</th><th>change</th></tr></thead><tbody>";
      for (const u of d.utilities) html += `<tr><td>${esc(u.party)}</td><td class="num">${fmt(u.a)}</td><td class="num">${fmt(u.b)}</td><td class="num">${u.delta >= 0 ? "+" : ""}${fmt(u.delta)}</td></tr>`;
      box.innerHTML = html + "</tbody></table>";
    });
  }

  async function space(sid) {
    const form = document.getElementById("space-form");
    const reading = document.getElementById("space-reading");
    const draw = async () => {
      const chosen = form.parties.value.split(",").map((p) => p.trim()).filter((p) => p);
      if (chosen.length !== 2) { reading.textContent = "Name exactly two parties, separated by a comma."; return; }
      const q = `&parties=${encodeURIComponent(chosen.join(","))}`;
      const [front, ev] = await Promise.all([
        api("GET", `/api/scenarios/${sid}/frontier?cap=400${q}`),
        api("GET", `/api/scenarios/${sid}/evaluate`),
      ]);
      if (!front.ok) { reading.innerHTML = `<span class="error">${problems(front.data)}</span>`; return; }
      const f = front.data.frontier;
      if (f.parties.length < 2) { reading.textContent = "Fewer than two parties you may see: no plane to draw."; return; }
      const [px, py] = f.parties;
      // the two-party frontier, in order along the first party's utility: a staircase
      const pts = f.points.map((p) => [p.utilities[px], p.utilities[py]]).sort((a, b) => a[0] - b[0] || b[1] - a[1]);
      const traces = [{x: pts.map((p) => p[0]), y: pts.map((p) => p[1]), mode: "lines+markers", name: `Pareto frontier of ${px} and ${py}`, line: {shape: "hv"}}];
      if (ev.ok) {
        const drafts = ev.data.evaluations;
        const u = (e, party) => (e.parties.find((p) => p.party === party) || {}).utility;
        traces.push({x: drafts.map((e) => u(e, px)), y: drafts.map((e) => u(e, py)), text: drafts.map((e) => e.draft), mode: "markers+text", textposition: "top center", name: "drafts", marker: {size: 10, symbol: "diamond"}});
      }
      Plotly.newPlot("space-chart", traces, {xaxis: {title: {text: px + " utility"}}, yaxis: {title: {text: py + " utility"}}, margin: {t: 20}}, {displaylogo: false, responsive: true});
      const n = f.count ?? f.size ?? f.points.length;
      reading.textContent = `The Pareto frontier of ${px} and ${py} taken alone: ${n} packages that neither can improve on without the other losing${f.truncated ? " (drawn in part)" : ""}. The other parties are not counted here; each draft sits on or below this line.`;
    };
    form.addEventListener("submit", (ev) => { ev.preventDefault(); draw(); });
    await draw();
    const z = await api("GET", `/api/scenarios/${sid}/relax?max_size=2`);
    const box = document.getElementById("zopa");
    if (!z.ok) { box.innerHTML = `<p class="error">${problems(z.data)}</p>`; return; }
    box.innerHTML = z.data.zopa.open
      ? `<p>A package exists that every party you may see accepts.</p>`
      : `<p>No package is acceptable to every party you may see; ${z.data.relaxations.relaxations.length} minimal sets of red lines or walk-away values would open the zone.</p>`;
  }

  // one small chart per issue, each on the issue's own scale (a troop ceiling and a 0-100
  // ordinal scale never share an axis)
  function forecastCharts(el, forecasts, scales) {
    const issues = [...new Set(forecasts.map((f) => f.issue))];
    const models = [...new Set(forecasts.map((f) => f.model))];
    const traces = [];
    const layout = {grid: {rows: issues.length, columns: 1, pattern: "independent", ygap: 0.6}, height: 90 * issues.length + 60, margin: {l: 150, r: 20, t: 20, b: 30}, showlegend: true, legend: {orientation: "h", y: 1 + 30 / (90 * issues.length)}};
    issues.forEach((issue, i) => {
      const k = i === 0 ? "" : String(i + 1);
      const s = scales[issue] || {min: 0, max: 100, name: issue, unit: ""};
      models.forEach((model, m) => {
        const f = forecasts.find((x) => x.issue === issue && x.model === model);
        if (!f) return;
        const lo = f.quantiles.q05, hi = f.quantiles.q95;
        traces.push({type: "scatter", mode: "markers", x: [f.mean], y: [model], xaxis: "x" + k, yaxis: "y" + k, name: model, legendgroup: model, showlegend: i === 0, marker: {size: 9, color: ["#1f5fa8", "#b5651d", "#3a7d44", "#7a3e9d"][m % 4]},
          error_x: lo === undefined ? undefined : {type: "data", symmetric: false, array: [hi - f.mean], arrayminus: [f.mean - lo], thickness: 1.5, width: 4},
          hovertemplate: `${esc(model)}: %{x}<extra></extra>`});
      });
      layout["xaxis" + k] = {range: [s.min, s.max], title: {text: s.unit ? `${s.name} (${s.unit})` : s.name, font: {size: 11}, standoff: 2}, tickfont: {size: 10}, automargin: true};
      layout["yaxis" + k] = {tickfont: {size: 10}, automargin: true};
    });
    Plotly.newPlot(el, traces, layout, {displaylogo: false, responsive: true});
    return issues.length;
  }

  async function forecast(sid) {
    const form = document.getElementById("forecast-form");
    const chart = document.getElementById("forecast-chart");
    const scales = JSON.parse(chart.dataset.scales || "{}");
    const run = async () => {
      const shock = form.shock.value;
      const r = await api("GET", `/api/scenarios/${sid}/forecast?runs=200` + (shock ? `&shock=${encodeURIComponent(shock)}` : ""));
      const table = document.getElementById("forecast-table");
      if (!r.ok) { table.innerHTML = `<p class="error">${problems(r.data)}</p>`; return; }
      forecastCharts(chart, r.data.forecasts, scales);
      let html = "<table><thead><tr><th>issue</th><th>model</th><th>mean</th><th>most frequent nearest option (share of runs)</th><th>calibrated median</th><th>50% interval</th><th>90% interval</th><th>most probable option (probability)</th></tr></thead><tbody>";
      const bases = new Set();
      for (const f of r.data.forecasts) {
        const best = Object.entries(f.option_share).sort((a, b) => b[1] - a[1])[0];
        const p = f.predictive;
        let calibrated = "<td>-</td><td>-</td><td>-</td><td>-</td>";
        if (p) {
          bases.add(`${f.model}: ${p.basis}`);
          const top = Object.entries(p.option_probability).sort((a, b) => b[1] - a[1])[0];
          const iv = (k) => `${fmt(p.intervals[k][0])} to ${fmt(p.intervals[k][1])}`;
          calibrated = `<td class="num">${fmt(p.quantiles.q50)}</td><td class="num">${iv("0.5")}</td><td class="num">${iv("0.9")}</td><td>${esc(top[0])} (${Math.round(top[1] * 100)}%)</td>`;
        }
        html += `<tr><td>${esc(f.issue)}</td><td>${esc(f.model)}</td><td class="num">${fmt(f.mean)}</td><td>${esc(best[0])} (${Math.round(best[1] * 100)}% of runs)</td>${calibrated}</tr>`;
      }
      html += "</tbody></table>";
      if (bases.size) html += `<p id="forecast-basis">Probabilities and intervals: ${esc([...bases].join("; "))}. The share of runs is the spread of the sampled inputs, not a probability.</p>`;
      const none = r.data.no_forecast || [];
      if (none.length) html += "<h2>No forecast</h2><ul id=\"no-forecast\">" + none.map((m) => `<li>${esc((scales[m.issue] || {}).name || m.issue)} (${esc(m.model)}): ${esc(m.reason)}</li>`).join("") + "</ul>";
      table.innerHTML = html;
    };
    form.addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
    await run();
  }

  return {api, evaluation, editor, diffForm, space, forecast};
})();

// start the page's script from the body's data attributes (no inline script: a strict CSP holds)
document.addEventListener("DOMContentLoaded", () => {
  const {page, sid, draft} = document.body.dataset;
  if (!sid) return;
  if (draft) { accord.evaluation(sid, draft); accord.editor(sid, draft); }
  else if (page === "compare") { accord.evaluation(sid, null); accord.diffForm(sid); }
  else if (page === "space") accord.space(sid);
  else if (page === "forecast") accord.forecast(sid);
});
