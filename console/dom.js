// DOM building without HTML strings: every piece of data becomes a text node or an attribute value, so names
// such as `<img src=x onerror=alert(1)>` show as text. Styling is by class only (the CSP has no 'unsafe-inline').

const SVG = 'http://www.w3.org/2000/svg';
const PROPS = new Set([
  'value',
  'checked',
  'disabled',
  'selected',
  'required',
  'hidden',
  'multiple',
  'readOnly',
  'open',
]);

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

function apply(el, props) {
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) {
      if (typeof v !== 'function') throw new Error(`handler ${k} must be a function`);
      el.addEventListener(k.slice(2).toLowerCase(), v);
    } else if (k === 'class') {
      el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
    } else if (k === 'text') {
      el.textContent = String(v);
    } else if (k === 'data') {
      for (const [dk, dv] of Object.entries(v)) el.dataset[dk] = String(dv);
    } else if (k === 'href') {
      const s = String(v);
      if (!/^(#|\/(?!\/))/.test(s)) throw new Error('only same-origin links');
      el.setAttribute('href', s);
    } else if (PROPS.has(k)) {
      el[k] = v;
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
}

/** h('p', {class: 'muted'}, 'text', child, …) */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  apply(el, props);
  append(el, children);
  return el;
}

/** An SVG element with attributes. */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

let ids = 0;
export const uid = (p = 'f') => `${p}-${++ids}`;

/** A labelled form control: field('Name', h('input', {...}), 'hint'). */
export function field(label, control, hint) {
  if (!control.id) control.id = uid();
  const parts = [h('label', { for: control.id }, label), control];
  if (hint) {
    const hid = uid('hint');
    control.setAttribute('aria-describedby', hid);
    parts.push(h('p', { class: 'hint', id: hid }, hint));
  }
  return h('div', { class: 'field' }, parts);
}

export function select(options, value, props) {
  return fillSelect(h('select', props || {}), options, value);
}

/** Replaces the options of a <select>: [{value, label}] or [{group, options: [...]}]. */
export function fillSelect(el, options, value) {
  el.replaceChildren();
  for (const o of options) {
    if (o.group) {
      const g = h('optgroup', { label: o.group });
      for (const x of o.options)
        g.append(h('option', { value: String(x.value), selected: String(x.value) === String(value) }, x.label));
      el.append(g);
    } else {
      el.append(h('option', { value: String(o.value), selected: String(o.value) === String(value) }, o.label));
    }
  }
  return el;
}

export function card(title, ...children) {
  const hid = uid('card');
  return h('section', { class: 'card', 'aria-labelledby': hid }, h('h2', { id: hid }, title), children);
}

/** A table inside a scrolling wrapper; `cols` are header labels, `rows` arrays of cells (nodes or text). */
export function table(cols, rows, props) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      props || {},
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          cols.map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((r) =>
          r instanceof Node
            ? r
            : h(
                'tr',
                null,
                r.map((c) => h('td', null, c)),
              ),
        ),
      ),
    ),
  );
}

/** Make's error body as a message: the detail first, then the category and code, then each failed field. */
export function errorBox(err, prefix) {
  const subs = err?.suberrors || [];
  const meta = err?.status ? [err.title, err.code, `HTTP ${err.status}`].filter(Boolean).join(' · ') : '';
  return h(
    'div',
    { class: 'alert error', role: 'alert' },
    h('p', { class: 'alert-detail' }, prefix ? `${prefix}: ` : '', err?.detail || String(err)),
    subs.length
      ? h(
          'ul',
          null,
          subs.map((s) => h('li', null, s.path ? h('code', null, s.path) : null, s.path ? ' ' : '', s.message)),
        )
      : null,
    err?.retryAfter ? h('p', null, `Try again in ${err.retryAfter} s.`) : null,
    meta ? h('p', { class: 'alert-meta' }, meta) : null,
  );
}

export function notice(text, kind = 'info') {
  return h('div', { class: `alert ${kind}`, role: kind === 'warn' ? 'note' : null }, text);
}

/** Shows `err` in `slot` (an element emptied first), or clears it when `err` is null. */
export function showError(slot, err, prefix) {
  slot.replaceChildren();
  if (err) slot.append(errorBox(err, prefix));
}

let flashTimer = null;
/** A short-lived message in the live region under the top bar. */
export function flash(text, kind = 'ok') {
  const el = document.getElementById('flash');
  el.replaceChildren(h('p', { class: `flash-msg ${kind}`, onClick: () => el.replaceChildren() }, text));
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => el.replaceChildren(), 8000);
}

