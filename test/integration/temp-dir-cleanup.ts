import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dir';

// The integration projects' setup file, run before each test file. Its hook is registered before the
// file's own, so it runs after them (a tmpfs is unmounted first), once the file's tests are over,
// whether they passed or not. A module-level hook in temp-dir.ts would be registered only for the first
// file a worker runs: workers keep their modules from file to file.
afterAll(removeTempDirs);
