import { createClient, isAbort, isAuthError, saveKey, savedKey } from './api.js';
import { h, link, replace } from './dom.js';
import { homeView } from './views/home.js';
import { evalView } from './views/eval.js';
import { runView } from './views/run.js';

const main = document.getElementById('main');
const crumbs = document.getElementById('crumbs');
const forgetKey = document.getElementById('forget-key');
let current = null; // the AbortController of the view on screen

/**
 * What a view gets: the SDK client, an abort signal (fired when the view is replaced), and `fail` for errors
 * that happen after the first render (live refresh, buttons).
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

/** Renders the view for the current URL: /, /evals/{id}, /evals/{id}?run_id={id}. */
async function show() {
  forgetKey.hidden = !savedKey();
  const ctx = context();
  const match = /^\/evals\/([^/]+)\/?$/.exec(location.pathname);
  const runId = new URLSearchParams(location.search).get('run_id');
  try {
    let view;
    if (!match) view = await homeView(ctx);
    else if (runId) view = await runView(ctx, decodeURIComponent(match[1]), runId);
    else view = await evalView(ctx, decodeURIComponent(match[1]));
    if (!ctx.signal.aborted) replace(main, view);
  } catch (e) {
    failed(e);
  }
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

show();
