/**
 * Maps the S3 locations a template points at (Code.S3Key, CodeS3Location, DefinitionS3Location…) back to
 * the `asset.<hash>` file or folder cdk synth left in cdk.out, using the stacks' asset manifests.
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { AssetManifestArtifact, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../aws-ids.js';

/** One file asset: where it would be uploaded and where it is on disk. */
export interface LocalAsset {
  readonly bucketName: string;
  readonly objectKey: string;
  /** Absolute path of the asset folder (packaging zip) or file (packaging file). */
  readonly path: string;
  readonly packaging: 'zip' | 'file';
  /** The construct that owns the asset, e.g. `Processor/Code`. */
  readonly displayName?: string;
}

/** The file assets of every stack, keyed by S3 object key. */
export class AssetIndex {
  private readonly byKey = new Map<string, LocalAsset>();

  /** Collects the file assets of the asset manifests the stacks depend on. */
  static fromStacks(stacks: readonly CloudFormationStackArtifact[]): AssetIndex {
    const index = new AssetIndex();
    for (const stack of stacks) {
      for (const dep of stack.dependencies) {
        if (dep.manifest.type !== 'cdk:asset-manifest') continue;
        const manifest = dep as AssetManifestArtifact;
        for (const [, asset] of Object.entries(manifest.contents.files ?? {})) {
          if (!asset.source.path) continue; // built by an executable at publish time: nothing on disk
          const path = resolve(dep.assembly.directory, asset.source.path);
          for (const destination of Object.values(asset.destinations)) {
            index.byKey.set(placeholders(destination.objectKey), {
              bucketName: placeholders(destination.bucketName),
              objectKey: placeholders(destination.objectKey),
              path,
              packaging: asset.source.packaging === 'zip' ? 'zip' : 'file',
              displayName: asset.displayName,
            });
          }
        }
      }
    }
    return index;
  }

  /** Every known asset. */
  all(): LocalAsset[] {
    return [...this.byKey.values()];
  }

  /** The asset at a key, an s3:// or https:// S3 URL, or a `{S3Bucket,S3Key}`/`{Bucket,Key}` object. */
  find(location: unknown): LocalAsset | undefined {
    const key = objectKeyOf(location);
    if (!key) return undefined;
    return this.byKey.get(key) ?? this.byKey.get(basename(key));
  }

  /** Like find, but fails with the keys it knows when the location is not an asset of this assembly. */
  pathOf(location: unknown): string {
    const asset = this.find(location);
    if (!asset) {
      throw new Error(
        `no asset in cdk.out for ${JSON.stringify(location)}; known object keys: ${[...this.byKey.keys()].join(', ') || 'none'}`,
      );
    }
    if (!existsSync(asset.path))
      throw new Error(`asset ${asset.objectKey} points at ${asset.path}, which does not exist`);
    return asset.path;
  }
}

function objectKeyOf(location: unknown): string | undefined {
  if (typeof location === 'string') {
    const s3 = /^s3:\/\/[^/]+\/(.+)$/.exec(location);
    if (s3) return s3[1];
    if (/^https?:\/\//.test(location)) return new URL(location).pathname.split('/').filter(Boolean).pop();
    return location;
  }
  if (location && typeof location === 'object') {
    const o = location as Record<string, unknown>;
    const key = o.S3Key ?? o.Key;
    return typeof key === 'string' ? key : undefined;
  }
  return undefined;
}

/** Environment-agnostic asset manifests carry ${AWS::AccountId}-style placeholders. */
function placeholders(text: string): string {
  return text
    .replaceAll('${AWS::AccountId}', LOCAL_ACCOUNT)
    .replaceAll('${AWS::Region}', LOCAL_REGION)
    .replaceAll('${AWS::Partition}', 'aws');
}
