import type { SourceSettings } from '../settings/webhooks-file.ts';
import { genericHmacScheme } from './generic-hmac.ts';
import { githubScheme } from './github.ts';
import { shopifyScheme } from './shopify.ts';
import { standardWebhooksScheme } from './standard-webhooks.ts';
import { stripeScheme } from './stripe.ts';
import type { SignatureScheme } from './verdict.ts';

export type { SignatureScheme, SignedRequest, Verdict } from './verdict.ts';

/** The scheme a source's settings name. */
export function schemeFor(settings: SourceSettings): SignatureScheme {
  switch (settings.scheme) {
    case 'stripe':
      return stripeScheme(settings);
    case 'github':
      return githubScheme();
    case 'shopify':
      return shopifyScheme();
    case 'standard-webhooks':
      return standardWebhooksScheme(settings);
    case 'hmac':
      return genericHmacScheme({ ...settings, timestampHeader: settings.timestampHeader });
  }
}
