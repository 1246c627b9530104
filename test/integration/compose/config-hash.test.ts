import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { CONFIG_HASH_LABEL, composeConfigHash } from '../../../src/compose/config-hash';
import { loadServiceModel } from '../../../src/compose/load-service-model';
import { engramImage, ownerLabel, postgresImage } from '../../../src/testing/images';
import { renderComposeFile } from '../../../src/testing/stack-compose-file';
import { OVERRIDE, RICH } from '../../unit/compose/rich-service';
import { LAB_LABELS, LabProject } from './lab-project';

/** Our hash of `service` next to the label the compose CLI on this machine wrote when it created it. */
async function hashes(project: LabProject, service: string): Promise<{ ours: string; compose: string }> {
  await project.compose(['create', service]);
  const loaded = await loadServiceModel(project.files, service);
  if (!loaded.ok) throw new Error(`unsupported: ${loaded.unsupported.join(', ')}`);
  const label = (await project.inspect(service)).Config.Labels[CONFIG_HASH_LABEL];
  return { ours: composeConfigHash(loaded.model), compose: label ?? '(none)' };
}

function engramStackFile(): string {
  return renderComposeFile({
    engramImage: engramImage('0.15.0'),
    postgresImage: postgresImage(),
    postgresDataMount: '/var/lib/postgresql/data',
    httpPort: 4000,
    postgresPort: undefined,
    healthcheck: { intervalS: 2, startPeriodS: 30, retries: 15 },
    owner: ownerLabel(),
    database: 'engram',
  });
}

const ENV = 'POSTGRES_PASSWORD=pw-canary\nSECRET_KEY_BASE=base\nENGRAM_MASTER_KEY=key\n';

describe('com.docker.compose.config-hash as compose computes it', () => {
  it('for the Engram stack the harness runs', async () => {
    await using project = new LabProject({ 'compose.yaml': engramStackFile(), '.env': ENV });
    const { ours, compose } = await hashes(project, 'engram');
    expect(ours).toBe(compose);
  });

  it('for the same stack with the settings of fault 14 (image-default env, anonymous volume, alias, label, caps, ulimits)', async () => {
    const doc = parseDocument(engramStackFile());
    doc.setIn(['services', 'engram', 'environment', 'PHX_SERVER'], 'true');
    doc.setIn(['services', 'engram', 'volumes'], ['/app/cache']);
    doc.setIn(['services', 'engram', 'networks'], { default: { aliases: ['notes-api'] } });
    doc.setIn(['services', 'engram', 'labels', 'example.owner'], 'ops');
    doc.setIn(['services', 'engram', 'cap_drop'], ['NET_RAW']);
    doc.setIn(['services', 'engram', 'ulimits'], { nofile: { soft: 4096, hard: 8192 } });
    doc.setIn(['services', 'engram', 'logging'], { driver: 'json-file', options: { 'max-size': '10m' } });
    doc.setIn(['services', 'engram', 'deploy'], { resources: { limits: { memory: '512M', cpus: '0.5' } } });
    await using project = new LabProject({ 'compose.yaml': doc.toString(), '.env': ENV });
    const { ours, compose } = await hashes(project, 'engram');
    expect(ours).toBe(compose);
  });

  it('for a service using most compose keys, across an override file, and it moves when the config does', async () => {
    const labelled = (text: string) =>
      text.replace(
        '    labels:\n      - lab=1\n',
        `    labels:\n      - lab=1\n${Object.entries(LAB_LABELS)
          .map(([k, v]) => `      - ${k}=${v}\n`)
          .join('')}`,
      );
    await using project = new LabProject(
      {
        'compose.yaml': labelled(RICH).replace(
          'volumes: {named: {}}',
          `volumes: {named: {labels: ${JSON.stringify(LAB_LABELS)}}}`,
        ),
        'override.yaml': OVERRIDE,
        '.env': 'FROM_DOTENV=dotenv-value\nLABEL_VALUE=lv\n',
        'conf/a.env': 'A_ONE=1\nSHARED=from-a\nREF=${FROM_DOTENV}-x\n',
        'conf/b.env': 'SHARED=from-b\nB_ONLY="two words"\n',
        'data/.keep': '',
      },
      ['compose.yaml', 'override.yaml'],
    );
    const first = await hashes(project, 'app');
    expect(first.ours).toBe(first.compose);
    project.write({ 'conf/b.env': 'SHARED=from-b\nB_ONLY="three words"\n' });
    const second = await hashes(project, 'app');
    expect(second.ours).toBe(second.compose);
    expect(second.ours).not.toBe(first.ours);
  });
});
