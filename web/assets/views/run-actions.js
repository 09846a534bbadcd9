import { extFetch } from '../api.js';
import { h, replace } from '../dom.js';
import { isActive } from '../format.js';

/**
 * A run's buttons: export (JSONL, CSV), compare with a baseline, run again with another model, cancel and
 * delete (both confirmed). `changed(run)` is called with the run after a cancel.
 */
export function runActions(ctx, ev, run, changed) {
  const { api, signal } = ctx;
  const evalId = ev.id;
  const status = h('span', { class: 'muted action-status', 'aria-live': 'polite' });

  const busy = async (button, label, fn) => {
    button.disabled = true;
    const before = button.textContent;
    replace(button, label);
    try {
      await fn();
    } catch (e) {
      ctx.fail(e);
    } finally {
      button.disabled = false;
      replace(button, before);
    }
  };

  // A link cannot send the key, so the export is fetched and handed to the browser as a file.
  const exportAs = (format) => h('button', { type: 'button', class: 'secondary', 'data-export': format, onclick: (e) => busy(e.currentTarget, 'Exporting…', async () => {
    const res = await extFetch(`/evals/${encodeURIComponent(evalId)}/runs/${encodeURIComponent(run.id)}/export`, { format }, signal);
    if (!res.ok) throw Object.assign(new Error((await res.json().catch(() => null))?.error?.message ?? `export failed (${res.status})`), { status: res.status });
    const url = URL.createObjectURL(await res.blob());
    const a = h('a', { href: url, download: `${run.id}.${format}` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    status.textContent = `Exported ${run.id}.${format}`;
  }) }, `Export ${format.toUpperCase()}`);

  const cancel = isActive(run.status) && h('button', { type: 'button', class: 'danger', onclick: (e) => {
    if (!confirm(`Cancel run “${run.name || run.id}”? Items already done are kept; the rest will not run.`)) return;
    busy(e.currentTarget, 'Canceling…', async () => changed(await api.evals.runs.cancel(run.id, { eval_id: evalId }, { signal })));
  } }, 'Cancel run');

  const del = h('button', { type: 'button', class: 'danger secondary', onclick: (e) => {
    if (!confirm(`Delete run “${run.name || run.id}” and all its output items? This cannot be undone.`)) return;
    busy(e.currentTarget, 'Deleting…', async () => {
      await api.evals.runs.delete(run.id, { eval_id: evalId }, { signal });
      location.assign(`/evals/${encodeURIComponent(evalId)}`);
    });
  } }, 'Delete run');

  // Another run over the same data source; a sampled run asks for the model to sample instead. A run that
  // graded stored logs' answers re-samples their prompts (item.input) when given a model.
  const sampled = run.data_source?.type === 'completions' || run.data_source?.type === 'responses';
  const overLogs = ['stored_completions', 'responses'].includes(run.data_source?.source?.type);
  const model = h('input', { type: 'text', name: 'model', value: run.model || '', 'aria-label': 'Model for the new run',
    placeholder: overLogs && !run.model ? 'model (none: grade the stored answers)' : 'model' });
  const rerun = h('form', { class: 'inline-form rerun', onsubmit: (e) => {
    e.preventDefault();
    busy(e.submitter ?? e.currentTarget.querySelector('button'), 'Starting…', async () => {
      const dataSource = { ...run.data_source };
      const chosen = sampled ? model.value.trim() || run.model : null;
      if (chosen) {
        dataSource.model = chosen;
        if (overLogs && !dataSource.input_messages) dataSource.input_messages = { type: 'item_reference', item_reference: 'item.input' };
      }
      const next = await api.evals.runs.create(evalId, {
        name: chosen ? `${chosen} (re-run of ${run.name || run.id})` : `re-run of ${run.name || run.id}`,
        data_source: dataSource, metadata: { ...(run.metadata ?? {}), rerun_of: run.id },
      }, { signal });
      location.assign(`/evals/${encodeURIComponent(evalId)}?run_id=${encodeURIComponent(next.id)}`);
    });
  } }, sampled && model, h('button', { type: 'submit', class: 'secondary' }, sampled ? 'Run again with this model' : 'Run again'));

  // The baseline picker loads the eval's runs on first use only (a run page stays within its requests).
  const pick = h('select', { 'aria-label': 'Compare with baseline run', class: 'compare-pick', onfocus: loadRuns, onmousedown: loadRuns, onchange: (e) => {
    if (e.target.value) location.assign(`/evals/${encodeURIComponent(evalId)}/compare?base=${encodeURIComponent(e.target.value)}&candidate=${encodeURIComponent(run.id)}`);
  } }, h('option', { value: '' }, 'Compare with…'));
  let loaded = false;
  async function loadRuns() {
    if (loaded) return;
    loaded = true;
    try {
      const page = await api.evals.runs.list(evalId, { order: 'desc', limit: 100 }, { signal });
      pick.append(...page.data.filter((r) => r.id !== run.id).map((r) => h('option', { value: r.id }, `${r.name || r.id} (${r.status})`)));
    } catch (e) {
      loaded = false;
      ctx.fail(e);
    }
  }

  return h('div', { class: 'actions' }, exportAs('jsonl'), exportAs('csv'), pick, rerun, cancel, del, status);
}
