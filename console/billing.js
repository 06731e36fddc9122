// Plan and payments: the subscription, the price list (GET /enums/prices), change or cancel, and the payments.

import * as api from './api.js';
import {
  busy,
  button,
  card,
  confirmDialog,
  errorBox,
  field,
  flash,
  h,
  loadPage,
  money,
  notice,
  num,
  orEmpty,
  select,
  showError,
  table,
  when,
} from './dom.js';

export async function billingPage(o) {
  let sub = null;
  let payments = null;
  let subErr = null;
  let payErr = null;
  const prices = await loadPage(o, async () => (await api.cached('/enums/prices')).prices || []);
  if (prices === undefined) return;
  const readMissing = api.lacks('orgsRead', 'Billing');
  if (!readMissing) {
    await Promise.all([
      api.get(`/organizations/${o.orgId}/subscription`).then(
        (r) => (sub = r.subscription),
        (e) => (subErr = e),
      ),
      api.get(`/organizations/${o.orgId}/payments`, { 'pg[sortBy]': 'created', 'pg[sortDir]': 'desc' }).then(
        (r) => (payments = r.payments || []),
        (e) => (payErr = e),
      ),
    ]);
  }
  if (!o.alive()) return;
  o.el.replaceChildren(
    h(
      'div',
      { class: 'grid two' },
      currentCard(o, sub, subErr || (readMissing && { detail: readMissing })),
      changeCard(o, sub, prices),
    ),
    plansCard(o, prices),
    paymentsCard(o, payments, payErr),
  );
}

function currentCard(o, sub, err) {
  if (err) return card('Current plan', h('p', null, h('strong', null, o.org.productName || '—')), errorBox(err));
  const p = sub.product || {};
  const interval = String(p.id || '').endsWith('-yearly') ? 'year' : 'month';
  const rows = [
    ['Plan', p.name || o.org.productName],
    ['Price', `${money(p.price, p.currency)} per ${interval}`],
    ['Subscription', sub.status],
    ['Next bill', p.nextBill ? when(p.nextBill, o.tz).slice(0, 10) : '—'],
  ];
  return card(
    'Current plan',
    h(
      'dl',
      { class: 'facts' },
      rows.map(([k, v]) => [h('dt', null, k), h('dd', { class: k === 'Subscription' ? `status-${v}` : null }, v)]),
    ),
  );
}

function changeCard(o, sub, prices) {
  const missing = api.lacks('orgsWrite', 'Changing the plan');
  if (missing) return card('Change plan', notice(missing, 'warn'));
  if (!o.can('payment edit'))
    return card('Change plan', notice('Changing the plan needs the Owner or an Admin.', 'info'));
  const active = sub && sub.status === 'active';
  const current = sub?.product ? sub.product.id : null;
  const price = select(
    prices.map((p) => ({ value: p.id, label: `${p.productName}, ${p.interval}: ${money(p.amount, p.currency)}` })),
    current && prices.some((p) => p.id === current) ? current : prices[0]?.id,
  );
  const errors = h('div');
  const submit = h('button', { type: 'submit', class: 'btn primary' }, active ? 'Change plan' : 'Subscribe');
  const parts = [
    field('Price', price, 'orgd moves no money: the change takes effect at once and is recorded as a payment.'),
  ];
  let email = null;
  let company = null;
  if (!active) {
    email = h('input', { type: 'email', autocomplete: 'email', value: api.me().email || '' });
    company = h('input', { type: 'text', autocomplete: 'organization', maxlength: '128' });
    parts.push(field('Billing e-mail', email), field('Company (optional)', company));
  }
  const form = h(
    'form',
    { class: 'stack', 'aria-label': 'Change plan' },
    parts,
    errors,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(errors, null);
    try {
      if (active) {
        await busy(submit, () => api.patch(`/organizations/${o.orgId}/subscription`, { priceId: price.value }));
      } else {
        const customer = {};
        if (email.value.trim()) customer.email = email.value.trim();
        if (company.value.trim()) Object.assign(customer, { isBusiness: true, companyName: company.value.trim() });
        const body = { priceId: price.value };
        if (Object.keys(customer).length) body.customer = customer;
        await busy(submit, () => api.post(`/organizations/${o.orgId}/subscription`, body));
      }
      flash(`The plan is now ${price.selectedOptions[0].textContent}.`);
      o.reload();
    } catch (err) {
      showError(errors, err, 'The plan was not changed');
    }
  });
  const cancel = active
    ? button(
        'Cancel subscription…',
        async () => {
          showError(errors, null);
          const ok = await confirmDialog({
            title: 'Cancel the subscription?',
            body: 'The organization returns to the default plan at once.',
            confirmLabel: 'Cancel subscription',
            danger: true,
          });
          if (!ok) return;
          try {
            await busy(cancel, () => api.del(`/organizations/${o.orgId}/subscription`));
            flash('The subscription was cancelled.');
            o.reload();
          } catch (err) {
            showError(errors, err, 'The subscription was not cancelled');
          }
        },
        'danger-text',
      )
    : null;
  return card('Change plan', form, cancel ? h('div', { class: 'actions end' }, cancel) : null);
}

function plansCard(o, prices) {
  const plans = new Map();
  for (const p of prices) {
    if (!plans.has(p.planId)) plans.set(p.planId, { name: p.productName, license: p.license || {}, prices: {} });
    plans.get(p.planId).prices[p.interval] = p;
  }
  const yes = (b) => (b ? '✓' : '—');
  const rows = [...plans.entries()].map(([id, p]) => {
    const l = p.license;
    const m = p.prices.monthly;
    const y = p.prices.yearly;
    return h(
      'tr',
      { class: id === o.org.serviceName ? 'current' : null },
      h(
        'th',
        { scope: 'row' },
        p.name,
        id === o.org.serviceName ? h('span', { class: 'badge plan' }, 'current') : null,
      ),
      h('td', null, m ? money(m.amount, m.currency) : '—'),
      h('td', null, y ? money(y.amount, y.currency) : '—'),
      h('td', null, num(l.users)),
      h('td', null, num(l.teams)),
      h('td', null, num(l.operations)),
      h('td', null, num(l.apiLimit)),
      h('td', null, yes(l.customVariables)),
      h('td', null, yes(l.tfaEnforcement)),
    );
  });
  return card(
    'Plans',
    table(
      ['Plan', 'Monthly', 'Yearly', 'Users', 'Teams', 'Operations', 'API/min', 'Variables', 'TFA enforcement'],
      rows,
      { class: 'plans', 'aria-label': 'Plans' },
    ),
  );
}

function paymentsCard(o, payments, err) {
  if (err) return card('Payments', errorBox(err));
  if (!payments) return null;
  const rows = payments.map((p) => [
    when(p.created, o.tz),
    p.invoice_number || '—',
    p.product_name || '—',
    money(p.amount_total, p.currency_code),
    p.status_name || '—',
    `${when(p.period_from, o.tz).slice(0, 10)} – ${when(p.period_to, o.tz).slice(0, 10)}`,
  ]);
  return card(
    `Payments (${payments.length})`,
    orEmpty(rows, 'No payments yet.', () =>
      table(['Date', 'Invoice', 'Plan', 'Amount', 'Status', 'Period'], rows, {
        class: 'payments',
        'aria-label': 'Payments',
      }),
    ),
  );
}
