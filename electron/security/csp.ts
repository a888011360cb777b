// Content-Security-Policy for the app page, one definition for both hosts. No inline scripts or
// styles: the renderer emits one CSS file and sets dynamic styles through the CSSOM (allowed).
export interface CspOptions {
  /** Extra connect-src sources, e.g. the browser host's ws://127.0.0.1:PORT. */
  connect?: string[];
}

export function contentSecurityPolicy(opts: CspOptions = {}): string {
  const connect = ["'self'", ...(opts.connect ?? [])].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    `connect-src ${connect}`,
    "img-src 'self' data: blob:",
    "style-src 'self'",
    "font-src 'self' data:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
