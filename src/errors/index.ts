export * from './upgrade-error';
