// The live records table of both demo pages: GET /records, polled while the page is visible, drawn into a
// <tbody> by changing only what changed. Rows are kept per upload id and cells are rewritten only when their
// text does, so a row under the pointer (and its tooltip) stays, and a new row is inserted above the others
// without clearing the table (no flicker; Chromium's scroll anchoring keeps the reader's place).
import { COLUMNS } from './columns.js';

const EVERY_MS = 2000;
/** The least width the file column keeps before the table becomes cards (columns.js widths are in em). */
const FILE_MIN_EM = 12;

/** Extra endpoints the columns need (columns.js `needs`), fetched beside GET /records on each poll. */
const NEEDS = [...new Set(COLUMNS.flatMap((c) => (c.needs ? [c.needs] : [])))];

/**
 * Keeps `tbody` current: at once, every `every` ms while the page is visible, when the page shows again, and
 * whenever `refresh()` is called (after an upload). `tbody.dataset.refreshes` counts the finished refreshes.
 */
export function watchRecords(tbody, { emptyText, every = EVERY_MS }) {
  const table = tbody.closest('table');
  table.classList.add('records');
  table.prepend(columnGroup(), header());
  const note = document.createElement('p');
  note.className = 'records-note';
  table.after(note);
  cardsWhenNarrow(table.parentElement, table);
  const view = { tbody, rows: new Map(), empty: emptyRow(emptyText), drawn: false };
  let running;
  let queued;
  let timer;

  async function load() {
    try {
      const [res, ...extra] = await Promise.all([fetch('/records'), ...NEEDS.map(optionalJson)]);
      if (!res.ok) throw new Error(`GET /records answered ${res.status}`);
      const data = Object.fromEntries(NEEDS.map((url, i) => [url, extra[i]]));
      const records = await res.json();
      draw(view, records, { now: Date.now(), data });
      // GET /records answers one page (its newest records) and names the next in a Link header.
      note.textContent = res.headers.get('link')
        ? `The newest ${records.length}; older ones on GET /records' next pages.`
        : '';
      note.classList.remove('error');
    } catch (error) {
      note.textContent = `Records unavailable (${error.message}); trying again.`;
      note.classList.add('error');
    }
    tbody.dataset.refreshes = String(Number(tbody.dataset.refreshes ?? 0) + 1);
  }

  function start() {
    running = load().finally(() => {
      running = undefined;
    });
    return running;
  }

  /**
   * One request at a time. Asked during one, a refresh runs once more after it (that one may have missed the
   * newest row); every ask meanwhile shares that next run, and resolves once it is drawn.
   */
  function refresh() {
    if (!running) return start();
    queued ??= running.then(() => {
      queued = undefined;
      return running ?? start(); // a run begun meanwhile began after this one: it will do
    });
    return queued;
  }

  async function tick() {
    await refresh();
    clearTimeout(timer); // one timer, however many ticks overlapped
    if (document.visibilityState === 'visible') timer = setTimeout(tick, every);
  }
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') tick();
    else clearTimeout(timer);
  });
  tick();
  return { refresh };
}

/** Toggles `.cards` on `container` when it is narrower than the columns' widths (watched as it resizes). */
function cardsWhenNarrow(container, table) {
  const ems = COLUMNS.reduce((sum, c) => sum + (c.width === 'auto' ? FILE_MIN_EM : Number.parseFloat(c.width)), 0);
  new ResizeObserver(() => {
    const em = Number.parseFloat(getComputedStyle(table).fontSize);
    container.classList.toggle('cards', container.clientWidth < ems * em);
  }).observe(container);
}

const optionalJson = (url) =>
  fetch(url)
    .then((res) => (res.ok ? res.json() : undefined))
    .catch(() => undefined);

function columnGroup() {
  const group = document.createElement('colgroup');
  for (const column of COLUMNS) {
    const col = document.createElement('col');
    if (column.width !== 'auto') col.style.width = column.width;
    group.append(col);
  }
  return group;
}

function header() {
  const head = document.createElement('thead');
  const tr = head.insertRow();
  for (const column of COLUMNS) {
    const th = document.createElement('th');
    th.textContent = column.name;
    th.scope = 'col';
    tr.append(th);
  }
  return head;
}

function emptyRow(text) {
  const tr = document.createElement('tr');
  tr.className = 'empty';
  const td = tr.insertCell();
  td.colSpan = COLUMNS.length;
  td.textContent = text;
  return tr;
}

/** Puts the rows of `records` in order, reusing each upload's row; rows no longer listed go. */
function draw(view, records, context) {
  const wanted = records.length ? records.map((r) => rowOf(view, r, context)) : [view.empty];
  const listed = new Set(records.map((r) => r.uploadId));
  for (const id of view.rows.keys()) if (!listed.has(id)) view.rows.delete(id);
  let next = view.tbody.firstElementChild;
  for (const tr of wanted) {
    if (tr === next) next = next.nextElementSibling;
    else view.tbody.insertBefore(tr, next);
  }
  while (next) {
    const after = next.nextElementSibling;
    next.remove();
    next = after;
  }
  view.drawn = true;
}

function rowOf(view, record, context) {
  let tr = view.rows.get(record.uploadId);
  if (!tr) {
    tr = document.createElement('tr');
    for (const column of COLUMNS) {
      const td = tr.insertCell();
      td.className = `c-${column.name.replace(/\W+/g, '-')}`;
      td.dataset.label = column.name;
      td.append(line('main'), line('sub'));
    }
    // A row that arrives while the page is open is marked for a moment; the first drawing marks none.
    if (view.drawn) {
      tr.classList.add('fresh');
      tr.addEventListener('animationend', () => tr.classList.remove('fresh'), { once: true });
    }
    view.rows.set(record.uploadId, tr);
  }
  const state = `state-${record.state ?? 'active'}`;
  if (!tr.classList.contains(state)) {
    tr.classList.remove('state-active', 'state-removed', 'state-replaced');
    tr.classList.add(state);
  }
  COLUMNS.forEach((column, i) => {
    fill(tr.cells[i], column.cell(record, context));
  });
  return tr;
}

function line(className) {
  const div = document.createElement('div');
  div.className = className;
  return div;
}

/** Writes a cell only where its text changed. */
function fill(td, { text, sub = '', title = '', num = false, wrap = false }) {
  const [main, second] = td.children;
  if (main.textContent !== String(text)) main.textContent = String(text);
  if (second.textContent !== sub) second.textContent = sub;
  second.hidden = !sub;
  if (td.title !== title) td.title = title;
  td.classList.toggle('num', num);
  td.classList.toggle('wrap', wrap);
}
