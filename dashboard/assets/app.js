// The Leadbot dashboard: reads /dashboard/api/* with the session cookie
// and draws every chart as inline SVG, each with a table beside it for
// screen readers and for copying figures.
"use strict";

const STRINGS = {
  "zh-CN": {
    title: "Leadbot 看板", tiles: "健康指标", load: "负载热力图",
    loadHint: "每格是当天结束时手上的线索数与容量之比。",
    strength: "销售强项", strengthHint: "按行业的赢单率；颜色越深，依据的本人成交越多（置信度）。",
    standby: "待分配队列", explorer: "分配决策查询", searchLabel: "线索编号、外部编号或公司名",
    searchButton: "查询", manager: "经理", lead: "组长", allTeams: "全部团队", team: "团队",
    until: "链接有效至", noData: "暂无数据", table: "查看数据表", rep: "销售", day: "日期",
    held: "在手", capacity: "容量", industry: "行业", winRate: "赢单率", teamRate: "团队赢单率",
    confidence: "置信度", deals: "成交记录", overall: "总体", declared: "自报擅长",
    lead_: "线索", company: "公司", tier: "等级", score: "评分", age: "等待", hours: "小时",
    noStandby: "没有待分配的线索。", noResults: "没有找到线索。", open: "查看决策",
    status: "状态", assignee: "负责人", strategy: "策略", chosenRep: "分给", nobody: "无人",
    reasons: "理由", candidates: "候选人", parts: "得分构成", inputs: "决策依据",
    noDecision: "这条线索还没有分配决策。", week: "周", value: "数值", load_lt: "低于 70%",
    load_mid: "70%–100%", load_over: "超过容量", period: "近一周，趋势为每周",
    m_completion_rate: "任务完成率", m_key_account_coverage: "重点客户覆盖率", m_stalled_rate: "停滞商机占比",
    m_unfollowed_rate: "未跟进客户占比", m_median_first_touch_hours: "首次跟进中位时长",
    m_median_cycle_hours: "成交周期中位数", m_median_reply_hours: "提醒响应中位时长",
    m_revenue_per_rep: "人均成交额", m_conversion_rate: "转化率", m_untouched_tasks: "未动任务",
    m_slowing_replies: "回复变慢", m_after_hours_share: "非工作时间占比",
    s_healthy: "健康", s_warning: "预警", s_alert: "告警", s_info: "信息", s_no_data: "暂无数据",

    targets: "目标", targetsHint: "条长为已完成，竖线为按时间此时应完成的量。", noTargets: "当前没有生效的目标。",
    amount: "目标", done: "已完成", expected: "此时应完成", share: "完成比例", teamTotal: "全队",
    p_week: "本周", p_month: "本月", p_quarter: "本季度",
    g_touches: "跟进", g_existing_reviews: "老客户回访", g_claimed: "抢单", g_won: "赢单", g_revenue: "赢单金额",
    t_met: "已达成", t_on_track: "进度正常", t_behind: "落后", ownTarget: "个人目标",
  },
  en: {
    title: "Leadbot dashboard", tiles: "Health", load: "Load heatmap",
    loadHint: "Each cell is the leads held at the end of the day against capacity.",
    strength: "Rep strengths", strengthHint: "Win rate by industry; the darker the bar, the more of the rep's own deals it rests on (confidence).",
    standby: "Standby queue", explorer: "Decision explorer", searchLabel: "Lead id, external id or company",
    searchButton: "Search", manager: "Manager", lead: "Team lead", allTeams: "all teams", team: "team",
    until: "link valid until", noData: "no data", table: "Show the figures", rep: "Rep", day: "Day",
    held: "Held", capacity: "Capacity", industry: "Industry", winRate: "Win rate", teamRate: "Team rate",
    confidence: "Confidence", deals: "Deals", overall: "Overall", declared: "declared",
    lead_: "Lead", company: "Company", tier: "Tier", score: "Score", age: "Waiting", hours: "h",
    noStandby: "No lead is waiting.", noResults: "No lead found.", open: "Show decision",
    status: "Status", assignee: "Holder", strategy: "Strategy", chosenRep: "Went to", nobody: "nobody",
    reasons: "Reasons", candidates: "Candidates", parts: "Score parts", inputs: "Inputs",
    noDecision: "This lead has no routing decision yet.", week: "Week", value: "Value", load_lt: "under 70%",
    load_mid: "70%–100%", load_over: "over capacity", period: "last week, trend by week",
    m_completion_rate: "Task completion", m_key_account_coverage: "Key account coverage", m_stalled_rate: "Stalled opportunities",
    m_unfollowed_rate: "Unfollowed customers", m_median_first_touch_hours: "Median first touch",
    m_median_cycle_hours: "Median cycle", m_median_reply_hours: "Median reply to reminders",
    m_revenue_per_rep: "Revenue per rep", m_conversion_rate: "Conversion", m_untouched_tasks: "Untouched tasks",
    m_slowing_replies: "Slowing replies", m_after_hours_share: "After-hours share",
    s_healthy: "healthy", s_warning: "warning", s_alert: "alert", s_info: "info", s_no_data: "no data",

    targets: "Targets", targetsHint: "The bar is the work done; the line is where steady work would be by now.",
    noTargets: "No target is in effect.",
    amount: "Target", done: "Done", expected: "Expected by now", share: "Share", teamTotal: "Whole team",
    p_week: "This week", p_month: "This month", p_quarter: "This quarter",
    g_touches: "follow-ups", g_existing_reviews: "existing-customer reviews", g_claimed: "leads claimed",
    g_won: "deals won", g_revenue: "revenue won",
    t_met: "met", t_on_track: "on track", t_behind: "behind", ownTarget: "own target",
  },
};

