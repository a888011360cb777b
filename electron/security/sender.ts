// Which IPC senders may call the API: the app's own page (receptive://app/…) in the main frame.
export const APP_SCHEME = 'receptive';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

export interface SenderInfo {
  /** URL of the frame that sent the message (null when the frame is gone). */
  frameUrl: string | null | undefined;
  /** Whether that frame is the window's main frame (not an iframe). */
  isMainFrame: boolean;
}

export function isTrustedSender(s: SenderInfo): boolean {
  if (!s.isMainFrame || typeof s.frameUrl !== 'string') return false;
  let u: URL;
  try { u = new URL(s.frameUrl); } catch { return false; }
  return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '' && u.port === '';
}

/** Whether a navigation target stays inside the app (anything else is refused). */
export function isAppUrl(url: string): boolean {
  return isTrustedSender({ frameUrl: url, isMainFrame: true });
}
