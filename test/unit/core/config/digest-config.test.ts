import { describe, expect, it } from 'vitest';
import { parseConfig } from '#core/config/schema.ts';

const BASE = { clusters: [{ name: 'prod', region: 'us-east-1' }], slack: { defaultChannel: 'C0123' } };

describe('configuration: digest', () => {
  it('defaults to admins subscribing channels, channel digests in UTC and the owner label', () => {
    expect(parseConfig(BASE).digest).toEqual({
      channelSubscriberRole: 'admin',
      channelTimeZone: 'UTC',
      ownerLabel: 'owner',
    });
  });

  it('takes a role, an IANA zone and a prefixed label key', () => {
    const digest = {
      channelSubscriberRole: 'responder',
      channelTimeZone: 'Europe/Berlin',
      ownerLabel: 'example.com/team',
    };

    expect(parseConfig({ ...BASE, digest }).digest).toEqual(digest);
  });

  it('names a zone Intl does not know and a label key Kubernetes would refuse', () => {
    expect(() => parseConfig({ ...BASE, digest: { channelTimeZone: 'Mars/Olympus' } })).toThrow(
      'invalid configuration: digest.channelTimeZone: must be an IANA time zone such as Europe/Berlin or UTC',
    );
    expect(() => parseConfig({ ...BASE, digest: { ownerLabel: 'bad label!' } })).toThrow(
      'invalid configuration: digest.ownerLabel: must be a Kubernetes label key such as owner or example.com/team',
    );
  });
});
