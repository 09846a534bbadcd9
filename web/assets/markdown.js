import MarkdownIt from 'markdown-it';

// Raw HTML in a message is escaped (html: false), and markdown-it refuses javascript:, vbscript:, file: and
// non-image data: links; the page's CSP blocks anything that would load from elsewhere.
const md = new MarkdownIt({ html: false, linkify: false, breaks: true });
const defaultLink = md.renderer.rules.link_open ?? ((tokens, idx, options, env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet('rel', 'noopener noreferrer nofollow');
  tokens[idx].attrSet('target', '_blank');
  return defaultLink(tokens, idx, options, env, self);
};
// Images would be fetched from wherever the untrusted text points: shown as their alt text and URL instead.
md.renderer.rules.image = (tokens, idx) => md.utils.escapeHtml(`[image: ${tokens[idx].content || ''} ${tokens[idx].attrGet('src') ?? ''}]`);

/** A <div> holding `text` rendered as markdown, safely. */
export function markdown(text) {
  const el = document.createElement('div');
  el.className = 'markdown';
  el.innerHTML = md.render(String(text ?? ''));
  return el;
}
