import { type DynamoDBDocumentClient, PutCommand } from '../../adapters/aws/dynamo-document.ts';
import { DynamoFindingStore } from '../../adapters/aws/findings-store.ts';
import { findingsTableDefinition } from '../../adapters/aws/findings-table.ts';
import type { FindingStore } from '../../core/findings/ports.ts';
import type { Dynalite } from './dynalite.ts';
import { InMemoryFindingStore } from './in-memory-finding-store.ts';

/** A store for a contract test, and a way to make the next recording die after its finding write. */
export interface StoreUnderTest {
  store: FindingStore;
  crashAfterNextFindingWrite(): void;
  /** The next calls run in a fresh invocation (after a crash). */
  revive(): void;
}

export interface StoreKind {
  name: string;
  create(): Promise<StoreUnderTest>;
}

export function inMemoryStoreKind(): StoreKind {
  return {
    name: 'in-memory store',
    create: async () => {
      const store = new InMemoryFindingStore();
      return {
        store,
        crashAfterNextFindingWrite: () => {
          store.crashAfterNextFindingWrite = true;
        },
        revive: () => {},
      };
    },
  };
}

/**
 * The DynamoDB store on dynalite, a fresh table each time. Its client dies right after the next
 * finding write took effect, when asked: that call and every later one fail, as in a function that
 * timed out there.
 */
let tables = 0;

export function dynamoStoreKind(db: () => Dynalite): StoreKind {
  return {
    name: 'DynamoDB store (dynalite)',
    create: async () => {
      tables += 1;
      const tableName = `contract-${tables}`;
      await db().createTable(findingsTableDefinition(tableName));
      const crash = { armed: false, dead: false };
      const real = db().documentClient;
      const client = new Proxy(real, {
        get(target, property, receiver) {
          if (property !== 'send') return Reflect.get(target, property, receiver);
          return async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
            if (crash.dead) throw new Error('function timed out after writing the finding');
            const result = await target.send(command);
            const item = command instanceof PutCommand ? command.input.Item : undefined;
            if (crash.armed && item?.sk === 'FINDING') {
              // The write took effect; the function dies before it hears back or does anything more.
              crash.armed = false;
              crash.dead = true;
              throw new Error('function timed out after writing the finding');
            }
            return result;
          };
        },
      });
      const store = new DynamoFindingStore({ client, tableName, nowSeconds: () => 1_800_000_000 });
      return {
        store,
        crashAfterNextFindingWrite: () => {
          crash.armed = true;
          crash.dead = false;
        },
        revive: () => {
          crash.dead = false;
        },
      };
    },
  };
}
