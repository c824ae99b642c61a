// The only way the dashboard makes DOM: elements, attributes and text nodes, never HTML strings,
// so nothing the host sends (service names, commands, explanations) can become markup.

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag) as SVGElement;
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** A codicon glyph; decorative, so screen readers skip it (the text next to it says the same). */
export function icon(name: string, extraClass = ''): HTMLSpanElement {
  return h('span', { class: `codicon codicon-${name}${extraClass ? ` ${extraClass}` : ''}`, 'aria-hidden': 'true' });
}

function setAttrs(el: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    // Inline style attributes are blocked by the CSP; styling goes through classes.
    if (name === 'style') throw new Error('dom: use a class, not a style attribute');
    if (value === null || value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
}

function append(el: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** Replaces an element's children, keeping keyboard focus on the control with the same key. */
export function replaceChildrenKeepingFocus(parent: Element, children: Node[]): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && parent.contains(active) ? active.dataset.focusKey : undefined;
  parent.replaceChildren(...children);
  if (key) {
    const next = parent.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`);
    if (next && !(next as HTMLButtonElement).disabled) next.focus();
    else (parent.closest('section') as HTMLElement | null)?.focus();
  }
}