let T = STRINGS["zh-CN"];
const SVG = "http://www.w3.org/2000/svg";

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
}

function svg(tag, attrs, ...kids) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const k of kids) if (k != null) e.append(k);
  return e;
}

function titled(node, text) { node.append(svg("title", {}, text)); return node; }

async function get(path) {
  const res = await fetch(path, { credentials: "same-origin" });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}

function table(head, rows) {
  return el("table", { class: "sr-table" },
    el("thead", {}, el("tr", {}, ...head.map(h => el("th", { scope: "col", text: h })))),
    el("tbody", {}, ...rows.map(r => el("tr", {}, ...r.map(c => el("td", { text: c }))))));
}

function fallback(head, rows) { return el("details", {}, el("summary", { text: T.table }), table(head, rows)); }

function fmt(value, unit) {
  if (value == null) return "—";
  switch (unit) {
    case "ratio": return (value * 100).toFixed(1) + "%";
    case "hours": return value.toFixed(1) + " " + T.hours;
    case "amount": return "¥" + Math.round(value).toLocaleString();
    default: return String(Math.round(value * 100) / 100);
  }
}

function pct(v) { return v == null ? "—" : Math.round(v * 100) + "%"; }

// sparkline draws a trend's values as a line with a dot per point.
function sparkline(points, unit) {
  const w = 160, h = 36, pad = 4;
  const vals = points.map(p => p.value);
  const known = vals.filter(v => v != null);
  const s = svg("svg", { class: "spark", viewBox: `0 0 ${w} ${h}`, role: "img", "aria-hidden": "true", preserveAspectRatio: "none" });
  if (known.length === 0) return s;
  const lo = Math.min(...known), hi = Math.max(...known), span = hi - lo || 1;
  const x = i => pad + (points.length === 1 ? (w - 2 * pad) / 2 : i * (w - 2 * pad) / (points.length - 1));
  const y = v => h - pad - (v - lo) / span * (h - 2 * pad);
  let d = "", pen = false;
  vals.forEach((v, i) => {
    if (v == null) { pen = false; return; }
    d += (pen ? "L" : "M") + x(i).toFixed(1) + " " + y(v).toFixed(1) + " ";
    pen = true;
  });
  s.append(svg("path", { d: d.trim() || `M${x(0)} ${h / 2}` }));
  vals.forEach((v, i) => {
    if (v != null) s.append(titled(svg("circle", { cx: x(i), cy: y(v), r: 2 }), points[i].from.slice(0, 10) + ": " + fmt(v, unit)));
  });
  return s;
}

function drawTiles(scope) {
  const box = document.getElementById("tiles");
  box.replaceChildren();
  for (const t of scope.tiles) {
    const name = T["m_" + t.id] || t.id;
    const trend = t.trend || [];
    box.append(el("div", { class: "tile " + t.status, "data-tile": t.id },
      el("div", { class: "name", text: name }),
      el("div", { class: "value", text: fmt(t.value, t.unit), title: T["s_" + t.status] || t.status }),
      sparkline(trend, t.unit),
      fallback([T.week, T.value], trend.map(p => [p.from.slice(0, 10), fmt(p.value, t.unit)]))));
  }
  box.dataset.ready = "1";
}

