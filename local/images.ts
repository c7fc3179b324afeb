import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod';

/**
 * The local stand-in for an ECR repository: an "image" of the demo service is its configuration
 * (version string and injected faults). Its digest is the sha256 of that content, so pushing the same
 * content twice yields the same digest, as in ECR.
 */
export const ImageConfigSchema = z.object({
  version: z.string().min(1).max(64),
  /** Probability (0..1) that a request answers 500. */
  faultRate: z.number().min(0).max(1).default(0),
  /** Added latency per request, ms. */
  latencyMs: z.number().int().min(0).max(30_000).default(0),
});
export type ImageConfig = z.infer<typeof ImageConfigSchema>;

export interface LocalImage {
  repository: string;
  tag: string;
  digest: string;
  config: ImageConfig;
  pushedAt: string;
}

export class ImageNotFoundError extends Error {
  override name = 'ImageNotFoundError';
}

export class LocalImageRegistry {
  private readonly images = new Map<string, LocalImage>();

  constructor(private readonly file?: string) {
    if (file && existsSync(file)) {
      for (const img of JSON.parse(readFileSync(file, 'utf8')) as LocalImage[]) this.images.set(img.digest, img);
    }
  }

  static digestOf(repository: string, config: ImageConfig): string {
    const canonical = JSON.stringify({ repository, version: config.version, faultRate: config.faultRate, latencyMs: config.latencyMs });
    return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
  }

  push(repository: string, tag: string, input: z.input<typeof ImageConfigSchema>): LocalImage {
    const config = ImageConfigSchema.parse(input);
    const digest = LocalImageRegistry.digestOf(repository, config);
    const image: LocalImage = { repository, tag, digest, config, pushedAt: new Date().toISOString() };
    this.images.set(digest, image);
    this.save();
    return image;
  }

  get(digest: string): LocalImage {
    const img = this.images.get(digest);
    if (!img) throw new ImageNotFoundError(`no local image with digest ${digest}; push it with \`npm run push\``);
    return img;
  }

  list(): LocalImage[] {
    return [...this.images.values()];
  }

  private save() {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.list(), null, 2));
    renameSync(tmp, this.file);
  }
}
