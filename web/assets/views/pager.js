import { h, replace } from '../dom.js';

/**
 * Cursor pagination for a list endpoint: `fetch(after)` returns an SDK page ({data, has_more}); `render`
 * appends its items. `footer` holds the "Load more" button, shown while the server says there is more.
 */
export function pager({ fetch, render, onError }) {
  let after = null;
  let hasMore = true;
  const button = h('button', { type: 'button', class: 'secondary' }, 'Load more');
  const footer = h('div', { class: 'pager', hidden: true }, button);

  async function next() {
    if (!hasMore) return [];
    const page = await fetch(after);
    const data = page.data ?? [];
    hasMore = Boolean(page.has_more) && data.length > 0;
    after = data.length ? data[data.length - 1].id : after;
    render(data);
    footer.hidden = !hasMore;
    return data;
  }

  button.addEventListener('click', async () => {
    button.disabled = true;
    replace(button, 'Loading…');
    try {
      await next();
    } catch (e) {
      onError(e);
    } finally {
      button.disabled = false;
      replace(button, 'Load more');
    }
  });

  return { next, footer, get hasMore() { return hasMore; } };
}
