import { describe, expect, it } from 'vitest';
import { type ErrorCode, KubeguardError } from '#core/errors.ts';
import { validateBlockKitMessage } from '#core/slack-views/blocks.ts';
import { denialMessage, describeError, errorReply, safeErrorMessage } from '#core/slack-views/errors.ts';

describe('error replies: one mapping from typed codes to helpful text', () => {
  const headings: [ErrorCode, string][] = [
    ['INVALID_ARGUMENT', '*That request is not valid.* the message'],
    ['NOT_FOUND', '*Not found.* the message'],
    ['FORBIDDEN', '*kubeguard itself was refused.* the message'],
    ['CONFLICT', '*Someone else changed it at the same time.* the message'],
    ['PRECONDITION_FAILED', '*The cluster is not in the state this needs.* the message'],
    ['UPSTREAM', '*A service kubeguard depends on failed.* the message'],
    ['RATE_LIMITED', '*Too many requests right now.*'],
    ['UNSUPPORTED', '*Not supported.* the message'],
    ['LIMIT_EXCEEDED', '*Too large to handle.* the message'],
    ['INVALID_CONFIG', "*kubeguard's configuration is not valid.* the message"],
    ['INVALID_EVENT', '*An event could not be read.* the message'],
    ['INTERNAL', '*Something went wrong inside kubeguard.*'],
  ];

  it.each(headings)('%s', (code, heading) => {
    expect(describeError(new KubeguardError(code, 'the message')).split('\n')[0]).toBe(heading);
  });

  it('shows an invalid argument with what to do, and the request reference', () => {
    const error = new KubeguardError(
      'INVALID_ARGUMENT',
      'pod "Web_1" is not a Kubernetes name; pass the pod exactly as kubectl shows it',
    );
    expect(errorReply(error, { requestId: 'req-7f3a' })).toEqual({
      text: 'That request is not valid. pod "Webˍ1" is not a Kubernetes name; pass the pod exactly as kubectl shows it Check the value and try again; /k8s help lists the commands and their arguments. Reference: req-7f3a',
      blocks: [
        {
          type: 'section',
          block_id: 'error',
          text: {
            type: 'mrkdwn',
            text: '*That request is not valid.* pod "Webˍ1" is not a Kubernetes name; pass the pod exactly as kubectl shows it\nCheck the value and try again; `/k8s help` lists the commands and their arguments. Reference: `req-7f3a`',
          },
        },
      ],
    });
  });

  it('never shows what an untyped error says, nor its stack', () => {
    const error = new TypeError("Cannot read properties of undefined (reading 'metadata')");
    expect(describeError(error, { requestId: 'req-1' })).toBe(
      "*Something went wrong inside kubeguard.*\nAn admin can find the details in kubeguard's logs. Reference: `req-1`",
    );
    expect(describeError(error)).not.toContain('metadata');
  });

  it('reads an outcome’s recorded error ({code, message}) as the typed error it was', () => {
    expect(describeError({ code: 'CONFLICT', message: 'the pod changed', details: {} })).toBe(
      '*Someone else changed it at the same time.* the pod changed\nLook at its current state, then try again.',
    );
    expect(describeError({ code: 'NOT_A_CODE', message: 'x' })).toBe(
      "*Something went wrong inside kubeguard.*\nAn admin can find the details in kubeguard's logs.",
    );
  });

  it('cuts a stack trace and replaces credentials before anything reaches Slack', () => {
    const message = [
      'Secrets Manager refused: AccessDeniedException for AKIAIOSFODNN7EXAMPLE, password=hunter2 token: "abc def"',
      'via https://admin:s3cret@registry.example/v2 with Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl and xoxb-1234-5678-abcdef',
      '    at SecretsManagerRotator.rotate (/var/task/index.mjs:10:5)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    ].join('\n');
    expect(safeErrorMessage(message)).toBe(
      'Secrets Manager refused: AccessDeniedException for [AWS access key], password=[redacted] token: [redacted]\n' +
        'via https://[credentials]@registry.example/v2 with Bearer [token] and [Slack token]',
    );
    const text = describeError(new KubeguardError('UPSTREAM', message));
    for (const leaked of ['hunter2', 's3cret', 'AKIA', 'xoxb', 'eyJ', 'index.mjs', 'abc def']) {
      expect(text).not.toContain(leaked);
    }
    expect(
      safeErrorMessage('-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY----- leaked'),
    ).toBe('[private key] leaked');
  });

  it('keeps attacker text in a message from formatting, linking or mentioning', () => {
    const error = new KubeguardError(
      'NOT_FOUND',
      'pod `x` *gone* <!channel> <https://evil|click>\n\n> quote',
    );
    expect(describeError(error).split('\n')[0]).toBe(
      "*Not found.* pod 'x' ∗gone∗ &lt;!channel&gt; &lt;https://evil|click&gt; &gt; quote",
    );
  });
});

describe('authorization denials', () => {
  const admins = { users: ['U024BE7LH'], userGroups: ['S0614TZR7'] };

  it('says which role is needed for what on which cluster, whom to ask and what the person holds', () => {
    const message = denialMessage({
      what: 'isolate a pod',
      needed: 'responder',
      cluster: 'prod',
      held: 'viewer',
      heldOn: ['dev', 'staging'],
      admins,
      contact: '<#C0123ABCD>',
    });
    expect(message.blocks).toEqual([
      {
        type: 'section',
        block_id: 'denial',
        text: {
          type: 'mrkdwn',
          text:
            'You need the *responder* role to isolate a pod on cluster `prod` — ask an admin (<@U024BE7LH>, <!subteam^S0614TZR7>) or <#C0123ABCD>.\n' +
            'You have the viewer role there. You do hold it on clusters `dev` and `staging`.',
        },
      },
    ]);
    expect(message.text).toBe(
      'You need the responder role to isolate a pod on cluster prod — ask an admin (<@U024BE7LH>, <!subteam^S0614TZR7>) or <#C0123ABCD>. You have the viewer role there. You do hold it on clusters dev and staging.',
    );
  });

  it('says "at least one cluster" for a role asked on any cluster, "every cluster" for one asked on all', () => {
    const base = {
      what: 'use kubeguard in Slack',
      needed: 'viewer',
      heldOn: [],
      admins: { users: [], userGroups: [] },
    };
    expect(denialMessage({ ...base, anyCluster: true }).text).toBe(
      'You need the viewer role to use kubeguard in Slack on at least one cluster — ask a kubeguard admin.',
    );
    expect(denialMessage(base).text).toBe(
      'You need the viewer role to use kubeguard in Slack on every cluster — ask a kubeguard admin.',
    );
  });

  it('asks a kubeguard admin when none is configured, and shows a free-text contact as text', () => {
    const bare = denialMessage({
      what: 'list findings',
      needed: 'viewer',
      heldOn: [],
      admins: { users: [], userGroups: [] },
    });
    expect(bare.blocks[0]).toMatchObject({
      text: { text: 'You need the *viewer* role to list findings on every cluster — ask a kubeguard admin.' },
    });
    const contact = denialMessage({
      what: 'approve an action',
      needed: 'admin',
      cluster: 'prod',
      heldOn: [],
      admins: { users: [], userGroups: [] },
      contact: '#sec-oncall <!channel>',
    });
    expect(contact.blocks[0]).toMatchObject({
      text: {
        text: 'You need the *admin* role to approve an action on cluster `prod` — ask #sec-oncall &lt;!channel&gt;.',
      },
    });
    expect(validateBlockKitMessage(contact)).toEqual([]);
  });
});
