import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FullApp, fullApp, T0 } from '../../../test/helpers/full-app.js';

describe('webhook routes', () => {
  let subject: FullApp;
  let admin: Record<string, string>;

  beforeAll(async () => {
    subject = await fullApp();
    admin = { authorization: `Bearer ${subject.keys.admin}`, 'content-type': 'application/json' };
  });

  afterAll(async () => {
    await subject.close();
  });

  it('adds a webhook showing its secret once, lists it without the secret, shows its log and removes it', async () => {
    const created = await subject.app.request('/v1/webhooks', {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ url: 'https://ops.example.com/hooks/upkeep' }),
    });
    expect(created.status).toBe(201);
    const hook = (await created.json()) as { id: string; url: string; secret: string; created_at: string };
    expect(hook.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hook.created_at).toBe('2026-01-01T00:00:01.000Z');

    const listed = await (await subject.app.request('/v1/webhooks', { headers: admin })).text();
    expect(JSON.parse(listed)).toEqual({
      webhooks: [{ id: hook.id, url: 'https://ops.example.com/hooks/upkeep', created_at: hook.created_at }],
    });
    expect(listed).not.toContain(hook.secret);

    await subject.stores.webhooks.recordDelivery({
      webhookId: hook.id,
      deliveryId: 'd-1',
      event: 'alert.opened',
      alertId: '7',
      attempt: 1,
      at: T0,
      statusCode: 502,
      error: 'HTTP 502',
      ok: false,
    });
    const log = await subject.app.request(`/v1/webhooks/${hook.id}/deliveries`, { headers: admin });
    expect(await log.json()).toEqual({
      deliveries: [
        {
          id: expect.any(Number),
          webhook_id: hook.id,
          delivery_id: 'd-1',
          event: 'alert.opened',
          alert_id: '7',
          attempt: 1,
          at: '2026-01-01T00:00:00.000Z',
          status_code: 502,
          error: 'HTTP 502',
          ok: false,
        },
      ],
    });

    expect((await subject.app.request(`/v1/webhooks/${hook.id}`, { method: 'DELETE', headers: admin })).status).toBe(
      204,
    );
    expect((await subject.app.request(`/v1/webhooks/${hook.id}`, { method: 'DELETE', headers: admin })).status).toBe(
      404,
    );
  });

  it('refuses a URL that is not http(s), a short secret, and any role but admin', async () => {
    const post = (body: unknown, headers = admin) =>
      subject.app.request('/v1/webhooks', { method: 'POST', headers, body: JSON.stringify(body) });
    const ftp = await post({ url: 'ftp://example.com/x' });
    expect(ftp.status).toBe(400);
    expect(((await ftp.json()) as { error: string }).error).toBe('url: must be an http(s) URL');
    const short = await post({ url: 'https://example.com/x', secret: 'short' });
    expect(short.status).toBe(400);
    expect(((await short.json()) as { error: string }).error).toMatch(/^secret: /);
    const operate = { ...admin, authorization: `Bearer ${subject.keys.operate}` };
    expect((await post({ url: 'https://example.com/x' }, operate)).status).toBe(403);
  });
});