function heatColour(ratio) {
  if (ratio == null) return "#eef0f3";
  if (ratio > 1) return "#d93025";
  if (ratio >= 0.7) return "#f9ab00";
  const a = 0.15 + ratio / 0.7 * 0.6;
  return `rgba(52,168,83,${a.toFixed(2)})`;
}

function drawLoad(data) {
  const box = document.getElementById("load");
  box.replaceChildren();
  if (data.reps.length === 0) { box.append(el("p", { class: "empty", text: T.noData })); return; }
  const cell = 26, left = 120, top = 40;
  const w = left + data.days.length * cell + 8, h = top + data.reps.length * cell + 4;
  const s = svg("svg", { width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: "img", "aria-label": T.load });
  data.days.forEach((d, j) => {
    s.append(svg("text", { x: left + j * cell + cell / 2, y: top - 6, "text-anchor": "middle",
      transform: `rotate(-45 ${left + j * cell + cell / 2} ${top - 6})` }, d.slice(5)));
  });
  data.reps.forEach((r, i) => {
    s.append(svg("text", { x: left - 6, y: top + i * cell + cell / 2 + 4, "text-anchor": "end" }, r.name || r.rep_id));
    r.held.forEach((n, j) => {
      const rect = svg("rect", { x: left + j * cell + 1, y: top + i * cell + 1, width: cell - 2, height: cell - 2, rx: 3,
        fill: heatColour(r.ratio[j]), "data-rep": r.rep_id });
      s.append(titled(rect, `${r.name} ${data.days[j]}: ${n} / ${r.capacity} (${pct(r.ratio[j])})`));
    });
  });
  box.append(el("div", { class: "heat" }, s),
    el("div", { class: "legend" },
      el("span", { style: "--c:rgba(52,168,83,.5)", text: T.load_lt }),
      el("span", { style: "--c:#f9ab00", text: T.load_mid }),
      el("span", { style: "--c:#d93025", text: T.load_over })),
    fallback([T.rep, T.capacity, ...data.days],
      data.reps.map(r => [r.name, String(r.capacity), ...r.held.map(String)])));
}

// bars draws one bar per industry, its length the win rate, its
// opacity the confidence, with a tick at the team's rate.
function bars(rows) {
  const rowH = 20, left = 90, width = 170, h = rows.length * rowH + 4;
  const s = svg("svg", { class: "bars", width: left + width + 50, height: h, role: "img", "aria-hidden": "true" });
  rows.forEach((c, i) => {
    const y = i * rowH + 2;
    s.append(svg("text", { x: left - 6, y: y + 13, "text-anchor": "end" }, c.industry || T.overall));
    s.append(svg("rect", { x: left, y: y + 2, width: width, height: rowH - 6, fill: "#eef0f3" }));
    s.append(titled(svg("rect", { x: left, y: y + 2, width: Math.max(1, c.rate * width), height: rowH - 6,
      fill: "#3370ff", "fill-opacity": (0.25 + 0.75 * c.confidence).toFixed(2) }),
      `${c.industry || T.overall}: ${pct(c.rate)}, ${T.confidence} ${pct(c.confidence)}, ${c.wins}/${c.deals}`));
    s.append(titled(svg("path", { d: `M${left + c.team_rate * width} ${y} v${rowH - 2}`, stroke: "#1f2329", "stroke-width": 1.5 }),
      `${T.teamRate} ${pct(c.team_rate)}`));
    s.append(svg("text", { x: left + width + 4, y: y + 13 }, pct(c.rate)));
  });
  return s;
}

function drawStrengths(list) {
  const box = document.getElementById("strengths");
  box.replaceChildren();
  if (list.length === 0) { box.append(el("p", { class: "empty", text: T.noData })); return; }
  for (const r of list) {
    const rows = [r.overall, ...r.industries];
    box.append(el("div", { class: "rep", "data-rep": r.rep_id },
      el("h3", { text: `${r.name} · ${r.team}` }), bars(rows),
      fallback([T.industry, T.winRate, T.teamRate, T.confidence, T.deals],
        rows.map(c => [(c.industry || T.overall) + (c.declared ? ` (${T.declared})` : ""), pct(c.rate),
          pct(c.team_rate), pct(c.confidence), `${c.wins}/${c.deals}`]))));
  }
}

