/**
 * Compose files shaped like Engram's own (see the fact sheet's Compose section): the stock file builds
 * the app from source, and the "published" variant runs the image Engram's CI pushes.
 */
export const STOCK_COMPOSE = `# Engram: app, Postgres, Qdrant and Ollama (MinIO with --profile s3)
services:
  engram:
    build: .
    env_file: .env
    ports:
      - "4000:4000"
    environment:
      DATABASE_URL: ecto://engram:engram@postgres:5432/engram
      QDRANT_URL: http://qdrant:6333
      OLLAMA_URL: http://ollama:11434
    depends_on:
      postgres:
        condition: service_healthy
      qdrant:
        condition: service_started
      ollama:
        condition: service_healthy
      ollama-init:
        condition: service_completed_successfully
    healthcheck:
      test: ["CMD-SHELL", "curl -sf http://localhost:4000/api/health || exit 1"]
      interval: 5s
      timeout: 5s
      retries: 10
      start_period: 30s
    restart: unless-stopped

  postgres:
    image: postgres:18.4
    environment:
      POSTGRES_USER: engram
      POSTGRES_PASSWORD: engram
      POSTGRES_DB: engram
    volumes:
      - pg18_data:/var/lib/postgresql
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U engram"]
      interval: 5s
      timeout: 5s
      retries: 5
    restart: unless-stopped

  qdrant:
    image: qdrant/qdrant:v1.17.1
    volumes:
      - qdrant_data:/qdrant/storage

  ollama:
    image: ollama/ollama:latest
    volumes:
      - ollama_data:/root/.ollama
    healthcheck:
      test: ["CMD", "ollama", "list"]

  ollama-init:
    image: ollama/ollama:latest
    entrypoint: ["ollama", "pull", "nomic-embed-text"]

  minio:
    image: minio/minio:latest
    profiles: [s3]
    volumes:
      - minio_data:/data

volumes:
  pg18_data:
  qdrant_data:
  ollama_data:
  minio_data:
`;

/** The stock file after an operator switched the app to the published image (with a comment kept). */
export const PUBLISHED_COMPOSE = STOCK_COMPOSE.replace(
  '    build: .\n',
  '    image: ghcr.io/engram-app/engram:0.17.0   # published image, pinned by hand\n',
);

/** The app's image through a variable, as many operators write it. */
export const VARIABLE_COMPOSE = STOCK_COMPOSE.replace(
  '    build: .\n',
  '    image: "ghcr.io/engram-app/engram:${ENGRAM_TAG:-0.17.0}"\n',
);

export const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

/** An `.env` like the one .env.example produces, plus an image tag and a few hand edits. */
export const ENV_FILE = `# Engram settings
SECRET_KEY_BASE="sJ8k2x/N0q+abc==" # openssl rand -base64 48
JWT_SECRET='jwt$secret'
ENCRYPTION_MASTER_KEY=q2V0aGUtbWFzdGVyLWtleS0zMi1ieXRlcy1sb25nISE=

PHX_HOST=localhost
PHX_SCHEME=http
PHX_PORT=4000
AUTH_PROVIDER=local
ENGRAM_DEFAULT_REGISTRATION_MODE=invite_only
KEY_PROVIDER=local
EMBED_BACKEND=ollama
EMBED_MODEL=nomic-embed-text
EMBED_DIMS=768
QDRANT_COLLECTION=obsidian_notes
STORAGE_BACKEND=database
AWS_REGION=eu-west-1  # storage region
ENGRAM_TAG=0.17.0
`;

/** The lines that differ between two texts, as [line number, before, after]; the texts must have as many lines. */
export function changedLines(before: string, after: string): [number, string, string][] {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length !== b.length) throw new Error(`line count changed: ${a.length} → ${b.length}`);
  return a.flatMap((line, i) => (line === b[i] ? [] : [[i + 1, line, b[i]!] as [number, string, string]]));
}
