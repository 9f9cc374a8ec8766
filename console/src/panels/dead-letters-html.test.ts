import { describe, expect, it } from 'vitest';
import type { DestinationState } from '@manifold/platform/contracts';
import {
  bulkReplayedFragment,
  disabledFragment,
  dryRunFragment,
  enabledFragment,
  pausedFragment,
  resumedFragment,
} from './dead-letters-html.ts';

const destination = (name: string, state: DestinationState['state']): DestinationState => ({
  name,
  state,
  consecutiveFailures: 0,
  consecutiveOpenings: 0,
});

describe('the paused destinations above the dead letters', () => {
  it('names only the paused ones, each with its resume, and nothing when none is', () => {
    const html = pausedFragment([
      destination('crm', 'active'),
      { ...destination('books', 'paused'), pausedAt: '2026-12-05T10:00:00.000Z', reason: 'x' },
      destination('chat', 'open'),
    ]);
    expect(html.match(/data-paused-destination="([^"]*)"/g)).toEqual([
      'data-paused-destination="books"',
    ]);
    expect(html).toContain('data-dl-resume="books"');
    expect(html).toContain('2026-12-05 10:00:00 UTC');
    expect(pausedFragment([destination('crm', 'active')])).toBe('');
  });

  it('escapes what the webhooks API says, in text and in attributes', () => {
    const html = pausedFragment([
      {
        ...destination('a"><script>1</script>', 'paused'),
        pausedAt: '2026-12-05T<b>:00:00</b>',
        reason: '<img src=x onerror=alert(1)>',
      },
    ]);
    expect(html).not.toMatch(/<script|<img|<b>/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(resumedFragment(destination('<i>', 'active'), '')).not.toContain('<i>');
  });
});

describe('the disabled endpoints above the dead letters', () => {
  const endpoint = (name: string, disabled: boolean) => ({
    name,
    disabled,
    consecutiveDeadLetters: disabled ? 20 : 0,
    ...(disabled && {
      disabledAt: '2026-12-05T10:00:00.000Z',
      reason: '20 dead letters <in a row>',
    }),
  });

  it('names only the disabled ones, each with its enable, escaped, and nothing when none is', () => {
    const html = disabledFragment([endpoint('erp', true), endpoint('shop', false)]);
    expect(html.match(/data-disabled-endpoint="([^"]*)"/g)).toEqual([
      'data-disabled-endpoint="erp"',
    ]);
    expect(html).toContain('data-dl-enable="erp"');
    expect(html).toContain('20 dead letters &lt;in a row&gt;');
    expect(disabledFragment([endpoint('shop', false)])).toBe('');
  });

  it('leads from an enabled endpoint to its dead letters', () => {
    const html = enabledFragment(endpoint('e"rp', false), '<p>still stopped</p>');
    expect(html).toContain('data-dl-destination="e&quot;rp"');
    expect(html).toContain('<p>still stopped</p>');
  });
});

describe('a bulk replay’s dry run and outcome', () => {
  const outcome = { dryRun: true, matched: 5, replayed: 0, first: [] };

  it('offers to send what is not held back, and says how many are and why', () => {
    const html = dryRunFragment({ ...outcome, held: 2 }, {});
    expect(html).toContain('data-matched="5"');
    expect(html).toContain('data-held="2"');
    expect(html).toContain('>Replay all 3</button>');
    expect(bulkReplayedFragment({ ...outcome, dryRun: false, replayed: 3, held: 2 })).toContain(
      'data-held="2"',
    );
  });

  it('warns when what it sends includes recorded upstream requests', () => {
    const letter = {
      id: 'soap-proxy-1',
      source: 'soap-proxy',
      eventId: 'r-1',
      eventType: 'PlaceSupplierOrder',
      destination: 'supplier',
      idempotencyKey: 'soap-proxy-1',
      receivedAt: '2026-12-06T00:00:00.000Z',
      attempts: 1,
      error: 'timed out (request sent)',
    };
    const filter = { source: 'soap-proxy' };
    expect(
      dryRunFragment({ ...outcome, first: [{ ...letter, recorded: true }] }, filter),
    ).toContain('data-recorded-to-send');
    expect(dryRunFragment({ ...outcome, first: [letter] }, filter)).not.toContain(
      'data-recorded-to-send',
    );
  });

  it('offers nothing when every match is held back, and no note when none is', () => {
    const allHeld = dryRunFragment({ ...outcome, held: 5 }, {});
    expect(allHeld).not.toContain('data-dl-confirm');
    expect(allHeld).toContain('data-held="5"');
    // An answer from a service without the field: nothing held.
    const none = dryRunFragment(outcome, {});
    expect(none).toContain('>Replay all 5</button>');
    expect(none).not.toContain('data-held');
  });
});
