import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConcurrentUpdateError } from '../../core/delivery/ports.js';
import type { Release, ReleaseRepository } from '../../core/delivery/release.js';
import { keys } from './keys.js';

const isConditionFailure = (e: unknown) => (e as Error)?.name === 'ConditionalCheckFailedException';

/** Releases in the single table (`RELEASE#<id>` / `META`); every write is conditional on the version. */
export class DynamoReleaseRepository implements ReleaseRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async createRelease(release: Release): Promise<boolean> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...keys.release(release.releaseId), type: 'release', ...release }, ConditionExpression: 'attribute_not_exists(PK)' }));
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async getRelease(releaseId: string): Promise<Release | null> {
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.release(releaseId), ConsistentRead: true }));
    if (!res.Item) return null;
    const { PK: _pk, SK: _sk, type: _type, ...release } = res.Item;
    return release as Release; // written only by this repository, from typed values
  }

  async updateRelease(release: Release): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.release(release.releaseId), type: 'release', ...release },
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': release.version - 1 },
        }),
      );
    } catch (e) {
      if (isConditionFailure(e)) throw new ConcurrentUpdateError(`release ${release.releaseId} changed since version ${release.version - 1}`);
      throw e;
    }
  }
}
