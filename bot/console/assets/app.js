// The console's page: a user list, the picked user's feed of cards and
// replies, and a command box. Cards are drawn from the server's current
// state whenever the event stream says the feed changed.
"use strict";

const state = { user: null, events: null, replies: [] };
const $ = (id) => document.getElementById(id);

async function api(path, body) {
  const opts = body ? { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) } : {};
  const resp = await fetch(path, opts);
  const data = await resp.json();
  if (!resp.ok) throw new Error(data.error || resp.statusText);
  return data;
}

async function loadUsers() {
  const data = await api("/console/api/users");
  const list = $("users");
  list.replaceChildren();
  for (const u of data.users) {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.dataset.user = u.id;
    b.textContent = u.name;
    const small = document.createElement("small");
    small.textContent = `${u.id} · ${u.team || "-"} · ${u.role} · ${u.load}`;
    b.append(small);
    b.onclick = () => pick(u.id);
    li.append(b);
    if (u.dashboard) {
      const a = document.createElement("a");
      a.className = "dash";
      a.href = u.dashboard;
      a.target = "_blank";
      a.rel = "noopener";
      a.textContent = "看板";
      a.dataset.dashboard = u.id;
      li.append(a);
    }
    list.append(li);
  }
}

function pick(id) {
  state.user = id;
  state.replies = [];
  for (const b of document.querySelectorAll(".users button")) b.classList.toggle("active", b.dataset.user === id);
  $("text").disabled = false;
  $("send").disabled = false;
  if (state.events) state.events.close();
  state.events = new EventSource(`/console/api/events?user=${encodeURIComponent(id)}`);
  state.events.onmessage = () => refresh();
  // The stream is subscribed once it opens: what reached the user before
  // that, or while it was reconnecting, is fetched then.
  state.events.onopen = () => refresh();
  refresh();
}

let refreshing = null;
async function refresh() {
  if (!state.user) return;
  if (refreshing) { refreshing.again = true; return; }
  refreshing = { again: false };
  try {
    const data = await api(`/console/api/feed?user=${encodeURIComponent(state.user)}`);
    $("who").textContent = `${data.user.name} (${data.user.id}) · ${data.user.load}`;
    draw(data.items);
  } finally {
    const again = refreshing.again;
    refreshing = null;
    if (again) refresh();
  }
}

function draw(items) {
  const feed = $("feed");
  const nodes = [];
  // A reply's card is a snapshot; where the feed holds a card of the same
  // lead, that one is live, so the reply keeps only its text.
  const live = new Set(items.filter((it) => it.card).map((it) => it.card.lead));
  const replies = state.replies.map((r) => ({ at: r.at, node: item(live.has(r.lead) ? { text: r.text } : r) }));
  const all = items.map((it) => ({ at: it.at, node: item(it) }))
    .concat(replies)
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  for (const x of all) nodes.push(x.node);
  feed.replaceChildren(...nodes);
  feed.scrollTop = feed.scrollHeight;
}

function item(it) {
  const div = document.createElement("div");
  div.className = "msg";
  if (it.said) {
    div.className = "msg me";
    div.append(bubble(it.said));
    return div;
  }
  if (it.text) div.append(bubble(it.text));
  if (it.card) div.append(card(it.card));
  return div;
}

function bubble(text) {
  const span = document.createElement("span");
  span.className = "bubble";
  span.textContent = text;
  return span;
}

function card(c) {
  const el = document.createElement("div");
  el.className = "card" + (c.closed ? " closed" : "");
  el.dataset.lead = c.lead;
  el.dataset.key = c.key;
  const h = document.createElement("h3");
  h.textContent = c.title;
  el.append(h);
  const dl = document.createElement("dl");
  for (const f of c.fields || []) {
    const dt = document.createElement("dt");
    dt.textContent = f.label;
    const dd = document.createElement("dd");
    dd.textContent = f.value;
    dl.append(dt, dd);
  }
  el.append(dl);
  if (c.note) {
    const p = document.createElement("div");
    p.className = "note";
    p.textContent = c.note;
    el.append(p);
  }
  if (c.state) {
    const s = document.createElement("div");
    s.className = "state";
    s.textContent = c.state;
    el.append(s);
  }
  if (c.buttons && c.buttons.length) {
    const row = document.createElement("div");
    row.className = "buttons";
    for (const b of c.buttons) {
      const btn = document.createElement("button");
      btn.textContent = b.label;
      btn.dataset.action = b.action;
      if (b.primary) btn.className = "primary";
      btn.onclick = () => click(b);
      row.append(btn);
    }
    el.append(row);
  }
  return el;
}

async function click(b) {
  let value = "";
  if (b.input) {
    value = window.prompt(b.input, "");
    if (value === null) return;
  }
  const reply = await api("/console/api/click", { user: state.user, action: b.action, value });
  showReply(null, reply);
}

function showReply(said, reply) {
  const now = new Date().toISOString();
  if (said) state.replies.push({ at: now, said });
  if (reply.text || reply.card) {
    state.replies.push({ at: now + "~", text: reply.text, card: reply.card, lead: reply.card && reply.card.lead });
  }
  refresh();
}

$("say").onsubmit = async (e) => {
  e.preventDefault();
  const text = $("text").value.trim();
  if (!text || !state.user) return;
  $("text").value = "";
  const reply = await api("/console/api/say", { user: state.user, text });
  showReply(text, reply);
};

loadUsers();
