import type { Router } from 'express';

/**
 * One panel of the console page: a title, and an HTML fragment rendered from what it loads. The
 * page refreshes each panel on its own, so a panel whose source fails shows that, and only that.
 * A new panel is one module returning a Panel, added to the list in main.ts.
 */
export interface Panel {
  /** URL-safe id: the fragment is served at `/panels/<id>`. */
  id: string;
  title: string;
  /** The panel's HTML, as of now. */
  render: () => Promise<string> | string;
  /**
   * Refreshed by the page every few seconds (the default); an interactive panel (a form the
   * engineer is filling in) is loaded once and updates itself. @default true
   */
  live?: boolean;
  /** Browser code for an interactive panel, run once on the page (it cannot come in a fragment). */
  script?: string;
  /** The panel's own requests, served under `/panels/<id>/` (POSTs pass the same-origin check). */
  routes?: Router;
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
export const clock = (iso: string): string => `${escapeHtml(iso.slice(11, 19))} UTC`;