const TARGET_COLOURS = { met: "#34a853", on_track: "#3370ff", behind: "#ea4335" };

function targetAmount(t, n) { return t.metric === "revenue" ? fmt(n, "amount") : String(Math.round(n * 100) / 100); }

// progressBars draws one bar per row: its length the work done against
// the amount (capped at the full width), its colour the status, a line
// at the amount expected by now.
function progressBars(t, rows) {
  const rowH = 22, left = 110, width = 240, h = rows.length * rowH + 4;
  const s = svg("svg", { class: "progress", width: left + width + 130, height: h, role: "img", "aria-hidden": "true" });
  rows.forEach((r, i) => {
    const y = i * rowH + 2, frac = v => r.amount > 0 ? Math.min(1, v / r.amount) : 0;
    s.append(svg("text", { x: left - 6, y: y + 14, "text-anchor": "end", class: r.total ? "total" : "" }, r.label));
    s.append(svg("rect", { x: left, y: y + 3, width: width, height: rowH - 8, fill: "#eef0f3" }));
    s.append(titled(svg("rect", { x: left, y: y + 3, width: Math.max(1, frac(r.done) * width), height: rowH - 8,
      fill: TARGET_COLOURS[r.status] || "#8f959e", "data-status": r.status, "data-rep": r.rep_id || "" }),
      `${r.label}: ${targetAmount(t, r.done)} / ${targetAmount(t, r.amount)}, ${T["t_" + r.status] || r.status}`));
    s.append(titled(svg("path", { d: `M${left + frac(r.expected) * width} ${y} v${rowH - 2}`, stroke: "#1f2329",
      "stroke-width": 1.5, class: "expected" }), `${T.expected} ${targetAmount(t, r.expected)}`));
    s.append(svg("text", { x: left + width + 6, y: y + 14 },
      `${targetAmount(t, r.done)} / ${targetAmount(t, r.amount)} · ${T["t_" + r.status] || r.status}`));
  });
  return s;
}

function drawTargets(list) {
  const box = document.getElementById("targets");
  box.replaceChildren();
  if (list.length === 0) { box.append(el("p", { class: "empty", text: T.noTargets })); return; }
  const teams = [...new Set(list.map(t => t.team))];
  for (const team of teams) {
    const sec = el("div", { class: "team-targets", "data-team": team }, el("h3", { text: `${T.team} ${team || "—"}` }));
    for (const t of list.filter(x => x.team === team)) {
      const rows = [{ label: t.rep_id ? (t.name || t.rep_id) : T.teamTotal, total: true, rep_id: t.rep_id,
        amount: t.amount, done: t.done, expected: t.expected, share: t.share, status: t.status }];
      for (const p of t.parts) rows.push({ label: p.name || p.rep_id, own: !!p.own_target_id, ...p });
      sec.append(el("div", { class: "target", "data-target": t.id, "data-status": t.status },
        el("p", { class: "target-name", text: `${T["p_" + t.period] || t.period} · ${T["g_" + t.metric] || t.metric}` +
          ` · ${t.first_day} – ${t.last_day}` }),
        progressBars(t, rows),
        fallback([T.rep, T.amount, T.done, T.expected, T.share, T.status],
          rows.map(r => [r.label + (r.own ? ` (${T.ownTarget})` : ""), targetAmount(t, r.amount),
            targetAmount(t, r.done), targetAmount(t, r.expected), pct(r.share), T["t_" + r.status] || r.status]))));
    }
    box.append(sec);
  }
}

function leadRows(leads, withButton) {
  const head = [T.lead_, T.company, T.tier, T.score, T.status, T.age];
  const t = table(withButton ? [...head, ""] : head, []);
  const body = t.querySelector("tbody");
  for (const l of leads) {
    const tr = el("tr", { "data-lead": l.id }, ...[l.id, l.company, l.tier, l.score.toFixed(1), l.status,
      Math.round(l.age_hours) + " " + T.hours].map(c => el("td", { text: c })));
    if (withButton) {
      const b = el("button", { class: "link", type: "button", "data-open": l.id, text: T.open });
      b.addEventListener("click", () => showDecision(l.id));
      tr.append(el("td", {}, b));
    }
    body.append(tr);
  }
  t.className = "";
  return t;
}

