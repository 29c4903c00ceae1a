/**
 * A service URL for log lines and errors: scheme, host and path, never credentials or a query string. A text that is
 * not a URL loses anything between `//` and `@`.
 */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}
