import { z } from 'zod';
import { ImageReferenceSchema } from './image-reference';

const Literal = z.object({
  /** `image: repo:tag` (or a bare `repo`), written out in the compose file. */
  kind: z.literal('literal'),
  reference: ImageReferenceSchema,
});

const Digest = z.object({
  /** `image: repo:tag@sha256:…` or `repo@sha256:…`: pinned to content. */
  kind: z.literal('digest'),
  reference: ImageReferenceSchema,
});

const Variable = z.object({
  /** `image: repo:${ENGRAM_TAG}`, `${ENGRAM_IMAGE}`, `${ENGRAM_IMAGE:-default}` …: set through a variable. */
  kind: z.literal('variable'),
  /** The variable that decides the image (the last one in the template when it has several). */
  variable: z.string(),
  /** The `image:` value as written, before interpolation. */
  template: z.string(),
  /** What compose pulls: the template with its variables substituted. */
  reference: ImageReferenceSchema,
  /** `env`: the variable's value was used; `default`: the text written after `:-`/`-` (or `:+`/`+`) was. */
  source: z.enum(['env', 'default']),
});

const Path = { /** The compose file whose `image:` is in effect. */ path: z.string() };

/** Where and how a service's image is written in a compose file. Plain data, safe to put in a plan. */
export const ImageLocationSchema = z.discriminatedUnion('kind', [Literal, Digest, Variable]);
export type ImageLocation = z.infer<typeof ImageLocationSchema>;

/** An `ImageLocation` together with the compose file that holds the `image:` in effect. */
export const LocatedImageSchema = z.discriminatedUnion('kind', [
  Literal.extend(Path),
  Digest.extend(Path),
  Variable.extend(Path),
]);
export type LocatedImage = z.infer<typeof LocatedImageSchema>;
