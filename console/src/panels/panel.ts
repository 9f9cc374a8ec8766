/**
 * One panel of the console page: a title, and an HTML fragment rendered from what it loads. The
 * page refreshes each panel on its own, so a panel whose source fails shows that, and only that.
 * A new panel (dead letters, say) is one module returning a Panel, added to the list in app.ts.
 */
export interface Panel {
  /** URL-safe id: the fragment is served at `/panels/<id>`. */
  id: string;
  title: string;
  /** The panel's HTML, as of now. */
  render: () => Promise<string> | string;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML content and attribute values (service names, error codes, routes). */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);

/** `14:03:07` in UTC, as on-call engineers compare times across logs. */
export const clock = (iso: string): string => `${iso.slice(11, 19)} UTC`;
