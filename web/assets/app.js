import { createClient, ext, isAbort, isAuthError, saveKey, savedKey } from './api.js';
import { h, link, replace } from './dom.js';
import { prepareFormats } from './format.js';
import { homeView } from './views/home.js';
import { evalView } from './views/eval.js';
import { runView } from './views/run.js';
import { compareView } from './views/compare.js';
import { logsView } from './views/logs.js';

const main = document.getElementById('main');
const crumbs = document.getElementById('crumbs');
const project = document.getElementById('project');
const forgetKey = document.getElementById('forget-key');
let current = null; // the AbortController of the view on screen

/**
 * What a view gets: the SDK client, an abort signal (fired when the view is replaced), and `fail` for errors
 * that happen after the first render (live refresh, buttons). Views keep their state in the URL.
 */
function context() {
  current?.abort();
  current = new AbortController();
  const { signal } = current;
  return {
    api: createClient(),
    signal,
    fail: (e) => { if (!signal.aborted) failed(e); },
    setTitle: (...parts) => { document.title = [...parts, 'evald'].filter(Boolean).join(' · '); },
    setCrumbs: (...items) => replace(crumbs, items.map((item) => h('span', { class: 'crumb' }, item))),
  };
}

/** Renders the view for the current URL: /, /logs, /evals/{id}, /evals/{id}?run_id={id}, /evals/{id}/compare. */
async function show() {
  forgetKey.hidden = !savedKey();
  const ctx = context();
  const path = location.pathname;
  const evalMatch = /^\/evals\/([^/]+)(\/compare)?\/?$/.exec(path);
  const runId = new URLSearchParams(location.search).get('run_id');
  whoami(ctx);
  try {
    let view;
    if (path === '/logs') view = await logsView(ctx);
    else if (!evalMatch) view = await homeView(ctx);
    else if (evalMatch[2]) view = await compareView(ctx, decodeURIComponent(evalMatch[1]));
    else if (runId) view = await runView(ctx, decodeURIComponent(evalMatch[1]), runId);
    else view = await evalView(ctx, decodeURIComponent(evalMatch[1]));
    if (!ctx.signal.aborted) {
      replace(main, view);
      // The bench reads this: the time from navigation to the first complete view.
      performance.mark('evald:rendered');
    }
  } catch (e) {
    failed(e);
  }
}

/** The header says which project the key belongs to. */
function whoami(ctx) {
  ext('/evald/whoami', {}, ctx.signal).then((w) => {
    replace(project, 'Project ', h('strong', null, w.project), w.open_mode ? ' (open local mode)' : '');
  }, () => project.replaceChildren());
}

function failed(e) {
  if (isAbort(e)) return;
  current?.abort();
  if (isAuthError(e)) return askForKey(Boolean(savedKey()));
  const message = e?.error?.message ?? e?.message ?? String(e);
  replace(main, h('section', { class: 'card notice error' },
    h('h1', null, e?.status === 404 ? 'Not found' : 'Something went wrong'),
    h('p', null, message),
    h('p', null, link('Back to all evals'))));
  if (!(e?.status >= 400)) console.error(e);
}

/** The API key form: shown when the server answers 401; the key is kept in localStorage. */
function askForKey(refused) {
  crumbs.replaceChildren();
  const input = h('input', { type: 'password', name: 'key', required: true, autocomplete: 'off', placeholder: 'sk-…', 'aria-label': 'API key' });
  const form = h('form', { class: 'card key-form' },
    h('h1', null, 'API key'),
    h('p', null, refused
      ? 'This server refused the saved API key. Enter another one.'
      : ['This evald server needs an API key. Make one with ', h('code', null, 'evald keys create --project NAME'), '.']),
    h('p', { class: 'muted' }, 'The key is kept in this browser only (localStorage) and sent only to this server.'),
    h('div', { class: 'row' }, input, h('button', { type: 'submit' }, 'Continue')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    saveKey(input.value.trim());
    show();
  });
  replace(main, form);
  input.focus();
}

forgetKey.addEventListener('click', () => {
  saveKey(null);
  show();
});

// Views change their own query (filters, the open item) with history.replaceState/pushState; going back
// or forward re-renders from the URL.
window.addEventListener('popstate', () => show());

show();
// The view has sent its first requests (everything before its first await); make the formats meanwhile.
prepareFormats();
