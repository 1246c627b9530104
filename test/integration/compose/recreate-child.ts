/**
 * Recreates a lab project's service with the engine driver and SIGKILLs itself when the driver reports
 * a given point (`created`, `stopped`, `running`, `started`): the way an operator's terminal or the OOM killer
 * ends a run between creating the new container and removing the old one.
 * argv: <project> <dir> <service> <point>
 */
import { join } from 'node:path';
import { Deployment } from '../../../src/deployment/deployment';
import { DockerodeDocker } from '../../../src/docker/dockerode-docker';
import { SecretSet } from '../../../src/secrets';
import { recreateApp } from '../../../src/upgrade/recreate-app';

const [project, dir, service, point] = process.argv.slice(2) as [string, string, string, string];
const dep = new Deployment({
  project,
  appService: service,
  dbService: service,
  docker: new DockerodeDocker(),
});
await recreateApp(dep, {
  driver: 'engine',
  files: { project, workingDir: dir, configFiles: [join(dir, 'compose.yaml')], envFile: join(dir, '.env') },
  service,
  secrets: new SecretSet(),
  log: (m) => {
    if (m.startsWith(`${point} `)) process.kill(process.pid, 'SIGKILL');
  },
});
process.stdout.write('finished without being killed\n');
