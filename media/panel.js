// The Stateful HA panel's webview script: renders the cluster status the extension posts, and posts back
// the user's clicks as small messages (which the extension validates against a schema before acting).
// Plain DOM, text only (textContent, never innerHTML): nothing from the cluster is ever parsed as HTML.
// Stable hooks for tests are documented in test/e2e/PANEL.md.
// @ts-check
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();

  const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const body = document.body;
  const connection = $('connection');
  const errorBox = $('error');
  const notice = $('notice');
  const nodesSection = $('nodes-section');
  const nodesBody = /** @type {HTMLTableSectionElement} */ ($('nodes').querySelector('tbody'));
  const servicesSection = $('services-section');
  const services = $('services');

  /** @type {any} */
  let status;
  /** @type {string[]} */
  let highlighted = [];

  /**
   * @param {string} tag
   * @param {Record<string, string | boolean | undefined>} [attrs]
   * @param {(Node | string | undefined)[]} [children]
   */
  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === false) continue;
      if (k === 'text') e.textContent = String(v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children || []) {
      if (c === undefined) continue;
      e.append(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return e;
  }

  /** The workbench's own icons (the codicon font shipped in dist/codicons); aria-hidden, the text says it too. */
  const ICON = { error: 'error', warning: 'warning', info: 'info', ok: 'pass' };

  function icon(kind) {
    return el('span', { class: `codicon codicon-${ICON[kind] || ICON.info}`, 'aria-hidden': 'true' });
  }

  function actionButton(action, label, attrs) {
    return el('button', {
      class: 'action',
      'data-action': action,
      'data-testid': `action-${action}`,
      type: 'button',
      disabled: !status || !status.actionsEnabled,
      title: status && !status.actionsEnabled ? 'Disabled in an untrusted workspace' : label,
      ...attrs,
      text: label,
    });
  }

  function renderConnection() {
    const c = status.connection || {};
    connection.textContent = '';
    connection.dataset.state = status.ok ? 'ok' : 'error';
    if (c.mode) connection.dataset.mode = c.mode;
    else delete connection.dataset.mode;
    const mode =
      c.mode === 'swarm-manager'
        ? 'Swarm manager'
        : c.mode === 'swarm-worker'
          ? 'Swarm worker'
          : c.mode === 'engine'
            ? 'Docker engine'
            : 'Not connected';
    connection.append(
      el('span', { class: `dot ${status.ok ? 'ok' : 'bad'}`, 'aria-hidden': 'true', text: '\u25cf' }),
      el('strong', { text: mode }),
      ' ',
      el('span', { class: 'muted', 'data-field': 'endpoint', text: c.endpoint || '' }),
    );
    connection.title = [
      c.description,
      c.endpoint && `Endpoint: ${c.endpoint}`,
      c.source && `Chosen by: ${c.source}`,
      c.serverVersion && `Engine ${c.serverVersion}`,
      status.takenAt && `As of ${new Date(status.takenAt).toLocaleTimeString()}`,
    ]
      .filter(Boolean)
      .join('\n');
  }

  function renderError() {
    const e = status.error;
    errorBox.textContent = '';
    if (!e) {
      errorBox.hidden = true;
      delete errorBox.dataset.code;
      return;
    }
    errorBox.hidden = false;
    errorBox.dataset.code = e.code;
    errorBox.append(el('p', { class: 'error-message', text: e.message }));
    if (e.hints && e.hints.length) {
      errorBox.append(
        el(
          'ul',
          { class: 'hints' },
          e.hints.map((h) => el('li', { text: h.replace(/`/g, '') })),
        ),
      );
    }
    if (e.code === 'unreachable' || e.code === 'config' || e.code === 'worker') {
      errorBox.append(
        el('div', { class: 'buttons' }, [
          el('button', {
            type: 'button',
            'data-action': 'open-settings',
            'data-testid': 'open-settings',
            text: 'Open Docker Settings',
          }),
          el('button', { type: 'button', class: 'secondary', 'data-action': 'refresh', text: 'Retry' }),
        ]),
      );
    }
  }

  function renderNodes() {
    nodesBody.textContent = '';
    const nodes = status.nodes || [];
    nodesSection.hidden = !status.ok || nodes.length === 0;
    $('node-count').textContent = nodes.length ? `(${nodes.length})` : '';
    for (const n of nodes) {
      const drained = n.availability !== 'active';
      const row = el(
        'tr',
        {
          'data-testid': 'node-row',
          'data-node': n.hostname,
          'data-role': n.role,
          'data-availability': n.availability,
          'data-state': n.state,
          class: n.state !== 'ready' ? 'bad' : drained ? 'muted-row' : undefined,
        },
        [
          el('th', { scope: 'row', title: `${n.id}${n.addr ? ` · ${n.addr}` : ''}` }, [
            el('span', { 'data-field': 'hostname', text: n.hostname }),
            el('div', {
              class: 'sub',
              'data-field': 'role',
              text: `${n.role}${n.leader ? ' (leader)' : ''}`,
            }),
          ]),
          el('td', {}, [
            el('span', { 'data-field': 'availability', text: n.availability }),
            el('div', {
              class: n.state === 'ready' ? 'sub' : 'sub bad',
              'data-field': 'state',
              text: n.state,
            }),
          ]),
          el('td', {
            class: 'num',
            'data-field': 'stateful-tasks',
            'data-testid': 'stateful-count',
            title: `${n.statefulTasks} stateful of ${n.tasks} running tasks`,
            text: `${n.statefulTasks}/${n.tasks}`,
          }),
          el('td', { class: 'actions' }, [
            drained
              ? actionButton('undrain', 'Reactivate', {
                  'data-node': n.hostname,
                  'aria-label': `Reactivate node ${n.hostname}`,
                })
              : actionButton('decommission', 'Decommission', {
                  'data-node': n.hostname,
                  'aria-label': `Decommission node ${n.hostname}`,
                }),
          ]),
        ],
      );
      nodesBody.append(row);
    }
  }

  /** Markdown-ish `code` spans in rule messages become <code> elements (still text only). */
  function withCode(text) {
    return String(text)
      .split('`')
      .map((part, i) => (i % 2 === 1 ? el('code', { text: part }) : part))
      .filter((x) => x !== '');
  }

  function findingItem(f) {
    return el(
      'li',
      {
        class: `finding ${f.severity}`,
        'data-testid': 'finding',
        'data-rule': f.rule,
        'data-severity': f.severity,
      },
      [
        el('span', { class: `sev ${f.severity}`, 'aria-hidden': 'true' }, [icon(f.severity)]),
        el('span', { class: 'visually-hidden', text: `${f.severity}: ` }),
        el('a', {
          href: '#',
          class: 'rule',
          'data-rule': f.rule,
          'data-testid': 'rule-link',
          title: `Open the documentation of ${f.rule}`,
          text: f.rule,
        }),
        ' ',
        el('span', { class: 'message' }, withCode(f.message)),
      ],
    );
  }

  function renderServices() {
    services.textContent = '';
    const list = status.workloads || [];
    servicesSection.hidden = !status.ok && list.length === 0;
    $('service-count').textContent = list.length ? `(${list.length})` : '';
    if (status.ok && list.length === 0) {
      services.append(
        el('p', {
          class: 'empty',
          'data-testid': 'empty',
          text:
            status.connection.mode === 'swarm-worker'
              ? 'Connect to a manager to see the services.'
              : `No stateful services or containers (${status.totalWorkloads} workloads, none with persistent data or a known data engine).`,
        }),
      );
      return;
    }
    for (const w of list) {
      const counts = { error: 0, warning: 0, info: 0 };
      for (const f of w.findings) counts[f.severity] = (counts[f.severity] || 0) + 1;
      const where = w.tasks.length ? w.tasks.map((t) => `${t.node} (${t.state})`).join(', ') : 'not running';
      const replicas = w.global ? 'global' : `\u00d7${w.replicas}`;
      const card = el(
        'article',
        {
          class: `service${highlighted.includes(w.name) ? ' highlighted' : ''}`,
          'data-testid': 'service-row',
          'data-service': w.name,
          'data-kind': w.kind,
          'data-data': w.data,
          'data-findings': String(w.findings.length),
          'data-highlighted': highlighted.includes(w.name) ? 'true' : undefined,
          tabindex: '-1',
        },
        [
          el('header', {}, [
            el('span', { class: 'name', 'data-field': 'name', text: w.name }),
            el('span', { class: 'muted', text: ` ${replicas}${w.engine ? ` · ${w.engine}` : ''}` }),
            el(
              'span',
              { class: 'badges' },
              ['error', 'warning', 'info']
                .filter((s) => counts[s])
                .map((s) =>
                  el('span', { class: `badge ${s}`, title: `${counts[s]} ${s}` }, [icon(s), ` ${counts[s]}`]),
                ),
            ),
          ]),
          el('div', { class: 'detail', 'data-field': 'tasks', text: `Runs on: ${where}` }),
          el(
            'div',
            { class: 'detail', 'data-field': 'data' },
            withCode(
              `Data: ${
                w.data === 'follows'
                  ? 'follows the task (shared/replicated)'
                  : w.data === 'node-local'
                    ? 'stays on its node (node-local)'
                    : w.data === 'none'
                      ? 'none'
                      : 'unknown storage'
              }${w.storage.length ? ` — ${w.storage.join('; ')}` : ''}`,
            ),
          ),
          w.constraints.length
            ? el('div', {
                class: 'detail muted',
                'data-field': 'placement',
                text: `Placement: ${w.constraints.join(', ')}`,
              })
            : undefined,
          w.findings.length
            ? el('ul', { class: 'findings' }, w.findings.map(findingItem))
            : el('div', { class: 'detail ok', 'data-testid': 'no-findings' }, [
                icon('ok'),
                ' no HA findings',
              ]),
          el(
            'div',
            { class: 'buttons' },
            w.actions.map((a) =>
              actionButton(a, a === 'failover' ? 'Fail Over\u2026' : 'Restart In Place', {
                'data-service': w.name,
                'aria-label': `${a === 'failover' ? 'Fail over' : 'Restart in place'} ${w.name}`,
              }),
            ),
          ),
        ],
      );
      services.append(card);
    }
  }

  function render() {
    if (!status) return;
    body.dataset.status = status.ok ? 'ok' : 'error';
    renderConnection();
    renderError();
    notice.hidden = status.actionsEnabled !== false || !status.ok;
    renderNodes();
    renderServices();
    if (highlighted.length) {
      const first = services.querySelector('[data-highlighted="true"]');
      if (first) {
        first.scrollIntoView({ block: 'nearest' });
        /** @type {HTMLElement} */ (first).focus({ preventScroll: true });
      }
    }
  }

  window.addEventListener('message', (event) => {
    const m = event.data;
    if (!m || typeof m !== 'object') return;
    if (m.type === 'loading') {
      body.dataset.status = 'loading';
      connection.dataset.state = status ? connection.dataset.state : 'loading';
      $('refresh').classList.add('spinning');
    } else if (m.type === 'status' && m.status && typeof m.status === 'object') {
      status = m.status;
      $('refresh').classList.remove('spinning');
      vscode.setState({ highlighted });
      render();
    } else if (m.type === 'highlight' && Array.isArray(m.services)) {
      highlighted = m.services.filter((s) => typeof s === 'string');
      vscode.setState({ highlighted });
      render();
    }
  });

  document.addEventListener('click', (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    const link = target.closest('a[data-rule]');
    if (link) {
      event.preventDefault();
      vscode.postMessage({ command: 'openRule', rule: link.getAttribute('data-rule') });
      return;
    }
    const button = /** @type {HTMLButtonElement | null} */ (target.closest('button[data-action]'));
    if (!button || button.disabled) return;
    const action = button.getAttribute('data-action');
    if (action === 'refresh') vscode.postMessage({ command: 'refresh' });
    else if (action === 'open-settings') vscode.postMessage({ command: 'openSettings' });
    else if (action === 'failover' || action === 'restart')
      vscode.postMessage({ command: action, service: button.getAttribute('data-service') });
    else if (action === 'decommission' || action === 'undrain')
      vscode.postMessage({ command: action, node: button.getAttribute('data-node') });
  });

  const saved = vscode.getState();
  if (saved && Array.isArray(saved.highlighted)) highlighted = saved.highlighted;
  vscode.postMessage({ command: 'ready' });
})();
