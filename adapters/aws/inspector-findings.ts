import {
  type FilterCriteria,
  Inspector2Client,
  ListFindingsCommand,
  type ListFindingsCommandOutput,
  type StringFilter,
} from '@aws-sdk/client-inspector2';
import { accountLabel, memberAccountOf } from '../../core/config/accounts.ts';
import type { KubeguardConfig } from '../../core/config/schema.ts';
import { KubeguardError } from '../../core/errors.ts';
import type { ImageFinding } from '../../core/supply-chain/image-finding.ts';
import { imageFindingFromApi } from '../../core/supply-chain/inspector-event.ts';
import type { ImageFindingSource } from '../../core/supply-chain/ports.ts';
import { tracedAwsClient } from '../observability/hooks.ts';
import type { AccountCredentials } from './account-credentials.ts';
import { errorName, isAccessDenied } from './collect-support.ts';

/**
 * Amazon Inspector's current ECR image findings (Inspector2 `ListFindings`), as the
 * `ImageFindingSource` port. Every query is filtered to `resourceType AWS_ECR_CONTAINER_IMAGE` and
 * `findingStatus ACTIVE`, then to one image by `ecrImageHash` or to some severities; pages are
 * followed through `nextToken` up to a cap. A member account's findings are read as that account's
 * member role (account-credentials.ts, as the posture collectors do); any other account's (the home
 * account, or a member Inspector's delegated administrator reports for) with the function's own
 * role, filtered by `awsAccountId`.
 */

/** ListFindings' largest page. */
export const LIST_FINDINGS_PAGE_SIZE = 100;
/** Pages read for one image (1,000 findings: more than any image carries). */
export const IMAGE_PAGE_CAP = 10;
/** Pages read for a region's findings (10,000 findings): the posture checks' input. */
export const REGION_PAGE_CAP = 100;

export interface InspectorFindingsOptions {
  config: Pick<KubeguardConfig, 'accounts'>;
  accounts: AccountCredentials;
  /**
   * The role the function runs as, for messages (`<prefix>-posture-audit`).
   * @default 'the function’s execution role'
   */
  homeRole?: string;
  /** Builds the client of one account and region. @default a traced Inspector2Client */
  clientFor?: (config: {
    region: string;
    credentials?: Inspector2Client['config']['credentials'];
  }) => Pick<Inspector2Client, 'send'>;
  /** Page caps. @default IMAGE_PAGE_CAP and REGION_PAGE_CAP */
  maxPages?: { image?: number; region?: number };
  /** Told when a listing stopped at its page cap (the list is then partial). @default nothing */
  onTruncated?: (what: { account: string; region: string; pages: number; findings: number }) => void;
}

const equals = (value: string): StringFilter => ({ comparison: 'EQUALS', value });

/** The filter every query starts from: active findings on ECR container images. */
export const ACTIVE_ECR_IMAGE_FILTER: FilterCriteria = Object.freeze({
  resourceType: [equals('AWS_ECR_CONTAINER_IMAGE')],
  findingStatus: [equals('ACTIVE')],
});

export function createInspectorFindingSource(options: InspectorFindingsOptions): ImageFindingSource {
  const clients = new Map<string, Pick<Inspector2Client, 'send'>>();
  const build =
    options.clientFor ??
    ((config: { region: string; credentials?: Inspector2Client['config']['credentials'] }) =>
      tracedAwsClient(new Inspector2Client(config)));

  /** The client, the role it runs as, and whether to filter on the account, for one account and region. */
  const connect = (account: string | undefined, region: string) => {
    const member = account === undefined ? undefined : memberAccountOf(options.config, { account });
    const { key, credentials } =
      member === undefined
        ? { key: 'home', credentials: undefined }
        : // The member role is per account: any cluster of it would do, this one names the account.
          options.accounts.forCluster({
            name: `account ${member.id}`,
            region,
            account: member.id,
            auditLogGroup: '',
          });
    let client = clients.get(`${key} ${region}`);
    if (client === undefined) {
      client = build(credentials === undefined ? { region } : { region, credentials });
      clients.set(`${key} ${region}`, client);
    }
    return {
      client,
      role: member?.roleArn ?? options.homeRole ?? 'the function’s execution role',
      label: account === undefined ? 'the home account' : `account ${accountLabel(options.config, account)}`,
    };
  };

  const list = async (
    account: string | undefined,
    region: string,
    filter: FilterCriteria,
    maxPages: number,
  ): Promise<ImageFinding[]> => {
    const { client, role, label } = connect(account, region);
    const filterCriteria: FilterCriteria = {
      ...ACTIVE_ECR_IMAGE_FILTER,
      ...(account === undefined ? {} : { awsAccountId: [equals(account)] }),
      ...filter,
    };
    const findings: ImageFinding[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      let page: ListFindingsCommandOutput;
      try {
        page = await client.send(
          new ListFindingsCommand({
            filterCriteria,
            maxResults: LIST_FINDINGS_PAGE_SIZE,
            ...(nextToken === undefined ? {} : { nextToken }),
          }),
        );
      } catch (error) {
        throw listFailed(error, { label, region, role, account });
      }
      pages += 1;
      for (const item of page.findings ?? []) {
        findings.push(imageFindingFromApi(item as unknown as Record<string, unknown>));
      }
      nextToken = page.nextToken === '' ? undefined : page.nextToken;
    } while (nextToken !== undefined && pages < maxPages);
    if (nextToken !== undefined) {
      options.onTruncated?.({ account: account ?? 'home', region, pages, findings: findings.length });
    }
    return findings;
  };

  return {
    findingsForImage: ({ account, region, digest }) =>
      list(account, region, { ecrImageHash: [equals(digest)] }, options.maxPages?.image ?? IMAGE_PAGE_CAP),
    activeFindings: ({ account, region, severities }) =>
      list(
        account,
        region,
        severities === undefined || severities.length === 0 ? {} : { severity: severities.map(equals) },
        options.maxPages?.region ?? REGION_PAGE_CAP,
      ),
  };
}

/**
 * A failed ListFindings: FORBIDDEN names the account, region and role and what to grant;
 * anything else is UPSTREAM with the SDK's error name and message.
 */
function listFailed(
  error: unknown,
  where: { label: string; region: string; role: string; account: string | undefined },
): KubeguardError {
  const reason = `${errorName(error)}: ${error instanceof Error ? error.message : String(error)}`;
  const details = { account: where.account ?? 'home', region: where.region, role: where.role };
  if (isAccessDenied(error)) {
    return new KubeguardError(
      'FORBIDDEN',
      `no permission to inspector2:ListFindings in ${where.label}, ${where.region}, as ${where.role} (${reason}); ` +
        'grant it inspector2:ListFindings (the posture-audit role and the member-account stack do: redeploy them) ' +
        'and check that Amazon Inspector is enabled there (docs/deploy.md)',
      { cause: error, details },
    );
  }
  return new KubeguardError(
    'UPSTREAM',
    `inspector2:ListFindings failed in ${where.label}, ${where.region}, as ${where.role}: ${reason}`,
    { cause: error, details },
  );
}