/** Runs `fn` with `button` disabled, then restores it. */
export async function busy(button, fn) {
  const was = button.disabled;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await fn();
  } finally {
    button.disabled = was;
    button.removeAttribute('aria-busy');
  }
}

/**
 * A modal confirmation (the native <dialog>: focus stays inside, Esc cancels). With `typeToConfirm` the person
 * types that text before the button works. Resolves true or false.
 */
export function confirmDialog({ title, body, confirmLabel = 'Confirm', danger = false, typeToConfirm = null }) {
  const dlg = document.getElementById('dialog');
  if (dlg.open) dlg.close('cancel'); // one question at a time: a second click answers the first with "no"
  return new Promise((resolve) => {
    const tid = 'dialog-title';
    const ok = h('button', { type: 'submit', class: danger ? 'btn danger' : 'btn primary' }, confirmLabel);
    const cancel = h('button', { type: 'button', class: 'btn', onClick: () => dlg.close('cancel') }, 'Cancel');
    let input = null;
    const parts = [
      h('h2', { id: tid }, title),
      ...(Array.isArray(body) ? body : [body]).map((b) => (b instanceof Node ? b : h('p', null, b))),
    ];
    if (typeToConfirm !== null) {
      input = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
      ok.disabled = true;
      input.addEventListener('input', () => {
        ok.disabled = input.value !== typeToConfirm;
      });
      parts.push(field(['Type ', h('strong', null, typeToConfirm), ' to confirm'], input));
    }
    const form = h(
      'form',
      { method: 'dialog', class: 'dialog-form' },
      parts,
      h('div', { class: 'actions' }, cancel, ok),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!ok.disabled) dlg.close('ok');
    });
    dlg.replaceChildren(form);
    dlg.addEventListener('close', () => resolve(dlg.returnValue === 'ok'), { once: true });
    dlg.returnValue = '';
    dlg.showModal();
    (input || cancel).focus();
  });
}

const pad = (n) => String(n).padStart(2, '0');

/** An ISO instant as `YYYY-MM-DD HH:MM` in the IANA zone `tz` (UTC when the browser does not know it). */
export function when(iso, tz) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  let parts;
  try {
    parts = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz || 'UTC',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(d);
  } catch {
    const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    return `${day} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
  }
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

export const num = (n) => (n === null || n === undefined || n === '' ? '—' : Number(n).toLocaleString('en-US'));

export function bytes(n) {
  let v = Number(n) || 0;
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${i ? v.toFixed(v < 10 ? 1 : 0) : v} ${units[i]}`;
}

export function money(cents, currency) {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency || 'USD' }).format(
      (Number(cents) || 0) / 100,
    );
  } catch {
    return `${((Number(cents) || 0) / 100).toFixed(2)} ${currency || ''}`;
  }
}

/** A button; `kind` is '', 'primary', 'danger' or 'link'. */
export function button(label, onClick, kind = '', props = {}) {
  return h('button', { type: 'button', class: ['btn', kind], onClick, ...props }, label);
}

export function loading(text = 'Loading…') {
  return h('p', { class: 'muted loading' }, text);
}

/**
 * The states every page goes through, written once. `page` is where it draws: `{ el, alive }` (a tab's `o` is one).
 * A scope the token lacks (`missing`, from api.lacks) is shown as a warning; otherwise the loading line shows while
 * `fetch` runs and a failure becomes the error box, unless `onError` answers the error itself and returns true (a 404
 * that means "not on this server"). `around` wraps the state shown (in a card, under a heading). Resolves to what
 * `fetch` resolved to (which must not be `undefined`), or to `undefined` when the page has nothing more to draw: a
 * state was shown, or the user has already moved on to another page.
 */
export async function loadPage(page, fetch, { missing = null, onError = null, around = (node) => node } = {}) {
  const show = (node) => page.el.replaceChildren(...[around(node)].flat());
  if (missing) {
    show(notice(missing, 'warn'));
    return undefined;
  }
  page.el.replaceChildren(loading());
  try {
    const data = await fetch();
    return page.alive() ? data : undefined;
  } catch (err) {
    if (page.alive() && !onError?.(err)) show(errorBox(err));
    return undefined;
  }
}

/** A list's empty state: `build(items)` when there are items, else the sentence saying there are none. */
export function orEmpty(items, text, build) {
  return items.length ? build(items) : h('p', { class: 'empty' }, text);
}
