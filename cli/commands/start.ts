import type { CliCommand } from '../io.ts';

/**
 * `npm start`. The local sandbox (embedded DynamoDB, a Slack-like page, a demo cluster) is on the
 * roadmap; until it lands this prints what exists and how to use it.
 */
export const startCommand: CliCommand = {
  name: 'start',
  summary: 'Start the local sandbox (for now: explains what runs locally)',
  usage: 'kubeguard start',
  run: async (_args, io) => {
    io.stdout(
      [
        'kubeguard — ChatOps security for Amazon EKS',
        '',
        'The local sandbox (Slack-like page, embedded DynamoDB, demo cluster) is not built yet.',
        'What runs locally today:',
        '  npx kubeguard --help            list the CLI commands',
        '  npx kubeguard detect FILE...    run the detection rules on audit logs or GuardDuty findings',
        '  npx kubeguard render alert FILE the Slack alert each detection would post',
        '  npx kubeguard audit --manifests PATH   posture audit of manifests (CIS EKS, Pod Security)',
        '  npx kubeguard netpol --manifests PATH --from NS/POD --to NS/POD --port N   NetworkPolicy what-if',
        '  npm test                        typecheck, lint and all tests',
        '  npm run bench                   benchmarks',
        '  npx cdk synth                   synthesize the AWS deployment',
        '',
      ].join('\n'),
    );
    return 0;
  },
};