function drawStandby(leads) {
  const box = document.getElementById("standby");
  box.replaceChildren(leads.length ? leadRows(leads, true) : el("p", { class: "empty", text: T.noStandby }));
}

async function search(q) {
  const box = document.getElementById("results");
  try {
    const leads = await get("/dashboard/api/search?q=" + encodeURIComponent(q));
    box.replaceChildren(leads.length ? leadRows(leads, true) : el("p", { class: "empty", text: T.noResults }));
    if (leads.length === 1) showDecision(leads[0].id);
  } catch (e) {
    box.replaceChildren(el("p", { class: "error", text: e.message }));
  }
}

async function showDecision(id) {
  const box = document.getElementById("decision");
  let data;
  try {
    data = await get("/dashboard/api/decision?lead=" + encodeURIComponent(id));
  } catch (e) {
    box.replaceChildren(el("p", { class: "error", text: e.message }));
    return;
  }
  const l = data.lead;
  const parts = [el("h3", { text: `${l.id} · ${l.company}` })];
  if (data.log.length === 0) parts.push(el("p", { class: "empty", text: T.noDecision }));
  for (const d of data.log.slice().reverse()) {
    const sec = el("div", { class: "decision", "data-strategy": d.strategy });
    sec.append(el("p", { text: `${d.at.slice(0, 16).replace("T", " ")} · ${T.strategy} ${d.strategy} · ${T.chosenRep} ${d.rep_name || d.rep_id || T.nobody}` }));
    if (d.inputs) {
      const i = d.inputs;
      sec.append(el("p", { class: "hint", text: `${T.inputs}: ${T.tier} ${i.tier}, ${T.score} ${i.score.toFixed(1)}, ${i.industry || "—"}, ${i.region || "—"}, ¥${Math.round(i.expected_amount).toLocaleString()}, ${i.mode}` }));
    }
    sec.append(el("strong", { text: T.reasons }), el("ul", { class: "reasons" }, ...d.reasons.map(r => el("li", { text: r }))));
    if (d.candidates.length) {
      const t = table([T.rep, T.score, T.parts], []);
      t.className = "candidates";
      for (const c of d.candidates) {
        t.querySelector("tbody").append(el("tr", { class: c.chosen ? "chosen candidate" : "candidate", "data-rep": c.rep_id },
          el("td", { text: c.name || c.rep_id }), el("td", { text: c.score.toFixed(3) }),
          el("td", { text: c.parts.map(p => `${p.name} ${Math.round(p.value * 1000) / 1000}`).join(", ") })));
      }
      sec.append(el("strong", { text: T.candidates }), t);
    }
    parts.push(sec);
  }
  box.replaceChildren(...parts);
}

function load(path, draw, box) {
  return get(path).then(draw).catch(e => document.getElementById(box).replaceChildren(el("p", { class: "error", text: e.message })));
}

async function main() {
  let me;
  try {
    me = await get("/dashboard/api/me");
  } catch (e) {
    document.querySelector("main").replaceChildren(el("p", { class: "error", text: e.message }));
    return;
  }
  T = STRINGS[me.lang] || STRINGS["zh-CN"];
  document.documentElement.lang = STRINGS[me.lang] ? me.lang : "zh-CN";
  document.title = T.title;
  for (const n of document.querySelectorAll("[data-t]")) n.textContent = T[n.dataset.t];
  const scope = me.role === "manager" ? T.allTeams : `${T.team} ${me.team}`;
  document.getElementById("who").textContent =
    `${me.name} · ${T[me.role] || me.role} · ${scope} · ${T.until} ${me.expires.slice(0, 16).replace("T", " ")}`;
  document.getElementById("search").addEventListener("submit", e => {
    e.preventDefault();
    const q = document.getElementById("q").value.trim();
    if (q) search(q);
  });
  await Promise.all([
    load("/dashboard/api/tiles?weeks=8", drawTiles, "tiles"),
    load("/dashboard/api/load?days=14", drawLoad, "load"),
    load("/dashboard/api/strengths", drawStrengths, "strengths"),
    load("/dashboard/api/standby", drawStandby, "standby"),
    load("/dashboard/api/targets", drawTargets, "targets"),
  ]);
  document.body.dataset.ready = "1";
}

main();
