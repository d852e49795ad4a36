/**
 * The reviewer app's security headers, written once: CloudFront's response headers policy sends
 * them, and so does the local stack, so the browser test runs the app under the same policy.
 */

/** The app's files, beside this module; the hosting uploads them with its `config.json`. */
export const REVIEW_WEB_DIR = `${__dirname}/web`;

/**
 * The content security policy: the app's own scripts and styles only, no inline code, no frames;
 * it talks to its own origin (the review API under /api) and to the sign-in domain's token endpoint.
 */
export function contentSecurityPolicy(signInOrigin: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${signInOrigin}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The other security headers, as HTTP sends them. */
export const SECURITY_HEADERS = {
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

/** HSTS's max-age above, in seconds. */
export const HSTS_MAX_AGE_SECONDS = 63_072_000;
